// SPDX-License-Identifier: Apache-2.0
// CameraManager and DemoCamera: the registry, validation and one CameraWorker per camera.

#include "ingest/camera_manager.h"

#include <algorithm>

#include "base/log.h"
#include "ingest/camera_registry.h"
#include "ingest/camera_worker.h"

namespace sluice::ingest {
namespace {

constexpr size_t kMaxCameraNameLength = 128;
constexpr size_t kMaxStreamNameLength = 256;
constexpr size_t kMaxUrlLength = 2048;

bool ValidName(std::string_view name, size_t max) {
  if (name.empty() || name.size() > max) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

Status Validate(CameraConfig* c) {
  if (!ValidName(c->name, kMaxCameraNameLength)) {
    return InvalidArgumentError("camera name must be 1-128 of [a-zA-Z0-9_.-]");
  }
  if (c->stream_name.empty()) c->stream_name = c->name;
  if (!ValidName(c->stream_name, kMaxStreamNameLength)) {
    return InvalidArgumentError("stream name must be 1-256 of [a-zA-Z0-9_.-]");
  }
  const bool rtsp = c->url.rfind("rtsp://", 0) == 0 || c->url.rfind("rtsps://", 0) == 0;
  if (!rtsp || c->url.size() > kMaxUrlLength ||
      c->url.find_first_of(" \t\r\n") != std::string::npos) {
    return InvalidArgumentError("camera URL must be an rtsp:// or rtsps:// URL");
  }
  if (c->transport.empty()) c->transport = "tcp";
  if (c->transport != "tcp" && c->transport != "udp") {
    return InvalidArgumentError("transport must be tcp or udp");
  }
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<CameraManager>> CameraManager::Open(engine::StreamStore* store,
                                                           index::FragmentIndex* index,
                                                           CameraManagerOptions options) {
  if (options.db_path.empty()) return InvalidArgumentError("camera registry path is empty");
  ASSIGN_OR_RETURN(auto registry, CameraRegistry::Open(options.db_path));
  ASSIGN_OR_RETURN(std::vector<CameraConfig> cameras, registry->Load());
  std::unique_ptr<CameraManager> manager(
      new CameraManager(store, index, std::move(options), std::move(registry)));
  for (CameraConfig& c : cameras) {
    const std::string name = c.name;
    manager->cameras_.emplace(name, std::move(c));
  }
  return manager;
}

CameraManager::CameraManager(engine::StreamStore* store, index::FragmentIndex* index,
                             CameraManagerOptions options, std::unique_ptr<CameraRegistry> registry)
    : store_(store), index_(index), options_(std::move(options)), registry_(std::move(registry)) {}

CameraManager::~CameraManager() { Stop(); }

std::unique_ptr<CameraWorker> CameraManager::MakeWorker(const CameraConfig& config) {
  return std::make_unique<CameraWorker>(
      store_, index_,
      CameraWorkerOptions{.config = config,
                          .latency_ms = options_.latency_ms,
                          .initial_backoff_ms = options_.initial_backoff_ms,
                          .max_backoff_ms = options_.max_backoff_ms,
                          .stall_timeout_ms = options_.stall_timeout_ms,
                          .clock = options_.clock});
}

Status CameraManager::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return OkStatus();
  started_ = true;
  for (const auto& [name, config] : cameras_) {
    // A stream deleted while the server was down is created again; a failure here shows in the
    // camera's status (the worker keeps retrying) rather than failing the server.
    Status s = EnsureVideoStream(store_, index_, config.stream_name, options_.data_retention_hours);
    if (!s.ok()) {
      LOG_WARN("ingest", "cannot create camera stream", {{"camera", name}, {"error", s.message()}});
    }
    auto worker = MakeWorker(config);
    worker->Start();
    workers_[name] = std::move(worker);
  }
  LOG_INFO("ingest", "cameras started", {{"count", std::to_string(cameras_.size())}});
  return OkStatus();
}

void CameraManager::Stop() {
  std::map<std::string, std::unique_ptr<CameraWorker>> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    started_ = false;
    workers.swap(workers_);
  }
  // Stop every loop at once: each pipeline stop is bounded, and they run in parallel.
  std::vector<std::thread> stoppers;
  for (auto& [name, worker] : workers) {
    CameraWorker* w = worker.get();
    stoppers.emplace_back([w] { w->Stop(); });
  }
  for (std::thread& t : stoppers) t.join();
}

Result<CameraStatus> CameraManager::Add(CameraConfig config) {
  RETURN_IF_ERROR(Validate(&config));
  std::lock_guard<std::mutex> lock(mu_);
  if (cameras_.count(config.name) != 0) {
    return AlreadyExistsError("camera " + config.name + " exists");
  }
  RETURN_IF_ERROR(
      EnsureVideoStream(store_, index_, config.stream_name, options_.data_retention_hours));
  const Clock* clock = options_.clock != nullptr ? options_.clock : SystemClock();
  RETURN_IF_ERROR(registry_->Insert(config, clock->Now().value()));
  cameras_[config.name] = config;
  LOG_INFO("ingest", "camera added", {{"camera", config.name}, {"stream", config.stream_name}});
  CameraStatus status{.config = config};
  if (started_) {
    auto worker = MakeWorker(config);
    worker->Start();
    workers_[config.name] = std::move(worker);
  }
  return status;
}

Status CameraManager::Remove(std::string_view name) {
  std::unique_ptr<CameraWorker> worker;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string key(name);
    if (cameras_.count(key) == 0) return NotFoundError("camera " + key + " not found");
    RETURN_IF_ERROR(registry_->Remove(key));
    cameras_.erase(key);
    auto it = workers_.find(key);
    if (it != workers_.end()) {
      worker = std::move(it->second);
      workers_.erase(it);
    }
  }
  if (worker) worker->Stop();  // outside the lock: bounded, but not instant
  LOG_INFO("ingest", "camera removed", {{"camera", name}});
  return OkStatus();
}

std::vector<CameraStatus> CameraManager::List() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<CameraStatus> out;
  for (const auto& [name, config] : cameras_) {
    auto it = workers_.find(name);
    out.push_back(it != workers_.end() ? it->second->status() : CameraStatus{.config = config});
  }
  return out;
}

Result<CameraStatus> CameraManager::Get(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string key(name);
  auto config = cameras_.find(key);
  if (config == cameras_.end()) return NotFoundError("camera " + key + " not found");
  auto it = workers_.find(key);
  return it != workers_.end() ? it->second->status() : CameraStatus{.config = config->second};
}

Result<std::unique_ptr<DemoCamera>> DemoCamera::Start(engine::StreamStore* store,
                                                      index::FragmentIndex* index,
                                                      DemoCameraOptions options) {
  RETURN_IF_ERROR(EnsureVideoStream(store, index, options.stream, options.data_retention_hours));
  CameraWorkerOptions o{
      .config = {.name = options.stream, .url = "test-source:", .stream_name = options.stream},
      .test_source = true,
      .test = {.width = options.width,
               .height = options.height,
               .fps = options.fps,
               .bitrate_kbps = 1000}};
  auto worker = std::make_unique<CameraWorker>(store, index, std::move(o));
  worker->Start();
  return std::unique_ptr<DemoCamera>(new DemoCamera(std::move(worker)));
}

DemoCamera::DemoCamera(std::unique_ptr<CameraWorker> worker) : worker_(std::move(worker)) {}
DemoCamera::~DemoCamera() { Stop(); }
void DemoCamera::Stop() { worker_->Stop(); }
CameraStatus DemoCamera::status() { return worker_->status(); }

}  // namespace sluice::ingest
