// SPDX-License-Identifier: Apache-2.0
// Internal to remux*.cc: the libavformat glue shared by the fMP4, MPEG-TS and clip writers. A
// Muxer is one output format context writing into a std::string (through an in-memory
// AVIOContext, seekable when the format needs to rewrite or re-read its output), with streams
// made from a TrackInfo + CodecConfig and packets made from stored frames. libav errors become
// Status values carrying av_strerror text. One Muxer per call: no state is shared.
#pragma once

extern "C" {
#include <libavformat/avformat.h>
}

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "media/fragment.h"
#include "media/remux.h"
#include "media/remux_codec_config.h"
#include "media/remux_timing.h"

namespace sluice::media::remux {

// `err` (< 0) as a Status: InvalidArgument for bad data or parameters (AVERROR_INVALIDDATA,
// EINVAL: the stored frames or codec data cannot be muxed), ResourceExhausted for ENOMEM,
// Internal otherwise. The message is "<what>: <av_strerror text>".
Status AvStatus(int err, std::string_view what);

// A playable track with its parsed codec data.
struct OutputTrack {
  const TrackInfo* track = nullptr;
  CodecConfig config;
};

// tracks.Output(output_track) with its codec data; InvalidArgument when there is no such track.
Result<OutputTrack> ResolveOutputTrack(const PlayableTracks& tracks, uint64_t output_track);

// Muxer (and format context) options by name, as the ffmpeg tool takes them.
using MuxerOptions = std::vector<std::pair<std::string, std::string>>;

class Muxer {
 public:
  // `format` is a libavformat muxer name ("mp4", "mov", "mpegts"). A seekable output supports
  // the muxer seeking back and re-opening its output for reading (mp4 "faststart").
  static Result<std::unique_ptr<Muxer>> Open(const char* format, bool seekable);
  ~Muxer();
  Muxer(const Muxer&) = delete;
  Muxer& operator=(const Muxer&) = delete;

  AVFormatContext* ctx() const { return ctx_; }

  // A stream for `t`, time base 1/TimescaleOf(config) (the muxer may change it in WriteHeader),
  // with AVStream::id = `id`. `iso` picks ISO sample entries (hvc1 for H.265).
  Result<AVStream*> AddStream(const OutputTrack& t, int id, bool iso);

  // avformat_write_header with `options` (a muxer option string per key); unused options are an
  // Internal error so that a typo cannot pass silently.
  Status WriteHeader(const MuxerOptions& options);

  // One stored frame as a packet of `stream`; `time` is in ticks of 1/`timescale` and is
  // rescaled to the stream's time base. The payload is not copied unless a filter needs it.
  Status WriteFrame(AVStream* stream, const Fragment& fragment, const Frame& frame,
                    const SampleTime& time, int64_t timescale);

  // av_write_frame(ctx, nullptr): a fragmenting muxer cuts its fragment here.
  Status Flush();
  Status WriteTrailer();

  // The bytes written so far (after flushing the AVIOContext's buffer).
  std::string& Output();
  // Drops the bytes written so far and starts the output again with `prefix` (non-seekable
  // outputs only): a media segment keeps what follows the header its muxer had to write.
  void RestartOutput(std::string_view prefix);

 private:
  Muxer() = default;
  struct Io;
  AVFormatContext* ctx_ = nullptr;
  std::unique_ptr<Io> io_;
  AVPacket* packet_ = nullptr;
};

// Box helpers for the ISO BMFF output.
// Offset of the first top-level box of `type` at or after `from`, or npos.
size_t FindBox(std::string_view data, std::string_view type, size_t from = 0);

}  // namespace sluice::media::remux
