// SPDX-License-Identifier: Apache-2.0
// VideoDecoder (frame_decoder.h): opens libavcodec's H.264 / H.265 decoder on the track's avcC /
// hvcC, feeds one fragment's coded frames in storage order, drains and flushes at its end, and
// converts the wanted pictures to BGR (frame_decoder_bgr.cc).
#include "media/frame_decoder.h"

#include <cstring>

#include "media/frame_decoder_av.h"

namespace sluice::media {
namespace {

// Decoded pictures beyond 8K are refused (libavcodec checks before allocating).
constexpr int64_t kMaxPixels = int64_t{8192} * 4320;
// Coded frames kept for continuation fragments (see Impl::gop); a longer GOP is not kept.
constexpr size_t kMaxGopBytes = size_t{64} << 20;
constexpr size_t kMaxCodecPrivateBytes = size_t{1} << 20;

std::string At(int64_t pts_ns) {
  return pts_ns == kUnknownTime ? std::string("unknown time") : std::to_string(pts_ns) + " ns";
}

// The minimal shape libavcodec needs to take the packets as length-prefixed NAL units: an avcC
// starts with configurationVersion 1 (7+ bytes); an hvcC is 23+ bytes and not an Annex B start.
Status CheckCodecPrivate(AVCodecID id, std::string_view cp) {
  if (cp.empty()) return FailedPreconditionError("missing codec private data");
  if (cp.size() > kMaxCodecPrivateBytes) {
    return FailedPreconditionError("codec private data too large");
  }
  const bool ok = id == AV_CODEC_ID_H264 ? cp.size() >= 7 && cp[0] == 1
                                         : cp.size() >= 23 && !(cp[0] == 0 && cp[1] == 0 &&
                                                                (cp[2] == 1 || cp[2] == 0));
  if (!ok) {
    return FailedPreconditionError(std::string("invalid codec private data: not an ") +
                                   (id == AV_CODEC_ID_H264 ? "avcC" : "hvcC") + " record");
  }
  return OkStatus();
}

}  // namespace

struct VideoDecoder::Impl {
  // One coded frame handed to the decoder during a DecodeFragment call; the packet's pts is its
  // index in `sent`, which the decoder carries to the picture through any reordering.
  struct Sent {
    int64_t pts_ns = kUnknownTime;
    bool key = false;
    bool replay = false;   // from `gop`: decoded for its references only
    bool leading = false;  // shown before the key frame decoding started at (see Decode)
    bool decoded = false;
  };

  // Constant after Create.
  uint64_t track_number = 0;
  av::CodecContextPtr ctx;
  av::FramePtr picture;
  av::PacketPtr packet;

  av::SwsPtr sws;  // BGR converter, reused while the frame size stays the same
  // The coded frames from the last key frame seen up to the end of the last fragment, while they
  // fit in kMaxGopBytes (gop_valid). A fragment that starts without a key frame (a continuation
  // fragment) is decoded after replaying them, since the flush at the end of each fragment drops
  // the decoder's references. Without them, its frames before its first key frame are skipped.
  std::vector<std::string> gop;
  size_t gop_bytes = 0;
  bool gop_valid = false;
  int64_t gop_fragment_start_ns = 0;  // the fragment `gop` ends with

  // Per DecodeFragment call.
  std::vector<Sent> sent;
  std::vector<DecodedFrame> out;
  const DecodeOptions* options = nullptr;

  Status Decode(const Fragment& fragment, const std::vector<const Frame*>& video);
  Status Send(std::string_view payload, const Sent& info);
  Status Receive();
  Status Take(const AVFrame& f);
  void KeepGop(const Fragment& fragment, const std::vector<const Frame*>& video);
  void Reset() {
    avcodec_flush_buffers(ctx.get());
    gop.clear();
    gop_bytes = 0;
    gop_valid = false;
  }
};

Status VideoDecoder::Impl::Send(std::string_view payload, const Sent& info) {
  av_packet_unref(packet.get());
  if (av_new_packet(packet.get(), static_cast<int>(payload.size())) < 0) {
    return InternalError("out of memory for a " + std::to_string(payload.size()) + " byte packet");
  }
  if (!payload.empty()) std::memcpy(packet->data, payload.data(), payload.size());
  packet->pts = static_cast<int64_t>(sent.size());
  packet->flags = info.key ? AV_PKT_FLAG_KEY : 0;
  sent.push_back(info);
  int rc = avcodec_send_packet(ctx.get(), packet.get());
  if (rc == AVERROR(EAGAIN)) {  // the decoder wants its output taken first, then has room
    RETURN_IF_ERROR(Receive());
    rc = avcodec_send_packet(ctx.get(), packet.get());
  }
  if (rc < 0) {
    return DataLossError("frame at " + At(info.pts_ns) + " does not decode: " + av::ErrorText(rc));
  }
  return Receive();
}

Status VideoDecoder::Impl::Receive() {
  for (;;) {
    const int rc = avcodec_receive_frame(ctx.get(), picture.get());
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return OkStatus();
    if (rc < 0) return DataLossError("decoding failed: " + av::ErrorText(rc));
    Status s = Take(*picture);
    av_frame_unref(picture.get());
    RETURN_IF_ERROR(s);
  }
}

Status VideoDecoder::Impl::Take(const AVFrame& f) {
  if (f.pts == AV_NOPTS_VALUE || f.pts < 0 || static_cast<uint64_t>(f.pts) >= sent.size() ||
      sent[static_cast<size_t>(f.pts)].decoded) {
    return DataLossError("decoder returned a picture that matches no coded frame");
  }
  Sent& s = sent[static_cast<size_t>(f.pts)];
  s.decoded = true;
  const bool damaged = f.decode_error_flags != 0 || (f.flags & AV_FRAME_FLAG_CORRUPT) != 0;
  if (s.replay) return OkStatus();
  if (damaged) {
    if (s.leading) return OkStatus();
    return DataLossError("frame at " + At(s.pts_ns) + " decoded with errors");
  }
  if (options->want && !options->want(s.pts_ns)) return OkStatus();
  ASSIGN_OR_RETURN(DecodedFrame d, av::ToBgr(f, options->max_width, &sws));
  d.pts_ns = s.pts_ns;
  d.key = s.key;
  out.push_back(std::move(d));
  return OkStatus();
}

Status VideoDecoder::Impl::Decode(const Fragment& fragment,
                                  const std::vector<const Frame*>& video) {
  const DecodeOptions& o = *options;
  size_t first = 0;
  bool replayed = false;
  if (!o.key_frames_only && !video.empty() && !video.front()->key()) {
    // A continuation fragment: it continues the GOP kept from the fragment before it, if that is
    // the one fed last (an earlier or the same fragment means the caller jumped back).
    if (gop_valid && fragment.start_ns > gop_fragment_start_ns) {
      for (const std::string& payload : gop) {
        RETURN_IF_ERROR(Send(payload, {.replay = true}));
      }
      replayed = true;
    } else {
      while (first < video.size() && !video[first]->key()) ++first;
    }
  }
  // When decoding starts at this fragment's key frame, frames shown before it are the leading
  // pictures of an open GOP (H.265 RASL, H.264 after a recovery-point I frame): they reference
  // the previous GOP, so the decoder drops or damages them. They are skipped, not errors.
  const int64_t start_pts = !replayed && first < video.size() ? video[first]->pts_ns : kUnknownTime;
  for (size_t i = first; i < video.size(); ++i) {
    const Frame& f = *video[i];
    if (o.key_frames_only && !f.key()) continue;
    RETURN_IF_ERROR(Send(fragment.Payload(f),
                         {.pts_ns = f.pts_ns, .key = f.key(), .leading = f.pts_ns < start_pts}));
  }
  if (sent.empty()) return OkStatus();
  // Drain the pictures still held for reordering, then make the decoder accept packets again.
  const int rc = avcodec_send_packet(ctx.get(), nullptr);
  if (rc < 0) return DataLossError("draining the decoder failed: " + av::ErrorText(rc));
  RETURN_IF_ERROR(Receive());
  avcodec_flush_buffers(ctx.get());
  for (const Sent& s : sent) {
    if (!s.decoded && !s.replay && !s.leading) {
      return DataLossError("frame at " + At(s.pts_ns) + " gave no picture");
    }
  }
  return OkStatus();
}

void VideoDecoder::Impl::KeepGop(const Fragment& fragment, const std::vector<const Frame*>& video) {
  size_t from = 0;
  for (size_t i = video.size(); i-- > 0;) {
    if (video[i]->key()) {
      gop.clear();
      gop_bytes = 0;
      gop_valid = true;
      from = i;
      break;
    }
  }
  if (!gop_valid) return;
  gop_fragment_start_ns = fragment.start_ns;
  for (size_t i = from; i < video.size(); ++i) {
    gop_bytes += video[i]->size;
    if (gop_bytes > kMaxGopBytes) {
      gop.clear();
      gop_bytes = 0;
      gop_valid = false;
      return;
    }
    gop.emplace_back(fragment.Payload(*video[i]));
  }
}

Result<std::unique_ptr<VideoDecoder>> VideoDecoder::Create(const TrackInfo& video) {
  AVCodecID id = AV_CODEC_ID_NONE;
  if (video.codec_id == "V_MPEG4/ISO/AVC") id = AV_CODEC_ID_H264;
  if (video.codec_id == "V_MPEGH/ISO/HEVC") id = AV_CODEC_ID_HEVC;
  if (video.type != TrackType::kVideo || id == AV_CODEC_ID_NONE) {
    return InvalidArgumentError("not an H.264 or H.265 video track: '" + video.codec_id + "'");
  }
  RETURN_IF_ERROR(CheckCodecPrivate(id, video.codec_private));
  const AVCodec* codec = avcodec_find_decoder(id);
  if (codec == nullptr)
    return FailedPreconditionError("libavcodec has no decoder for " + video.codec_id);

  auto impl = std::make_unique<Impl>();
  impl->track_number = video.number;
  impl->ctx.reset(avcodec_alloc_context3(codec));
  impl->picture.reset(av_frame_alloc());
  impl->packet.reset(av_packet_alloc());
  const size_t cp_size = video.codec_private.size();
  auto* extradata = static_cast<uint8_t*>(av_mallocz(cp_size + AV_INPUT_BUFFER_PADDING_SIZE));
  if (impl->ctx == nullptr || impl->picture == nullptr || impl->packet == nullptr ||
      extradata == nullptr) {
    av_free(extradata);
    return InternalError("out of memory opening a decoder");
  }
  std::memcpy(extradata, video.codec_private.data(), cp_size);
  impl->ctx->extradata = extradata;  // owned (and freed) by the context from here
  impl->ctx->extradata_size = static_cast<int>(cp_size);
  // Callers run several decoders on few cores: each decodes on the calling thread only, which
  // also means no frame-threading delay.
  impl->ctx->thread_count = 1;
  impl->ctx->max_pixels = kMaxPixels;
  // Damaged input is reported through DecodeFragment's Status; the decoder's own messages about
  // it (one per bad slice) are demoted from error to debug level for this context only.
  impl->ctx->log_level_offset = AV_LOG_DEBUG - AV_LOG_ERROR;
  const int rc = avcodec_open2(impl->ctx.get(), codec, nullptr);
  if (rc < 0) {
    return FailedPreconditionError("invalid codec private data: " + video.codec_id +
                                   " decoder does not open: " + av::ErrorText(rc));
  }
  return std::unique_ptr<VideoDecoder>(new VideoDecoder(std::move(impl)));
}

VideoDecoder::VideoDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VideoDecoder::~VideoDecoder() = default;

void VideoDecoder::Reset() { impl_->Reset(); }

Result<std::vector<DecodedFrame>> VideoDecoder::DecodeFragment(const Fragment& fragment,
                                                               const DecodeOptions& options) {
  std::vector<const Frame*> video;
  for (const Frame& f : fragment.frames) {
    if (f.track_number != impl_->track_number) continue;
    if (uint64_t{f.offset} + f.size > fragment.cluster.size()) {
      return DataLossError("frame at " + At(f.pts_ns) + " lies outside its cluster");
    }
    video.push_back(&f);
  }
  Impl& d = *impl_;
  d.sent.clear();
  d.out.clear();
  d.options = &options;
  Status s = d.Decode(fragment, video);
  d.sent.clear();
  d.options = nullptr;
  if (!s.ok()) {
    d.out.clear();
    d.Reset();  // no references survive a failed frame: restart at the next key frame
    return s;
  }
  d.KeepGop(fragment, video);
  return std::move(d.out);
}

}  // namespace sluice::media
