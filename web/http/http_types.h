// SPDX-License-Identifier: Apache-2.0
// Transport-neutral HTTP request and response: what handlers see instead of Beast types, so that
// every endpoint is a plain function from request to response, testable without sockets.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::web {

// Case-insensitive ordering for header names.
struct HeaderNameLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string
  std::string query;   // raw, without '?'
  std::map<std::string, std::string, HeaderNameLess> headers;
  std::string body;
  std::string remote_address;  // "127.0.0.1:51234"

  // Header value or empty.
  std::string_view Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void SetHeader(std::string name, std::string value);
};

// Handlers answer through this callback exactly once, from any thread.
using HttpReply = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest, HttpReply)>;

}  // namespace sluice::web
