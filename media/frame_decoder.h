// SPDX-License-Identifier: Apache-2.0
// Decoding stored video with libavcodec and turning frames into pictures with libswscale: the
// VideoDecoder (H.264 / H.265 from a TrackInfo's codec private data) for GetImages and the
// detection consumers, and EncodeImage (JPEG with a quality, PNG) at a requested size.
// Lifecycle: one VideoDecoder per stream reader; feed fragments in log order. After a gap or a
// header change, call Reset() (or create a new decoder); decoding restarts at the next key frame.
// Each decoder decodes on the calling thread only (no codec threads): run several for more cores.
// Thread-safety: a VideoDecoder belongs to one thread at a time; EncodeImage is a free function.
// Example:
//   ASSIGN_OR_RETURN(auto dec, VideoDecoder::Create(*header.VideoTrack()));
//   ASSIGN_OR_RETURN(std::vector<DecodedFrame> frames, dec->DecodeFragment(fragment, {}));
//   ASSIGN_OR_RETURN(std::string jpeg, EncodeImage(frames[0], {.format = ImageFormat::kJpeg}));
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "media/fragment.h"

namespace sluice::media {

// A decoded picture: packed 8-bit BGR (OpenCV's order), `stride` bytes per row.
struct DecodedFrame {
  int64_t pts_ns = kUnknownTime;  // the frame's stored time (MKV timeline)
  bool key = false;               // decoded from a key frame
  uint32_t width = 0;
  uint32_t height = 0;
  uint32_t stride = 0;
  std::string bgr;  // height * stride bytes
};

struct DecodeOptions {
  bool key_frames_only = false;  // decode only key frames (cheap sampling)
  // Called for each decoded frame's pts before it is converted to BGR: return false to skip the
  // conversion (the frame is still decoded, as later frames need it). Null: convert all.
  std::function<bool(int64_t pts_ns)> want;
  uint32_t max_width = 0;  // 0: native size; else downscale (keeping aspect) to at most this
};

class VideoDecoder {
 public:
  // InvalidArgument / FailedPrecondition when the track is not H.264/H.265 or its codec private
  // data does not open a decoder.
  static Result<std::unique_ptr<VideoDecoder>> Create(const TrackInfo& video);
  ~VideoDecoder();
  VideoDecoder(const VideoDecoder&) = delete;
  VideoDecoder& operator=(const VideoDecoder&) = delete;

  // Decodes the video frames of one fragment (frames of other tracks are ignored) and returns the
  // wanted ones in presentation order, flushing the decoder at the end of the fragment (fragments
  // start with a key frame, so each one decodes on its own). A continuation fragment (first video
  // frame not a key frame) decodes when it follows, in log order, the fragments back to its key
  // frame: the decoder keeps that GOP's coded frames and replays them first. Frames that cannot
  // decode for want of references are skipped, not errors: those before the first key frame
  // after Create/Reset (or after a jump back), and the leading pictures of an open GOP (shown
  // before the key frame decoding started at: H.265 RASL, H.264 B-frames after a recovery-point
  // I frame). DataLoss when a frame fails to decode or decodes damaged (MEDIA_ERROR), with the
  // frames decoded before it lost; the decoder then restarts at the next key frame.
  Result<std::vector<DecodedFrame>> DecodeFragment(const Fragment& fragment,
                                                   const DecodeOptions& options);
  // Forgets the kept GOP and the decoder's references.
  void Reset();

 private:
  struct Impl;
  explicit VideoDecoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

enum class ImageFormat { kJpeg, kPng };

struct ImageOptions {
  ImageFormat format = ImageFormat::kJpeg;
  // 1..100, mapped linearly to the mjpeg quantiser (ffmpeg's -q:v) 31..1: 80 -> 7, 100 -> 1.
  int jpeg_quality = 80;
  // Output size: both 0 = the frame's size; one 0 = keep the aspect ratio; both set = stretch.
  uint32_t width = 0;
  uint32_t height = 0;
};

// Scales (libswscale, bicubic) and encodes (libavcodec mjpeg as yuvj420p / png as rgb24) one
// frame. InvalidArgument for an empty or short frame buffer, a quality outside 1..100 or a side
// above 8192 pixels.
Result<std::string> EncodeImage(const DecodedFrame& frame, const ImageOptions& options);

}  // namespace sluice::media
