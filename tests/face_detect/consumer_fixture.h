// SPDX-License-Identifier: Apache-2.0
// FaceConsumerTest: a real embedded store, fragment index and consumer leases (ingest's
// IngestTest plus consumers.db), videos made with ffmpeg from the face photo and from testsrc,
// and helpers to build a consumer over the local ports, run it on a thread until it finished a
// number of fragments, and read its output stream back. Decorators inject the failures the
// exactly-once tests need: a source that stops after N fragments, a checkpoint store whose save
// fails (a crash between write and checkpoint), a sink that writes part of a batch and fails.
// Header-only because tests/face_detect globs only *_test.cc files.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "consumers/face_detect/face_detect_consumer.h"
#include "consumers/face_detect/lease_checkpoint_store.h"
#include "consumers/face_detect/local_fragment_source.h"
#include "consumers/face_detect/store_detection_sink.h"
#include "index/consumer_leases.h"
#include "tests/face_detect/face_test_util.h"
#include "tests/ingest/ingest_fixture.h"

namespace sluice::consumers::face_detect::testing {

// The face photo padded (not stretched) into 640x480 at 10 fps, or testsrc 640x480: 4 s, a key
// frame every second (4 fragments). "" when ffmpeg fails.
inline std::string TestVideo(const std::string& name) {
  const std::string path = media::testing::MediaFiles::Dir() + "/face_" + name + ".mkv";
  if (std::ifstream(path).good()) return path;
  std::string input;
  if (name == "face") {
    input = "-loop 1 -i " + kFacePhoto + " -vf 'scale=-2:480,pad=640:480:(ow-iw)/2:0'";
  } else if (name == "pattern") {
    input = "-f lavfi -i testsrc=size=640x480:rate=10";
  } else {
    return "";
  }
  const std::string cmd = "ffmpeg -nostdin -v error -y " + input +
                          " -t 4 -r 10 -c:v libx264 -pix_fmt yuv420p -g 10 -keyint_min 10 "
                          "-f matroska '" +
                          path + "' 2>/dev/null";
  return media::testing::Run(cmd) == 0 ? path : "";
}

// The face in TestVideo("face") lies around x=236 y=84 w=181 h=181.
inline void ExpectOverPaddedFace(const FaceBox& b) {
  EXPECT_NEAR(b.x + b.w / 2.0, 326, 50);
  EXPECT_NEAR(b.y + b.h / 2.0, 174, 50);
  EXPECT_NEAR(b.w, 181, 70);
}

// Passes fragments through until `limit` were handed out, then reports none.
class LimitedSource : public FragmentSource {
 public:
  LimitedSource(FragmentSource* inner, size_t limit) : inner_(inner), left_(limit) {}
  Status Open(const StartPosition& start) override { return inner_->Open(start); }
  Result<std::vector<SourceFragment>> Next(std::chrono::milliseconds wait) override {
    if (left_ == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return std::vector<SourceFragment>();
    }
    ASSIGN_OR_RETURN(std::vector<SourceFragment> batch, inner_->Next(wait));
    if (batch.size() > left_) batch.resize(left_);
    left_ -= batch.size();
    return batch;
  }
  void Stop() override { inner_->Stop(); }

 private:
  FragmentSource* const inner_;
  size_t left_;
};

// Fails the `fail_at`-th Save (1-based) without saving: the process "crashes" after the
// fragment's records were written and before its checkpoint.
class CrashingCheckpoints : public CheckpointStore {
 public:
  CrashingCheckpoints(CheckpointStore* inner, int fail_at) : inner_(inner), fail_at_(fail_at) {}
  Result<std::optional<Checkpoint>> Load() override { return inner_->Load(); }
  Status Save(const Checkpoint& c) override {
    if (++saves_ == fail_at_) return InternalError("simulated crash before the checkpoint");
    return inner_->Save(c);
  }
  Status KeepAlive() override { return inner_->KeepAlive(); }

 private:
  CheckpointStore* const inner_;
  const int fail_at_;
  int saves_ = 0;
};

// The `fail_at`-th Write (1-based) writes only the first record of its batch, then fails.
class TornSink : public DetectionSink {
 public:
  TornSink(DetectionSink* inner, int fail_at) : inner_(inner), fail_at_(fail_at) {}
  Status EnsureStream() override { return inner_->EnsureStream(); }
  Status Write(const std::vector<DetectionRecord>& records) override {
    if (++writes_ == fail_at_) {
      RETURN_IF_ERROR(inner_->Write({records.front()}));
      return UnavailableError("simulated failure after a partial write");
    }
    return inner_->Write(records);
  }
  Status ScanWritten(std::string_view key, std::optional<TimestampMs> since,
                     const std::function<void(const DetectionRecord&)>& visit) override {
    return inner_->ScanWritten(key, since, visit);
  }

 private:
  DetectionSink* const inner_;
  const int fail_at_;
  int writes_ = 0;
};

class FaceConsumerTest : public ingest::IngestTest {
 protected:
  FaceConsumerTest() {
    auto l = index::ConsumerLeases::Open(dir_.path() + "/consumers.db", &clock_);
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    if (l.ok()) leases_ = std::move(*l);
  }

  // The local ports of one consumer "process".
  struct Local {
    std::unique_ptr<LocalFragmentSource> source;
    std::unique_ptr<StoreDetectionSink> sink;
    std::unique_ptr<LeaseCheckpointStore> lease;
  };
  Local MakeLocal(const std::string& stream, const std::string& output) {
    Local l;
    l.source = std::make_unique<LocalFragmentSource>(reader_.get(), stream);
    l.sink = std::make_unique<StoreDetectionSink>(store_.get(), output);
    l.lease =
        std::make_unique<LeaseCheckpointStore>(store_.get(), reader_.get(), leases_.get(), stream,
                                               LeaseCheckpointOptions{
                                                   .worker = "test",
                                                   .clock = &clock_,
                                               });
    return l;
  }

  FaceDetectOptions Options(const std::string& stream, const std::string& output = "") {
    FaceDetectOptions o;
    o.stream = stream;
    o.output_stream = output;
    o.clock = &clock_;
    return o;
  }

  std::unique_ptr<FaceDetectConsumer> MakeConsumer(const FaceDetectOptions& o,
                                                   FragmentSource* source, DetectionSink* sink,
                                                   CheckpointStore* checkpoints) {
    auto c = FaceDetectConsumer::Create(o, source, sink, checkpoints);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(*c) : nullptr;
  }

  // Creates the video stream and ingests the file; returns its fragment count.
  size_t Ingest(const std::string& stream, const std::string& path) {
    CreateVideo(stream);
    const ingest::SessionRun run = Put(stream, media::testing::ReadFile(path));
    return run.OfType(ingest::Ack::Type::kPersisted).size();
  }

  // Runs the consumer on a thread until it finished `fragments` fragments, then stops it, or
  // until Run() returned by itself (an error: the consumer may then Run() again); returns what
  // Run() returned.
  Status RunUntil(FaceDetectConsumer* c, uint64_t fragments) {
    Status result;
    std::atomic<bool> returned{false};
    std::thread t([&] {
      result = c->Run();
      returned = true;
    });
    sluice::testing::WaitFor([&] { return returned || c->stats().fragments >= fragments; },
                             std::chrono::seconds(60));
    if (!returned) c->Stop();
    t.join();
    return result;
  }

  std::vector<engine::StoredRecord> Raw(const std::string& output) {
    return sluice::testing::ReadAll(store_.get(), output, ShardIndex(0));
  }
  std::vector<DetectionRecord> Records(const std::string& output) {
    std::vector<DetectionRecord> out;
    for (const engine::StoredRecord& r : Raw(output)) {
      auto d = DecodeDetectionRecord(r.data);
      EXPECT_TRUE(d.ok()) << d.status().ToString();
      if (d.ok()) out.push_back(std::move(*d));
    }
    return out;
  }
  static std::vector<std::string> Ids(const std::vector<DetectionRecord>& records) {
    std::vector<std::string> ids;
    for (const DetectionRecord& r : records) ids.push_back(r.record_id);
    return ids;
  }

  std::unique_ptr<index::ConsumerLeases> leases_;
};

#define REQUIRE_TEST_VIDEO(var, name)                                                 \
  REQUIRE_FACE_PHOTO();                                                               \
  const std::string var = ::sluice::consumers::face_detect::testing::TestVideo(name); \
  if (var.empty()) GTEST_SKIP() << "cannot make the " << name << " video (ffmpeg)"

}  // namespace sluice::consumers::face_detect::testing
