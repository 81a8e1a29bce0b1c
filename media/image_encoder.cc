// SPDX-License-Identifier: Apache-2.0
// EncodeImage (frame_decoder.h): one BGR frame scaled with libswscale (bicubic) to the requested
// size and encoded as a still picture by libavcodec: JPEG with the mjpeg encoder (yuvj420p, fixed
// quantiser from the quality), PNG with the png encoder (rgb24).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "media/frame_decoder.h"
#include "media/frame_decoder_av.h"

namespace sluice::media {
namespace {

// Largest picture side EncodeImage makes (GetImages asks for at most 3840x2160).
constexpr uint32_t kMaxSide = 8192;
// Bicubic scaling; accurate rounding also keeps swscale off its unscaled BGR -> yuv420p shortcut,
// which writes limited-range values whatever the destination range says.
constexpr int kScaleFlags = SWS_BICUBIC | SWS_ACCURATE_RND;

// JPEG quality 1..100 to the mjpeg quantiser scale 31..1, linearly: 100 -> 1 (best), 80 -> 7,
// 50 -> 16, 1 -> 31 (smallest). This is ffmpeg's `-q:v` scale, where 2..5 is visually lossless.
int JpegQscale(int quality) {
  return 1 + static_cast<int>(std::lround((100 - quality) * 30.0 / 99.0));
}

uint32_t Scaled(uint32_t side, uint32_t to, uint32_t from) {
  const double v = std::round(static_cast<double>(side) * to / from);
  return static_cast<uint32_t>(std::clamp(v, 1.0, static_cast<double>(kMaxSide)));
}

Status CheckFrame(const DecodedFrame& frame) {
  if (frame.width == 0 || frame.height == 0 || frame.width > kMaxSide || frame.height > kMaxSide) {
    return InvalidArgumentError("frame size " + std::to_string(frame.width) + "x" +
                                std::to_string(frame.height) + " cannot be encoded");
  }
  if (uint64_t{frame.stride} < uint64_t{frame.width} * 3 ||
      frame.bgr.size() < uint64_t{frame.stride} * frame.height) {
    return InvalidArgumentError("frame buffer smaller than its size and stride");
  }
  return OkStatus();
}

// Reads every packet the encoder has for the one frame sent, after the end-of-input marker.
Result<std::string> ReceiveAll(AVCodecContext* ctx) {
  av::PacketPtr packet(av_packet_alloc());
  if (packet == nullptr) return InternalError("out of memory for an image packet");
  std::string out;
  for (;;) {
    const int rc = avcodec_receive_packet(ctx, packet.get());
    if (rc == AVERROR_EOF) break;
    if (rc < 0) return InternalError("image encoder failed: " + av::ErrorText(rc));
    out.append(reinterpret_cast<const char*>(packet->data), static_cast<size_t>(packet->size));
    av_packet_unref(packet.get());
  }
  if (out.empty()) return InternalError("image encoder produced no picture");
  return out;
}

// Allocates the picture's planes, zeroed: swscale and the mjpeg encoder read row and block padding,
// which then holds no stale memory.
Status AllocatePicture(AVFrame* picture) {
  const int rc = av_frame_get_buffer(picture, 0);
  if (rc < 0) return InternalError("out of memory for an image: " + av::ErrorText(rc));
  for (AVBufferRef* buf : picture->buf) {
    if (buf != nullptr) std::memset(buf->data, 0, buf->size);
  }
  return OkStatus();
}

// A copy of the frame in an FFmpeg-allocated BGR picture: swscale reads a little past the end of
// its input rows and planes, which FFmpeg's own buffers are padded for and a DecodedFrame is not.
Result<av::FramePtr> PaddedCopy(const DecodedFrame& frame) {
  av::FramePtr copy(av_frame_alloc());
  if (copy == nullptr) return InternalError("out of memory for an image");
  copy->format = AV_PIX_FMT_BGR24;
  copy->width = static_cast<int>(frame.width);
  copy->height = static_cast<int>(frame.height);
  RETURN_IF_ERROR(AllocatePicture(copy.get()));
  for (uint32_t y = 0; y < frame.height; ++y) {
    std::memcpy(copy->data[0] + static_cast<ptrdiff_t>(y) * copy->linesize[0],
                frame.bgr.data() + size_t{y} * frame.stride, size_t{frame.width} * 3);
  }
  return copy;
}

// The frame scaled to width x height in the encoder's input format (`jpeg`: yuvj420p, else rgb24).
Result<av::FramePtr> ScaledPicture(const DecodedFrame& frame, bool jpeg, int width, int height) {
  ASSIGN_OR_RETURN(av::FramePtr source, PaddedCopy(frame));
  av::FramePtr picture(av_frame_alloc());
  if (picture == nullptr) return InternalError("out of memory for an image");
  picture->format = jpeg ? AV_PIX_FMT_YUVJ420P : AV_PIX_FMT_RGB24;
  picture->width = width;
  picture->height = height;
  RETURN_IF_ERROR(AllocatePicture(picture.get()));
  // JPEG is full-range BT.601 YCbCr: swscale writes plain yuv420p with full range, the same bytes
  // as the yuvj420p the encoder is told.
  const av::PictureFormat dst =
      jpeg ? av::PictureFormat{.format = AV_PIX_FMT_YUV420P, .full_range = true}
           : av::PictureFormat{.format = AV_PIX_FMT_RGB24, .full_range = true};
  const av::PictureFormat bgr{.format = AV_PIX_FMT_BGR24, .full_range = true};
  av::SwsPtr cache;
  SwsContext* sws =
      av::ScalerFor(&cache, source->width, source->height, bgr, width, height, dst, kScaleFlags);
  if (sws == nullptr) {
    return InternalError("no BGR scaler to " + std::to_string(width) + "x" +
                         std::to_string(height));
  }
  sws_scale(sws, source->data, source->linesize, 0, source->height, picture->data,
            picture->linesize);
  return picture;
}

// An opened mjpeg (fixed quantiser from `quality`) or png encoder for width x height.
Result<av::CodecContextPtr> OpenEncoder(bool jpeg, int quality, int width, int height) {
  const AVCodec* codec = avcodec_find_encoder(jpeg ? AV_CODEC_ID_MJPEG : AV_CODEC_ID_PNG);
  if (codec == nullptr) return InternalError("libavcodec has no mjpeg/png encoder");
  av::CodecContextPtr ctx(avcodec_alloc_context3(codec));
  if (ctx == nullptr) return InternalError("out of memory for an image encoder");
  ctx->width = width;
  ctx->height = height;
  ctx->time_base = AVRational{1, 1};
  ctx->thread_count = 1;
  ctx->pix_fmt = jpeg ? AV_PIX_FMT_YUVJ420P : AV_PIX_FMT_RGB24;
  if (jpeg) {
    ctx->color_range = AVCOL_RANGE_JPEG;
    ctx->flags |= AV_CODEC_FLAG_QSCALE;
    ctx->qmin = 1;
    ctx->qmax = 31;
    ctx->global_quality = FF_QP2LAMBDA * JpegQscale(quality);
  }
  const int rc = avcodec_open2(ctx.get(), codec, nullptr);
  if (rc < 0) return InternalError("image encoder does not open: " + av::ErrorText(rc));
  return ctx;
}

}  // namespace

Result<std::string> EncodeImage(const DecodedFrame& frame, const ImageOptions& options) {
  RETURN_IF_ERROR(CheckFrame(frame));
  const bool jpeg = options.format == ImageFormat::kJpeg;
  if (jpeg && (options.jpeg_quality < 1 || options.jpeg_quality > 100)) {
    return InvalidArgumentError("JPEG quality must be 1..100, not " +
                                std::to_string(options.jpeg_quality));
  }
  if (options.width > kMaxSide || options.height > kMaxSide) {
    return InvalidArgumentError("image size above " + std::to_string(kMaxSide) + " pixels");
  }
  uint32_t width = options.width;
  uint32_t height = options.height;
  if (width == 0 && height == 0) {
    width = frame.width;
    height = frame.height;
  } else if (height == 0) {
    height = Scaled(frame.height, width, frame.width);
  } else if (width == 0) {
    width = Scaled(frame.width, height, frame.height);
  }
  const int w = static_cast<int>(width);
  const int h = static_cast<int>(height);
  ASSIGN_OR_RETURN(av::CodecContextPtr ctx, OpenEncoder(jpeg, options.jpeg_quality, w, h));
  ASSIGN_OR_RETURN(av::FramePtr picture, ScaledPicture(frame, jpeg, w, h));
  if (jpeg) picture->quality = ctx->global_quality;
  int rc = avcodec_send_frame(ctx.get(), picture.get());
  if (rc >= 0) rc = avcodec_send_frame(ctx.get(), nullptr);
  if (rc < 0) return InternalError("image encoder refused the frame: " + av::ErrorText(rc));
  return ReceiveAll(ctx.get());
}

}  // namespace sluice::media
