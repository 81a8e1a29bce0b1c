// SPDX-License-Identifier: Apache-2.0
// CameraManager: RTSP cameras that the server pulls. A persisted registry (its own small SQLite
// database, e.g. <data>/cameras.db) of {name, RTSP URL, target video stream, transport}; one pull
// loop per camera (media::GstMkvPipeline -> PutMediaSession, a new session per connection),
// reconnect with capped exponential backoff, and a status per camera. The target video stream is
// created when absent. StartDemoCamera runs the same loop over a synthetic test source
// (`sluice serve --demo`).
// Lifecycle: Open() -> Start() (pulls every registered camera) -> Add/Remove/List/Get -> Stop().
// Thread-safety: every method may be called from any thread, except Stop() from a callback.
// Example (serve):
//   ASSIGN_OR_RETURN(auto cams, ingest::CameraManager::Open(store, index,
//                                                            {.db_path = data + "/cameras.db"}));
//   RETURN_IF_ERROR(cams->Start());  ...  cams->Stop();   // before closing the store
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/ids.h"
#include "base/result.h"
#include "engine/stream_store.h"
#include "index/fragment_index.h"

namespace sluice::ingest {

class CameraRegistry;
class CameraWorker;

struct CameraConfig {
  std::string name;               // 1-128 of [a-zA-Z0-9_.-]
  std::string url;                // rtsp:// or rtsps://
  std::string stream_name;        // empty: same as name
  std::string transport = "tcp";  // "tcp" or "udp"
};

struct CameraStatus {
  CameraConfig config;
  bool connected = false;                    // bytes flowed on the current connection
  std::optional<TimestampMs> last_fragment;  // server time of the last PERSISTED fragment
  std::string last_error;                    // empty until the first failure
  uint64_t reconnects = 0;                   // connection attempts after the first one
  uint64_t fragments = 0;                    // fragments persisted since Start()
};

struct CameraManagerOptions {
  std::string db_path;                // the registry database; created if missing
  int64_t initial_backoff_ms = 500;   // first reconnect delay; doubles per failure
  int64_t max_backoff_ms = 15'000;    // cap
  int64_t stall_timeout_ms = 10'000;  // no bytes for this long: the connection is dropped
  int latency_ms = 200;               // rtspsrc jitter buffer
  int data_retention_hours = 24;      // for streams created here
  Clock* clock = nullptr;             // null: SystemClock(); not owned
};

class CameraManager {
 public:
  // `store` and `index` must outlive the manager. Loads the registry; pulls nothing yet.
  static Result<std::unique_ptr<CameraManager>> Open(engine::StreamStore* store,
                                                     index::FragmentIndex* index,
                                                     CameraManagerOptions options);
  ~CameraManager();  // Stop()
  CameraManager(const CameraManager&) = delete;
  CameraManager& operator=(const CameraManager&) = delete;

  // Starts a pull loop for every registered camera (and for cameras added later).
  Status Start();
  // Stops every pull loop; bounded in time (each pipeline stop is). Cameras stay registered.
  void Stop();

  // Registers (durably) and, once started, begins pulling. InvalidArgument for a bad name, URL
  // or transport; AlreadyExists for a taken name; errors creating the video stream pass through.
  Result<CameraStatus> Add(CameraConfig config);
  // Stops pulling and forgets the camera (its video stream and fragments stay). NotFound.
  Status Remove(std::string_view name);
  std::vector<CameraStatus> List();  // by name
  Result<CameraStatus> Get(std::string_view name);

 private:
  CameraManager(engine::StreamStore* store, index::FragmentIndex* index,
                CameraManagerOptions options, std::unique_ptr<CameraRegistry> registry);
  std::unique_ptr<CameraWorker> MakeWorker(const CameraConfig& config);

  // Constant after construction.
  engine::StreamStore* const store_;
  index::FragmentIndex* const index_;
  const CameraManagerOptions options_;
  const std::unique_ptr<CameraRegistry> registry_;  // used under mu_

  std::mutex mu_;
  bool started_ = false;                                          // guarded by mu_
  std::map<std::string, CameraConfig> cameras_;                   // guarded by mu_
  std::map<std::string, std::unique_ptr<CameraWorker>> workers_;  // guarded by mu_
};

// The synthetic camera of `serve --demo`: a live test source (videotestsrc + x264, 1 s GOP)
// ingested into `stream` (created if absent) through the same loop as a camera.
struct DemoCameraOptions {
  std::string stream = "demo";
  int width = 640;
  int height = 360;
  int fps = 25;
  int data_retention_hours = 24;
};

class DemoCamera {
 public:
  // `store` and `index` must outlive the camera.
  static Result<std::unique_ptr<DemoCamera>> Start(engine::StreamStore* store,
                                                   index::FragmentIndex* index,
                                                   DemoCameraOptions options = {});
  ~DemoCamera();  // Stop()
  void Stop();    // bounded; idempotent
  CameraStatus status();

 private:
  explicit DemoCamera(std::unique_ptr<CameraWorker> worker);
  std::unique_ptr<CameraWorker> worker_;
};

}  // namespace sluice::ingest
