// SPDX-License-Identifier: Apache-2.0
// Worker: the lease round (reap, renew, discover, take/steal) on its own thread, and the shard
// consumers it starts and stops.
#include "consumers/framework/worker.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "base/log.h"
#include "consumers/framework/lease_planner.h"
#include "engine/types.h"

namespace sluice::consumers {
namespace {

std::string DefaultWorkerId() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) std::snprintf(host, sizeof(host), "host");
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "%06x", static_cast<unsigned>(rd() & 0xffffff));
  return std::string(host) + "-" + std::to_string(getpid()) + "-" + suffix;
}

}  // namespace

Worker::Worker(LeaseBackend* backend, RecordSource* source, ProcessorFactory factory,
               WorkerOptions options)
    : backend_(backend),
      source_(source),
      factory_(std::move(factory)),
      options_(std::move(options)) {
  if (options_.worker_id.empty()) options_.worker_id = DefaultWorkerId();
  if (options_.lease_interval_ms <= 0) {
    options_.lease_interval_ms = std::max<int64_t>(1, options_.lease_duration_ms / 3);
  }
}

Worker::~Worker() { Stop(); }

Status Worker::Start() {
  if (running_) return FailedPreconditionError("worker already started");
  ASSIGN_OR_RETURN(application_,
                   backend_->CreateApplication({.name = options_.application,
                                                .stream = options_.stream,
                                                .initial_position = options_.initial_position,
                                                .initial_timestamp = options_.initial_timestamp}));
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = false;
  }
  running_ = true;
  LOG_INFO("consumers", "worker started",
           {{"application", options_.application},
            {"stream", options_.stream},
            {"worker", options_.worker_id}});
  RunRound();
  thread_ = std::thread([this] { Loop(); });
  return OkStatus();
}

void Worker::Loop() {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    cv_.wait_for(l, std::chrono::milliseconds(options_.lease_interval_ms),
                 [&] { return stopping_; });
    if (stopping_) return;
    l.unlock();
    RunRound();
    l.lock();
  }
}

void Worker::RunRound() {
  ReapRetired();
  RenewHeld();
  ReapRetired();
  DiscoverShards();
  TakeLeases();
}

void Worker::Retire(ShardIndex shard, ShardConsumer::StopReason reason) {
  std::unique_ptr<ShardConsumer> consumer;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = held_.find(shard);
    if (it == held_.end()) return;
    consumer = std::move(it->second);
    held_.erase(it);
  }
  if (reason != ShardConsumer::StopReason::kNone) consumer->RequestStop(reason);
  retired_.push_back(std::move(consumer));
}

void Worker::ReapRetired() {
  for (auto it = retired_.begin(); it != retired_.end();) {
    ShardConsumer& c = **it;
    if (!c.done()) {
      ++it;
      continue;
    }
    c.Join();
    if (c.state() == ShardConsumer::State::kEnded || c.state() == ShardConsumer::State::kFailed) {
      // Finished shards need no owner; failed ones are retried from their checkpoint.
      Status s = c.lease()->Release();
      if (!s.ok()) {
        LOG_WARN("consumers", "cannot release lease",
                 {{"shard", engine::FormatShardId(c.lease()->shard())}, {"error", s.ToString()}});
      }
    }
    it = retired_.erase(it);
  }
}

void Worker::RenewHeld() {
  std::vector<std::pair<ShardIndex, ShardConsumer*>> held;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& [shard, consumer] : held_) held.emplace_back(shard, consumer.get());
  }
  const auto duration = std::chrono::milliseconds(options_.lease_duration_ms);
  for (auto [shard, consumer] : held) {
    if (consumer->done()) {
      Retire(shard, ShardConsumer::StopReason::kNone);
      continue;
    }
    const std::shared_ptr<LeaseHandle>& lease = consumer->lease();
    Status s = lease->Renew();
    if (s.ok()) continue;
    if (!lease->lost() && std::chrono::steady_clock::now() - lease->last_renewed() > duration) {
      lease->MarkLost();  // others may own it by now: stop before processing twice for long
    }
    if (lease->lost()) {
      LOG_INFO("consumers", "lease not renewed",
               {{"application", options_.application},
                {"shard", engine::FormatShardId(shard)},
                {"worker", options_.worker_id},
                {"error", s.ToString()}});
      Retire(shard, ShardConsumer::StopReason::kLeaseLost);
    } else {
      LOG_WARN("consumers", "lease renewal failed, retrying",
               {{"shard", engine::FormatShardId(shard)}, {"error", s.ToString()}});
    }
  }
}

void Worker::DiscoverShards() {
  Result<std::vector<index::LeaseShard>> shards = backend_->ListShards(options_.stream);
  Status s = shards.ok() ? backend_->EnsureLeases(options_.application, *shards) : shards.status();
  if (!s.ok()) {
    LOG_WARN("consumers", "shard discovery failed",
             {{"application", options_.application}, {"error", s.ToString()}});
  }
}

void Worker::TakeLeases() {
  Result<LeaseSnapshot> snapshot = backend_->ListLeases(options_.application);
  if (!snapshot.ok()) {
    LOG_WARN("consumers", "cannot list leases",
             {{"application", options_.application}, {"error", snapshot.status().ToString()}});
    return;
  }
  const LeasePlan plan = PlanLeases(*snapshot, options_.worker_id, options_.max_leases);
  for (const index::ConsumerLease& lease : plan.take) TryTake(lease, "free");
  if (plan.steal) TryTake(*plan.steal, "steal");
}

bool Worker::TryTake(const index::ConsumerLease& lease, const char* why) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (held_.count(lease.shard)) return false;
  }
  for (const auto& c : retired_) {
    if (c->lease()->shard() == lease.shard) return false;  // its old consumer is still stopping
  }
  Result<index::ConsumerLease> taken =
      backend_->TakeLease(options_.application, lease.shard, options_.worker_id, lease.counter,
                          options_.lease_duration_ms);
  if (!taken.ok()) {
    LOG_DEBUG(
        "consumers", "lease not taken",
        {{"shard", engine::FormatShardId(lease.shard)}, {"error", taken.status().ToString()}});
    return false;
  }
  auto handle = std::make_shared<LeaseHandle>(backend_, *taken, options_.worker_id,
                                              options_.lease_duration_ms);
  std::unique_ptr<RecordProcessor> processor = taken->finished() ? nullptr : factory_(lease.shard);
  if (processor == nullptr) {  // finished meanwhile, or the factory declined the shard
    handle->Release().IgnoreError();
    return false;
  }
  LOG_INFO("consumers", "took lease",
           {{"application", options_.application},
            {"shard", engine::FormatShardId(lease.shard)},
            {"worker", options_.worker_id},
            {"how", why},
            {"previous_owner", lease.owner},
            {"checkpoint", taken->checkpoint}});
  ShardContext context{.application = options_.application,
                       .stream = options_.stream,
                       .shard = lease.shard,
                       .shard_id = engine::FormatShardId(lease.shard),
                       .checkpoint = taken->checkpoint,
                       .start = {},
                       .worker_id = options_.worker_id};
  auto consumer = std::make_unique<ShardConsumer>(
      source_, std::move(handle), std::move(processor), std::move(context),
      ShardConsumerOptions{.max_records = options_.max_records,
                           .idle_time_ms = options_.idle_time_ms,
                           .retry_backoff_ms = options_.retry_backoff_ms,
                           .initial_timestamp = application_.initial_timestamp});
  consumer->Start();
  std::lock_guard<std::mutex> l(mu_);
  held_[lease.shard] = std::move(consumer);
  return true;
}

std::vector<ShardIndex> Worker::HeldShards() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<ShardIndex> out;
  for (const auto& [shard, consumer] : held_) out.push_back(shard);
  return out;
}

void Worker::Stop() {
  if (!running_) return;
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  Consumers held;
  {
    std::lock_guard<std::mutex> l(mu_);
    held.swap(held_);
  }
  for (auto& [shard, c] : held) c->RequestStop(ShardConsumer::StopReason::kShutdown);
  for (auto& [shard, c] : held) {
    c->Join();
    retired_.push_back(std::move(c));
  }
  for (auto& c : retired_) {
    c->Join();
    c->lease()->Release().IgnoreError();  // a no-op for leases already lost
  }
  retired_.clear();
  running_ = false;
  LOG_INFO("consumers", "worker stopped", {{"worker", options_.worker_id}});
}

void Worker::Kill() {
  if (!running_) return;
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  Consumers held;
  {
    std::lock_guard<std::mutex> l(mu_);
    held.swap(held_);
  }
  for (auto& [shard, c] : held) retired_.push_back(std::move(c));
  for (auto& c : retired_) {
    c->lease()->Kill();
    c->RequestStop(ShardConsumer::StopReason::kKill);
  }
  for (auto& c : retired_) c->Join();
  retired_.clear();
  running_ = false;
  LOG_INFO("consumers", "worker killed", {{"worker", options_.worker_id}});
}

}  // namespace sluice::consumers
