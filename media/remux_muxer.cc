// SPDX-License-Identifier: Apache-2.0
// The libavformat glue of remux_internal.h: an output format context over an in-memory
// AVIOContext (plus read-back handles for muxers that re-open their output), streams from codec
// data, packets from stored frames, libav errors as Status.
#include "media/remux_internal.h"

extern "C" {
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/mem.h>
}

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sluice::media::remux {
namespace {

constexpr int kIoBufferSize = 64 * 1024;

// A read-only view of the output, for AVFormatContext::io_open (faststart's second pass).
struct Reader {
  const std::string* data = nullptr;
  int64_t pos = 0;
};

int ReaderRead(void* opaque, uint8_t* buf, int size) {
  auto* r = static_cast<Reader*>(opaque);
  const auto total = static_cast<int64_t>(r->data->size());
  if (r->pos >= total) return AVERROR_EOF;
  const int n = static_cast<int>(std::min<int64_t>(size, total - r->pos));
  std::memcpy(buf, r->data->data() + r->pos, static_cast<size_t>(n));
  r->pos += n;
  return n;
}

int64_t ReaderSeek(void* opaque, int64_t offset, int whence) {
  auto* r = static_cast<Reader*>(opaque);
  const auto total = static_cast<int64_t>(r->data->size());
  switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
      return total;
    case SEEK_SET:
      break;
    case SEEK_CUR:
      offset += r->pos;
      break;
    case SEEK_END:
      offset += total;
      break;
    default:
      return AVERROR(EINVAL);
  }
  if (offset < 0) return AVERROR(EINVAL);
  r->pos = offset;
  return offset;
}

}  // namespace

struct Muxer::Io {
  std::string data;
  int64_t pos = 0;
  AVIOContext* pb = nullptr;

  static int Write(void* opaque, uint8_t* buf, int size) {
    auto* io = static_cast<Io*>(opaque);
    const auto end = static_cast<size_t>(io->pos) + static_cast<size_t>(size);
    if (end > io->data.size()) io->data.resize(end);
    std::memcpy(io->data.data() + io->pos, buf, static_cast<size_t>(size));
    io->pos += size;
    return size;
  }

  static int64_t Seek(void* opaque, int64_t offset, int whence) {
    auto* io = static_cast<Io*>(opaque);
    const auto total = static_cast<int64_t>(io->data.size());
    switch (whence & ~AVSEEK_FORCE) {
      case AVSEEK_SIZE:
        return total;
      case SEEK_SET:
        break;
      case SEEK_CUR:
        offset += io->pos;
        break;
      case SEEK_END:
        offset += total;
        break;
      default:
        return AVERROR(EINVAL);
    }
    if (offset < 0) return AVERROR(EINVAL);
    io->pos = offset;
    return offset;
  }

  // AVFormatContext::io_open: only reading back the output is supported.
  static int Open(AVFormatContext* s, AVIOContext** pb, const char* url, int flags,
                  AVDictionary** options) {
    if ((flags & AVIO_FLAG_WRITE) != 0) return AVERROR(EPERM);
    auto* io = static_cast<Io*>(s->opaque);
    auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferSize));
    if (buffer == nullptr) return AVERROR(ENOMEM);
    auto* reader = new Reader{&io->data, 0};
    *pb = avio_alloc_context(buffer, kIoBufferSize, 0, reader, ReaderRead, nullptr, ReaderSeek);
    if (*pb == nullptr) {
      delete reader;
      av_free(buffer);
      return AVERROR(ENOMEM);
    }
    return 0;
  }

  static int Close(AVFormatContext* s, AVIOContext* pb) {
    delete static_cast<Reader*>(pb->opaque);
    av_freep(&pb->buffer);
    avio_context_free(&pb);
    return 0;
  }
};

Status AvStatus(int err, std::string_view what) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, text, sizeof(text));
  std::string message = std::string(what) + ": " + text;
  if (err == AVERROR_INVALIDDATA || err == AVERROR(EINVAL)) {
    return InvalidArgumentError(std::move(message));
  }
  if (err == AVERROR(ENOMEM)) return ResourceExhaustedError(std::move(message));
  return InternalError(std::move(message));
}

Result<OutputTrack> ResolveOutputTrack(const PlayableTracks& tracks, uint64_t output_track) {
  const TrackInfo* t = tracks.Output(output_track);
  if (t == nullptr) {
    return InvalidArgumentError("no output track " + std::to_string(output_track));
  }
  const std::optional<Codec> codec = CodecOf(*t, /*allow_g711=*/true);
  if (!codec) {
    return FailedPreconditionError(std::string(kUnsupportedMediaPrefix) + "track " +
                                   std::to_string(t->number) + " (" + t->codec_id + ")");
  }
  OutputTrack out;
  out.track = t;
  ASSIGN_OR_RETURN(out.config, ParseCodecConfig(*t, *codec));
  return out;
}

Result<std::unique_ptr<Muxer>> Muxer::Open(const char* format, bool seekable) {
  std::unique_ptr<Muxer> m(new Muxer());
  int err = avformat_alloc_output_context2(&m->ctx_, nullptr, format, nullptr);
  if (err < 0 || m->ctx_ == nullptr) return AvStatus(err < 0 ? err : AVERROR(ENOMEM), format);
  m->io_ = std::make_unique<Io>();
  auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferSize));
  if (buffer == nullptr) return AvStatus(AVERROR(ENOMEM), "output buffer");
  m->io_->pb = avio_alloc_context(buffer, kIoBufferSize, 1, m->io_.get(), nullptr, Io::Write,
                                  seekable ? Io::Seek : nullptr);
  if (m->io_->pb == nullptr) {
    av_free(buffer);
    return AvStatus(AVERROR(ENOMEM), "output context");
  }
  m->ctx_->pb = m->io_->pb;
  m->ctx_->flags |= AVFMT_FLAG_CUSTOM_IO;
  m->ctx_->opaque = m->io_.get();
  m->ctx_->io_open = Io::Open;
  m->ctx_->io_close2 = Io::Close;
  m->packet_ = av_packet_alloc();
  if (m->packet_ == nullptr) return AvStatus(AVERROR(ENOMEM), "packet");
  return m;
}

Muxer::~Muxer() {
  av_packet_free(&packet_);
  if (ctx_ != nullptr) avformat_free_context(ctx_);
  if (io_ != nullptr && io_->pb != nullptr) {
    av_freep(&io_->pb->buffer);
    avio_context_free(&io_->pb);
  }
}

Result<AVStream*> Muxer::AddStream(const OutputTrack& t, int id, bool iso) {
  AVStream* st = avformat_new_stream(ctx_, nullptr);
  if (st == nullptr) return AvStatus(AVERROR(ENOMEM), "new stream");
  st->id = id;
  st->time_base = AVRational{1, static_cast<int>(TimescaleOf(t.config))};
  AVCodecParameters* par = st->codecpar;
  const CodecConfig& c = t.config;
  switch (c.codec) {
    case Codec::kH264:
    case Codec::kH265:
      par->codec_type = AVMEDIA_TYPE_VIDEO;
      par->codec_id = c.codec == Codec::kH264 ? AV_CODEC_ID_H264 : AV_CODEC_ID_HEVC;
      if (c.codec == Codec::kH265 && iso) par->codec_tag = MKTAG('h', 'v', 'c', '1');
      par->width = static_cast<int>(c.width);
      par->height = static_cast<int>(c.height);
      break;
    case Codec::kAac:
    case Codec::kAlaw:
    case Codec::kMulaw:
      par->codec_type = AVMEDIA_TYPE_AUDIO;
      par->codec_id = c.codec == Codec::kAac    ? AV_CODEC_ID_AAC
                      : c.codec == Codec::kAlaw ? AV_CODEC_ID_PCM_ALAW
                                                : AV_CODEC_ID_PCM_MULAW;
      par->sample_rate = static_cast<int>(c.sample_rate);
      av_channel_layout_default(&par->ch_layout, static_cast<int>(c.channels));
      if (c.codec == Codec::kAac) {
        par->frame_size = static_cast<int>(c.frame_samples);
      } else {
        par->bits_per_coded_sample = 8;
        par->block_align = static_cast<int>(c.channels);
      }
      break;
  }
  if (c.codec != Codec::kAlaw && c.codec != Codec::kMulaw) {
    const std::string& extra = t.track->codec_private;
    par->extradata = static_cast<uint8_t*>(av_mallocz(extra.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    if (par->extradata == nullptr) return AvStatus(AVERROR(ENOMEM), "extradata");
    std::memcpy(par->extradata, extra.data(), extra.size());
    par->extradata_size = static_cast<int>(extra.size());
  }
  return st;
}

Status Muxer::WriteHeader(const MuxerOptions& options) {
  AVDictionary* dict = nullptr;
  for (const auto& [key, value] : options) av_dict_set(&dict, key.c_str(), value.c_str(), 0);
  const int err = avformat_write_header(ctx_, &dict);
  std::string unused;
  const AVDictionaryEntry* e = nullptr;
  while ((e = av_dict_get(dict, "", e, AV_DICT_IGNORE_SUFFIX)) != nullptr) {
    unused += std::string(" ") + e->key;
  }
  av_dict_free(&dict);
  if (err < 0) return AvStatus(err, std::string("write header (") + ctx_->oformat->name + ")");
  if (!unused.empty()) return InternalError("muxer options not recognised:" + unused);
  return OkStatus();
}

Status Muxer::WriteFrame(AVStream* stream, const Fragment& fragment, const Frame& frame,
                         const SampleTime& time, int64_t timescale) {
  if (uint64_t{frame.offset} + frame.size > fragment.cluster.size() || frame.size > INT32_MAX) {
    return InvalidArgumentError("frame outside its cluster");
  }
  av_packet_unref(packet_);
  // Not reference counted: the muxer copies (or a filter makes its own reference).
  packet_->data =
      reinterpret_cast<uint8_t*>(const_cast<char*>(fragment.cluster.data())) + frame.offset;
  packet_->size = static_cast<int>(frame.size);
  packet_->stream_index = stream->index;
  const AVRational from{1, static_cast<int>(timescale)};
  packet_->pts = av_rescale_q(time.pts, from, stream->time_base);
  packet_->dts = av_rescale_q(time.dts, from, stream->time_base);
  packet_->duration = av_rescale_q(time.duration, from, stream->time_base);
  packet_->flags = frame.key() ? AV_PKT_FLAG_KEY : 0;
  const int err = av_write_frame(ctx_, packet_);
  packet_->data = nullptr;
  packet_->size = 0;
  if (err < 0) return AvStatus(err, "write frame");
  return OkStatus();
}

Status Muxer::Flush() {
  const int err = av_write_frame(ctx_, nullptr);
  if (err < 0) return AvStatus(err, "flush fragment");
  return OkStatus();
}

Status Muxer::WriteTrailer() {
  const int err = av_write_trailer(ctx_);
  if (err < 0) return AvStatus(err, "write trailer");
  return OkStatus();
}

std::string& Muxer::Output() {
  avio_flush(io_->pb);
  return io_->data;
}

void Muxer::RestartOutput(std::string_view prefix) {
  avio_flush(io_->pb);
  io_->data.assign(prefix);
  io_->pos = static_cast<int64_t>(prefix.size());
}

size_t FindBox(std::string_view data, std::string_view type, size_t from) {
  size_t pos = from;
  while (pos + 8 <= data.size()) {
    uint64_t size = 0;
    for (int i = 0; i < 4; ++i) size = (size << 8) | static_cast<uint8_t>(data[pos + i]);
    size_t header = 8;
    if (size == 1) {
      if (pos + 16 > data.size()) return std::string_view::npos;
      size = 0;
      for (int i = 8; i < 16; ++i) size = (size << 8) | static_cast<uint8_t>(data[pos + i]);
      header = 16;
    } else if (size == 0) {
      size = data.size() - pos;
    }
    if (data.substr(pos + 4, 4) == type) return pos;
    if (size < header || size > data.size() - pos) return std::string_view::npos;
    pos += size;
  }
  return std::string_view::npos;
}

}  // namespace sluice::media::remux
