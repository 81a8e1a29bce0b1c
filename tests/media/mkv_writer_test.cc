// SPDX-License-Identifier: Apache-2.0
// MKV chunk writer (read back through the fragmenter) and the stored TrackHeader / fragment meta
// records (round trips, corruption).
#include "media/mkv_writer.h"

#include <gtest/gtest.h>

#include "media/stored_format.h"
#include "tests/media/media_test_util.h"

namespace sluice::media {
namespace {

using testing::Recorder;

TrackHeader AvHeader() {
  TrackHeader h = testing::VideoHeader();
  h.version = 3;
  h.tracks[0].default_duration_ns = 40'000'000;
  h.tracks[0].name = "cam";
  h.tracks[0].language = "und";
  TrackInfo audio;
  audio.number = 2;
  audio.uid = 9;
  audio.type = TrackType::kAudio;
  audio.codec_id = "A_AAC";
  audio.codec_private = std::string("\x12\x10", 2);
  audio.sampling_rate = 48000;
  audio.channels = 2;
  audio.bit_depth = 16;
  h.tracks.push_back(audio);
  return h;
}

Fragment OneFragment(const TrackHeader& h) {
  Recorder r;
  MkvFragmenter f(&r);
  f.Feed(testing::StreamStart(h) + testing::LiveCluster(5000, testing::Gop(4)));
  f.Finish();
  EXPECT_EQ(r.fragments.size(), 1u);
  return r.fragments.empty() ? Fragment() : r.fragments[0];
}

TEST(MkvWriterTest, FormatEpochSeconds) {
  EXPECT_EQ(FormatEpochSeconds(TimestampMs(1'597'730'826'769)), "1597730826.769");
  EXPECT_EQ(FormatEpochSeconds(TimestampMs(1'000)), "1.000");
  EXPECT_EQ(FormatEpochSeconds(TimestampMs(5)), "0.005");
  EXPECT_EQ(FormatEpochSeconds(TimestampMs(-1)), "-1.999");
}

TEST(MkvWriterTest, GetMediaChunkParsesBackWithItsTags) {
  const TrackHeader h = AvHeader();
  const Fragment frag = OneFragment(h);
  const std::string chunk =
      WriteGetMediaChunk(h, frag.cluster, {{"LABEL", "door"}},
                         {.fragment_number = "91343852333181481915235394203149336554319348843",
                          .server_timestamp = TimestampMs(1'700'000'000'123),
                          .producer_timestamp = TimestampMs(5'000),
                          .millis_behind_now = 42,
                          .continuation_token = "tok"});
  Recorder r;
  MkvFragmenter f(&r);
  f.Feed(chunk);
  f.Finish();
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
  ASSERT_EQ(r.headers.size(), 1u);
  TrackHeader back = r.headers[0];
  back.version = h.version;
  EXPECT_EQ(back, h);
  ASSERT_EQ(r.fragments.size(), 1u);
  EXPECT_EQ(r.fragments[0].cluster, frag.cluster);
  EXPECT_EQ(r.fragments[0].frame_count(), 4u);
  // The tags before the cluster come back as that fragment's metadata, in order.
  const std::vector<FragmentTag> expected = {
      {"AWS_KINESISVIDEO_FRAGMENT_NUMBER", "91343852333181481915235394203149336554319348843"},
      {"AWS_KINESISVIDEO_SERVER_TIMESTAMP", "1700000000.123"},
      {"AWS_KINESISVIDEO_PRODUCER_TIMESTAMP", "5.000"},
      {"LABEL", "door"}};
  EXPECT_EQ(r.fragments[0].tags, expected);
  // The trailing tags follow the cluster.
  const size_t cluster_at = chunk.find(frag.cluster);
  ASSERT_NE(cluster_at, std::string::npos);
  EXPECT_NE(chunk.find("AWS_KINESISVIDEO_MILLIS_BEHIND_NOW", cluster_at), std::string::npos);
  EXPECT_NE(chunk.find("AWS_KINESISVIDEO_CONTINUATION_TOKEN", cluster_at), std::string::npos);
  EXPECT_EQ(chunk.find("AWS_KINESISVIDEO_FRAGMENT_NUMBER", cluster_at), std::string::npos);
}

TEST(MkvWriterTest, FragmentListAndErrorChunks) {
  const TrackHeader h = AvHeader();
  const Fragment frag = OneFragment(h);
  std::string chunk =
      WriteFragmentListChunk(h, frag.cluster, {}, "17", TimestampMs(2000), TimestampMs(1000));
  Recorder r;
  MkvFragmenter f(&r);
  f.Feed(chunk);
  f.Finish();
  ASSERT_EQ(r.fragments.size(), 1u);
  ASSERT_EQ(r.fragments[0].tags.size(), 3u);
  EXPECT_EQ(r.fragments[0].tags[1],
            (FragmentTag{"AWS_KINESISVIDEO_SERVER_SIDE_TIMESTAMP", "2.000"}));
  EXPECT_EQ(r.fragments[0].tags[2],
            (FragmentTag{"AWS_KINESISVIDEO_PRODUCER_SIDE_TIMESTAMP", "1.000"}));

  for (const std::string& err : {WriteGetMediaErrorChunk(4000, "FRAGMENT_NOT_FOUND"),
                                 WriteFragmentListErrorChunk(5000, "internal error")}) {
    Recorder e;
    MkvFragmenter g(&e);
    g.Feed(err);
    g.Finish();
    EXPECT_TRUE(e.errors.empty());  // well-formed MKV without tracks or clusters
    EXPECT_TRUE(e.fragments.empty());
  }
  EXPECT_NE(WriteGetMediaErrorChunk(4000, "X").find("AWS_KINESISVIDEO_ERROR_ID"),
            std::string::npos);
  EXPECT_NE(WriteFragmentListErrorChunk(1, "m").find("AWS_KINESISVIDEO_EXCEPTION_MESSAGE"),
            std::string::npos);
}

TEST(StoredFormatTest, TrackHeaderRoundTrip) {
  TrackHeader h = AvHeader();
  h.tracks[1].codec_private = std::string(1000, '\x7f');
  h.doc_type = "webm";
  std::string rec = EncodeTrackHeader(h);
  Result<TrackHeader> back = DecodeTrackHeader(rec);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, h);
  EXPECT_EQ(DecodeTrackHeader(EncodeTrackHeader(TrackHeader()))->tracks.size(), 0u);
  // Every truncation and a wrong magic or version is DataLoss, never a crash.
  for (size_t n = 0; n < rec.size(); ++n) {
    Result<TrackHeader> cut = DecodeTrackHeader(std::string_view(rec).substr(0, n));
    ASSERT_FALSE(cut.ok()) << n;
    EXPECT_EQ(cut.status().code(), StatusCode::kDataLoss);
  }
  std::string bad = rec;
  bad[4] = 9;
  EXPECT_FALSE(DecodeTrackHeader(bad).ok());
  bad = rec;
  bad[0] = 'X';
  EXPECT_FALSE(DecodeTrackHeader(bad).ok());
}

TEST(StoredFormatTest, FragmentMetaRoundTrip) {
  const Fragment frag = OneFragment(AvHeader());
  FragmentMeta m = FragmentMeta::Of(frag);
  EXPECT_EQ(m.frame_count, 4u);
  EXPECT_EQ(m.cluster_timecode, 5000u);
  EXPECT_TRUE(m.key_frame);
  m.tags = {{"a", "1"}, {"b", std::string(200, 'z')}};
  m.producer_timestamp = TimestampMs(-5);
  std::string rec = EncodeFragmentMeta(m);
  Result<FragmentMeta> back = DecodeFragmentMeta(rec);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, m);
  for (size_t n = 0; n < rec.size(); ++n) {
    EXPECT_FALSE(DecodeFragmentMeta(std::string_view(rec).substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(DecodeFragmentMeta(EncodeTrackHeader(AvHeader())).ok());
}

TEST(StoredFormatTest, ReadStoredClusterGivesBackTheFrames) {
  const TrackHeader h = AvHeader();
  const Fragment frag = OneFragment(h);
  Result<Fragment> back = ReadStoredCluster(h, frag.cluster);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->cluster, frag.cluster);
  ASSERT_EQ(back->frame_count(), frag.frame_count());
  EXPECT_EQ(back->Payload(back->frames[2]), "frame2");
  EXPECT_EQ(back->header_version, 3u);
  EXPECT_EQ(back->start_ns, frag.start_ns);
  EXPECT_FALSE(ReadStoredCluster(h, frag.cluster.substr(0, frag.cluster.size() - 1)).ok());
  EXPECT_FALSE(ReadStoredCluster(h, "").ok());
  EXPECT_FALSE(ReadStoredCluster(h, frag.cluster + frag.cluster).ok());  // not increasing
}

}  // namespace
}  // namespace sluice::media
