// SPDX-License-Identifier: Apache-2.0
// The lease-balancing decision of one worker round, as a pure function of a lease listing (KCL's
// lease taker): which free leases to take and whether to steal one. Kept apart from the Worker so
// that every rule is tested without threads or clocks.
//
// Rules:
// - A lease is eligible when it is not finished (SHARD_END) and each of its parents is finished
//   or has no lease (parents first: a child is never taken while a parent has records left).
// - A lease is live when it has an owner and its expiry is after the listing's `now`. Live
//   workers are the owners of live eligible leases, plus the planning worker itself.
// - target = ceil(eligible / live workers), capped by max_leases (0: no cap).
// - Free leases are the eligible ones that are not live (an expired lease of this very worker
//   too: the caller skips those it still holds).
// - Below target, the worker takes free leases up to the target, starting
//   at a rotation that depends on its id so that workers starting together collide less.
// - Below target with no free lease left, it steals one lease per round from the most-loaded
//   worker, when that worker holds more than the target, or exactly the target while this
//   worker needs two or more (so that 4 leases over 3 workers settle at 2/1/1 and stay there).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "consumers/framework/lease_backend.h"
#include "index/consumer_leases.h"

namespace sluice::consumers {

struct LeasePlan {
  std::vector<index::ConsumerLease> take;     // free leases, in the order to try
  std::optional<index::ConsumerLease> steal;  // a live lease of the most-loaded worker
  size_t eligible = 0;
  size_t live_workers = 0;
  size_t target = 0;
  size_t held = 0;  // live eligible leases `worker` owns in the listing
};

LeasePlan PlanLeases(const LeaseSnapshot& snapshot, std::string_view worker, size_t max_leases = 0);

// True when every parent of `lease` in `all` is finished (or absent).
bool ParentsFinished(const index::ConsumerLease& lease,
                     const std::vector<index::ConsumerLease>& all);

}  // namespace sluice::consumers
