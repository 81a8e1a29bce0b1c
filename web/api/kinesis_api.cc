// SPDX-License-Identifier: Apache-2.0
// KinesisApi: the operation table and the exception barrier around every operation.
#include "web/api/kinesis_api.h"

#include <atomic>
#include <exception>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>

#include "base/log.h"
#include "web/api/kinesis_context.h"
#include "web/api/kinesis_ops.h"

namespace sluice::web::api {
namespace {

using SyncOp = ApiResult (*)(kinesis::Context&, const ApiCall&);
using AsyncOp = void (*)(kinesis::Context&, ApiCall, ApiReply);
using Op = std::variant<SyncOp, AsyncOp>;

const std::unordered_map<std::string_view, Op>& Operations() {
  using namespace kinesis;  // NOLINT: the table names every operation
  static const std::unordered_map<std::string_view, Op> kOps = {
      {"CreateStream", SyncOp{&CreateStream}},
      {"DeleteStream", SyncOp{&DeleteStream}},
      {"DescribeStream", SyncOp{&DescribeStream}},
      {"DescribeStreamSummary", SyncOp{&DescribeStreamSummary}},
      {"ListStreams", SyncOp{&ListStreams}},
      {"DescribeLimits", SyncOp{&DescribeLimits}},
      {"IncreaseStreamRetentionPeriod", SyncOp{&IncreaseStreamRetentionPeriod}},
      {"DecreaseStreamRetentionPeriod", SyncOp{&DecreaseStreamRetentionPeriod}},
      {"AddTagsToStream", SyncOp{&AddTagsToStream}},
      {"RemoveTagsFromStream", SyncOp{&RemoveTagsFromStream}},
      {"ListTagsForStream", SyncOp{&ListTagsForStream}},
      {"EnableEnhancedMonitoring", SyncOp{&EnableEnhancedMonitoring}},
      {"DisableEnhancedMonitoring", SyncOp{&DisableEnhancedMonitoring}},
      {"ListShards", SyncOp{&ListShards}},
      {"PutRecord", AsyncOp{&PutRecord}},
      {"PutRecords", AsyncOp{&PutRecords}},
      {"GetShardIterator", SyncOp{&GetShardIterator}},
      {"GetRecords", SyncOp{&GetRecords}},
  };
  return kOps;
}

ApiResult InternalFailure() {
  return ApiResult::Fail("InternalFailure", "Internal service failure.", 500);
}

}  // namespace

struct KinesisApi::Impl {
  Impl(engine::StreamStore* store, Options options) : ctx(store, std::move(options)) {}
  kinesis::Context ctx;
};

KinesisApi::KinesisApi(engine::StreamStore* store, Options options)
    : impl_(std::make_unique<Impl>(store, std::move(options))) {}

KinesisApi::~KinesisApi() = default;

bool KinesisApi::Handles(std::string_view operation) const {
  return Operations().contains(operation);
}

void KinesisApi::Handle(ApiCall call, ApiReply reply) {
  // `replied` lets the exception barrier answer only if the operation has not answered yet.
  auto replied = std::make_shared<std::atomic<bool>>(false);
  ApiReply once = [replied, reply = std::move(reply)](ApiResult r) {
    if (!replied->exchange(true)) reply(std::move(r));
  };
  const std::string operation = call.operation;
  try {
    auto it = Operations().find(operation);
    if (it == Operations().end()) {
      once(ApiResult::Fail("UnknownOperationException", ""));
      return;
    }
    if (const SyncOp* op = std::get_if<SyncOp>(&it->second)) {
      once((*op)(impl_->ctx, call));
    } else {
      std::get<AsyncOp>(it->second)(impl_->ctx, std::move(call), once);
    }
  } catch (const std::exception& e) {
    LOG_ERROR("kinesis", "operation failed with an exception",
              {{"operation", operation}, {"error", e.what()}});
    once(InternalFailure());
  } catch (...) {
    LOG_ERROR("kinesis", "operation failed with an unknown exception", {{"operation", operation}});
    once(InternalFailure());
  }
}

}  // namespace sluice::web::api
