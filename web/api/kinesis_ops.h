// SPDX-License-Identifier: Apache-2.0
// The Kinesis Data Streams operations, one function each, grouped by file:
//   kinesis_streams.cc   CreateStream DeleteStream DescribeStream DescribeStreamSummary
//                        ListStreams DescribeLimits
//   kinesis_settings.cc  retention, tags, enhanced monitoring
//   kinesis_shards.cc    ListShards
//   kinesis_put.cc       PutRecord PutRecords (answer from the engine's callback)
//   kinesis_get.cc       GetShardIterator GetRecords
// Synchronous operations return their result; KinesisApi::Handle passes it to the reply.
#pragma once

#include "web/api/api_call.h"
#include "web/api/kinesis_context.h"
#include "web/api/kinesis_fsync_tag.h"

namespace sluice::web::api::kinesis {

ApiResult CreateStream(Context& ctx, const ApiCall& call);
ApiResult DeleteStream(Context& ctx, const ApiCall& call);
ApiResult DescribeStream(Context& ctx, const ApiCall& call);
ApiResult DescribeStreamSummary(Context& ctx, const ApiCall& call);
ApiResult ListStreams(Context& ctx, const ApiCall& call);
ApiResult DescribeLimits(Context& ctx, const ApiCall& call);

ApiResult IncreaseStreamRetentionPeriod(Context& ctx, const ApiCall& call);
ApiResult DecreaseStreamRetentionPeriod(Context& ctx, const ApiCall& call);
ApiResult AddTagsToStream(Context& ctx, const ApiCall& call);
ApiResult RemoveTagsFromStream(Context& ctx, const ApiCall& call);
ApiResult ListTagsForStream(Context& ctx, const ApiCall& call);
ApiResult EnableEnhancedMonitoring(Context& ctx, const ApiCall& call);
ApiResult DisableEnhancedMonitoring(Context& ctx, const ApiCall& call);

ApiResult ListShards(Context& ctx, const ApiCall& call);

// Reply exactly once, possibly from an engine thread.
void PutRecord(Context& ctx, ApiCall call, ApiReply reply);
void PutRecords(Context& ctx, ApiCall call, ApiReply reply);

ApiResult GetShardIterator(Context& ctx, const ApiCall& call);
ApiResult GetRecords(Context& ctx, const ApiCall& call);

}  // namespace sluice::web::api::kinesis
