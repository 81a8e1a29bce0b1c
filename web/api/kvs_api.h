// SPDX-License-Identifier: Apache-2.0
// KinesisVideoApi: the Kinesis Video Streams control plane (REST-JSON, `POST /<operation>`) and
// ListFragments, over ingest's VideoStreams and FragmentReader. Transport-free: web/http decodes
// the JSON body into a KvsCall and encodes the ApiResult (KVS error shape: {"Message"} + __type +
// x-amzn-ErrorType). One file per operation group (kvs_streams.cc, kvs_tags.cc, kvs_fragments.cc).
// Thread-safety: Handle may be called concurrently from any thread.
// Example:
//   KinesisVideoApi kvs(&streams, &reader, {.data_endpoint_fallback = "http://127.0.0.1:4567"});
//   ApiResult r = kvs.Handle({.operation = "DescribeStream", .input = {{"StreamName", "cam1"}}});
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "ingest/fragment_reader.h"
#include "ingest/video_streams.h"
#include "web/api/api_call.h"

namespace sluice::web::api {

// One decoded KVS request.
struct KvsCall {
  std::string operation;  // "CreateStream", "TagResource", "ListFragments", ...
  nlohmann::json input = nlohmann::json::object();  // the decoded body (an object)
  // The request's Host header ("sluice.local:4567"); GetDataEndpoint answers "http://<host>".
  // Empty: Options.data_endpoint_fallback.
  std::string host;
  std::string request_id;
};

class KinesisVideoApi {
 public:
  struct Options {
    // GetDataEndpoint's answer when a request carries no Host header ("http://127.0.0.1:4567").
    std::string data_endpoint_fallback;
    Clock* clock = nullptr;  // null: SystemClock(). Not owned.
    // Signs ListFragments NextTokens (HMAC-SHA256); empty: a random per-process secret, so
    // tokens do not survive a restart.
    std::string token_secret;
  };

  // `streams` and `reader` must outlive this object.
  KinesisVideoApi(ingest::VideoStreams* streams, ingest::FragmentReader* reader, Options options);
  ~KinesisVideoApi();
  KinesisVideoApi(const KinesisVideoApi&) = delete;
  KinesisVideoApi& operator=(const KinesisVideoApi&) = delete;

  // The operation served at an HTTP path ("/createStream" -> "CreateStream"), or nullopt.
  static std::optional<std::string_view> OperationForPath(std::string_view path);
  // Every path this API serves, for the router.
  static std::vector<std::string_view> Paths();

  bool Handles(std::string_view operation) const;
  // Answers synchronously (the control plane and the fragment index are quick local calls).
  ApiResult Handle(const KvsCall& call);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::web::api
