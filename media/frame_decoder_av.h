// SPDX-License-Identifier: Apache-2.0
// Internal to frame_decoder*.cc and image_encoder*.cc: owning handles for the FFmpeg objects they
// use (codec context, frame, packet, swscale context), FFmpeg error text, and the one swscale
// setup both directions share (colour matrix and range). Never included by other modules' code.
#pragma once

#include "base/result.h"
#include "media/frame_decoder.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

#include <cstdint>
#include <memory>
#include <string>

namespace sluice::media::av {

struct CodecContextDeleter {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameDeleter {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsDeleter {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using SwsPtr = std::unique_ptr<SwsContext, SwsDeleter>;

// "Invalid data found when processing input (-1094995529)".
std::string ErrorText(int av_error);

// A YUV/RGB picture format with what swscale needs to convert it faithfully. The deprecated
// full-range "J" formats are expressed as their plain twin plus full_range, which keeps swscale
// from warning on every context.
struct PictureFormat {
  AVPixelFormat format = AV_PIX_FMT_NONE;
  bool full_range = false;
  int colorspace = SWS_CS_DEFAULT;  // SWS_CS_* (numerically AVCOL_SPC_* for the ones we meet)
};

// The format of a decoded frame as swscale should read it.
PictureFormat FormatOf(const AVFrame& frame);

// A swscale context for src -> dst (reusing *cache when its parameters match;
// sws_getCachedContext), with the colour matrix and ranges of both sides applied. Null on failure.
SwsContext* ScalerFor(SwsPtr* cache, int src_w, int src_h, const PictureFormat& src, int dst_w,
                      int dst_h, const PictureFormat& dst, int flags);

// Converts a decoded frame to packed BGR24, downscaled (bilinear, aspect kept) to at most
// `max_width` pixels wide when that is set and smaller. Only pts/key are left for the caller.
Result<DecodedFrame> ToBgr(const AVFrame& frame, uint32_t max_width, SwsPtr* cache);

}  // namespace sluice::media::av
