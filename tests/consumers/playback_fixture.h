// SPDX-License-Identifier: Apache-2.0
// PlaybackTest: IngestTest's real store, fragment index and reader (ManualClock) plus a
// PlaybackService on them, and a PutMedia helper that paces fragments on the server clock (one
// fragment every `spacing_ms` of the manual clock), so that server timestamps look like a live
// camera's. Media comes from media::testing::MediaFiles (ffmpeg). Header-only.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "consumers/playback/playback_service.h"
#include "tests/ingest/ingest_fixture.h"

namespace sluice::consumers::playback {

using ingest::Ack;
using media::testing::ReadFile;

class PlaybackTest : public ingest::IngestTest {
 protected:
  PlaybackTest() { service_ = MakeService(256 << 20); }
  ~PlaybackTest() override { service_.reset(); }

  std::unique_ptr<PlaybackService> MakeService(uint64_t cache_bytes) {
    return std::make_unique<PlaybackService>(
        reader_.get(),
        PlaybackOptions{
            .token_secret = "test secret", .clock = &clock_, .segment_cache_bytes = cache_bytes});
  }

  // Feeds an MKV file through one PutMedia session, advancing the clock by `spacing_ms` before
  // each cluster, so fragment i arrives at (clock at the call) + (i + 1) * spacing_ms. Returns the
  // PERSISTED fragment numbers.
  std::vector<std::string> PutPaced(const std::string& stream, const std::string& body,
                                    int64_t spacing_ms = 1000) {
    std::vector<size_t> clusters;
    const std::string id("\x1F\x43\xB6\x75", 4);
    for (size_t at = body.find(id); at != std::string::npos; at = body.find(id, at + 4)) {
      clusters.push_back(at);
    }
    auto acks = std::make_shared<std::vector<Ack>>();
    auto mu = std::make_shared<std::mutex>();
    auto drained = std::make_shared<bool>(false);
    auto session = ingest::PutMediaSession::Open(
        store_.get(), index_.get(), {.stream = stream, .clock = &clock_},
        [acks, mu](const Ack& a) {
          std::lock_guard<std::mutex> l(*mu);
          acks->push_back(a);
        },
        [drained, mu] {
          std::lock_guard<std::mutex> l(*mu);
          *drained = true;
        });
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    if (!session.ok()) return {};
    size_t fed = 0;
    for (size_t at : clusters) {
      (*session)->Feed(std::string_view(body).substr(fed, at - fed));
      fed = at;
      clock_.Advance(spacing_ms);
    }
    (*session)->Feed(std::string_view(body).substr(fed));
    (*session)->Finish();
    EXPECT_TRUE(sluice::testing::WaitFor([&] {
      std::lock_guard<std::mutex> l(*mu);
      return *drained;
    }));
    std::lock_guard<std::mutex> l(*mu);
    std::vector<std::string> numbers;
    for (const Ack& a : *acks) {
      if (a.type == Ack::Type::kPersisted) numbers.push_back(a.fragment_number);
    }
    return numbers;
  }

  // A video stream holding the named test file paced 1 s per fragment; empty without ffmpeg.
  std::vector<std::string> PutFile(const std::string& stream, const std::string& file,
                                   int64_t spacing_ms = 1000) {
    const std::string path = media::testing::MediaFiles::Path(file);
    if (path.empty()) return {};
    if (!store_->DescribeStream(stream).ok()) CreateVideo(stream);
    return PutPaced(stream, ReadFile(path), spacing_ms);
  }

  // The SessionToken query value of a session URL.
  static std::string TokenOf(const std::string& url) {
    const size_t at = url.find("SessionToken=");
    return at == std::string::npos ? "" : url.substr(at + 13);
  }

  Result<PlaybackResource> Get(const std::string& path, const std::string& token,
                               std::map<std::string, std::string> query = {}) {
    query["SessionToken"] = token;
    return service_->Serve({.path = path, .query = std::move(query)});
  }

  std::string Body(const std::string& path, const std::string& token,
                   std::map<std::string, std::string> query = {}) {
    auto r = Get(path, token, std::move(query));
    EXPECT_TRUE(r.ok()) << path << ": " << r.status().ToString();
    return r.ok() ? r->body : "";
  }

  std::string WriteTemp(const std::string& name, const std::string& bytes) {
    const std::string path = dir_.path() + "/" + name;
    media::testing::WriteFile(path, bytes);
    return path;
  }

  std::unique_ptr<PlaybackService> service_;
};

// Skips the test when the media file cannot be made (ffmpeg missing).
#define REQUIRE_FRAGMENTS(numbers, expected) \
  if ((numbers).size() != (expected)) GTEST_SKIP() << "no test media (ffmpeg)"

// Lines of a playlist that start with `prefix`.
inline std::vector<std::string> LinesWith(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(at, end - at);
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
    at = end + 1;
  }
  return out;
}

}  // namespace sluice::consumers::playback
