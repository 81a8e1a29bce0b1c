// SPDX-License-Identifier: Apache-2.0
// GetMediaParser on the bytes Sluice's GetMedia writes for stored fragments (fed whole and in
// random pieces), each fragment handed out as soon as its cluster is complete; clusters of
// unknown size; error chunks; garbage; and epoch-seconds tag values.
#include "consumers/face_detect/get_media_parser.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/ingest/ingest_fixture.h"

namespace sluice::consumers::face_detect {
namespace {

class GetMediaParserTest : public ingest::IngestTest {
 protected:
  // testsrc, 6 one-second fragments, stored through PutMedia; empty without ffmpeg.
  std::vector<ingest::StoredFragment> Stored() {
    const std::string path = media::testing::MediaFiles::Path("h264");
    if (path.empty()) return {};
    CreateVideo("cam");
    Put("cam", media::testing::ReadFile(path));
    return ReadAllFragments("cam");
  }
};

void ExpectSame(const std::vector<SourceFragment>& got,
                const std::vector<ingest::StoredFragment>& stored) {
  ASSERT_EQ(got.size(), stored.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const ingest::StoredFragment& s = stored[i];
    EXPECT_EQ(got[i].fragment_number, s.row.fragment_number);
    EXPECT_EQ(got[i].server_timestamp, s.row.server_time);
    EXPECT_EQ(got[i].producer_timestamp, s.row.producer_time);
    EXPECT_EQ(got[i].header.tracks, s.header.tracks);
    EXPECT_EQ(got[i].fragment.start_ns, s.meta.start_ns);
    EXPECT_EQ(got[i].fragment.frame_count(), s.meta.frame_count);
    EXPECT_EQ(got[i].fragment.cluster, s.cluster);
  }
}

TEST_F(GetMediaParserTest, StoredFragmentsComeBackWholeOrInPieces) {
  const std::vector<ingest::StoredFragment> stored = Stored();
  ASSERT_EQ(stored.size(), 6u);
  std::string body;
  for (const auto& f : stored) body += ingest::FragmentReader::GetMediaChunk(f, TimestampMs(0));
  {
    GetMediaParser parser;
    std::vector<SourceFragment> got;
    ASSERT_TRUE(parser.Feed(body, &got).ok());
    ExpectSame(got, stored);
  }
  std::mt19937 rng(7);
  for (size_t max_piece : {1u, 7u, 1000u, 70000u}) {
    GetMediaParser parser;
    std::vector<SourceFragment> got;
    std::string_view rest(body);
    while (!rest.empty()) {
      const size_t n = std::min(rest.size(), 1 + rng() % max_piece);
      ASSERT_TRUE(parser.Feed(rest.substr(0, n), &got).ok());
      rest.remove_prefix(n);
    }
    ExpectSame(got, stored);
  }
}

TEST_F(GetMediaParserTest, AFragmentIsReadyOnceItsClusterIsComplete) {
  const std::vector<ingest::StoredFragment> stored = Stored();
  ASSERT_FALSE(stored.empty());
  const std::string chunk = ingest::FragmentReader::GetMediaChunk(stored[0], TimestampMs(0));
  const size_t cluster_end = chunk.find(stored[0].cluster) + stored[0].cluster.size();
  GetMediaParser parser;
  std::vector<SourceFragment> got;
  ASSERT_TRUE(parser.Feed(std::string_view(chunk).substr(0, cluster_end - 1), &got).ok());
  EXPECT_TRUE(got.empty());
  ASSERT_TRUE(parser.Feed(std::string_view(chunk).substr(cluster_end - 1, 1), &got).ok());
  EXPECT_EQ(got.size(), 1u);  // the trailing tags have not arrived yet
}

std::string KvsTags(const std::string& number, const std::string& server,
                    const std::string& producer) {
  std::string out;
  media::AppendTags(&out, {{std::string(media::kvs_tag::kFragmentNumber), number},
                           {std::string(media::kvs_tag::kServerTimestamp), server},
                           {std::string(media::kvs_tag::kProducerTimestamp), producer}});
  return out;
}

TEST(GetMediaParserUnitTest, ClustersOfUnknownSize) {
  const media::TrackHeader h = media::testing::VideoHeader();
  std::string body;
  for (int i = 0; i < 3; ++i) {
    body += media::testing::StreamStart(h);
    body += KvsTags(std::to_string(100 + i), "1700000000.5", "1700000000.25");
    body += media::testing::LiveCluster(1000 * i, media::testing::Gop(5));
    std::string after;
    media::AppendTags(&after, {{std::string(media::kvs_tag::kContinuationToken), "x"}});
    body += after;
  }
  GetMediaParser parser;
  std::vector<SourceFragment> got;
  ASSERT_TRUE(parser.Feed(body, &got).ok());
  ASSERT_EQ(got.size(), 3u);  // each ended by the Tags after it
  ASSERT_TRUE(parser.Finish(&got).ok());
  ASSERT_EQ(got.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].fragment_number, std::to_string(100 + i));
    EXPECT_EQ(got[i].server_timestamp, TimestampMs(1'700'000'000'500));
    EXPECT_EQ(got[i].producer_timestamp, TimestampMs(1'700'000'000'250));
    EXPECT_EQ(got[i].fragment.frame_count(), 5u);
    EXPECT_EQ(got[i].fragment.start_ns, int64_t{1000} * i * 1'000'000);
    EXPECT_EQ(got[i].header.tracks, h.tracks);
  }
  // The last one, with nothing after it, completes at the end of the response.
  GetMediaParser tail;
  got.clear();
  const std::string last = media::testing::StreamStart(h) + KvsTags("7", "1", "1") +
                           media::testing::LiveCluster(0, media::testing::Gop(2));
  ASSERT_TRUE(tail.Feed(last, &got).ok());
  EXPECT_TRUE(got.empty());
  ASSERT_TRUE(tail.Finish(&got).ok());
  EXPECT_EQ(got.size(), 1u);
}

TEST(GetMediaParserUnitTest, ErrorChunkIsUnavailable) {
  GetMediaParser parser;
  std::vector<SourceFragment> got;
  const Status s = parser.Feed(media::WriteGetMediaErrorChunk(5000, "INTERNAL_ERROR"), &got);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("INTERNAL_ERROR"), std::string::npos);
}

TEST(GetMediaParserUnitTest, ClusterWithoutFragmentNumberOrGarbageIsDataLoss) {
  const media::TrackHeader h = media::testing::VideoHeader();
  GetMediaParser parser;
  std::vector<SourceFragment> got;
  std::string cluster;
  media::PutMaster(&cluster, media::mkv::kCluster, [] {
    std::string body;
    media::PutUInt(&body, media::mkv::kTimecode, 0);
    return body + media::testing::SimpleBlock({});
  }());
  EXPECT_EQ(parser.Feed(media::testing::StreamStart(h) + cluster, &got).code(),
            StatusCode::kDataLoss);
  GetMediaParser garbage;
  EXPECT_EQ(garbage.Feed(std::string(16, '\0'), &got).code(), StatusCode::kDataLoss);
}

TEST(GetMediaParserUnitTest, EpochSecondsText) {
  EXPECT_EQ(*ParseEpochSecondsText("1597730826.769"), TimestampMs(1597730826769));
  EXPECT_EQ(*ParseEpochSecondsText("1597730826.7"), TimestampMs(1597730826700));
  EXPECT_EQ(*ParseEpochSecondsText("1597730826"), TimestampMs(1597730826000));
  EXPECT_EQ(*ParseEpochSecondsText("1597730826.123456789"), TimestampMs(1597730826123));
  for (const char* bad : {"", "x", "1.2.3", "-1.0", "1.abc", "1.1234567890"}) {
    EXPECT_FALSE(ParseEpochSecondsText(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace sluice::consumers::face_detect
