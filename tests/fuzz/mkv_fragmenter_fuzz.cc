// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the PutMedia MKV path: random bytes, fed to MkvFragmenter in random
// chunkings with random limits. Checks: the events do not depend on the chunking; every completed
// fragment, re-written with the MKV writer, parses back into the same cluster without errors; the
// stored header record round-trips. Also feeds the input to the stored-format decoders.
// Seeds: tests/fuzz/corpus/mkv_fragmenter_fuzz/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "media/mkv_fragmenter.h"
#include "media/mkv_writer.h"
#include "media/stored_format.h"

namespace {

using sluice::media::Fragment;
using sluice::media::FragmenterListener;
using sluice::media::FragmenterOptions;
using sluice::media::MkvError;
using sluice::media::MkvFragmenter;
using sluice::media::TrackHeader;

// Counts what a re-written chunk produces.
struct Counter : FragmenterListener {
  int fragments = 0;
  int errors = 0;
  std::string cluster;
  void OnHeaderChanged(const TrackHeader&) override {}
  void OnFragmentStarted(const sluice::media::FragmentStart&) override {}
  void OnFragmentComplete(Fragment f) override {
    ++fragments;
    cluster = std::move(f.cluster);
  }
  void OnError(const MkvError&) override { ++errors; }
};

struct Checker : FragmenterListener {
  TrackHeader header;
  std::string log;  // every event with its key fields: must not depend on the chunking
  void OnHeaderChanged(const TrackHeader& h) override {
    header = h;
    log += "H" + std::to_string(h.version) + ";";
    // The stored header record must round-trip byte for byte.
    std::string rec = sluice::media::EncodeTrackHeader(h);
    auto back = sluice::media::DecodeTrackHeader(rec);
    if (!back.ok() || sluice::media::EncodeTrackHeader(*back) != rec) __builtin_trap();
  }
  void OnFragmentStarted(const sluice::media::FragmentStart& s) override {
    log += "S" + std::to_string(s.cluster_timecode) + ";";
  }
  void OnFragmentComplete(Fragment f) override {
    log += "C" + std::to_string(f.frames.size()) + ":" + f.cluster + ";";
    for (const auto& fr : f.frames) {
      if (uint64_t{fr.offset} + fr.size > f.cluster.size()) __builtin_trap();
    }
    // Exercise the GetMedia writer; then check the invariant on a plain chunk (the KVS tags
    // would count against the fragment-tag limit).
    std::string chunk = sluice::media::WriteGetMediaChunk(
        header, f.cluster, f.tags, {.fragment_number = "1", .continuation_token = "1"});
    if (chunk.size() < f.cluster.size()) __builtin_trap();
    Counter c;
    MkvFragmenter again(&c);
    again.Feed(sluice::media::WriteChunk(header, {}, f.cluster, {}));
    again.Finish();
    if (c.errors != 0 || c.fragments != 1 || c.cluster != f.cluster) __builtin_trap();
  }
  void OnError(const MkvError& e) override {
    log += "E" + std::to_string(static_cast<int>(e.id)) + ";";
  }
};

// Feeds `in` in pieces of 1 byte or of pseudo-random sizes (1-512) drawn from `rng`.
void FeedAll(MkvFragmenter* f, std::string_view in, uint32_t rng, bool bytewise) {
  while (!in.empty()) {
    rng = rng * 1103515245u + 12345u;
    size_t n = bytewise ? 1 : 1 + (rng >> 16) % 512;
    n = n < in.size() ? n : in.size();
    f->Feed(in.substr(0, n));
    in.remove_prefix(n);
  }
  f->Finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // Byte 0 picks limits and the timecode mode, byte 1 seeds the chunking.
  const uint8_t knobs = data[0];
  uint32_t rng = data[1] * 2654435761u + 1;
  std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);

  FragmenterOptions options;
  options.timecode_type = (knobs & 1) != 0 ? sluice::media::TimecodeType::kRelative
                                           : sluice::media::TimecodeType::kAbsolute;
  options.producer_start = sluice::TimestampMs(1'600'000'000'000);
  if ((knobs & 2) != 0) options.max_fragment_bytes = 4096;
  if ((knobs & 4) != 0) options.max_fragment_duration_ms = 200;
  if ((knobs & 8) != 0) options.max_fragment_tags = 1;
  options.max_value_bytes = 1 << 20;

  Checker chunked;
  MkvFragmenter fragmenter(&chunked, options);
  FeedAll(&fragmenter, in, rng, (knobs & 0x10) != 0);
  Checker whole;
  MkvFragmenter reference(&whole, options);
  reference.Feed(in);
  reference.Finish();
  if (chunked.log != whole.log) __builtin_trap();

  std::string_view raw(reinterpret_cast<const char*>(data), size);
  (void)sluice::media::DecodeTrackHeader(raw);
  (void)sluice::media::DecodeFragmentMeta(raw);
  return 0;
}
