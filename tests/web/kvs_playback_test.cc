// SPDX-License-Identifier: Apache-2.0
// The archived-media playback operations' request decoding (members, defaults, the model's
// constraints, type errors), the Status -> KVS exception mapping of web/api/kvs_playback.h, and
// the operations through a real PlaybackService over ingested H.264 (session URLs, token expiry
// on a manual clock, error mapping, clip bytes, images).
#include "web/api/kvs_playback.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "media/remux.h"
#include "tests/web/kvs_fixture.h"
#include "web/api/wire_codec.h"

namespace sluice::web::api {
namespace {

using consumers::playback::ClipRequest;
using consumers::playback::ContainerFormat;
using consumers::playback::DashSessionRequest;
using consumers::playback::DiscontinuityMode;
using consumers::playback::HlsSessionRequest;
using consumers::playback::ImageError;
using consumers::playback::ImagesPage;
using consumers::playback::ImagesRequest;
using consumers::playback::PlaybackMode;
using nlohmann::json;

json Range(json start, json end) {
  return {{"StartTimestamp", std::move(start)}, {"EndTimestamp", std::move(end)}};
}

TEST(KvsPlaybackDecodeTest, HlsDefaultsLeaveEverythingToTheService) {
  ingest::VideoStreamRef ref;
  HlsSessionRequest r;
  ASSERT_FALSE(DecodeHlsSessionRequest({{"StreamName", "cam"}}, &ref, &r));
  EXPECT_EQ(ref.name, "cam");
  EXPECT_EQ(ref.arn, "");
  EXPECT_EQ(r.mode, PlaybackMode::kLive);
  EXPECT_FALSE(r.selector.has_value());
  EXPECT_EQ(r.container, ContainerFormat::kFragmentedMp4);
  EXPECT_FALSE(r.discontinuity.has_value());
  EXPECT_FALSE(r.display_fragment_timestamp);
  EXPECT_FALSE(r.expires_s.has_value());
  EXPECT_FALSE(r.max_fragments.has_value());
}

TEST(KvsPlaybackDecodeTest, HlsEveryMember) {
  ingest::VideoStreamRef ref;
  HlsSessionRequest r;
  const std::string arn = "arn:aws:kinesisvideo:us-east-1:000000000000:stream/cam/1700000000000";
  ASSERT_FALSE(DecodeHlsSessionRequest({{"StreamARN", arn},
                                        {"PlaybackMode", "ON_DEMAND"},
                                        {"HLSFragmentSelector",
                                         {{"FragmentSelectorType", "PRODUCER_TIMESTAMP"},
                                          {"TimestampRange", Range(1700000000.123, 1700000060)}}},
                                        {"ContainerFormat", "MPEG_TS"},
                                        {"DiscontinuityMode", "ON_DISCONTINUITY"},
                                        {"DisplayFragmentTimestamp", "ALWAYS"},
                                        {"Expires", 43200},
                                        {"MaxMediaPlaylistFragmentResults", 5000}},
                                       &ref, &r));
  EXPECT_EQ(ref.arn, arn);
  EXPECT_EQ(r.mode, PlaybackMode::kOnDemand);
  ASSERT_TRUE(r.selector.has_value());
  EXPECT_EQ(r.selector->axis, index::TimeAxis::kProducer);
  // boto3 sends epoch seconds with a fraction: read to the millisecond.
  EXPECT_EQ(r.selector->start, TimestampMs(1700000000123));
  EXPECT_EQ(r.selector->end, TimestampMs(1700000060000));
  EXPECT_EQ(r.container, ContainerFormat::kMpegTs);
  EXPECT_EQ(r.discontinuity, DiscontinuityMode::kOnDiscontinuity);
  EXPECT_TRUE(r.display_fragment_timestamp);
  EXPECT_EQ(r.expires_s, 43200);
  EXPECT_EQ(r.max_fragments, 5000u);
}

TEST(KvsPlaybackDecodeTest, HlsLowLatencyExtension) {
  ingest::VideoStreamRef ref;
  HlsSessionRequest r;
  ASSERT_FALSE(DecodeHlsSessionRequest({{"StreamName", "cam"}}, &ref, &r));
  EXPECT_FALSE(r.low_latency);
  ASSERT_FALSE(
      DecodeHlsSessionRequest({{"StreamName", "cam"}, {"SluiceLowLatency", true}}, &ref, &r));
  EXPECT_TRUE(r.low_latency);
  std::optional<ApiError> e =
      DecodeHlsSessionRequest({{"StreamName", "cam"}, {"SluiceLowLatency", "yes"}}, &ref, &r);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, "SerializationException");
}

TEST(KvsPlaybackDecodeTest, HlsSelectorTypeDefaultsToServerTimestamp) {
  ingest::VideoStreamRef ref;
  HlsSessionRequest r;
  ASSERT_FALSE(DecodeHlsSessionRequest(
      {{"StreamName", "cam"},
       {"PlaybackMode", "LIVE_REPLAY"},
       {"HLSFragmentSelector", {{"TimestampRange", {{"StartTimestamp", 1700000000}}}}}},
      &ref, &r));
  EXPECT_EQ(r.mode, PlaybackMode::kLiveReplay);
  ASSERT_TRUE(r.selector.has_value());
  EXPECT_EQ(r.selector->axis, index::TimeAxis::kServer);
  EXPECT_EQ(r.selector->start, TimestampMs(1700000000000));
  EXPECT_FALSE(r.selector->end.has_value());  // LIVE_REPLAY may leave the end open
}

TEST(KvsPlaybackDecodeTest, HlsModelConstraints) {
  const auto error = [](json input) {
    ingest::VideoStreamRef ref;
    HlsSessionRequest r;
    input["StreamName"] = "cam";
    std::optional<ApiError> e = DecodeHlsSessionRequest(input, &ref, &r);
    return e ? e->type + " " + std::to_string(e->http_status) + " " + e->message : "";
  };
  EXPECT_TRUE(error({{"PlaybackMode", "LATER"}}).starts_with("InvalidArgumentException 400"));
  EXPECT_NE(error({{"PlaybackMode", "LATER"}}).find("playbackMode"), std::string::npos);
  EXPECT_NE(error({{"ContainerFormat", "MKV"}}).find("containerFormat"), std::string::npos);
  EXPECT_NE(error({{"DiscontinuityMode", "SOMETIMES"}}).find("discontinuityMode"),
            std::string::npos);
  EXPECT_NE(error({{"DisplayFragmentTimestamp", "YES"}}).find("displayFragmentTimestamp"),
            std::string::npos);
  EXPECT_NE(error({{"Expires", 299}}).find("expires"), std::string::npos);
  EXPECT_NE(error({{"Expires", 43201}}).find("expires"), std::string::npos);
  EXPECT_EQ(error({{"Expires", 300}}), "");
  EXPECT_NE(error({{"MaxMediaPlaylistFragmentResults", 0}}).find("maxMediaPlaylist"),
            std::string::npos);
  EXPECT_NE(error({{"MaxMediaPlaylistFragmentResults", 5001}}).find("maxMediaPlaylist"),
            std::string::npos);
  EXPECT_NE(error({{"HLSFragmentSelector", {{"FragmentSelectorType", "NOW"}}}})
                .find("hLSFragmentSelector.fragmentSelectorType"),
            std::string::npos);
  EXPECT_NE(error({{"HLSFragmentSelector", {{"TimestampRange", {{"EndTimestamp", 5}}}}}})
                .find("startTimestamp"),
            std::string::npos);
  // A wrong type is a SerializationException, as for every other KVS operation.
  EXPECT_TRUE(error({{"Expires", "300"}}).starts_with("SerializationException 400"));
  EXPECT_TRUE(error({{"HLSFragmentSelector", "x"}}).starts_with("SerializationException"));
  EXPECT_TRUE(
      error({{"HLSFragmentSelector", {{"TimestampRange", {{"StartTimestamp", "yesterday"}}}}}})
          .starts_with("SerializationException"));
}

TEST(KvsPlaybackDecodeTest, StreamNameAndArnPatterns) {
  ingest::VideoStreamRef ref;
  HlsSessionRequest r;
  std::optional<ApiError> e = DecodeHlsSessionRequest({{"StreamName", "bad name"}}, &ref, &r);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, "InvalidArgumentException");
  EXPECT_NE(e->message.find("streamName"), std::string::npos);
  e = DecodeHlsSessionRequest({{"StreamARN", "arn:aws:kinesis:x"}}, &ref, &r);
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("streamARN"), std::string::npos);
}

TEST(KvsPlaybackDecodeTest, DashMembers) {
  ingest::VideoStreamRef ref;
  DashSessionRequest r;
  ASSERT_FALSE(DecodeDashSessionRequest(
      {{"StreamName", "cam"},
       {"PlaybackMode", "ON_DEMAND"},
       {"DisplayFragmentTimestamp", "ALWAYS"},
       {"DisplayFragmentNumber", "ALWAYS"},
       {"DASHFragmentSelector",
        {{"FragmentSelectorType", "SERVER_TIMESTAMP"}, {"TimestampRange", Range(10, 20)}}},
       {"Expires", 600},
       {"MaxManifestFragmentResults", 7}},
      &ref, &r));
  EXPECT_EQ(r.mode, PlaybackMode::kOnDemand);
  EXPECT_TRUE(r.display_fragment_timestamp);
  EXPECT_TRUE(r.display_fragment_number);
  ASSERT_TRUE(r.selector);
  EXPECT_EQ(r.selector->start, TimestampMs(10000));
  EXPECT_EQ(r.selector->end, TimestampMs(20000));
  EXPECT_EQ(r.expires_s, 600);
  EXPECT_EQ(r.max_fragments, 7u);

  DashSessionRequest d;
  ASSERT_FALSE(DecodeDashSessionRequest({{"StreamName", "cam"}}, &ref, &d));
  EXPECT_FALSE(d.display_fragment_timestamp);
  EXPECT_FALSE(d.display_fragment_number);
  std::optional<ApiError> e =
      DecodeDashSessionRequest({{"StreamName", "cam"}, {"DisplayFragmentNumber", "1"}}, &ref, &d);
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("displayFragmentNumber"), std::string::npos);
  e = DecodeDashSessionRequest({{"StreamName", "cam"}, {"MaxManifestFragmentResults", 0}}, &ref,
                               &d);
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("maxManifestFragmentResults"), std::string::npos);
}

TEST(KvsPlaybackDecodeTest, ClipSelectorIsRequiredWhole) {
  ingest::VideoStreamRef ref;
  ClipRequest r;
  ASSERT_FALSE(DecodeClipRequest(
      {{"StreamName", "cam"},
       {"ClipFragmentSelector",
        {{"FragmentSelectorType", "PRODUCER_TIMESTAMP"}, {"TimestampRange", Range(1.5, 2.25)}}}},
      &ref, &r));
  EXPECT_EQ(r.selector.axis, index::TimeAxis::kProducer);
  EXPECT_EQ(r.selector.start, TimestampMs(1500));
  EXPECT_EQ(r.selector.end, TimestampMs(2250));

  const auto message = [&](json input) {
    input["StreamName"] = "cam";
    std::optional<ApiError> e = DecodeClipRequest(input, &ref, &r);
    EXPECT_TRUE(e);
    return e ? e->type + ": " + e->message : "";
  };
  EXPECT_NE(message(json::object()).find("clipFragmentSelector"), std::string::npos);
  EXPECT_NE(message({{"ClipFragmentSelector", {{"TimestampRange", Range(1, 2)}}}})
                .find("clipFragmentSelector.fragmentSelectorType"),
            std::string::npos);
  EXPECT_NE(message({{"ClipFragmentSelector", {{"FragmentSelectorType", "SERVER_TIMESTAMP"}}}})
                .find("clipFragmentSelector.timestampRange"),
            std::string::npos);
  EXPECT_NE(message({{"ClipFragmentSelector",
                      {{"FragmentSelectorType", "SERVER_TIMESTAMP"},
                       {"TimestampRange", {{"StartTimestamp", 1}}}}}})
                .find("endTimestamp"),
            std::string::npos);
}

TEST(KvsPlaybackDecodeTest, ImagesMembersAndDefaults) {
  ingest::VideoStreamRef ref;
  ImagesRequest r;
  ASSERT_FALSE(DecodeImagesRequest({{"StreamName", "cam"},
                                    {"ImageSelectorType", "SERVER_TIMESTAMP"},
                                    {"StartTimestamp", 1700000000},
                                    {"EndTimestamp", 1700000010.5},
                                    {"Format", "JPEG"}},
                                   &ref, &r));
  EXPECT_EQ(r.axis, index::TimeAxis::kServer);
  EXPECT_EQ(r.start, TimestampMs(1700000000000));
  EXPECT_EQ(r.end, TimestampMs(1700000010500));
  EXPECT_EQ(r.sampling_interval_ms, 3000);
  EXPECT_FALSE(r.png);
  EXPECT_EQ(r.jpeg_quality, 80);
  EXPECT_EQ(r.width, 0u);
  EXPECT_EQ(r.height, 0u);
  EXPECT_EQ(r.max_results, 25u);
  EXPECT_EQ(r.next_token, "");

  ImagesRequest p;
  ASSERT_FALSE(DecodeImagesRequest({{"StreamName", "cam"},
                                    {"ImageSelectorType", "PRODUCER_TIMESTAMP"},
                                    {"StartTimestamp", 1},
                                    {"EndTimestamp", 2},
                                    {"SamplingInterval", 200},
                                    {"Format", "PNG"},
                                    {"FormatConfig", {{"JPEGQuality", "55"}}},
                                    {"WidthPixels", 160},
                                    {"HeightPixels", 90},
                                    {"MaxResults", 100},
                                    {"NextToken", "abc+/=="}},
                                   &ref, &p));
  EXPECT_EQ(p.axis, index::TimeAxis::kProducer);
  EXPECT_EQ(p.sampling_interval_ms, 200);
  EXPECT_TRUE(p.png);
  EXPECT_EQ(p.jpeg_quality, 55);
  EXPECT_EQ(p.width, 160u);
  EXPECT_EQ(p.height, 90u);
  EXPECT_EQ(p.max_results, 100u);
  EXPECT_EQ(p.next_token, "abc+/==");
}

TEST(KvsPlaybackDecodeTest, ImagesModelConstraints) {
  const auto error = [](json changes) {
    json input = {{"StreamName", "cam"},
                  {"ImageSelectorType", "SERVER_TIMESTAMP"},
                  {"StartTimestamp", 1},
                  {"EndTimestamp", 2},
                  {"Format", "JPEG"}};
    for (auto& [k, v] : changes.items()) {
      if (v.is_null()) {
        input.erase(k);
      } else {
        input[k] = v;
      }
    }
    ingest::VideoStreamRef ref;
    ImagesRequest r;
    std::optional<ApiError> e = DecodeImagesRequest(input, &ref, &r);
    return e ? e->type + ": " + e->message : "";
  };
  EXPECT_EQ(error(json::object()), "");
  for (const char* required : {"ImageSelectorType", "StartTimestamp", "EndTimestamp", "Format"}) {
    const std::string e = error({{required, nullptr}});
    EXPECT_TRUE(e.starts_with("InvalidArgumentException")) << required << ": " << e;
    EXPECT_NE(e.find("must not be null"), std::string::npos) << e;
  }
  EXPECT_NE(error({{"ImageSelectorType", "NOW"}}).find("imageSelectorType"), std::string::npos);
  EXPECT_NE(error({{"Format", "GIF"}}).find("format"), std::string::npos);
  EXPECT_NE(error({{"SamplingInterval", 199}}).find("samplingInterval"), std::string::npos);
  EXPECT_NE(error({{"SamplingInterval", 20001}}).find("samplingInterval"), std::string::npos);
  EXPECT_NE(error({{"WidthPixels", 0}}).find("widthPixels"), std::string::npos);
  EXPECT_NE(error({{"WidthPixels", 3841}}).find("widthPixels"), std::string::npos);
  EXPECT_NE(error({{"HeightPixels", 2161}}).find("heightPixels"), std::string::npos);
  EXPECT_NE(error({{"MaxResults", 101}}).find("maxResults"), std::string::npos);
  EXPECT_NE(error({{"NextToken", "not a token"}}).find("nextToken"), std::string::npos);
  EXPECT_NE(error({{"FormatConfig", {{"JPEGQuality", "0"}}}}).find("JPEGQuality"),
            std::string::npos);
  EXPECT_NE(error({{"FormatConfig", {{"JPEGQuality", "101"}}}}).find("JPEGQuality"),
            std::string::npos);
  EXPECT_NE(error({{"FormatConfig", {{"Quality", "10"}}}}).find("formatConfig"), std::string::npos);
  EXPECT_TRUE(error({{"WidthPixels", "wide"}}).starts_with("SerializationException"));
}

TEST(KvsPlaybackDecodeTest, ImagesPageShape) {
  ImagesPage page;
  page.images.push_back({.timestamp = TimestampMs(1700000000000), .content = "\xff\xd8jpeg"});
  page.images.push_back({.timestamp = TimestampMs(1700000003000), .error = ImageError::kNoMedia});
  page.images.push_back(
      {.timestamp = TimestampMs(1700000006000), .error = ImageError::kMediaError});
  json out = ImagesPageJson(page);
  ASSERT_EQ(out["Images"].size(), 3u);
  EXPECT_EQ(out["Images"][0]["TimeStamp"], 1700000000000);
  EXPECT_EQ(out["Images"][0]["ImageContent"], "/9hqcGVn");
  EXPECT_FALSE(out["Images"][0].contains("Error"));
  EXPECT_EQ(out["Images"][1]["Error"], "NO_MEDIA");
  EXPECT_FALSE(out["Images"][1].contains("ImageContent"));
  EXPECT_EQ(out["Images"][2]["Error"], "MEDIA_ERROR");
  EXPECT_FALSE(out.contains("NextToken"));
  page.next_token = "tok";
  EXPECT_EQ(ImagesPageJson(page)["NextToken"], "tok");
  // On the wire the timestamps are epoch seconds.
  EXPECT_NE(EncodeBody(out, WireFormat::kJson).find("\"TimeStamp\":1700000003.000"),
            std::string::npos)
      << EncodeBody(out, WireFormat::kJson);
}

TEST(KvsPlaybackErrorTest, StatusToKvsException) {
  const auto of = [](const Status& s) {
    ApiError e = PlaybackApiError(s);
    return e.type + " " + std::to_string(e.http_status) + " " + e.message;
  };
  EXPECT_EQ(of(NotFoundError("No fragments found in the stream for the time range")),
            "ResourceNotFoundException 404 No fragments found in the stream for the time range");
  EXPECT_EQ(of(InvalidArgumentError("End must be after Start")),
            "InvalidArgumentException 400 End must be after Start");
  EXPECT_EQ(of(FailedPreconditionError(std::string(media::kUnsupportedMediaPrefix) + "V_AV1")),
            "UnsupportedStreamMediaTypeException 400 V_AV1");
  EXPECT_EQ(of(FailedPreconditionError(std::string(media::kMissingCodecPrivatePrefix) + "track 1")),
            "MissingCodecPrivateDataException 400 track 1");
  EXPECT_EQ(
      of(FailedPreconditionError(std::string(media::kInvalidCodecPrivatePrefix) + "bad avcC")),
      "InvalidCodecPrivateDataException 400 bad avcC");
  EXPECT_EQ(of(FailedPreconditionError(std::string(consumers::playback::kNoDataRetentionPrefix) +
                                       "stream cam keeps no data")),
            "NoDataRetentionException 400 stream cam keeps no data");
  // A prefix after some context still names the exception.
  EXPECT_EQ(of(FailedPreconditionError(
                "fragment 7: " + std::string(media::kUnsupportedMediaPrefix) + "V_VP9")),
            "UnsupportedStreamMediaTypeException 400 fragment 7: V_VP9");
  EXPECT_EQ(of(DeadlineExceededError("Streaming session token is expired")),
            "NotAuthorizedException 403 Streaming session token is expired");
  EXPECT_EQ(of(ResourceExhaustedError("too many sessions")),
            "ClientLimitExceededException 400 too many sessions");
  EXPECT_EQ(of(UnavailableError("busy")), "ClientLimitExceededException 400 busy");
  // Other preconditions are the stream's state, as in the control plane.
  EXPECT_EQ(PlaybackApiError(FailedPreconditionError("stream is DELETING")).type,
            "ResourceInUseException");
  EXPECT_EQ(of(InternalError("disk on fire")), "InternalFailure 500 Internal service failure.");
}

TEST(KvsPlaybackApiTest, PathsAndOperations) {
  EXPECT_EQ(KvsPlaybackApi::OperationForPath("/getHLSStreamingSessionURL"),
            "GetHLSStreamingSessionURL");
  EXPECT_EQ(KvsPlaybackApi::OperationForPath("/getDASHStreamingSessionURL"),
            "GetDASHStreamingSessionURL");
  EXPECT_EQ(KvsPlaybackApi::OperationForPath("/getImages"), "GetImages");
  EXPECT_EQ(KvsPlaybackApi::OperationForPath("/getClip"), "GetClip");
  EXPECT_FALSE(KvsPlaybackApi::OperationForPath("/getHLSMasterPlaylist"));
  EXPECT_EQ(KvsPlaybackApi::Paths().size(), 4u);
  EXPECT_TRUE(KvsPlaybackApi::IsBinary("GetClip"));
  EXPECT_FALSE(KvsPlaybackApi::IsBinary("GetImages"));
}

// --- through a real PlaybackService over ingested fragments -----------------------------------

// KvsPlaybackApi over the KvsTest store, with the h264 test file (six one-second fragments,
// producer time 0..5 s) in stream "cam".
class KvsPlaybackServiceTest : public KvsTest {
 protected:
  KvsPlaybackServiceTest()
      : playback_(reader_.get(), {.token_secret = "0123456789abcdef", .clock = &clock_}),
        api_(streams_.get(), &playback_, {.data_endpoint_fallback = "http://fallback:1"}) {}

  bool PutH264(const std::string& stream, int retention_hours = 24) {
    const std::string path = media::testing::MediaFiles::Path("h264");
    if (path.empty()) return false;
    Create(stream, {{"DataRetentionInHours", retention_hours}, {"MediaType", "video/h264"}});
    if (retention_hours == 0) return true;
    ingest::SessionRun run = Put(stream, media::testing::ReadFile(path));
    return run.OfType(ingest::Ack::Type::kPersisted).size() == 6;
  }

  ApiResult Playback(const std::string& op, json input, const std::string& host = "h.test:81") {
    return api_.Handle({.operation = op, .input = std::move(input), .host = host});
  }

  // The session resource a URL names, served by the service.
  Result<consumers::playback::PlaybackResource> Get(const std::string& url) {
    const size_t path_at =
        url.find("/hls/") != std::string::npos ? url.find("/hls/") : url.find("/dash/");
    const size_t query_at = url.find('?');
    consumers::playback::PlaybackRequest r;
    r.path = url.substr(path_at, query_at - path_at);
    r.query["SessionToken"] = url.substr(url.find("SessionToken=") + 13);
    return playback_.Serve(r);
  }

  static json OnDemand(double start_s, double end_s) {
    return {{"FragmentSelectorType", "PRODUCER_TIMESTAMP"},
            {"TimestampRange", {{"StartTimestamp", start_s}, {"EndTimestamp", end_s}}}};
  }

  consumers::playback::PlaybackService playback_;
  KvsPlaybackApi api_;
};

#define REQUIRE_H264(stream) \
  if (!PutH264(stream)) GTEST_SKIP() << "no test media (ffmpeg)"

TEST_F(KvsPlaybackServiceTest, HlsSessionUrlNamesTheHostAndPlays) {
  REQUIRE_H264("cam");
  ApiResult r = Playback("GetHLSStreamingSessionURL", {{"StreamName", "cam"},
                                                       {"PlaybackMode", "ON_DEMAND"},
                                                       {"HLSFragmentSelector", OnDemand(0, 5)}});
  ASSERT_FALSE(r.error) << r.error->type << ": " << r.error->message;
  const std::string url = r.output["HLSStreamingSessionURL"];
  EXPECT_TRUE(url.starts_with("http://h.test:81/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken="))
      << url;
  auto master = Get(url);
  ASSERT_TRUE(master.ok()) << master.status().ToString();
  EXPECT_TRUE(master->body.starts_with("#EXTM3U"));

  // Without a usable Host header the configured endpoint is named.
  r = Playback("GetHLSStreamingSessionURL",
               {{"StreamName", "cam"},
                {"PlaybackMode", "ON_DEMAND"},
                {"HLSFragmentSelector", OnDemand(0, 5)}},
               "");
  ASSERT_FALSE(r.error);
  EXPECT_TRUE(r.output["HLSStreamingSessionURL"].get<std::string>().starts_with(
      "http://fallback:1/hls/v1/"));

  r = Playback("GetDASHStreamingSessionURL", {{"StreamARN", Describe("cam")["StreamARN"]},
                                              {"PlaybackMode", "ON_DEMAND"},
                                              {"DASHFragmentSelector", OnDemand(0, 5)}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_TRUE(r.output["DASHStreamingSessionURL"].get<std::string>().starts_with(
      "http://h.test:81/dash/v1/getDASHManifest.mpd?SessionToken="));
}

TEST_F(KvsPlaybackServiceTest, ExpiredTokenIsNotAuthorized403) {
  REQUIRE_H264("cam");
  ApiResult r = Playback("GetHLSStreamingSessionURL", {{"StreamName", "cam"},
                                                       {"PlaybackMode", "ON_DEMAND"},
                                                       {"Expires", 300},
                                                       {"HLSFragmentSelector", OnDemand(0, 5)}});
  ASSERT_FALSE(r.error);
  const std::string url = r.output["HLSStreamingSessionURL"];
  clock_.Advance(299'000);
  EXPECT_TRUE(Get(url).ok());
  clock_.Advance(2'000);
  auto expired = Get(url);
  ASSERT_FALSE(expired.ok());
  ApiError e = PlaybackApiError(expired.status());
  EXPECT_EQ(e.type, "NotAuthorizedException");
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.message, "Streaming session token is expired");
}

TEST_F(KvsPlaybackServiceTest, ServiceErrorsMapToKvsExceptions) {
  REQUIRE_H264("cam");
  ApiResult r = Playback("GetHLSStreamingSessionURL", {{"StreamName", "missing"}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->type, "ResourceNotFoundException");
  EXPECT_EQ(r.error->http_status, 404);
  // No fragment in the range.
  r = Playback("GetHLSStreamingSessionURL", {{"StreamName", "cam"},
                                             {"PlaybackMode", "ON_DEMAND"},
                                             {"HLSFragmentSelector", OnDemand(100, 200)}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->type, "ResourceNotFoundException");
  // The service's own rules, in AWS's words.
  r = Playback("GetHLSStreamingSessionURL",
               {{"StreamName", "cam"}, {"HLSFragmentSelector", OnDemand(0, 5)}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->type, "InvalidArgumentException");
  EXPECT_NE(r.error->message.find("LIVE"), std::string::npos) << r.error->message;
  r = Playback("GetHLSStreamingSessionURL", {{"StreamName", "cam"}, {"PlaybackMode", "ON_DEMAND"}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->type, "InvalidArgumentException");
  // A stream that keeps nothing.
  ASSERT_TRUE(PutH264("empty", /*retention_hours=*/0));
  r = Playback("GetHLSStreamingSessionURL", {{"StreamName", "empty"}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->type, "NoDataRetentionException");
  EXPECT_EQ(r.error->http_status, 400);
  EXPECT_EQ(r.error->message.find("no data retention: "), std::string::npos);
}

TEST_F(KvsPlaybackServiceTest, GetClipAnswersMp4Bytes) {
  REQUIRE_H264("cam");
  KvsPlaybackApi::ClipResult clip =
      api_.GetClip({.input = {{"StreamName", "cam"}, {"ClipFragmentSelector", OnDemand(1, 3)}}});
  ASSERT_FALSE(clip.error) << clip.error->message;
  EXPECT_EQ(clip.clip.content_type, "video/mp4");
  ASSERT_GT(clip.clip.body.size(), 8u);
  EXPECT_EQ(clip.clip.body.substr(4, 4), "ftyp");

  clip =
      api_.GetClip({.input = {{"StreamName", "cam"}, {"ClipFragmentSelector", OnDemand(50, 60)}}});
  ASSERT_TRUE(clip.error);
  EXPECT_EQ(clip.error->type, "ResourceNotFoundException");
  clip =
      api_.GetClip({.input = {{"StreamName", "nope"}, {"ClipFragmentSelector", OnDemand(1, 3)}}});
  ASSERT_TRUE(clip.error);
  EXPECT_EQ(clip.error->http_status, 404);
  clip = api_.GetClip({.input = {{"StreamName", "cam"}}});
  ASSERT_TRUE(clip.error);
  EXPECT_EQ(clip.error->type, "InvalidArgumentException");
}

TEST_F(KvsPlaybackServiceTest, GetImagesAnswersBase64AndNoMedia) {
  REQUIRE_H264("cam");
  ApiResult r = Playback("GetImages", {{"StreamName", "cam"},
                                       {"ImageSelectorType", "PRODUCER_TIMESTAMP"},
                                       {"StartTimestamp", 4},
                                       {"EndTimestamp", 8},
                                       {"SamplingInterval", 2000},
                                       {"Format", "JPEG"},
                                       {"WidthPixels", 64}});
  ASSERT_FALSE(r.error) << r.error->message;
  const json& images = r.output["Images"];
  ASSERT_EQ(images.size(), 3u) << images.dump();
  EXPECT_EQ(images[0]["TimeStamp"], 4000);
  ASSERT_TRUE(images[0].contains("ImageContent"));
  Result<std::string> jpeg = Base64Decode(images[0]["ImageContent"].get<std::string>());
  ASSERT_TRUE(jpeg.ok());
  EXPECT_EQ(jpeg->substr(0, 2), "\xff\xd8");
  EXPECT_EQ(images[1]["Error"], "NO_MEDIA");  // 6 s: past the end of the file
  EXPECT_EQ(images[2]["Error"], "NO_MEDIA");
}

}  // namespace
}  // namespace sluice::web::api
