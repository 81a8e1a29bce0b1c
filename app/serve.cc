// SPDX-License-Identifier: Apache-2.0
// `sluice serve`: wiring and lifecycle only; every piece it starts lives in its own module.

#include "app/serve.h"

#include <chrono>
#include <filesystem>
#include <iostream>

#include "app/server_secret.h"
#include "engine/stream_store.h"
#include "web/api/kinesis_api.h"
#include "web/http/http_server.h"
#include "web/http/sluice_routes.h"

namespace sluice::app {
namespace {

constexpr auto kDrainTime = std::chrono::seconds(10);

int StartupFailure(std::string_view what, const Status& status) {
  std::cerr << "sluice: " << what << ": " << status.message() << std::endl;
  LOG_ERROR("app", "startup failed", {{"what", what}, {"error", status.message()}});
  return 1;
}

}  // namespace

int RunServe(const ServeConfig& config) {
  log::SetLevel(config.log_level);
  const auto& fsync = config.default_fsync_policy;
  if (fsync && fsync->kind != engine::FsyncPolicy::Kind::kAlways) {
    // The engine has no server-wide default yet: every stream is created with `always`.
    LOG_WARN("app", "default_fsync_policy is not applied yet; new streams use always",
             {{"requested", fsync->ToString()}});
  }
  std::error_code fs_error;
  std::filesystem::create_directories(config.data_dir, fs_error);
  if (fs_error) {
    return StartupFailure("cannot create data directory " + config.data_dir,
                          InternalError(fs_error.message()));
  }
  auto store = engine::OpenEmbeddedStore({.data_dir = config.data_dir,
                                          .segment_bytes = config.segment_bytes,
                                          .shard_limit = config.shard_limit,
                                          .sync_threads = config.sync_threads});
  if (!store.ok()) {
    return StartupFailure("cannot open data directory " + config.data_dir, store.status());
  }
  auto secret = LoadOrCreateServerSecret(config.data_dir);
  if (!secret.ok()) {
    (*store)->Close().IgnoreError();
    return StartupFailure("cannot load the server secret", secret.status());
  }

  web::api::KinesisApi kinesis(store->get(), {.iterator_secret = *secret});
  auto router = web::BuildSluiceRouter({.kinesis = &kinesis});
  auto server = web::HttpServer::Start({.listen = config.listen, .handle_signals = true}, router);
  if (!server.ok()) {
    (*store)->Close().IgnoreError();
    return StartupFailure("cannot start the HTTP server", server.status());
  }
  // Tests and scripts read the port from this line; keep its format.
  std::cout << "sluice listening on http://" << (*server)->ListenAddress() << std::endl;
  LOG_INFO("app", "serving", {{"address", (*server)->ListenAddress()}, {"data", config.data_dir}});

  (*server)->WaitForStop();
  (*server)->Shutdown(kDrainTime);
  const Status closed = (*store)->Close();
  if (!closed.ok()) {
    LOG_ERROR("app", "engine close failed", {{"error", closed.message()}});
    return 1;
  }
  LOG_INFO("app", "stopped", {{"address", (*server)->ListenAddress()}});
  return 0;
}

}  // namespace sluice::app
