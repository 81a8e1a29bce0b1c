// SPDX-License-Identifier: Apache-2.0
// TrackHeader and FragmentMeta records (format.h, README.md "Stored formats").
#include "media/stored_format.h"

#include <bit>

#include "base/coding.h"
#include "media/format.h"
#include "media/mkv_fragmenter.h"
#include "media/mkv_writer.h"

namespace sluice::media {
namespace {

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

void PutU8(std::string* out, uint8_t v) { out->push_back(static_cast<char>(v)); }

bool GetU8(std::string_view* in, uint8_t* v) {
  if (in->empty()) return false;
  *v = static_cast<uint8_t>(in->front());
  in->remove_prefix(1);
  return true;
}

bool GetString(std::string_view* in, std::string* out) {
  std::string_view v;
  if (!GetLengthPrefixed(in, &v)) return false;
  out->assign(v);
  return true;
}

bool GetU32(std::string_view* in, uint32_t* out) { return GetVarint32(in, out); }

// Checks the magic and version; leaves *in after them.
bool GetPreamble(std::string_view* in, std::string_view magic, uint8_t version) {
  if (in->size() < magic.size() + 1 || in->substr(0, magic.size()) != magic) return false;
  in->remove_prefix(magic.size());
  uint8_t v = 0;
  return GetU8(in, &v) && v == version;
}

std::string EncodeTrack(const TrackInfo& t) {
  std::string b;
  PutVarint64(&b, t.number);
  PutVarint64(&b, t.uid);
  PutU8(&b, static_cast<uint8_t>(t.type));
  PutLengthPrefixed(&b, t.codec_id);
  PutLengthPrefixed(&b, t.codec_private);
  PutLengthPrefixed(&b, t.name);
  PutLengthPrefixed(&b, t.language);
  PutVarint64(&b, ZigZag(t.default_duration_ns));
  PutVarint32(&b, t.width);
  PutVarint32(&b, t.height);
  PutFixed64(&b, std::bit_cast<uint64_t>(t.sampling_rate));
  PutVarint32(&b, t.channels);
  PutVarint32(&b, t.bit_depth);
  return b;
}

bool DecodeTrack(std::string_view in, TrackInfo* t) {
  uint8_t type = 0;
  uint64_t dd = 0;
  uint64_t rate = 0;
  bool ok = GetVarint64(&in, &t->number) && GetVarint64(&in, &t->uid) && GetU8(&in, &type) &&
            GetString(&in, &t->codec_id) && GetString(&in, &t->codec_private) &&
            GetString(&in, &t->name) && GetString(&in, &t->language) && GetVarint64(&in, &dd) &&
            GetU32(&in, &t->width) && GetU32(&in, &t->height) && GetFixed64(&in, &rate) &&
            GetU32(&in, &t->channels) && GetU32(&in, &t->bit_depth);
  // Whatever follows belongs to a newer format revision and is skipped.
  t->type = static_cast<TrackType>(type);
  t->default_duration_ns = UnZigZag(dd);
  t->sampling_rate = std::bit_cast<double>(rate);
  return ok;
}

}  // namespace

std::string EncodeTrackHeader(const TrackHeader& header) {
  std::string out(format::kTrackHeaderMagic);
  PutU8(&out, format::kTrackHeaderVersion1);
  PutVarint64(&out, header.version);
  PutVarint64(&out, header.timecode_scale_ns);
  PutLengthPrefixed(&out, header.doc_type);
  PutVarint32(&out, static_cast<uint32_t>(header.tracks.size()));
  for (const TrackInfo& t : header.tracks) PutLengthPrefixed(&out, EncodeTrack(t));
  return out;
}

Result<TrackHeader> DecodeTrackHeader(std::string_view in) {
  auto bad = [] { return DataLossError("media: malformed TrackHeader record"); };
  TrackHeader h;
  uint32_t count = 0;
  if (!GetPreamble(&in, format::kTrackHeaderMagic, format::kTrackHeaderVersion1) ||
      !GetVarint64(&in, &h.version) || !GetVarint64(&in, &h.timecode_scale_ns) ||
      !GetString(&in, &h.doc_type) || !GetU32(&in, &count) || count > format::kMaxStoredTracks) {
    return bad();
  }
  for (uint32_t i = 0; i < count; ++i) {
    std::string_view body;
    TrackInfo t;
    if (!GetLengthPrefixed(&in, &body) || !DecodeTrack(body, &t)) return bad();
    h.tracks.push_back(std::move(t));
  }
  return h;
}

FragmentMeta FragmentMeta::Of(const Fragment& f) {
  return FragmentMeta{f.header_version,
                      f.cluster_timecode,
                      f.producer_timestamp,
                      f.start_ns,
                      f.duration_ms,
                      f.key_frame,
                      static_cast<uint32_t>(f.frames.size()),
                      f.tags};
}

std::string EncodeFragmentMeta(const FragmentMeta& m) {
  std::string out(format::kFragmentMetaMagic);
  PutU8(&out, format::kFragmentMetaVersion1);
  PutVarint64(&out, m.header_version);
  PutVarint64(&out, m.cluster_timecode);
  PutVarint64(&out, ZigZag(m.producer_timestamp.value()));
  PutVarint64(&out, ZigZag(m.start_ns));
  PutVarint64(&out, ZigZag(m.duration_ms));
  PutU8(&out, m.key_frame ? format::kFragmentFlagKeyFrame : 0);
  PutVarint32(&out, m.frame_count);
  PutVarint32(&out, static_cast<uint32_t>(m.tags.size()));
  for (const FragmentTag& t : m.tags) {
    PutLengthPrefixed(&out, t.name);
    PutLengthPrefixed(&out, t.value);
  }
  return out;
}

Result<FragmentMeta> DecodeFragmentMeta(std::string_view in) {
  auto bad = [] { return DataLossError("media: malformed fragment meta record"); };
  FragmentMeta m;
  uint64_t producer = 0, start = 0, duration = 0;
  uint8_t flags = 0;
  uint32_t tags = 0;
  if (!GetPreamble(&in, format::kFragmentMetaMagic, format::kFragmentMetaVersion1) ||
      !GetVarint64(&in, &m.header_version) || !GetVarint64(&in, &m.cluster_timecode) ||
      !GetVarint64(&in, &producer) || !GetVarint64(&in, &start) || !GetVarint64(&in, &duration) ||
      !GetU8(&in, &flags) || !GetU32(&in, &m.frame_count) || !GetU32(&in, &tags) ||
      tags > format::kMaxStoredTags) {
    return bad();
  }
  m.producer_timestamp = TimestampMs(UnZigZag(producer));
  m.start_ns = UnZigZag(start);
  m.duration_ms = UnZigZag(duration);
  m.key_frame = (flags & format::kFragmentFlagKeyFrame) != 0;
  for (uint32_t i = 0; i < tags; ++i) {
    FragmentTag t;
    if (!GetString(&in, &t.name) || !GetString(&in, &t.value)) return bad();
    m.tags.push_back(std::move(t));
  }
  return m;
}

namespace {

// Keeps the one fragment (and the first error) a stored cluster yields.
struct OneFragment : FragmenterListener {
  std::vector<Fragment> fragments;
  std::optional<MkvError> error;
  void OnHeaderChanged(const TrackHeader&) override {}
  void OnFragmentStarted(const FragmentStart&) override {}
  void OnFragmentComplete(Fragment f) override { fragments.push_back(std::move(f)); }
  void OnError(const MkvError& e) override {
    if (!error) error = e;
  }
};

}  // namespace

Result<Fragment> ReadStoredCluster(const TrackHeader& header, std::string_view cluster) {
  OneFragment sink;
  // No limits: the cluster was accepted once already.
  FragmenterOptions options;
  options.max_fragment_bytes = UINT32_MAX;
  options.max_fragment_duration_ms = INT64_MAX / 1'000'000;
  MkvFragmenter fragmenter(&sink, options);
  fragmenter.Feed(WriteChunk(header, {}, cluster, {}));
  fragmenter.Finish();
  if (sink.error) return InvalidArgumentError("media: stored cluster: " + sink.error->message);
  if (sink.fragments.size() != 1) {
    return InvalidArgumentError("media: stored cluster holds " +
                                std::to_string(sink.fragments.size()) + " fragments");
  }
  Fragment f = std::move(sink.fragments[0]);
  f.header_version = header.version;
  return f;
}

}  // namespace sluice::media
