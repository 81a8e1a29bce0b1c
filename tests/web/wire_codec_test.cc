// SPDX-License-Identifier: Apache-2.0
// Wire codec: JSON/CBOR round trips, timestamps, blobs, base64 edge cases, malformed input and the
// AWS-style accessor errors.

#include "web/api/wire_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::web::api {
namespace {

using json = nlohmann::json;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

json Blob(std::string_view bytes) {
  return json::binary(json::binary_t::container_type(bytes.begin(), bytes.end()));
}

TEST(WireCodecTest, ContentTypes) {
  EXPECT_EQ(WireFormatForContentType("application/x-amz-json-1.1"), WireFormat::kJson);
  EXPECT_EQ(WireFormatForContentType("application/json"), WireFormat::kJson);
  EXPECT_EQ(WireFormatForContentType("Application/X-Amz-Cbor-1.1; charset=utf-8"),
            WireFormat::kCbor);
  EXPECT_EQ(WireFormatForContentType(" application/x-amz-json-1.1 "), WireFormat::kJson);
  EXPECT_FALSE(WireFormatForContentType("text/plain").has_value());
  EXPECT_FALSE(WireFormatForContentType("").has_value());
  EXPECT_EQ(ContentTypeFor(WireFormat::kCbor), "application/x-amz-cbor-1.1");
  EXPECT_EQ(ContentTypeFor(WireFormat::kJson), "application/x-amz-json-1.1");
}

TEST(WireCodecTest, TimestampFields) {
  EXPECT_TRUE(IsTimestampField("ApproximateArrivalTimestamp"));
  EXPECT_TRUE(IsTimestampField("StreamCreationTimestamp"));
  EXPECT_TRUE(IsTimestampField("ConsumerCreationTimestamp"));
  EXPECT_TRUE(IsTimestampField("ProducerTimestamp"));
  EXPECT_TRUE(IsTimestampField("ServerTimestamp"));
  EXPECT_TRUE(IsTimestampField("CreationTime"));
  EXPECT_FALSE(IsTimestampField("MillisBehindLatest"));
  EXPECT_FALSE(IsTimestampField("timestamp"));
}

TEST(WireCodecTest, JsonTimestampIsPlainDecimalSeconds) {
  EXPECT_EQ(EncodeBody({{"ApproximateArrivalTimestamp", 1506440188749}}, WireFormat::kJson),
            R"({"ApproximateArrivalTimestamp":1506440188.749})");
  EXPECT_EQ(EncodeBody({{"Timestamp", 1506440188000}}, WireFormat::kJson),
            R"({"Timestamp":1506440188.000})");
  EXPECT_EQ(EncodeBody({{"Timestamp", 5}}, WireFormat::kJson), R"({"Timestamp":0.005})");
  EXPECT_EQ(EncodeBody({{"Timestamp", -1}}, WireFormat::kJson), R"({"Timestamp":-0.001})");
  // A float under a timestamp field is seconds.
  EXPECT_EQ(EncodeBody({{"CreationTime", 1603149588.042}}, WireFormat::kJson),
            R"({"CreationTime":1603149588.042})");
  // Not a timestamp field: integers stay integers, large doubles avoid exponent notation.
  EXPECT_EQ(EncodeBody({{"MillisBehindLatest", 1506440188749}}, WireFormat::kJson),
            R"({"MillisBehindLatest":1506440188749})");
  const std::string d = EncodeBody({{"X", 1603149588042.0}}, WireFormat::kJson);
  EXPECT_EQ(d.find('e'), std::string::npos) << d;
  EXPECT_EQ(d.find('E'), std::string::npos) << d;
}

TEST(WireCodecTest, JsonTimestampsInsideNestedShapes) {
  json out = {
      {"Records", json::array({{{"ApproximateArrivalTimestamp", 1000}, {"Data", Blob("hi")}}})}};
  EXPECT_EQ(EncodeBody(out, WireFormat::kJson),
            R"({"Records":[{"ApproximateArrivalTimestamp":1.000,"Data":"aGk="}]})");
}

TEST(WireCodecTest, JsonStringEscaping) {
  json out = {{"s", std::string("a\"b\\c\n\r\t\b\f") + std::string(1, '\x01') + "\x7f/é"}};
  const std::string encoded = EncodeBody(out, WireFormat::kJson);
  EXPECT_EQ(encoded, "{\"s\":\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\x7f/é\"}");
  EXPECT_EQ(json::parse(encoded)["s"], out["s"]);
}

TEST(WireCodecTest, JsonReplacesInvalidUtf8) {
  json out = {{"s", std::string("ok\xff\xc3")}};
  const std::string encoded = EncodeBody(out, WireFormat::kJson);
  EXPECT_EQ(encoded, "{\"s\":\"ok\xEF\xBF\xBD\xEF\xBF\xBD\"}");
  EXPECT_FALSE(json::parse(encoded, nullptr, false).is_discarded());
}

TEST(WireCodecTest, JsonScalars) {
  json out = {{"t", true},
              {"f", false},
              {"n", nullptr},
              {"i", -42},
              {"u", 18446744073709551615ull},
              {"d", 0.5},
              {"a", json::array({1, "x"})},
              {"o", json::object()}};
  EXPECT_EQ(
      EncodeBody(out, WireFormat::kJson),
      R"({"a":[1,"x"],"d":0.5,"f":false,"i":-42,"n":null,"o":{},"t":true,"u":18446744073709551615})");
}

TEST(WireCodecTest, JsonRoundTripMatchesNlohmann) {
  json v = json::parse(R"({"StreamName":"orders","Records":[{"PartitionKey":"k\u0000","Limit":3,
      "Nested":{"a":[1.25,-7,null,true]}}],"Text":"\u2028\ud83d\ude00"})");
  auto decoded = DecodeBody(EncodeBody(v, WireFormat::kJson), WireFormat::kJson);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, v);
}

TEST(WireCodecTest, CborRoundTrip) {
  json v = {{"StreamName", "orders"}, {"Data", Blob(Bytes({0, 1, 2, 255}))},
            {"Limit", 10000},         {"Neg", -300},
            {"Big", 5000000000ull},   {"F", 1.5},
            {"Flag", true},           {"List", json::array({"a", nullptr, false})}};
  const std::string cbor = EncodeBody(v, WireFormat::kCbor);
  auto decoded = DecodeBody(cbor, WireFormat::kCbor);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, v);
  auto data = GetBlob(*decoded, "Data", WireFormat::kCbor);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(**data, Bytes({0, 1, 2, 255}));
}

TEST(WireCodecTest, CborGoldenBytes) {
  // {"Data": h'6869', "SequenceNumber": "1", "ApproximateArrivalTimestamp": 1(1000)}
  json v = {{"ApproximateArrivalTimestamp", 1000}, {"Data", Blob("hi")}, {"SequenceNumber", "1"}};
  const std::string expected = Bytes({0xA3, 0x78, 0x1B}) + "ApproximateArrivalTimestamp" +
                               Bytes({0xC1, 0x19, 0x03, 0xE8}) + Bytes({0x64}) + "Data" +
                               Bytes({0x42}) + "hi" + Bytes({0x6E}) + "SequenceNumber" +
                               Bytes({0x61}) + "1";
  EXPECT_EQ(EncodeBody(v, WireFormat::kCbor), expected);
}

TEST(WireCodecTest, CborTimestampTagOutAndIn) {
  const std::string cbor =
      EncodeBody({{"StreamCreationTimestamp", 1506440188749}}, WireFormat::kCbor);
  // map(1), text(23), tag 1, uint64
  ASSERT_GT(cbor.size(), 26u);
  EXPECT_EQ(static_cast<uint8_t>(cbor[25]), 0xC1);
  EXPECT_EQ(static_cast<uint8_t>(cbor[26]), 0x1B);
  // Tag 1 is dropped by the reader, leaving the integer milliseconds.
  auto decoded = DecodeBody(cbor, WireFormat::kCbor);
  ASSERT_TRUE(decoded.ok());
  auto ts = GetTimestampMs(*decoded, "StreamCreationTimestamp");
  ASSERT_TRUE(ts.ok());
  EXPECT_EQ(**ts, 1506440188749);
  // A float-seconds timestamp is written as tag 1 + integer milliseconds.
  const std::string f = EncodeBody({{"Timestamp", 2.5}}, WireFormat::kCbor);
  EXPECT_EQ(f, Bytes({0xA1, 0x69}) + "Timestamp" + Bytes({0xC1, 0x19, 0x09, 0xC4}));
}

TEST(WireCodecTest, CborTaggedSecondsAndIndefiniteLengths) {
  // {_ "Timestamp": 1(1506440188), "Data": (_ h'61', h'62')} with indefinite map and bytes.
  const std::string cbor = Bytes({0xBF, 0x69}) + "Timestamp" +
                           Bytes({0xC1, 0x1A, 0x59, 0xCA, 0x73, 0xFC}) + Bytes({0x64}) + "Data" +
                           Bytes({0x5F, 0x41, 'a', 0x41, 'b', 0xFF, 0xFF});
  auto decoded = DecodeBody(cbor, WireFormat::kCbor);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(**GetTimestampMs(*decoded, "Timestamp"), 1506440188000);
  EXPECT_EQ(**GetBlob(*decoded, "Data", WireFormat::kCbor), "ab");
}

TEST(WireCodecTest, MalformedBodiesAreInvalidArgument) {
  const std::vector<std::pair<std::string, WireFormat>> cases = {
      {"{", WireFormat::kJson},
      {"[1,2]", WireFormat::kJson},
      {"\"text\"", WireFormat::kJson},
      {"{\"a\":1} x", WireFormat::kJson},
      {std::string(1000, '[') + std::string(1000, ']'), WireFormat::kJson},
      {"{\"a\":\"\xff\"}", WireFormat::kJson},
      {Bytes({0xA1, 0x61}), WireFormat::kCbor},        // truncated
      {Bytes({0x82, 0x01, 0x02}), WireFormat::kCbor},  // array root
      {Bytes({0xA0, 0x00}), WireFormat::kCbor},        // trailing byte
      {Bytes({0xA1, 0x01, 0x02}), WireFormat::kCbor},  // non-text key
      {Bytes({0xBB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), WireFormat::kCbor},
      {Bytes({0xA1, 0x61, 'a', 0x62, 0xC3, 0x28}), WireFormat::kCbor},  // bad UTF-8 text
      {Bytes({0xFF}), WireFormat::kCbor},                               // stray break
      {Bytes({0xA1, 0x61, 'a', 0x1C}), WireFormat::kCbor},              // reserved additional info
      {std::string(100000, '\x81'), WireFormat::kCbor},                 // nesting bomb
  };
  for (const auto& [body, format] : cases) {
    auto decoded = DecodeBody(body, format);
    EXPECT_FALSE(decoded.ok()) << testing::PrintToString(body.substr(0, 40));
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(WireCodecTest, EmptyBodyIsEmptyObject) {
  for (WireFormat f : {WireFormat::kJson, WireFormat::kCbor}) {
    auto decoded = DecodeBody("", f);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, json::object());
  }
}

TEST(WireCodecTest, AccessorsReadPresentAbsentAndNull) {
  json in = json::parse(R"({"S":"x","I":42,"B":true,"N":null,"F":2.9,"T":1506440188.749,
                           "TI":1506440188,"D":"aGk=","U":18446744073709551615})");
  EXPECT_EQ(**GetString(in, "S"), "x");
  EXPECT_FALSE(GetString(in, "missing")->has_value());
  EXPECT_FALSE(GetString(in, "N")->has_value());
  EXPECT_EQ(**GetInt(in, "I"), 42);
  EXPECT_EQ(**GetInt(in, "F"), 2);
  EXPECT_FALSE(GetInt(in, "U").ok());
  EXPECT_TRUE(**GetBool(in, "B"));
  EXPECT_EQ(**GetTimestampMs(in, "T"), 1506440188749);
  EXPECT_EQ(**GetTimestampMs(in, "TI"), 1506440188000);
  EXPECT_EQ(**GetBlob(in, "D", WireFormat::kJson), "hi");
}

TEST(WireCodecTest, AccessorErrorsReadLikeAws) {
  json in = json::parse(R"({"S":"x","O":{},"A":[],"I":1,"B":false,"D":"a"})");
  auto i = GetInt(in, "S");
  ASSERT_FALSE(i.ok());
  EXPECT_EQ(i.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(i.status().message().find("STRING_VALUE can not be converted to an Integer"),
            std::string::npos);
  EXPECT_NE(i.status().message().find("'S'"), std::string::npos);
  EXPECT_NE(GetString(in, "O").status().message().find(
                "Start of structure or map found where not expected."),
            std::string::npos);
  EXPECT_NE(GetString(in, "A").status().message().find("Start of list found where not expected"),
            std::string::npos);
  EXPECT_NE(
      GetString(in, "I").status().message().find("NUMBER_VALUE can not be converted to a String"),
      std::string::npos);
  EXPECT_NE(GetInt(in, "B").status().message().find("FALSE_VALUE"), std::string::npos);
  EXPECT_FALSE(GetBool(in, "S").ok());
  EXPECT_FALSE(GetBlob(in, "I", WireFormat::kJson).ok());
  EXPECT_FALSE(GetBlob(in, "D", WireFormat::kJson).ok());  // not base64
  EXPECT_FALSE(GetTimestampMs(in, "B").ok());
}

TEST(WireCodecTest, Base64EdgeCases) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode(Bytes({0xFB, 0xFF})), "+/8=");
  EXPECT_EQ(*Base64Decode(""), "");
  EXPECT_EQ(*Base64Decode("Zg=="), "f");
  EXPECT_EQ(*Base64Decode("Zm8="), "fo");
  EXPECT_EQ(*Base64Decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(*Base64Decode("+/8="), Bytes({0xFB, 0xFF}));
  EXPECT_EQ(*Base64Decode("AAAA"), std::string(3, '\0'));
  for (std::string_view bad : {"Zg", "Zg=", "Z===", "====", "Zg==Zg==", "Z=g=", "Zm9v YmFy",
                               " Zm9v", "Zm9v\n", "Zm-_", "Zm9\x80"}) {
    auto r = Base64Decode(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n < all.size(); n += 37) {
    const std::string part = all.substr(0, n);
    EXPECT_EQ(*Base64Decode(Base64Encode(part)), part);
  }
}

TEST(WireCodecTest, LargeRecordBatchEncodes) {
  // A GetRecords-sized answer: 10,000 records of 1 KiB.
  json records = json::array();
  const std::string payload(1024, 'x');
  for (int i = 0; i < 10000; ++i) {
    records.push_back({{"Data", Blob(payload)},
                       {"PartitionKey", "key-" + std::to_string(i)},
                       {"SequenceNumber", std::to_string(i)},
                       {"ApproximateArrivalTimestamp", 1506440188749 + i}});
  }
  const json out = {{"Records", std::move(records)}, {"MillisBehindLatest", 0}};
  const std::string as_json = EncodeBody(out, WireFormat::kJson);
  EXPECT_GT(as_json.size(), 10000u * 1024);
  EXPECT_FALSE(json::parse(as_json, nullptr, false).is_discarded());
  auto back = DecodeBody(EncodeBody(out, WireFormat::kCbor), WireFormat::kCbor);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)["Records"].size(), 10000u);
}

}  // namespace
}  // namespace sluice::web::api
