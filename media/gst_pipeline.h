// SPDX-License-Identifier: Apache-2.0
// GstMkvPipeline: a GStreamer pipeline whose output is a live (streamable, unknown-size) Matroska
// byte stream handed to a callback — RTSP pull (H.264/H.265, depayloader picked from the RTP caps,
// no decoding) or a synthetic test source (videotestsrc + x264enc, one key frame per second).
// media/ owns no storage and no HTTP: the caller (ingest/, app/) decides where the bytes go.
// GStreamer types stay in the .cc files. Example:
//   auto p = GstMkvPipeline::StartTestSource({.fps = 25}, [](std::string_view b) { Send(b); },
//                                            [](const Status& end) { /* OK = EOS */ });
//   ...; (*p)->Stop();
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"

namespace sluice::media {

// gst_init once per process (thread-safe, idempotent). Pipelines call it themselves.
void EnsureGstInitialized();
// True if the element factory (e.g. "x265enc") is installed.
bool GstElementAvailable(std::string_view factory);

// Receives MKV bytes on a GStreamer streaming thread, in order, never concurrently.
using MkvBytesCallback = std::function<void(std::string_view bytes)>;
// Called at most once, from the pipeline's bus thread, when the pipeline ends by itself: OK on
// end-of-stream, Unavailable (with GStreamer's message) on an error. An RTSP pull never ends
// normally: its end-of-stream (the server closed the session) is Unavailable too. Not called
// after Stop().
using PipelineEndCallback = std::function<void(const Status& end)>;

struct RtspPullOptions {
  std::string url;                     // rtsp://host:port/path
  std::string transport = "tcp";       // "tcp" or "udp" (rtspsrc protocols)
  int latency_ms = 200;                // rtspsrc jitter buffer
  int64_t connect_timeout_ms = 5'000;  // rtspsrc tcp-timeout (connecting and per request)
};

struct TestSourceOptions {
  int width = 320;
  int height = 240;
  int fps = 25;  // the GOP is one second: key-int-max = fps
  int bitrate_kbps = 400;
  int64_t duration_s = 0;         // 0: endless; else EOS after duration_s * fps frames
  bool live = true;               // is-live: frames at the real frame rate
  std::string pattern = "smpte";  // videotestsrc pattern
};

class GstMkvPipeline {
 public:
  // Builds and starts the pipeline. InvalidArgument for bad options, Unavailable when an element
  // is missing or the pipeline refuses to start. Errors after that go to on_end.
  static Result<std::unique_ptr<GstMkvPipeline>> StartRtspPull(const RtspPullOptions& options,
                                                               MkvBytesCallback on_bytes,
                                                               PipelineEndCallback on_end);
  static Result<std::unique_ptr<GstMkvPipeline>> StartTestSource(const TestSourceOptions& options,
                                                                 MkvBytesCallback on_bytes,
                                                                 PipelineEndCallback on_end);
  // Stop() runs implicitly.
  ~GstMkvPipeline();
  GstMkvPipeline(const GstMkvPipeline&) = delete;
  GstMkvPipeline& operator=(const GstMkvPipeline&) = delete;

  // Stops the pipeline and its bus thread; no callback runs after it returns. Bounded in time
  // (rtspsrc teardown is capped). Idempotent; must not be called from a callback.
  void Stop();
  // Human-readable description of what runs (for logs).
  const std::string& description() const;

  struct Impl;  // opaque: defined with the GStreamer code

 private:
  explicit GstMkvPipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::media
