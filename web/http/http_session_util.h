// SPDX-License-Identifier: Apache-2.0
// Small helpers shared by the session's two translation units (http_session.cc and
// http_session_stream.cc): the Date header value, which network errors are routine, linger time.
#pragma once

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <chrono>
#include <ctime>
#include <string>

namespace sluice::web {

// After a rejected request the unread body is drained for this long before closing, so that
// the client reads our answer instead of a connection reset.
constexpr auto kLingerTime = std::chrono::seconds(2);

// "Sun, 22 Nov 2026 02:53:08 GMT"
inline std::string HttpDate() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  const size_t n = std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

// The usual ways a connection ends: logged at debug level only.
inline bool IsQuietError(const boost::beast::error_code& ec) {
  namespace net = boost::asio;
  namespace http = boost::beast::http;
  return ec == net::error::operation_aborted || ec == boost::beast::error::timeout ||
         ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == http::error::end_of_stream ||
         ec == http::error::partial_message;
}

}  // namespace sluice::web
