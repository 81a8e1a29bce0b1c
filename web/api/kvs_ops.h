// SPDX-License-Identifier: Apache-2.0
// The Kinesis Video Streams operations, one function each, and what they share (the Context,
// request reading, error mapping). Internal to web/api; grouped by file:
//   kvs_streams.cc    CreateStream DescribeStream ListStreams DeleteStream UpdateStream
//                     UpdateDataRetention GetDataEndpoint
//   kvs_tags.cc       TagStream UntagStream ListTagsForStream TagResource UntagResource
//                     ListTagsForResource
//   kvs_fragments.cc  ListFragments
//   kvs_common.cc     the shared helpers below
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "ingest/fragment_reader.h"
#include "ingest/video_streams.h"
#include "web/api/api_call.h"
#include "web/api/kinesis_validation.h"
#include "web/api/kvs_api.h"
#include "web/api/page_token.h"

namespace sluice::web::api::kvs {

using kinesis::MemberReader;
using kinesis::Violations;

// What every operation shares; one per KinesisVideoApi. Thread-safe (all members are).
struct Context {
  // `streams` and `reader` must outlive the context.
  Context(ingest::VideoStreams* streams, ingest::FragmentReader* reader,
          KinesisVideoApi::Options options);

  ingest::VideoStreams* const streams;
  ingest::FragmentReader* const reader;
  Clock* const clock;
  const std::string endpoint_fallback;
  const PageTokenCodec pages;  // ListFragments NextTokens
};

// The KVS error for an ingest/engine Status (404 ResourceNotFound, 400 VersionMismatch, ...).
ApiResult FromStatus(const Status& status);
// InvalidArgumentException with `message` (KVS's name for every input validation failure).
ApiResult InvalidArgument(std::string message);
// The collected member violations as one InvalidArgumentException (AWS's validation wording).
ApiResult Invalid(const Violations& v);

// Reads and checks StreamName (1-256, [a-zA-Z0-9_.-]+) and StreamARN (1-1024, a kinesisvideo
// stream ARN); neither given is left to ingest (InvalidArgument).
ingest::VideoStreamRef ReadStreamRef(MemberReader& in, Violations& v);
void CheckVideoStreamName(Violations& v, const std::optional<std::string>& name,
                          std::string_view member, bool required);
void CheckArn(Violations& v, const std::optional<std::string>& arn, std::string_view member,
              bool required);
// Version: 1-64 of [a-zA-Z0-9]+.
void CheckVersion(Violations& v, const std::optional<std::string>& version, std::string_view member,
                  bool required);
// Tag keys (1-128) and values (0-256) of the model's pattern [\p{L}\p{Z}\p{N}_.:/=+\-@]*;
// `member` is the wire path of the tag ("tags.key", "tags.3.member.key").
void CheckTagKey(Violations& v, const std::string& key, std::string_view member);
void CheckTagValue(Violations& v, const std::string& value, std::string_view member);
// A Tags map (CreateStream, TagStream): 1-50 entries plus the key and value checks.
void CheckVideoTagMap(Violations& v, const std::optional<std::map<std::string, std::string>>& tags,
                      bool required);
// NextToken of the tag and stream listings: 0-512 of [a-zA-Z0-9+/=]*.
void CheckNextToken(Violations& v, const std::optional<std::string>& token, std::string_view member,
                    size_t max_length);

ApiResult CreateStream(Context& ctx, const KvsCall& call);
ApiResult DescribeStream(Context& ctx, const KvsCall& call);
ApiResult ListStreams(Context& ctx, const KvsCall& call);
ApiResult DeleteStream(Context& ctx, const KvsCall& call);
ApiResult UpdateStream(Context& ctx, const KvsCall& call);
ApiResult UpdateDataRetention(Context& ctx, const KvsCall& call);
ApiResult GetDataEndpoint(Context& ctx, const KvsCall& call);

ApiResult TagStream(Context& ctx, const KvsCall& call);
ApiResult UntagStream(Context& ctx, const KvsCall& call);
ApiResult ListTagsForStream(Context& ctx, const KvsCall& call);
ApiResult TagResource(Context& ctx, const KvsCall& call);
ApiResult UntagResource(Context& ctx, const KvsCall& call);
ApiResult ListTagsForResource(Context& ctx, const KvsCall& call);

ApiResult ListFragments(Context& ctx, const KvsCall& call);

// NextToken values of ListFragments and GetImages: standard base64 with optional padding.
inline constexpr std::string_view kNextTokenPattern = "[a-zA-Z0-9+/]+={0,2}";
bool IsNextToken(std::string_view s);

}  // namespace sluice::web::api::kvs
