// SPDX-License-Identifier: Apache-2.0
// GstMkvPipeline: the pipelines, the appsink callback and the bus thread. The RTSP branch is
// linked when rtspsrc announces its RTP pads: the depayloader and parser come from the pad caps'
// encoding-name (H264 or H265); other pads (audio, metadata) go to a fakesink.

#include "media/gst_pipeline.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "base/log.h"

namespace sluice::media {
namespace {

constexpr GstClockTime kBusPollNs = 100 * GST_MSECOND;
constexpr int kTeardownTimeoutUs = 500'000;

std::string OwnedString(gchar* s) {
  std::string out = s != nullptr ? s : "";
  g_free(s);
  return out;
}

bool HasProperty(GstElement* e, const char* name) {
  return g_object_class_find_property(G_OBJECT_GET_CLASS(e), name) != nullptr;
}

}  // namespace

void EnsureGstInitialized() {
  static std::once_flag once;
  std::call_once(once, [] { gst_init(nullptr, nullptr); });
}

bool GstElementAvailable(std::string_view factory) {
  EnsureGstInitialized();
  GstElementFactory* f = gst_element_factory_find(std::string(factory).c_str());
  if (f == nullptr) return false;
  gst_object_unref(f);
  return true;
}

struct GstMkvPipeline::Impl {
  std::string description;
  GstElement* pipeline = nullptr;  // owned
  GstElement* mux = nullptr;       // owned by the pipeline
  MkvBytesCallback on_bytes;
  PipelineEndCallback on_end;
  std::thread bus_thread;
  std::atomic<bool> stopping{false};
  std::mutex link_mu;         // pad-added runs on rtspsrc's thread
  bool video_linked = false;  // guarded by link_mu
  bool eos_is_error = false;  // a camera does not end: its EOS means the server went away

  ~Impl() {
    if (pipeline != nullptr) gst_object_unref(pipeline);
  }

  Status Play();
  void BusLoop();
  void OnRtspPad(GstPad* pad);
};

namespace {

GstFlowReturn OnNewSample(GstAppSink* sink, gpointer user) {
  auto* impl = static_cast<GstMkvPipeline::Impl*>(user);
  GstSample* sample = gst_app_sink_pull_sample(sink);
  if (sample == nullptr) return GST_FLOW_EOS;
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  GstMapInfo map;
  if (buffer != nullptr && gst_buffer_map(buffer, &map, GST_MAP_READ)) {
    if (!impl->stopping.load()) {
      impl->on_bytes(std::string_view(reinterpret_cast<const char*>(map.data), map.size));
    }
    gst_buffer_unmap(buffer, &map);
  }
  gst_sample_unref(sample);
  return impl->stopping.load() ? GST_FLOW_FLUSHING : GST_FLOW_OK;
}

void AttachAppSink(GstMkvPipeline::Impl* impl, GstElement* sink) {
  g_object_set(sink, "sync", FALSE, "emit-signals", FALSE, "max-buffers", 64u, "drop", FALSE,
               nullptr);
  GstAppSinkCallbacks callbacks = {};
  callbacks.new_sample = &OnNewSample;
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, impl, nullptr);
}

void OnPadAdded(GstElement*, GstPad* pad, gpointer user) {
  static_cast<GstMkvPipeline::Impl*>(user)->OnRtspPad(pad);
}

// Adds `desc` (a bin description) to the pipeline, links its output to `mux_pad` when given (so
// that no buffer meets an unlinked pad), then `pad` to its input, and starts it.
bool LinkBranch(GstElement* pipeline, GstPad* pad, const std::string& desc, GstPad* mux_pad) {
  GError* error = nullptr;
  GstElement* bin = gst_parse_bin_from_description(desc.c_str(), TRUE, &error);
  if (bin == nullptr || error != nullptr) {
    LOG_WARN("media", "cannot build RTSP branch", {{"error", error ? error->message : "?"}});
    if (error != nullptr) g_error_free(error);
    if (bin != nullptr) gst_object_unref(bin);
    return false;
  }
  gst_bin_add(GST_BIN(pipeline), bin);
  bool ok = true;
  if (mux_pad != nullptr) {
    GstPad* src = gst_element_get_static_pad(bin, "src");
    ok = src != nullptr && gst_pad_link(src, mux_pad) == GST_PAD_LINK_OK;
    if (src != nullptr) gst_object_unref(src);
  }
  GstPad* sink = gst_element_get_static_pad(bin, "sink");
  ok = ok && gst_pad_link(pad, sink) == GST_PAD_LINK_OK;
  gst_object_unref(sink);
  if (!ok) {
    LOG_WARN("media", "cannot link the RTSP branch", {{"branch", desc}});
    gst_element_set_state(bin, GST_STATE_NULL);
    gst_bin_remove(GST_BIN(pipeline), bin);
    return false;
  }
  gst_element_sync_state_with_parent(bin);
  return true;
}

}  // namespace

void GstMkvPipeline::Impl::OnRtspPad(GstPad* pad) {
  GstCaps* caps = gst_pad_get_current_caps(pad);
  if (caps == nullptr) caps = gst_pad_query_caps(pad, nullptr);
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  const char* media = gst_structure_get_string(s, "media");
  const char* encoding = gst_structure_get_string(s, "encoding-name");
  const std::string enc = encoding != nullptr ? encoding : "";
  const bool video = media != nullptr && std::string_view(media) == "video";
  gst_caps_unref(caps);

  std::lock_guard<std::mutex> lock(link_mu);
  std::string desc;
  if (video && !video_linked && enc == "H264") {
    desc =
        "rtph264depay ! h264parse config-interval=-1 ! video/x-h264,stream-format=avc,alignment=au";
  } else if (video && !video_linked && (enc == "H265" || enc == "HEVC")) {
    desc =
        "rtph265depay ! h265parse config-interval=-1 ! "
        "video/x-h265,stream-format=hvc1,alignment=au";
  } else {
    LOG_INFO("media", "RTSP pad ignored", {{"media", media ? media : "?"}, {"encoding", enc}});
    LinkBranch(pipeline, pad, "fakesink sync=false async=false", nullptr);
    return;
  }
  desc += " ! queue";
  GstPad* mux_pad = gst_element_request_pad_simple(mux, "video_%u");
  if (mux_pad == nullptr) {
    LOG_WARN("media", "matroskamux refused a video pad", {{"encoding", enc}});
    return;
  }
  video_linked = LinkBranch(pipeline, pad, desc, mux_pad);
  if (!video_linked) gst_element_release_request_pad(mux, mux_pad);
  gst_object_unref(mux_pad);
}

Status GstMkvPipeline::Impl::Play() {
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  // Live pipelines answer ASYNC/NO_PREROLL; failures arrive on the bus.
  bus_thread = std::thread([this] { BusLoop(); });
  return OkStatus();
}

void GstMkvPipeline::Impl::BusLoop() {
  GstBus* bus = gst_element_get_bus(pipeline);
  while (!stopping.load()) {
    GstMessage* msg = gst_bus_timed_pop_filtered(
        bus, kBusPollNs, static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
    if (msg == nullptr) continue;
    Status end = eos_is_error ? UnavailableError("the source ended the stream") : OkStatus();
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      GError* error = nullptr;
      gchar* debug = nullptr;
      gst_message_parse_error(msg, &error, &debug);
      const std::string source = OwnedString(gst_object_get_name(GST_MESSAGE_SRC(msg)));
      end = UnavailableError(source + ": " + (error != nullptr ? error->message : "error"));
      LOG_DEBUG("media", "pipeline error",
                {{"error", end.message()}, {"debug", debug ? debug : ""}});
      if (error != nullptr) g_error_free(error);
      g_free(debug);
    }
    gst_message_unref(msg);
    if (!stopping.load() && on_end) on_end(end);
    break;
  }
  gst_object_unref(bus);
}

GstMkvPipeline::GstMkvPipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

GstMkvPipeline::~GstMkvPipeline() { Stop(); }

const std::string& GstMkvPipeline::description() const { return impl_->description; }

void GstMkvPipeline::Stop() {
  if (impl_->pipeline == nullptr) return;
  impl_->stopping.store(true);
  if (impl_->bus_thread.joinable()) impl_->bus_thread.join();
  gst_element_set_state(impl_->pipeline, GST_STATE_NULL);
  gst_object_unref(impl_->pipeline);
  impl_->pipeline = nullptr;
}

Result<std::unique_ptr<GstMkvPipeline>> GstMkvPipeline::StartRtspPull(
    const RtspPullOptions& options, MkvBytesCallback on_bytes, PipelineEndCallback on_end) {
  if (options.url.rfind("rtsp://", 0) != 0 && options.url.rfind("rtsps://", 0) != 0) {
    return InvalidArgumentError("not an rtsp:// URL: " + options.url);
  }
  if (options.transport != "tcp" && options.transport != "udp") {
    return InvalidArgumentError("transport must be tcp or udp");
  }
  EnsureGstInitialized();
  auto impl = std::make_unique<Impl>();
  impl->on_bytes = std::move(on_bytes);
  impl->on_end = std::move(on_end);
  impl->pipeline = gst_pipeline_new("rtsp-pull");
  GstElement* src = gst_element_factory_make("rtspsrc", "src");
  impl->mux = gst_element_factory_make("matroskamux", "mux");
  GstElement* sink = gst_element_factory_make("appsink", "sink");
  if (src == nullptr || impl->mux == nullptr || sink == nullptr) {
    for (GstElement* e : {src, impl->mux, sink}) {
      if (e != nullptr) gst_object_unref(e);
    }
    return UnavailableError("GStreamer elements rtspsrc/matroskamux/appsink are not installed");
  }
  g_object_set(src, "location", options.url.c_str(), "latency", guint(options.latency_ms),
               "protocols", options.transport == "tcp" ? 0x4 : 0x1,  // GST_RTSP_LOWER_TRANS_*
               "tcp-timeout", guint64(options.connect_timeout_ms) * 1000, nullptr);
  if (HasProperty(src, "teardown-timeout")) {
    g_object_set(src, "teardown-timeout", guint64(kTeardownTimeoutUs) * 1000, nullptr);
  }
  g_object_set(impl->mux, "streamable", TRUE, nullptr);
  gst_bin_add_many(GST_BIN(impl->pipeline), src, impl->mux, sink, nullptr);
  if (!gst_element_link(impl->mux, sink))
    return InternalError("cannot link matroskamux to appsink");
  AttachAppSink(impl.get(), sink);
  g_signal_connect(src, "pad-added", G_CALLBACK(&OnPadAdded), impl.get());
  impl->eos_is_error = true;
  impl->description = "rtsp pull " + options.url + " (" + options.transport + ")";
  RETURN_IF_ERROR(impl->Play());
  return std::unique_ptr<GstMkvPipeline>(new GstMkvPipeline(std::move(impl)));
}

Result<std::unique_ptr<GstMkvPipeline>> GstMkvPipeline::StartTestSource(
    const TestSourceOptions& options, MkvBytesCallback on_bytes, PipelineEndCallback on_end) {
  if (options.width <= 0 || options.height <= 0 || options.fps <= 0 || options.fps > 120 ||
      options.bitrate_kbps <= 0 || options.duration_s < 0) {
    return InvalidArgumentError("bad test source size, rate, bitrate or duration");
  }
  EnsureGstInitialized();
  const std::string buffers =
      options.duration_s > 0 ? " num-buffers=" + std::to_string(options.duration_s * options.fps)
                             : "";
  const std::string fps = std::to_string(options.fps);
  const std::string desc =
      "videotestsrc name=src is-live=" + std::string(options.live ? "true" : "false") +
      " pattern=" + options.pattern + buffers +
      " ! video/x-raw,format=I420,width=" + std::to_string(options.width) +
      ",height=" + std::to_string(options.height) + ",framerate=" + fps +
      "/1,pixel-aspect-ratio=1/1 ! x264enc tune=zerolatency" +
      " speed-preset=ultrafast key-int-max=" + fps +
      " bitrate=" + std::to_string(options.bitrate_kbps) +
      " ! h264parse ! video/x-h264,stream-format=avc,alignment=au"
      " ! matroskamux streamable=true ! appsink name=sink";
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(desc.c_str(), &error);
  if (pipeline == nullptr || error != nullptr) {
    std::string message = error != nullptr ? error->message : "cannot build the pipeline";
    if (error != nullptr) g_error_free(error);
    if (pipeline != nullptr) gst_object_unref(pipeline);
    return UnavailableError("test source: " + message);
  }
  auto impl = std::make_unique<Impl>();
  impl->on_bytes = std::move(on_bytes);
  impl->on_end = std::move(on_end);
  impl->pipeline = pipeline;
  impl->description = "test source " + std::to_string(options.width) + "x" +
                      std::to_string(options.height) + "@" + fps;
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  AttachAppSink(impl.get(), sink);
  gst_object_unref(sink);
  RETURN_IF_ERROR(impl->Play());
  return std::unique_ptr<GstMkvPipeline>(new GstMkvPipeline(std::move(impl)));
}

}  // namespace sluice::media
