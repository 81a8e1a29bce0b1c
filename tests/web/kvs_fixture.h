// SPDX-License-Identifier: Apache-2.0
// KvsTest: a KinesisVideoApi over a real embedded store, fragment index, VideoStreams and
// FragmentReader in a temp folder (IngestTest), with helpers that send one call and check it.
// Example: json out = Ok("CreateStream", {{"StreamName", "cam"}}); EXPECT_EQ(Err(...), "...");
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/ingest/ingest_fixture.h"
#include "web/api/kvs_api.h"

namespace sluice::web::api {

using nlohmann::json;

class KvsTest : public ingest::IngestTest {
 protected:
  KvsTest() { MakeApi(); }

  void MakeApi() {
    api_ = std::make_unique<KinesisVideoApi>(
        streams_.get(), reader_.get(),
        KinesisVideoApi::Options{.data_endpoint_fallback = "http://fallback:1",
                                 .clock = &clock_,
                                 .token_secret = "0123456789abcdef0123456789abcdef"});
  }

  ApiResult Call(const std::string& op, json input, const std::string& host = "sluice.test:4567") {
    return api_->Handle({.operation = op, .input = std::move(input), .host = host});
  }

  json Ok(const std::string& op, json input) {
    ApiResult r = Call(op, std::move(input));
    EXPECT_FALSE(r.error.has_value())
        << op << ": " << (r.error ? r.error->type + ": " + r.error->message : "");
    return r.output;
  }

  // The error type of a call that must fail ("" if it succeeded); `status` gets its HTTP status.
  std::string Err(const std::string& op, json input, int* status = nullptr,
                  std::string* message = nullptr) {
    ApiResult r = Call(op, std::move(input));
    if (!r.error) return "";
    if (status != nullptr) *status = r.error->http_status;
    if (message != nullptr) *message = r.error->message;
    return r.error->type;
  }

  std::string Create(const std::string& name, json extra = json::object()) {
    extra["StreamName"] = name;
    return Ok("CreateStream", extra).value("StreamARN", "");
  }

  json Describe(const std::string& name) {
    return Ok("DescribeStream", {{"StreamName", name}}).value("StreamInfo", json::object());
  }

  std::unique_ptr<KinesisVideoApi> api_;
};

}  // namespace sluice::web::api
