// SPDX-License-Identifier: Apache-2.0
// RtspTestServer: runs tests/e2e/rtsp_test_server (built beside the test binaries) as a child
// process on a loopback port, for the RTSP pull and camera tests. Header-only because the test
// folders glob only *_test.cc files. Example:
//   RtspTestServer server;  if (!server.Start("h264")) GTEST_SKIP() << server.error();
//   Pull(server.url());  server.Stop();  server.Start("h264", server.port());  // same URL
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace sluice::media::testing {

class RtspTestServer {
 public:
  ~RtspTestServer() { Stop(); }

  // The program: $SLUICE_RTSP_TEST_SERVER, else <dir of this binary>/e2e/rtsp_test_server.
  static std::string ProgramPath() {
    if (const char* env = std::getenv("SLUICE_RTSP_TEST_SERVER")) return env;
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    return (self.parent_path() / "e2e" / "rtsp_test_server").string();
  }

  // Starts serving `codec` (h264 | h265) on `port` (0: a free one); false with error() set when
  // the program is missing or did not print its URL.
  bool Start(const std::string& codec, int port = 0) {
    Stop();
    const std::string program = ProgramPath();
    if (access(program.c_str(), X_OK) != 0) {
      error_ = "rtsp_test_server not built at " + program;
      return false;
    }
    int fds[2];
    if (pipe(fds) != 0) return false;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      close(fds[1]);
      const std::string p = std::to_string(port);
      execl(program.c_str(), program.c_str(), "--port", p.c_str(), "--codec", codec.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    FILE* out = fdopen(fds[0], "r");
    char line[256] = {};
    const bool got = fgets(line, sizeof line, out) != nullptr;
    fclose(out);
    url_ = got ? std::string(line) : "";
    while (!url_.empty() && (url_.back() == '\n' || url_.back() == '\r')) url_.pop_back();
    if (url_.rfind("rtsp://", 0) != 0) {
      error_ = "rtsp_test_server did not start (port " + std::to_string(port) + ")";
      Stop();
      return false;
    }
    port_ = std::stoi(url_.substr(url_.rfind(':') + 1));
    return true;
  }

  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);  // a camera that drops off the network, as far as clients can tell
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  const std::string& url() const { return url_; }
  int port() const { return port_; }
  const std::string& error() const { return error_; }

 private:
  pid_t pid_ = -1;
  std::string url_;
  int port_ = 0;
  std::string error_;
};

}  // namespace sluice::media::testing
