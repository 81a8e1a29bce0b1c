// SPDX-License-Identifier: Apache-2.0
// KinesisVideoApi: the path and operation tables and the exception barrier around every
// operation. The operations themselves live in kvs_streams.cc, kvs_tags.cc, kvs_fragments.cc.
#include "web/api/kvs_api.h"

#include <array>
#include <exception>
#include <utility>

#include "base/log.h"
#include "web/api/kvs_ops.h"

namespace sluice::web::api {
namespace {

using Op = ApiResult (*)(kvs::Context&, const KvsCall&);

struct Entry {
  std::string_view path;
  std::string_view operation;
  Op op;
};

// The control plane's paths are lower camel case except the *Resource ones (as in the model).
constexpr std::array<Entry, 14> kOperations = {{
    {"/createStream", "CreateStream", &kvs::CreateStream},
    {"/describeStream", "DescribeStream", &kvs::DescribeStream},
    {"/listStreams", "ListStreams", &kvs::ListStreams},
    {"/deleteStream", "DeleteStream", &kvs::DeleteStream},
    {"/updateStream", "UpdateStream", &kvs::UpdateStream},
    {"/updateDataRetention", "UpdateDataRetention", &kvs::UpdateDataRetention},
    {"/getDataEndpoint", "GetDataEndpoint", &kvs::GetDataEndpoint},
    {"/tagStream", "TagStream", &kvs::TagStream},
    {"/untagStream", "UntagStream", &kvs::UntagStream},
    {"/listTagsForStream", "ListTagsForStream", &kvs::ListTagsForStream},
    {"/TagResource", "TagResource", &kvs::TagResource},
    {"/UntagResource", "UntagResource", &kvs::UntagResource},
    {"/ListTagsForResource", "ListTagsForResource", &kvs::ListTagsForResource},
    {"/listFragments", "ListFragments", &kvs::ListFragments},
}};

const Entry* FindOperation(std::string_view operation) {
  for (const Entry& e : kOperations) {
    if (e.operation == operation) return &e;
  }
  return nullptr;
}

ApiResult InternalFailure() {
  return ApiResult::Fail("InternalFailure", "Internal service failure.", 500);
}

}  // namespace

struct KinesisVideoApi::Impl {
  Impl(ingest::VideoStreams* streams, ingest::FragmentReader* reader, Options options)
      : ctx(streams, reader, std::move(options)) {}
  kvs::Context ctx;
};

KinesisVideoApi::KinesisVideoApi(ingest::VideoStreams* streams, ingest::FragmentReader* reader,
                                 Options options)
    : impl_(std::make_unique<Impl>(streams, reader, std::move(options))) {}

KinesisVideoApi::~KinesisVideoApi() = default;

std::optional<std::string_view> KinesisVideoApi::OperationForPath(std::string_view path) {
  for (const Entry& e : kOperations) {
    if (e.path == path) return e.operation;
  }
  return std::nullopt;
}

std::vector<std::string_view> KinesisVideoApi::Paths() {
  std::vector<std::string_view> paths;
  for (const Entry& e : kOperations) paths.push_back(e.path);
  return paths;
}

bool KinesisVideoApi::Handles(std::string_view operation) const {
  return FindOperation(operation) != nullptr;
}

ApiResult KinesisVideoApi::Handle(const KvsCall& call) {
  const Entry* entry = FindOperation(call.operation);
  if (entry == nullptr) {
    return ApiResult::Fail("UnknownOperationException",
                           "Unknown operation '" + call.operation + "'", 404);
  }
  if (!call.input.is_object()) {
    return ApiResult::Fail("SerializationException", "The request body must be a JSON object.");
  }
  try {
    return entry->op(impl_->ctx, call);
  } catch (const std::exception& e) {
    LOG_ERROR("kvs", "operation failed with an exception",
              {{"operation", call.operation}, {"error", e.what()}});
  } catch (...) {
    LOG_ERROR("kvs", "operation failed with an unknown exception", {{"operation", call.operation}});
  }
  return InternalFailure();
}

}  // namespace sluice::web::api
