// SPDX-License-Identifier: Apache-2.0
// Decoded frame -> packed BGR24 (OpenCV's order) with libswscale, optionally downscaled to a
// maximum width with the aspect ratio kept (frame_decoder_av.h, ToBgr).
#include <algorithm>
#include <cmath>

#include "media/frame_decoder_av.h"

namespace sluice::media::av {

Result<DecodedFrame> ToBgr(const AVFrame& frame, uint32_t max_width, SwsPtr* cache) {
  if (frame.width <= 0 || frame.height <= 0) {
    return DataLossError("decoded frame has no size");
  }
  int width = frame.width;
  int height = frame.height;
  if (max_width > 0 && static_cast<uint32_t>(width) > max_width) {
    // Pixels are taken as square: the sample aspect ratio of anamorphic streams is not applied.
    height = std::max(1, static_cast<int>(std::lround(static_cast<double>(frame.height) *
                                                      max_width / frame.width)));
    width = static_cast<int>(max_width);
  }
  const PictureFormat bgr{.format = AV_PIX_FMT_BGR24, .full_range = true};
  SwsContext* sws = ScalerFor(cache, frame.width, frame.height, FormatOf(frame), width, height, bgr,
                              SWS_BILINEAR);
  if (sws == nullptr) {
    return DataLossError("no conversion from pixel format " + std::to_string(frame.format) +
                         " at " + std::to_string(frame.width) + "x" + std::to_string(frame.height) +
                         " to BGR");
  }
  DecodedFrame out;
  out.width = static_cast<uint32_t>(width);
  out.height = static_cast<uint32_t>(height);
  out.stride = out.width * 3;
  out.bgr.resize(size_t{out.stride} * out.height);
  uint8_t* dst[4] = {reinterpret_cast<uint8_t*>(out.bgr.data()), nullptr, nullptr, nullptr};
  const int dst_stride[4] = {static_cast<int>(out.stride), 0, 0, 0};
  const int rows = sws_scale(sws, frame.data, frame.linesize, 0, frame.height, dst, dst_stride);
  if (rows != height) {
    return DataLossError("BGR conversion produced " + std::to_string(rows) + " of " +
                         std::to_string(height) + " rows");
  }
  return out;
}

}  // namespace sluice::media::av
