// SPDX-License-Identifier: Apache-2.0
// PlanLeases: eligibility, live workers, target, free leases to take and the one steal.
#include "consumers/framework/lease_planner.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string>

namespace sluice::consumers {

bool ParentsFinished(const index::ConsumerLease& lease,
                     const std::vector<index::ConsumerLease>& all) {
  for (ShardIndex parent : lease.parents) {
    for (const index::ConsumerLease& other : all) {
      if (other.shard == parent && !other.finished()) return false;
    }
  }
  return true;
}

LeasePlan PlanLeases(const LeaseSnapshot& snapshot, std::string_view worker, size_t max_leases) {
  LeasePlan plan;
  std::vector<const index::ConsumerLease*> free;
  std::map<std::string, std::vector<const index::ConsumerLease*>> live_by_owner;
  for (const index::ConsumerLease& l : snapshot.leases) {
    if (l.finished() || !ParentsFinished(l, snapshot.leases)) continue;
    plan.eligible++;
    const bool live = l.owned() && l.expiry > snapshot.now;
    if (live && l.owner == worker) {
      plan.held++;
    } else if (live) {
      live_by_owner[l.owner].push_back(&l);
    } else {
      free.push_back(&l);
    }
  }
  plan.live_workers = live_by_owner.size() + 1;
  plan.target = (plan.eligible + plan.live_workers - 1) / plan.live_workers;
  if (max_leases > 0) plan.target = std::min(plan.target, max_leases);
  if (plan.held >= plan.target) return plan;
  const size_t need = plan.target - plan.held;

  if (!free.empty()) {
    const size_t start = std::hash<std::string_view>()(worker) % free.size();
    for (size_t i = 0; i < free.size() && plan.take.size() < need; i++) {
      plan.take.push_back(*free[(start + i) % free.size()]);
    }
    return plan;
  }

  // No free lease: consider one steal from the most-loaded worker (ties: the smallest id).
  const std::vector<const index::ConsumerLease*>* most = nullptr;
  for (const auto& [owner, leases] : live_by_owner) {
    if (most == nullptr || leases.size() > most->size()) most = &leases;
  }
  if (most == nullptr) return plan;
  const bool over = most->size() > plan.target;
  const bool at_target_while_far_below = most->size() == plan.target && need > 1;
  if (over || at_target_while_far_below) plan.steal = *most->back();  // its highest shard
  return plan;
}

}  // namespace sluice::consumers
