// SPDX-License-Identifier: Apache-2.0
// EbmlReader, EBML value coding and Block lacing: event sequences independent of chunking,
// unknown sizes, and one test per malformed-input error.
#include "media/ebml_reader.h"

#include <gtest/gtest.h>

#include "media/ebml_codec.h"
#include "media/mkv_block.h"
#include "media/mkv_ids.h"

namespace sluice::media {
namespace {

// Descends into Segment/Cluster/Info/BlockGroup, buffers everything else except SimpleBlocks,
// which it streams; logs every event as text.
class LogHandler : public EbmlHandler {
 public:
  std::string log;

  Result<BodyAction> OnStart(const ElementHeader& h) override {
    log += "<" + std::to_string(h.id) + "@" + std::to_string(h.depth) + ">";
    switch (h.id) {
      case mkv::kSegment:
      case mkv::kCluster:
      case mkv::kInfo:
      case mkv::kBlockGroup:
      case mkv::kEbml:
        return BodyAction::kMaster;
      case mkv::kSimpleBlock:
        return BodyAction::kStream;
      case mkv::kVoid:
        return BodyAction::kSkip;
      default:
        return BodyAction::kBuffer;
    }
  }
  Status OnValue(const ElementHeader& h, std::string_view body) override {
    log += "=" + std::string(body);
    return OkStatus();
  }
  Status OnData(const ElementHeader& h, std::string_view piece) override {
    streamed += piece;
    return OkStatus();
  }
  Status OnEnd(const ElementHeader& h) override {
    log += "</" + std::to_string(h.id) + ">";
    return OkStatus();
  }
  std::string streamed;
};

std::string Doc() {
  std::string info, cluster, doc;
  PutBytes(&info, mkv::kMuxingApp, "app");
  PutBytes(&info, mkv::kVoid, "skipped");
  PutId(&doc, mkv::kSegment);
  PutUnknownSize(&doc);
  PutMaster(&doc, mkv::kInfo, info);
  PutUInt(&cluster, mkv::kTimecode, 7);
  PutBytes(&cluster, mkv::kSimpleBlock, "BLOCKDATA");
  PutId(&doc, mkv::kCluster);
  PutUnknownSize(&doc);
  doc += cluster;
  PutId(&doc, mkv::kCluster);  // a second unknown-size cluster closes the first
  PutUnknownSize(&doc);
  PutUInt(&doc, mkv::kTimecode, 8);
  return doc;
}

TEST(EbmlReaderTest, SameEventsForAnyChunking) {
  const std::string doc = Doc();
  LogHandler whole;
  EbmlReader r1(&whole);
  ASSERT_TRUE(r1.Feed(doc).ok());
  ASSERT_TRUE(r1.Finish().ok());
  EXPECT_EQ(whole.streamed, "BLOCKDATA");
  auto open = [](uint32_t id, int depth) {
    return "<" + std::to_string(id) + "@" + std::to_string(depth) + ">";
  };
  auto close = [](uint32_t id) { return "</" + std::to_string(id) + ">"; };
  const std::string expected =
      open(mkv::kSegment, 0) + open(mkv::kInfo, 1) + open(mkv::kMuxingApp, 2) + "=app" +
      open(mkv::kVoid, 2) + close(mkv::kInfo) + open(mkv::kCluster, 1) + open(mkv::kTimecode, 2) +
      "=\x07" + open(mkv::kSimpleBlock, 2) + close(mkv::kSimpleBlock) + close(mkv::kCluster) +
      open(mkv::kCluster, 1) + open(mkv::kTimecode, 2) + "=\x08" + close(mkv::kCluster) +
      close(mkv::kSegment);
  EXPECT_EQ(whole.log, expected);
  for (size_t piece : {1, 2, 3, 5, 13}) {
    LogHandler h;
    EbmlReader r(&h);
    for (size_t i = 0; i < doc.size(); i += piece) ASSERT_TRUE(r.Feed(doc.substr(i, piece)).ok());
    ASSERT_TRUE(r.Finish().ok());
    EXPECT_EQ(h.log, whole.log) << piece;
    EXPECT_EQ(h.streamed, whole.streamed);
  }
}

TEST(EbmlReaderTest, KnownSizeMastersCloseExactlyAtTheirEnd) {
  std::string inner, doc;
  PutUInt(&inner, mkv::kTimecodeScale, 1000000);
  PutMaster(&doc, mkv::kInfo, inner);
  LogHandler h;
  EbmlReader r(&h);
  ASSERT_TRUE(r.Feed(doc).ok());
  EXPECT_EQ(r.open_elements(), 0u);  // closed without waiting for more input
  EXPECT_NE(h.log.find("</" + std::to_string(mkv::kInfo) + ">"), std::string::npos);
  EXPECT_EQ(r.offset(), doc.size());
}

EbmlError ErrorOf(const std::string& bytes, EbmlReaderOptions options = {}, bool finish = false) {
  LogHandler h;
  EbmlReader r(&h, options);
  Status s = r.Feed(bytes);
  if (s.ok() && finish) s = r.Finish();
  if (!s.ok()) {
    EXPECT_FALSE(r.Feed("x").ok());  // errors are sticky
  }
  return r.error();
}

TEST(EbmlReaderTest, MalformedInputErrors) {
  EXPECT_EQ(ErrorOf(std::string("\x00", 1)), EbmlError::kBadId);
  EXPECT_EQ(ErrorOf("\xFF"), EbmlError::kBadId);                        // reserved 1-byte id
  EXPECT_EQ(ErrorOf(std::string("\xEC\x00", 2)), EbmlError::kBadSize);  // 9+ byte size
  EXPECT_EQ(ErrorOf("\x4D\x80\xFF"), EbmlError::kUnknownSizeNotAllowed);
  std::string overflow;
  PutId(&overflow, mkv::kInfo);
  PutSize(&overflow, 3);
  PutBytes(&overflow, mkv::kMuxingApp, "toolong");
  EXPECT_EQ(ErrorOf(overflow), EbmlError::kOverflowsParent);
  std::string straddle;  // Info of 2 bytes, then a 3-byte header that runs past its end
  PutId(&straddle, mkv::kInfo);
  PutSize(&straddle, 2);
  PutUInt(&straddle, mkv::kTimecodeScale, 1);
  EXPECT_EQ(ErrorOf(straddle), EbmlError::kOverflowsParent);
  std::string big;
  PutBytes(&big, mkv::kMuxingApp, std::string(100, 'a'));
  EXPECT_EQ(ErrorOf(big, {.max_value_bytes = 99}), EbmlError::kValueTooLarge);
  EXPECT_EQ(ErrorOf(big, {.max_value_bytes = 100}), EbmlError::kNone);
  std::string deep;  // (an unknown-size Segment would close the one before it)
  for (int i = 0; i < 5; ++i) {
    std::string outer;
    PutMaster(&outer, mkv::kInfo, deep);
    deep = outer;
  }
  EXPECT_EQ(ErrorOf(deep, {.max_depth = 4}), EbmlError::kTooDeep);
  EXPECT_EQ(ErrorOf(big.substr(0, big.size() - 1), {}, true), EbmlError::kTruncated);
  EXPECT_EQ(ErrorOf(big.substr(0, 1), {}, true), EbmlError::kTruncated);  // inside a header
  EXPECT_EQ(ErrorOf(overflow.substr(0, 5), {}, true), EbmlError::kTruncated);
}

TEST(EbmlReaderTest, ConsumedTellsWhereTheErrorIs) {
  LogHandler h;
  EbmlReader r(&h);
  std::string ok;
  PutUInt(&ok, mkv::kTimecode, 1);
  size_t used = 0;
  EXPECT_FALSE(r.Feed(ok + std::string("\x00rest", 5), &used).ok());
  EXPECT_EQ(used, ok.size());
  r.Reset();
  EXPECT_TRUE(r.Feed(ok).ok());
}

TEST(EbmlCodecTest, SizesAndIntegersRoundTrip) {
  for (uint64_t v : std::vector<uint64_t>{0, 1, 126, 127, 16382, 16383, 1ull << 40, kEbmlMaxSize}) {
    std::string s;
    PutSize(&s, v);
    std::string_view in = s;
    uint64_t back = 0;
    ASSERT_TRUE(GetVint(&in, &back));
    EXPECT_EQ(back, v);
    EXPECT_TRUE(in.empty());
    std::string fixed;
    PutSize(&fixed, v, 8);
    EXPECT_EQ(fixed.size(), 8u);
  }
  for (int64_t v : std::vector<int64_t>{0, -1, 127, -128, 128, -40000, INT64_MIN, INT64_MAX}) {
    std::string s;
    PutSInt(&s, 0xFB, v);
    int64_t back = 0;
    ASSERT_TRUE(ParseSInt(std::string_view(s).substr(2), &back));
    EXPECT_EQ(back, v);
  }
  std::string f;
  PutFloat(&f, mkv::kSamplingFrequency, 44100.0);
  double d = 0;
  ASSERT_TRUE(ParseFloat(std::string_view(f).substr(2), &d));
  EXPECT_EQ(d, 44100.0);
  EXPECT_FALSE(ParseFloat("abc", &d));
  uint64_t u = 0;
  EXPECT_FALSE(ParseUInt("123456789", &u));
  EXPECT_EQ(ParseString(std::string("V_AV1\0\0", 7)), "V_AV1");
}

std::string BlockBody(uint8_t flags, std::string_view rest) {
  std::string b("\x81\x00\x10", 3);  // track 1, timecode 16
  b.push_back(static_cast<char>(flags));
  b += rest;
  return b;
}

TEST(MkvBlockTest, NoLacingAndHeader) {
  ParsedBlock b;
  std::string why;
  ASSERT_TRUE(ParseBlock(BlockBody(0x80, "payload"), &b, &why));
  EXPECT_EQ(b.track, 1u);
  EXPECT_EQ(b.timecode, 16);
  ASSERT_EQ(b.frames.size(), 1u);
  EXPECT_EQ(b.frames[0].offset, 4u);
  EXPECT_EQ(b.frames[0].size, 7u);
  EXPECT_FALSE(ParseBlock("\x81\x00", &b, &why));
  EXPECT_FALSE(ParseBlock("", &b, &why));
}

TEST(MkvBlockTest, XiphFixedAndEbmlLacing) {
  ParsedBlock b;
  std::string why;
  // Xiph: 3 frames, sizes 2 and 300 (255 + 45), last takes the rest (1).
  std::string xiph = std::string("\x02\x02\xFF\x2D", 4) + "aa" + std::string(300, 'b') + "c";
  ASSERT_TRUE(ParseBlock(BlockBody(0x02, xiph), &b, &why)) << why;
  ASSERT_EQ(b.frames.size(), 3u);
  EXPECT_EQ(b.frames[0].size, 2u);
  EXPECT_EQ(b.frames[1].size, 300u);
  EXPECT_EQ(b.frames[2].size, 1u);
  EXPECT_EQ(b.frames[2].offset, 4u + 4u + 302u);
  // Fixed: 2 frames of 3 bytes.
  ASSERT_TRUE(ParseBlock(BlockBody(0x04, std::string("\x01", 1) + "abcdef"), &b, &why));
  ASSERT_EQ(b.frames.size(), 2u);
  EXPECT_EQ(b.frames[1].size, 3u);
  EXPECT_FALSE(ParseBlock(BlockBody(0x04, std::string("\x01", 1) + "abcde"), &b, &why));
  // EBML: 3 frames; first size 4 (0x84), second 4 + (-1) = 3 (signed vint 0xBE = 62 - 63).
  ASSERT_TRUE(ParseBlock(BlockBody(0x06, std::string("\x02\x84\xBE", 3) + "aaaabbbcc"), &b, &why));
  ASSERT_EQ(b.frames.size(), 3u);
  EXPECT_EQ(b.frames[0].size, 4u);
  EXPECT_EQ(b.frames[1].size, 3u);
  EXPECT_EQ(b.frames[2].size, 2u);
  // Lace sizes larger than the block.
  EXPECT_FALSE(ParseBlock(BlockBody(0x02, std::string("\x01\xFF\xFF\x01", 4) + "x"), &b, &why));
  EXPECT_FALSE(ParseBlock(BlockBody(0x06, std::string("\x01\xFF", 2)), &b, &why));
}

}  // namespace
}  // namespace sluice::media
