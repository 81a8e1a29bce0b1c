// SPDX-License-Identifier: Apache-2.0
// A small blocking HTTP/1.1 client for the CLI subcommands (Beast): one request and its whole
// response, and a chunked streaming POST whose response is read concurrently on a second thread
// (PutMedia acks arrive while the body is still being sent). Plain http:// only. When
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set, requests are signed with AWS Signature V4
// (service kinesisvideo, region from AWS_REGION / AWS_DEFAULT_REGION, default us-east-1).
// Example:
//   ASSIGN_OR_RETURN(Endpoint ep, ParseEndpoint("http://127.0.0.1:8080"));
//   ASSIGN_OR_RETURN(HttpResult r, HttpCall(ep, "GET", "/cameras", {}, ""));
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sluice::app {

struct Endpoint {
  std::string host;
  std::string port;  // "80" when the URL has none
};

// "http://host[:port][/]" -> Endpoint. InvalidArgument for anything else.
Result<Endpoint> ParseEndpoint(std::string_view url);

using HttpHeaders = std::map<std::string, std::string>;

struct HttpResult {
  int status = 0;
  std::string body;
  std::string Header(const std::string& name) const;  // case-insensitive; "" when absent
  HttpHeaders headers;                                // names lower-case
};

// Sends one request on a new connection and reads the whole response. Unavailable when the
// server cannot be reached or the exchange fails or times out.
Result<HttpResult> HttpCall(const Endpoint& endpoint, const std::string& method,
                            const std::string& target, const HttpHeaders& headers,
                            const std::string& body,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A POST whose body is sent in chunks (Transfer-Encoding: chunked) while the response is read on
// a second thread: on_head gets the status once, on_body gets response body bytes as they come.
// Both callbacks run on the reader thread.
class StreamingPost {
 public:
  static Result<std::unique_ptr<StreamingPost>> Start(
      const Endpoint& endpoint, const std::string& target, const HttpHeaders& headers,
      std::function<void(int status)> on_head, std::function<void(std::string_view)> on_body);
  ~StreamingPost();  // closes the connection and joins the reader
  StreamingPost(const StreamingPost&) = delete;
  StreamingPost& operator=(const StreamingPost&) = delete;

  // Sends one chunk. Unavailable once the connection failed (e.g. the server answered an error
  // and closed it): check response_done().
  Status Write(std::string_view bytes);
  // Sends the last (empty) chunk.
  Status Finish();
  // Waits until the whole response arrived (or failed, or the timeout passed): the response's
  // HTTP status, or the failure.
  Result<int> Wait(std::chrono::milliseconds timeout);
  // True once the response is complete or reading it failed.
  bool response_done() const;

  struct Impl;  // opaque: defined with the Beast code

 private:
  explicit StreamingPost(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::app
