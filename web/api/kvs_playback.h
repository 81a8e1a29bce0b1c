// SPDX-License-Identifier: Apache-2.0
// KvsPlaybackApi: the archived-media playback operations of Kinesis Video Streams
// (kinesis-wire.md B8-B11) over consumers::playback::PlaybackService. Transport-free: it decodes
// and checks the REST-JSON body (members, types and the model's constraints; the playback rules
// themselves are the service's), resolves StreamName/StreamARN, calls the service and maps its
// Status to the KVS exception. GetHLSStreamingSessionURL, GetDASHStreamingSessionURL and
// GetImages answer JSON (Handle); GetClip answers MP4 bytes (GetClip).
// Thread-safety: every method may be called concurrently from any thread.
// Example:
//   KvsPlaybackApi api(&streams, &playback, {.data_endpoint_fallback = "http://127.0.0.1:8080"});
//   ApiResult r = api.Handle({.operation = "GetHLSStreamingSessionURL",
//                             .input = {{"StreamName", "cam1"}}, .host = "127.0.0.1:8080"});
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "consumers/playback/playback_service.h"
#include "ingest/video_streams.h"
#include "web/api/api_call.h"
#include "web/api/kvs_api.h"

namespace sluice::web::api {

// The KVS exception for a playback Status: NotFound -> ResourceNotFoundException 404;
// InvalidArgument -> InvalidArgumentException 400; FailedPrecondition with media/remux.h's
// prefixes -> UnsupportedStreamMediaType / MissingCodecPrivateData / InvalidCodecPrivateData
// (400) and with kNoDataRetentionPrefix -> NoDataRetentionException (400); an expired or forged
// session token (DeadlineExceeded) -> NotAuthorizedException with HTTP 403, as AWS answers it;
// ResourceExhausted / Unavailable -> ClientLimitExceededException 400; anything else ->
// InternalFailure 500. The message loses the mapping prefix.
ApiError PlaybackApiError(const Status& status);

// GetHLSStreamingSessionURL's one member beyond AWS's model: true asks for an LL-HLS session
// (EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES, media playlists answer `_HLS_msn` requests when
// that sequence number is listed). AWS SDKs validate against the model and cannot send it.
inline constexpr std::string_view kLowLatencyMember = "SluiceLowLatency";

// Request decoding, one function per operation: reads the body's members into `ref` and `out`
// (out->stream is left for the caller to resolve) or returns the error to answer
// (SerializationException for a mistyped member, InvalidArgumentException for a value the model
// forbids). Exposed for tests.
std::optional<ApiError> DecodeHlsSessionRequest(const nlohmann::json& input,
                                                ingest::VideoStreamRef* ref,
                                                consumers::playback::HlsSessionRequest* out);
std::optional<ApiError> DecodeDashSessionRequest(const nlohmann::json& input,
                                                 ingest::VideoStreamRef* ref,
                                                 consumers::playback::DashSessionRequest* out);
std::optional<ApiError> DecodeClipRequest(const nlohmann::json& input, ingest::VideoStreamRef* ref,
                                          consumers::playback::ClipRequest* out);
std::optional<ApiError> DecodeImagesRequest(const nlohmann::json& input,
                                            ingest::VideoStreamRef* ref,
                                            consumers::playback::ImagesRequest* out);

// GetImages' answer as JSON: {"Images": [{"TimeStamp", "Error"?, "ImageContent"?}], "NextToken"?},
// timestamps in epoch ms (the wire codec writes seconds), content base64.
nlohmann::json ImagesPageJson(const consumers::playback::ImagesPage& page);

class KvsPlaybackApi {
 public:
  struct Options {
    // The endpoint named in session URLs when a request carries no usable Host header.
    std::string data_endpoint_fallback;
  };

  // GetClip's outcome: the MP4 (content type and bytes) or the error.
  struct ClipResult {
    std::optional<ApiError> error;
    consumers::playback::Clip clip;
  };

  // `streams` and `playback` must outlive this object.
  KvsPlaybackApi(ingest::VideoStreams* streams, consumers::playback::PlaybackService* playback,
                 Options options);

  // The operation served at an HTTP path ("/getClip" -> "GetClip"), or nullopt.
  static std::optional<std::string_view> OperationForPath(std::string_view path);
  // Every path these operations are served at (POST).
  static std::vector<std::string_view> Paths();
  // Whether the operation answers with a binary body (GetClip) rather than JSON.
  static bool IsBinary(std::string_view operation);

  // GetHLSStreamingSessionURL, GetDASHStreamingSessionURL, GetImages. Session URLs name the
  // request's Host ("http://<host>/hls/v1/..."), else Options.data_endpoint_fallback.
  ApiResult Handle(const KvsCall& call);
  // GetClip (call.operation is not looked at).
  ClipResult GetClip(const KvsCall& call);

 private:
  ApiResult HlsSession(const KvsCall& call);
  ApiResult DashSession(const KvsCall& call);
  ApiResult Images(const KvsCall& call);
  std::string Endpoint(const KvsCall& call) const;

  ingest::VideoStreams* const streams_;
  consumers::playback::PlaybackService* const playback_;
  const Options options_;
};

}  // namespace sluice::web::api
