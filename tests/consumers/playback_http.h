// SPDX-License-Identifier: Apache-2.0
// PlaybackHttpServer: the smallest HTTP/1.0 front for PlaybackService::Serve, on a loopback port,
// so that real clients (ffprobe reading HLS and DASH) can fetch a session's playlists and
// segments in tests. One request per connection, served in order on one thread. Header-only.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>

#include "consumers/playback/playback_service.h"

namespace sluice::consumers::playback::testing {

class PlaybackHttpServer {
 public:
  explicit PlaybackHttpServer(PlaybackService* service) : service_(service) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd_, 64);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~PlaybackHttpServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_.load(); }

 private:
  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  static std::string Decode(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size() && Hex(s[i + 1]) >= 0 && Hex(s[i + 2]) >= 0) {
        out += static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2]));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  }

  void Loop() {
    while (!stop_) {
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      Handle(c);
      close(c);
    }
  }

  void Handle(int c) {
    std::string request;
    char buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = read(c, buf, sizeof(buf));
      if (n <= 0) return;
      request.append(buf, static_cast<size_t>(n));
    }
    ++requests_;
    // "GET /path?query HTTP/1.1"
    const size_t sp1 = request.find(' ');
    const size_t sp2 = request.find(' ', sp1 + 1);
    const std::string target = request.substr(sp1 + 1, sp2 - sp1 - 1);
    PlaybackRequest r;
    const size_t q = target.find('?');
    r.path = target.substr(0, q);
    std::string query = q == std::string::npos ? "" : target.substr(q + 1);
    while (!query.empty()) {
      const size_t amp = query.find('&');
      const std::string pair = query.substr(0, amp);
      query = amp == std::string::npos ? "" : query.substr(amp + 1);
      const size_t eq = pair.find('=');
      r.query.emplace(Decode(pair.substr(0, eq)),
                      eq == std::string::npos ? "" : Decode(pair.substr(eq + 1)));
    }
    Result<PlaybackResource> res = service_->Serve(r);
    std::string head;
    std::string body;
    if (res.ok()) {
      head = "HTTP/1.1 200 OK\r\nContent-Type: " + res->content_type + "\r\n";
      body = std::move(res->body);
    } else {
      const int code = res.status().code() == StatusCode::kNotFound           ? 404
                       : res.status().code() == StatusCode::kDeadlineExceeded ? 403
                                                                              : 400;
      head = "HTTP/1.1 " + std::to_string(code) + " Error\r\nContent-Type: text/plain\r\n";
      body = res.status().message();
    }
    head += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
    const std::string out = head + body;
    size_t sent = 0;
    while (sent < out.size()) {
      const ssize_t n = write(c, out.data() + sent, out.size() - sent);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  PlaybackService* const service_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace sluice::consumers::playback::testing
