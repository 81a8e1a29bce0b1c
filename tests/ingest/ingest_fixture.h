// SPDX-License-Identifier: Apache-2.0
// IngestTest: a real embedded store (PosixEnv, ManualClock) and a FragmentIndex in a temp folder,
// video streams, and helpers to run a whole body through a PutMediaSession and collect its acks.
// Header-only because tests/ingest globs only *_test.cc files.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "engine/embedded_store.h"
#include "index/fragment_index.h"
#include "ingest/fragment_reader.h"
#include "ingest/put_media_session.h"
#include "ingest/video_streams.h"
#include "tests/media/media_test_util.h"
#include "tests/support/store_helpers.h"
#include "tests/support/temp_dir.h"

namespace sluice::ingest {

inline constexpr int64_t kStartMs = 1'700'000'000'000;

// Everything one session emitted.
struct SessionRun {
  std::vector<Ack> acks;
  bool drained = false;

  std::vector<Ack> OfType(Ack::Type t) const {
    std::vector<Ack> out;
    for (const Ack& a : acks) {
      if (a.type == t) out.push_back(a);
    }
    return out;
  }
  std::string Types() const {  // one letter per ack: B R P E I
    std::string s;
    for (const Ack& a : acks) s += "BRPEI"[static_cast<int>(a.type)];
    return s;
  }
};

class IngestTest : public ::testing::Test {
 protected:
  IngestTest() : clock_(TimestampMs(kStartMs)) { Open(); }

  void Open() {
    engine::EmbeddedStoreOptions o;
    o.data_dir = dir_.path() + "/data";
    o.clock = &clock_;
    o.retention_check_interval_ms = 0;
    auto s = engine::EmbeddedStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    auto i = index::FragmentIndex::Open(dir_.path() + "/fragments.db");
    ASSERT_TRUE(i.ok()) << i.status().ToString();
    index_ = std::move(*i);
    streams_ = std::make_unique<VideoStreams>(store_.get(), index_.get());
    reader_ = std::make_unique<FragmentReader>(store_.get(), index_.get(), &clock_);
  }
  void Reopen() {
    reader_.reset();
    streams_.reset();
    index_.reset();
    store_.reset();
    Open();
  }

  VideoStreamInfo CreateVideo(const std::string& name, int retention_hours = 24) {
    auto r = streams_->Create(
        {.name = name, .media_type = "video/h264", .data_retention_hours = retention_hours});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : VideoStreamInfo();
  }

  // Feeds `body` in `piece`-byte chunks, finishes and waits for on_drained.
  SessionRun Put(const std::string& stream, std::string_view body, size_t piece = 8192,
                 PutMediaOptions options = {}) {
    auto run = std::make_shared<SessionRun>();
    auto mu = std::make_shared<std::mutex>();
    options.stream = stream;
    if (options.clock == nullptr) options.clock = &clock_;
    auto session = PutMediaSession::Open(
        store_.get(), index_.get(), options,
        [run, mu](const Ack& a) {
          std::lock_guard<std::mutex> l(*mu);
          run->acks.push_back(a);
        },
        [run, mu] {
          std::lock_guard<std::mutex> l(*mu);
          run->drained = true;
        });
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    if (!session.ok()) return {};
    while (!body.empty()) {
      const size_t n = std::min(piece, body.size());
      (*session)->Feed(body.substr(0, n));
      body.remove_prefix(n);
      clock_.Advance(1);
    }
    (*session)->Finish();
    EXPECT_TRUE(sluice::testing::WaitFor([&] {
      std::lock_guard<std::mutex> l(*mu);
      return run->drained;
    }));
    std::lock_guard<std::mutex> l(*mu);
    return *run;
  }

  // Every fragment of the stream in log order, through the reader.
  std::vector<StoredFragment> ReadAllFragments(const std::string& stream) {
    auto f = FragmentFollower::Open(reader_.get(), stream, {.type = StartSelector::Type::kEarliest},
                                    nullptr);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    std::vector<StoredFragment> out;
    while (f.ok()) {
      auto batch = (*f)->Next();
      EXPECT_TRUE(batch.ok()) << batch.status().ToString();
      if (!batch.ok() || batch->empty()) break;
      for (auto& x : *batch) out.push_back(std::move(x));
    }
    return out;
  }

  // Writes GetMediaForFragmentList chunks of `fragments` to a file; returns its path.
  std::string WriteChunks(const std::vector<StoredFragment>& fragments, const std::string& name) {
    std::string body;
    for (const StoredFragment& f : fragments) body += FragmentReader::FragmentListChunk(f);
    const std::string path = dir_.path() + "/" + name + ".mkv";
    media::testing::WriteFile(path, body);
    return path;
  }

  StreamId IdOf(const std::string& stream) {
    auto info = store_->DescribeStream(stream);
    return info.ok() ? info->id : StreamId();
  }

  sluice::testing::TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<engine::EmbeddedStore> store_;
  std::unique_ptr<index::FragmentIndex> index_;
  std::unique_ptr<VideoStreams> streams_;
  std::unique_ptr<FragmentReader> reader_;
};

// Skips the test when the media file cannot be made (ffmpeg missing).
#define REQUIRE_MEDIA(var, name)                                  \
  const std::string var = media::testing::MediaFiles::Path(name); \
  if (var.empty()) GTEST_SKIP() << "cannot make " << name << " (ffmpeg)"

}  // namespace sluice::ingest
