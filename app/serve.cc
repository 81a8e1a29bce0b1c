// SPDX-License-Identifier: Apache-2.0
// `sluice serve`: wiring and lifecycle only; every piece it starts lives in its own module.

#include "app/serve.h"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "app/server_secret.h"
#include "consumers/playback/playback_service.h"
#include "engine/stream_store.h"
#include "index/fragment_index.h"
#include "ingest/camera_manager.h"
#include "ingest/fragment_index_repair.h"
#include "ingest/fragment_reader.h"
#include "ingest/video_streams.h"
#include "web/api/kinesis_api.h"
#include "web/api/kvs_api.h"
#include "web/api/kvs_playback.h"
#include "web/http/get_media_route.h"
#include "web/http/http_server.h"
#include "web/http/put_media_route.h"
#include "web/http/sluice_routes.h"
#include "web/http/static_routes.h"

namespace sluice::app {
namespace {

constexpr auto kDrainTime = std::chrono::seconds(10);
constexpr auto kRepairInterval = std::chrono::minutes(1);

int StartupFailure(std::string_view what, const Status& status) {
  std::cerr << "sluice: " << what << ": " << status.message() << std::endl;
  LOG_ERROR("app", "startup failed", {{"what", what}, {"error", status.message()}});
  return 1;
}

// Keeps the fragment index consistent with the log: once at startup (Run), then every minute on
// a background thread until Stop (retention trims and lost appends show up between runs).
class IndexRepair {
 public:
  IndexRepair(engine::StreamStore* store, index::FragmentIndex* index)
      : store_(store), index_(index) {}
  ~IndexRepair() { Stop(); }

  Status Run() {
    ASSIGN_OR_RETURN(const ingest::RepairReport r, ingest::RepairFragmentIndex(store_, index_));
    if (r.rows_added + r.rows_expired + r.rows_past_tip + r.streams_dropped > 0) {
      LOG_INFO("app", "fragment index repaired",
               {{"streams", r.streams},
                {"rows_added", r.rows_added},
                {"rows_expired", r.rows_expired},
                {"rows_past_tip", r.rows_past_tip},
                {"streams_dropped", r.streams_dropped}});
    }
    return OkStatus();
  }

  void StartPeriodic() {
    thread_ = std::thread([this] {
      std::unique_lock lock(mu_);
      while (!cv_.wait_for(lock, kRepairInterval, [this] { return stop_; })) {
        lock.unlock();
        const Status s = Run();
        if (!s.ok()) LOG_WARN("app", "fragment index repair failed", {{"error", s.message()}});
        lock.lock();
      }
    });
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  engine::StreamStore* const store_;
  index::FragmentIndex* const index_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

// Creates the data directory and opens the engine over it.
Result<std::unique_ptr<engine::StreamStore>> OpenStore(const ServeConfig& config) {
  std::error_code fs_error;
  std::filesystem::create_directories(config.data_dir, fs_error);
  if (fs_error) {
    return InternalError("cannot create data directory " + config.data_dir + ": " +
                         fs_error.message());
  }
  auto store = engine::OpenEmbeddedStore({.data_dir = config.data_dir,
                                          .segment_bytes = config.segment_bytes,
                                          .shard_limit = config.shard_limit,
                                          .sync_threads = config.sync_threads});
  if (!store.ok()) {
    return Status(store.status().code(), "cannot open data directory " + config.data_dir + ": " +
                                             store.status().message());
  }
  return std::move(*store);
}

// Starts pulling the registered cameras and, with --demo, the demo camera.
Status StartProducers(const ServeConfig& config, engine::StreamStore* store,
                      index::FragmentIndex* index, ingest::CameraManager* cameras,
                      std::unique_ptr<ingest::DemoCamera>* demo) {
  RETURN_IF_ERROR(cameras->Start());
  if (!config.demo) return OkStatus();
  ASSIGN_OR_RETURN(*demo, ingest::DemoCamera::Start(store, index));
  return OkStatus();
}

}  // namespace

int RunServe(const ServeConfig& config) {
  log::SetLevel(config.log_level);
  auto opened = OpenStore(config);
  if (!opened.ok()) return StartupFailure("startup", opened.status());
  std::unique_ptr<engine::StreamStore> store = std::move(*opened);
  const auto fail = [&store](std::string_view what, const Status& status) {
    store->Close().IgnoreError();
    return StartupFailure(what, status);
  };
  auto secret = LoadOrCreateServerSecret(config.data_dir);
  if (!secret.ok()) return fail("cannot load the server secret", secret.status());
  auto fragment_index = index::FragmentIndex::Open(config.data_dir + "/fragments.db");
  if (!fragment_index.ok()) return fail("cannot open the fragment index", fragment_index.status());
  std::unique_ptr<index::FragmentIndex> index = std::move(*fragment_index);
  IndexRepair repair(store.get(), index.get());
  if (Status s = repair.Run(); !s.ok()) return fail("cannot repair the fragment index", s);

  web::api::KinesisApi kinesis(
      store.get(), {.iterator_secret = *secret,
                    .iterator_ttl_ms = config.iterator_ttl_ms,
                    .default_fsync = config.default_fsync_policy.value_or(engine::FsyncPolicy{})});
  ingest::VideoStreams streams(store.get(), index.get());
  ingest::FragmentReader reader(store.get(), index.get());
  web::api::KinesisVideoApi kvs(
      &streams, &reader,
      {.data_endpoint_fallback = "http://" + config.listen, .token_secret = *secret});
  // Session tokens are signed with the server secret, so session URLs survive a restart.
  auto playback = std::make_unique<consumers::playback::PlaybackService>(
      &reader, consumers::playback::PlaybackOptions{.token_secret = *secret});
  web::api::KvsPlaybackApi kvs_playback(&streams, playback.get(),
                                        {.data_endpoint_fallback = "http://" + config.listen});
  auto put_media = std::make_unique<web::PutMediaRoute>(
      web::PutMediaRoute::Options{.store = store.get(), .index = index.get(), .streams = &streams});
  auto get_media = std::make_unique<web::GetMediaRoute>(
      web::GetMediaRoute::Options{.streams = &streams, .reader = &reader});
  auto cameras = ingest::CameraManager::Open(store.get(), index.get(),
                                             {.db_path = config.data_dir + "/cameras.db"});
  if (!cameras.ok()) return fail("cannot open the camera registry", cameras.status());

  // The player page and hls.js, found beside the binary (build tree or repo) or through
  // $SLUICE_STATIC_DIR.
  const web::StaticRoutesOptions static_files = web::DefaultStaticRoutes("/proc/self/exe");
  if (static_files.root.empty()) LOG_WARN("app", "player files not found; /player is not served");
  auto router = web::BuildSluiceRouter({.kinesis = &kinesis,
                                        .kvs = &kvs,
                                        .put_media = put_media.get(),
                                        .get_media = get_media.get(),
                                        .cameras = cameras->get(),
                                        .kvs_playback = &kvs_playback,
                                        .playback = playback.get(),
                                        .static_files = &static_files});
  auto server = web::HttpServer::Start({.listen = config.listen, .handle_signals = true}, router);
  if (!server.ok()) return fail("cannot start the HTTP server", server.status());
  std::unique_ptr<ingest::DemoCamera> demo;
  if (Status s = StartProducers(config, store.get(), index.get(), cameras->get(), &demo); !s.ok()) {
    (*server)->Shutdown(std::chrono::milliseconds(0));
    (*cameras)->Stop();
    return fail("cannot start the cameras", s);
  }
  repair.StartPeriodic();
  // Tests and scripts read the port from this line; keep its format.
  const std::string address = (*server)->ListenAddress();
  std::cout << "sluice listening on http://" << address << std::endl;
  LOG_INFO("app", "serving", {{"address", address}, {"data", config.data_dir}});

  (*server)->WaitForStop();
  // Stop accepting, end streaming responses, drain; then the producers of new data; then the
  // background repair. The server goes before the store so that no session outlives it; the
  // store closes before the media routes and the index because its last append completions
  // still index fragments and release PutMedia connections.
  (*server)->Shutdown(kDrainTime);
  if (demo) demo->Stop();
  (*cameras)->Stop();
  repair.Stop();
  server->reset();
  // The router owns the playback pools: drop it (joining them) before the service they call.
  router.reset();
  playback.reset();
  const Status closed = store->Close();
  get_media.reset();
  put_media.reset();
  if (!closed.ok()) {
    LOG_ERROR("app", "engine close failed", {{"error", closed.message()}});
    return 1;
  }
  LOG_INFO("app", "stopped", {{"address", address}});
  return 0;
}

}  // namespace sluice::app
