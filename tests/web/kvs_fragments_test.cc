// SPDX-License-Identifier: Apache-2.0
// KinesisVideoApi ListFragments over fragments ingested by a real PutMediaSession (the 6
// one-second fragments of the ffmpeg h264 test file): both selector types, pagination by
// NextToken alone, the shapes, and the validation errors.
#include <gtest/gtest.h>

#include <set>

#include "tests/web/kvs_fixture.h"
#include "web/api/wire_codec.h"

namespace sluice::web::api {
namespace {

class KvsFragmentsTest : public KvsTest {
 protected:
  // A stream holding the h264 test file's fragments; false without ffmpeg.
  bool PutH264(const std::string& stream) {
    const std::string path = media::testing::MediaFiles::Path("h264");
    if (path.empty()) return false;
    Create(stream, {{"DataRetentionInHours", 24}, {"MediaType", "video/h264"}});
    ingest::SessionRun run = Put(stream, media::testing::ReadFile(path));
    for (const ingest::Ack& a : run.OfType(ingest::Ack::Type::kPersisted)) {
      numbers_.push_back(a.fragment_number);
    }
    return numbers_.size() == 6;
  }

  // Every fragment of a listing, following NextToken with nothing else but the stream.
  std::vector<json> ListAll(json request, size_t* pages = nullptr) {
    std::vector<json> all;
    size_t n = 0;
    for (; n < 100; ++n) {
      json out = Ok("ListFragments", request);
      for (const json& f : out["Fragments"]) all.push_back(f);
      if (!out.contains("NextToken")) break;
      // Only the stream, page size and token: the token alone carries the range.
      request.erase("FragmentSelector");
      request["NextToken"] = out["NextToken"];
    }
    if (pages != nullptr) *pages = n + 1;
    return all;
  }

  static json Selector(const std::string& type, double start_s, double end_s) {
    return {{"FragmentSelectorType", type},
            {"TimestampRange", {{"StartTimestamp", start_s}, {"EndTimestamp", end_s}}}};
  }

  std::vector<std::string> numbers_;
};

#define REQUIRE_H264(stream) \
  if (!PutH264(stream)) GTEST_SKIP() << "no test media (ffmpeg)"

TEST_F(KvsFragmentsTest, ProducerTimestampRangeWithPages) {
  REQUIRE_H264("cam");
  // The file's producer timestamps are 0..5 s (ABSOLUTE timecodes from 0).
  size_t pages = 0;
  std::vector<json> got = ListAll({{"StreamName", "cam"},
                                   {"MaxResults", 2},
                                   {"FragmentSelector", Selector("PRODUCER_TIMESTAMP", 1.0, 4.0)}},
                                  &pages);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_GE(pages, 2u);
  std::set<std::string> seen;
  for (size_t i = 0; i < got.size(); ++i) {
    const json& f = got[i];
    EXPECT_EQ(f["FragmentNumber"], numbers_[i + 1]);
    EXPECT_TRUE(seen.insert(f["FragmentNumber"]).second);
    EXPECT_EQ(f["ProducerTimestamp"], static_cast<int64_t>(1000 * (i + 1)));
    EXPECT_GE(f["ServerTimestamp"].get<int64_t>(), ingest::kStartMs);
    EXPECT_GT(f["FragmentSizeInBytes"].get<int64_t>(), 0);
    EXPECT_EQ(f["FragmentLengthInMilliseconds"], 1000);
  }
  // On the wire the timestamps are epoch seconds.
  json one = Ok("ListFragments", {{"StreamName", "cam"},
                                  {"FragmentSelector", Selector("PRODUCER_TIMESTAMP", 2, 2)}});
  ASSERT_EQ(one["Fragments"].size(), 1u);
  const std::string wire = EncodeBody(one, WireFormat::kJson);
  EXPECT_NE(wire.find("\"ProducerTimestamp\":2"), std::string::npos) << wire;
  EXPECT_NE(wire.find("\"ServerTimestamp\":1700000000"), std::string::npos) << wire;
}

TEST_F(KvsFragmentsTest, ServerTimestampRangeByArn) {
  REQUIRE_H264("cam");
  const std::string arn = Describe("cam")["StreamARN"];
  const double start = ingest::kStartMs / 1000.0;
  std::vector<json> got =
      ListAll({{"StreamARN", arn},
               {"MaxResults", 1},
               {"FragmentSelector", Selector("SERVER_TIMESTAMP", start, start + 3600)}});
  ASSERT_EQ(got.size(), 6u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i]["FragmentNumber"], numbers_[i]);
  // Nothing in a range before the stream existed; an empty page has no NextToken.
  json none = Ok("ListFragments",
                 {{"StreamARN", arn}, {"FragmentSelector", Selector("SERVER_TIMESTAMP", 1, 2)}});
  EXPECT_EQ(none["Fragments"], json::array());
  EXPECT_FALSE(none.contains("NextToken"));
}

TEST_F(KvsFragmentsTest, TokenBelongsToItsStream) {
  REQUIRE_H264("cam");
  Create("other");
  json first = Ok("ListFragments", {{"StreamName", "cam"},
                                    {"MaxResults", 1},
                                    {"FragmentSelector", Selector("PRODUCER_TIMESTAMP", 0, 10)}});
  ASSERT_TRUE(first.contains("NextToken"));
  const std::string token = first["NextToken"];
  EXPECT_EQ(Err("ListFragments", {{"StreamName", "other"}, {"NextToken", token}}),
            "InvalidArgumentException");
  std::string tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Err("ListFragments", {{"StreamName", "cam"}, {"NextToken", tampered}}),
            "InvalidArgumentException");
  // The token wins over a repeated selector (paginators resend the first call's members).
  json second = Ok("ListFragments", {{"StreamName", "cam"},
                                     {"MaxResults", 1},
                                     {"NextToken", token},
                                     {"FragmentSelector", Selector("PRODUCER_TIMESTAMP", 0, 10)}});
  ASSERT_EQ(second["Fragments"].size(), 1u);
  EXPECT_EQ(second["Fragments"][0]["FragmentNumber"], numbers_[1]);
}

TEST_F(KvsTest, ListFragmentsValidation) {
  Create("cam");
  const json sel = {{"FragmentSelectorType", "SERVER_TIMESTAMP"},
                    {"TimestampRange", {{"StartTimestamp", 1}, {"EndTimestamp", 2}}}};
  EXPECT_EQ(Ok("ListFragments", {{"StreamName", "cam"}, {"FragmentSelector", sel}})["Fragments"],
            json::array());
  EXPECT_EQ(Err("ListFragments", {{"StreamName", "cam"}}), "InvalidArgumentException");
  EXPECT_EQ(Err("ListFragments", {{"FragmentSelector", sel}}), "InvalidArgumentException");
  EXPECT_EQ(
      Err("ListFragments", {{"StreamName", "cam"}, {"FragmentSelector", sel}, {"MaxResults", 0}}),
      "InvalidArgumentException");
  EXPECT_EQ(Err("ListFragments",
                {{"StreamName", "cam"}, {"FragmentSelector", sel}, {"MaxResults", 1001}}),
            "InvalidArgumentException");
  json bad = sel;
  bad["FragmentSelectorType"] = "CLOCK";
  EXPECT_EQ(Err("ListFragments", {{"StreamName", "cam"}, {"FragmentSelector", bad}}),
            "InvalidArgumentException");
  bad = sel;
  bad.erase("TimestampRange");
  EXPECT_EQ(Err("ListFragments", {{"StreamName", "cam"}, {"FragmentSelector", bad}}),
            "InvalidArgumentException");
  bad = sel;
  bad["TimestampRange"].erase("EndTimestamp");
  EXPECT_EQ(Err("ListFragments", {{"StreamName", "cam"}, {"FragmentSelector", bad}}),
            "InvalidArgumentException");
  bad = sel;
  bad["TimestampRange"] = {{"StartTimestamp", 5}, {"EndTimestamp", 2}};
  EXPECT_EQ(Err("ListFragments", {{"StreamName", "cam"}, {"FragmentSelector", bad}}),
            "InvalidArgumentException");
  bad["TimestampRange"] = {{"StartTimestamp", "yesterday"}, {"EndTimestamp", 2}};
  EXPECT_EQ(Err("ListFragments", {{"StreamName", "cam"}, {"FragmentSelector", bad}}),
            "SerializationException");
  EXPECT_EQ(Err("ListFragments", {{"StreamName", "cam"}, {"NextToken", "not base64!"}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("ListFragments", {{"StreamName", "cam"}, {"NextToken", "AAAA"}}),
            "InvalidArgumentException");
  int status = 0;
  EXPECT_EQ(Err("ListFragments", {{"StreamName", "nope"}, {"FragmentSelector", sel}}, &status),
            "ResourceNotFoundException");
  EXPECT_EQ(status, 404);
}

}  // namespace
}  // namespace sluice::web::api
