// SPDX-License-Identifier: Apache-2.0
// Detection record JSON round trip, the documented member names, malformed input, and record id
// parsing and ordering (fragment numbers compare as numbers).
#include "consumers/face_detect/detection_record.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sluice::consumers::face_detect {
namespace {

DetectionRecord Sample() {
  DetectionRecord r;
  r.stream = "cam1";
  r.fragment_number = "91343852333181432392682062607743920146264196104";
  r.producer_timestamp = TimestampMs(1'700'000'000'000);
  r.server_timestamp = TimestampMs(1'700'000'000'050);
  r.frame_timestamp = TimestampMs(1'700'000'000'500);
  r.frame_pts_ns = 500'000'000;
  r.width = 1280;
  r.height = 720;
  r.faces = {{.x = 472, .y = 168, .w = 362, .h = 362, .score = 4.25},
             {.x = 10, .y = 20, .w = 30, .h = 40, .score = 1.0}};
  r.model = "haar:haarcascade_frontalface_default";
  r.record_id = RecordId{r.fragment_number, r.frame_pts_ns}.ToString();
  return r;
}

TEST(DetectionRecordTest, RoundTrip) {
  const DetectionRecord r = Sample();
  auto back = DecodeDetectionRecord(EncodeDetectionRecord(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, r);
}

TEST(DetectionRecordTest, LayoutAsDocumented) {
  const auto j = nlohmann::json::parse(EncodeDetectionRecord(Sample()));
  EXPECT_EQ(j["stream"], "cam1");
  EXPECT_EQ(j["fragment_number"], "91343852333181432392682062607743920146264196104");
  EXPECT_EQ(j["producer_timestamp"], 1'700'000'000'000);
  EXPECT_EQ(j["server_timestamp"], 1'700'000'000'050);
  EXPECT_EQ(j["frame_timestamp"], 1'700'000'000'500);
  EXPECT_EQ(j["frame_pts_ns"], 500'000'000);
  EXPECT_EQ(j["width"], 1280);
  EXPECT_EQ(j["height"], 720);
  EXPECT_EQ(j["faces"][0],
            nlohmann::json::parse(R"({"x":472,"y":168,"w":362,"h":362,"score":4.25})"));
  EXPECT_EQ(j["model"], "haar:haarcascade_frontalface_default");
  EXPECT_EQ(j["record_id"], "91343852333181432392682062607743920146264196104:500000000");
  EXPECT_EQ(j.size(), 11u);
}

TEST(DetectionRecordTest, UnknownMembersAreIgnored) {
  auto j = nlohmann::json::parse(EncodeDetectionRecord(Sample()));
  j["extra"] = "x";
  auto back = DecodeDetectionRecord(j.dump());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, Sample());
}

TEST(DetectionRecordTest, MalformedRecordsAreRefused) {
  EXPECT_FALSE(DecodeDetectionRecord("not json").ok());
  EXPECT_FALSE(DecodeDetectionRecord("[]").ok());
  auto j = nlohmann::json::parse(EncodeDetectionRecord(Sample()));
  j.erase("record_id");
  EXPECT_FALSE(DecodeDetectionRecord(j.dump()).ok());
  j = nlohmann::json::parse(EncodeDetectionRecord(Sample()));
  j["width"] = "wide";
  EXPECT_FALSE(DecodeDetectionRecord(j.dump()).ok());
  j = nlohmann::json::parse(EncodeDetectionRecord(Sample()));
  j["faces"][0].erase("score");
  EXPECT_FALSE(DecodeDetectionRecord(j.dump()).ok());
}

TEST(RecordIdTest, ParseAndFormat) {
  auto id = RecordId::Parse("123:-40");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->fragment_number, "123");
  EXPECT_EQ(id->pts_ns, -40);
  EXPECT_EQ(id->ToString(), "123:-40");
  for (const char* bad : {"", ":1", "12", "12:", "1a:2", "12:3x", "12:3:4"}) {
    EXPECT_FALSE(RecordId::Parse(bad).ok()) << bad;
  }
}

TEST(RecordIdTest, OrdersByFragmentNumberThenPts) {
  const RecordId a{"99", 5}, b{"100", 1}, c{"100", 2};
  EXPECT_LT(a, b);  // 99 < 100 as numbers, though "99" > "100" as text
  EXPECT_LT(b, c);
  EXPECT_EQ((RecordId{"0100", 1}), b);
  EXPECT_EQ(CompareFragmentNumbers("91343852333181432392682062607743920146264196104",
                                   "91343852333181432392682062607743920146264196105"),
            -1);
  EXPECT_EQ(CompareFragmentNumbers("7", "7"), 0);
  EXPECT_EQ(CompareFragmentNumbers("10", "9"), 1);
}

TEST(DetectionRecordTest, DefaultOutputStream) {
  EXPECT_EQ(DefaultOutputStream("cam1"), "cam1-detections");
}

}  // namespace
}  // namespace sluice::consumers::face_detect
