// SPDX-License-Identifier: Apache-2.0
// The `sluice` binary: picks the subcommand and hands over. Exit codes: 0 success, 1 runtime or
// startup failure, 2 bad usage.

#include <exception>
#include <iostream>
#include <string_view>
#include <vector>

#include "app/cameras_cmd.h"
#include "app/consume_cmd.h"
#include "app/put_media_cmd.h"
#include "app/serve.h"
#include "app/serve_config.h"

namespace {

constexpr std::string_view kVersion = "0.1.0";

constexpr std::string_view kUsage = R"(usage: sluice <command> [options]

commands:
  serve      run the server
  put-media  stream MKV (a file, stdin or a test source) to a server's PutMedia
  cameras    add, list or remove the RTSP cameras a server pulls
  consume    run a consumer against a server (face-detect)
  version    print the version
  help       print this help

sluice serve [--listen HOST:PORT] [--data DIR] [--config FILE] [--log-level LEVEL]
  --listen     address to listen on (default 127.0.0.1:8080; port 0 picks a free port)
  --data       data directory (default ./data; created if missing)
  --config     JSON config file; keys: listen, data, log_level, default_fsync_policy,
               shard_limit, segment_bytes, sync_threads, iterator_ttl_ms (flags override the file)
  --log-level  debug | info | warn | error (default info)
  --iterator-ttl-ms MS           shard iterator lifetime (default 300000, as AWS)
  --default-fsync-policy POLICY  always | interval:<ms> | never, for new streams (default always;
                                 a stream's own policy is set with the tag sluice:fsync-policy)

Once accepting connections, serve prints one line to stdout:
  sluice listening on http://HOST:PORT
)";

int Usage(std::string_view error) {
  std::cerr << "sluice: " << error << "\n\n" << kUsage;
  return 2;
}

int Serve(const std::vector<std::string_view>& args) {
  for (std::string_view a : args) {
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
  }
  auto config = sluice::app::ParseServeArgs(args);
  if (!config.ok()) return Usage(config.status().message());
  return sluice::app::RunServe(*config);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) return Usage("missing command");
  const std::string_view command = args.front();
  const std::vector<std::string_view> rest(args.begin() + 1, args.end());
  try {
    if (command == "serve") return Serve(rest);
    if (command == "put-media") return sluice::app::RunPutMedia(rest);
    if (command == "cameras") return sluice::app::RunCameras(rest);
    if (command == "consume") return sluice::app::RunConsume(rest);
    if (command == "version" || command == "--version") {
      std::cout << "sluice " << kVersion << "\n";
      return 0;
    }
    if (command == "help" || command == "--help" || command == "-h") {
      std::cout << kUsage;
      return 0;
    }
  } catch (const std::exception& e) {
    // Library exceptions (Asio, std) end here at the process edge.
    std::cerr << "sluice: fatal: " << e.what() << std::endl;
    return 1;
  }
  return Usage("unknown command '" + std::string(command) + "'");
}
