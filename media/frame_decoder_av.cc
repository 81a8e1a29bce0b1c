// SPDX-License-Identifier: Apache-2.0
// FFmpeg error text and the shared swscale setup (frame_decoder_av.h): which colour matrix and
// range a frame uses, and cached scaler contexts with both applied.
#include "media/frame_decoder_av.h"

extern "C" {
#include <libavutil/error.h>
#include <libavutil/pixdesc.h>
}

namespace sluice::media::av {

std::string ErrorText(int av_error) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(av_error, buf, sizeof(buf));
  return std::string(buf) + " (" + std::to_string(av_error) + ")";
}

namespace {

// swscale's coefficient tables are indexed by SWS_CS_*; anything unsigned or unknown is BT.601,
// which is also what ffmpeg assumes for untagged H.264/H.265.
int SwsColorspace(AVColorSpace space) {
  switch (space) {
    case AVCOL_SPC_BT709:
      return SWS_CS_ITU709;
    case AVCOL_SPC_FCC:
      return SWS_CS_FCC;
    case AVCOL_SPC_SMPTE240M:
      return SWS_CS_SMPTE240M;
    case AVCOL_SPC_BT2020_NCL:
    case AVCOL_SPC_BT2020_CL:
      return SWS_CS_BT2020;
    default:
      return SWS_CS_DEFAULT;
  }
}

bool IsYuv(AVPixelFormat format) {
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(format);
  return d != nullptr && (d->flags & AV_PIX_FMT_FLAG_RGB) == 0 && d->nb_components >= 3;
}

}  // namespace

PictureFormat FormatOf(const AVFrame& frame) {
  PictureFormat f;
  f.format = static_cast<AVPixelFormat>(frame.format);
  f.full_range = frame.color_range == AVCOL_RANGE_JPEG;
  f.colorspace = SwsColorspace(frame.colorspace);
  switch (f.format) {
    case AV_PIX_FMT_YUVJ420P:
      f.format = AV_PIX_FMT_YUV420P;
      f.full_range = true;
      break;
    case AV_PIX_FMT_YUVJ422P:
      f.format = AV_PIX_FMT_YUV422P;
      f.full_range = true;
      break;
    case AV_PIX_FMT_YUVJ444P:
      f.format = AV_PIX_FMT_YUV444P;
      f.full_range = true;
      break;
    case AV_PIX_FMT_YUVJ440P:
      f.format = AV_PIX_FMT_YUV440P;
      f.full_range = true;
      break;
    case AV_PIX_FMT_YUVJ411P:
      f.format = AV_PIX_FMT_YUV411P;
      f.full_range = true;
      break;
    default:
      break;
  }
  return f;
}

SwsContext* ScalerFor(SwsPtr* cache, int src_w, int src_h, const PictureFormat& src, int dst_w,
                      int dst_h, const PictureFormat& dst, int flags) {
  // sws_getCachedContext frees the context it is given when the parameters differ.
  cache->reset(sws_getCachedContext(cache->release(), src_w, src_h, src.format, dst_w, dst_h,
                                    dst.format, flags, nullptr, nullptr, nullptr));
  if (*cache == nullptr) return nullptr;
  if (IsYuv(src.format) || IsYuv(dst.format)) {
    // Fails only for conversions that have no matrix (RGB to RGB); the defaults then apply.
    sws_setColorspaceDetails(cache->get(), sws_getCoefficients(src.colorspace), src.full_range,
                             sws_getCoefficients(dst.colorspace), dst.full_range, 0, 1 << 16,
                             1 << 16);
  }
  return cache->get();
}

}  // namespace sluice::media::av
