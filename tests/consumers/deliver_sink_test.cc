// SPDX-License-Identifier: Apache-2.0
// Delivery building blocks without workers: batch names, hour prefixes and encodings, gzip
// checked by gzip(1), FolderSink's atomic files, overwrites, error files, earlier-batch lookup
// and fsync failures (MemEnv), and HttpSink against a local server (headers, gzip body, errors).
#include <gtest/gtest.h>

#include <filesystem>

#include "base/mem_env.h"
#include "consumers/deliver/delivery_batch.h"
#include "consumers/deliver/folder_sink.h"
#include "consumers/deliver/gzip.h"
#include "consumers/deliver/http_sink.h"
#include "tests/consumers/framework_delivery_helpers.h"
#include "tests/consumers/framework_test_http_server.h"
#include "tests/support/temp_dir.h"

namespace sluice::consumers::deliver {
namespace {

using consumers::testing::Gunzip;
using consumers::testing::ParseJsonLines;
using consumers::testing::ReadWholeFile;
using consumers::testing::WriteWholeFile;

constexpr int64_t kArrival = 1'700'000'000'000;  // 2023-11-14 22:13:20 UTC

DeliveryBatch Batch(int first, int n, int64_t arrival = kArrival) {
  DeliveryBatch b{.stream = "orders", .shard_id = "shardId-000000000002", .records = {}};
  for (int i = first; i < first + n; i++) {
    b.records.push_back({.sequence_number = std::to_string(1000 + i),
                         .arrival = TimestampMs(arrival + i),
                         .partition_key = "key" + std::to_string(i),
                         .data = std::string("\x00\xff payload ", 11) + std::to_string(i)});
  }
  return b;
}

TEST(DeliveryBatchTest, NameAndPrefix) {
  EXPECT_EQ(Batch(0, 3).Name(), "orders-shardId-000000000002-1000-1002");
  EXPECT_EQ(TimePrefix(TimestampMs(kArrival)), "2023/11/14/22");
  EXPECT_EQ(TimePrefix(TimestampMs(0)), "1970/01/01/00");
  std::string first, last;
  EXPECT_TRUE(ParseBatchName("orders-shardId-000000000002-1000-1002", "orders",
                             "shardId-000000000002", &first, &last));
  EXPECT_EQ(first, "1000");
  EXPECT_EQ(last, "1002");
  EXPECT_FALSE(ParseBatchName("orders-shardId-000000000003-1000-1002", "orders",
                              "shardId-000000000002", &first, &last));
  EXPECT_FALSE(ParseBatchName("orders-shardId-000000000002-1000-1002.error.json", "orders",
                              "shardId-000000000002", &first, &last));
  EXPECT_FALSE(ParseBatchName("orders-shardId-000000000002-1000", "orders", "shardId-000000000002",
                              &first, &last));
}

TEST(DeliveryBatchTest, JsonLinesCarryEveryFieldAndBinaryData) {
  DeliveryBatch b = Batch(0, 3);
  auto records = ParseJsonLines(EncodeJsonLines(b));
  ASSERT_EQ(records.size(), 3u);
  for (size_t i = 0; i < 3; i++) {
    EXPECT_EQ(records[i].stream, "orders");
    EXPECT_EQ(records[i].shard_id, "shardId-000000000002");
    EXPECT_EQ(records[i].sequence_number, b.records[i].sequence_number);
    EXPECT_EQ(records[i].partition_key, b.records[i].partition_key);
    EXPECT_EQ(records[i].arrival, b.records[i].arrival.value());
    EXPECT_EQ(records[i].data, b.records[i].data);
  }
  EXPECT_EQ(EncodeRaw(Batch(0, 2), "|"), b.records[0].data + "|" + b.records[1].data + "|");
}

TEST(GzipTest, GzipReadsItBack) {
  sluice::testing::TempDir dir;
  std::string big;
  for (int i = 0; i < 100000; i++) big += "line " + std::to_string(i % 977) + "\n";
  for (const std::string& input : {std::string(), std::string("x"), big}) {
    auto gz = GzipCompress(input);
    ASSERT_TRUE(gz.ok()) << gz.status().ToString();
    const std::string path = dir.path() + "/t.gz";
    WriteWholeFile(path, *gz);
    EXPECT_EQ(Gunzip(path), input);
  }
  EXPECT_LT(GzipCompress(big)->size(), big.size() / 4);
}

TEST(FolderSinkTest, WritesHourPartitionedFilesAtomically) {
  sluice::testing::TempDir dir;
  FolderSink sink({.root = dir.path()});
  DeliveryBatch b = Batch(0, 3);
  ASSERT_TRUE(sink.Deliver(b).ok());
  const std::string path =
      dir.path() + "/2023/11/14/22/orders-shardId-000000000002-1000-1002.jsonl";
  EXPECT_EQ(sink.PathOf(b), path);
  EXPECT_EQ(ReadWholeFile(path), EncodeJsonLines(b));
  // The same batch again overwrites the same file; nothing else appears (no temp files left).
  ASSERT_TRUE(sink.Deliver(b).ok());
  size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path())) {
    files += e.is_regular_file();
  }
  EXPECT_EQ(files, 1u);
  // Another hour, another folder.
  ASSERT_TRUE(sink.Deliver(Batch(3, 1, kArrival + 3600 * 1000)).ok());
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/2023/11/14/23"));
}

TEST(FolderSinkTest, GzipAndRawFormats) {
  sluice::testing::TempDir dir;
  FolderSink gz({.root = dir.path() + "/gz", .gzip = true});
  DeliveryBatch b = Batch(0, 4);
  ASSERT_TRUE(gz.Deliver(b).ok());
  EXPECT_TRUE(gz.PathOf(b).ends_with(".jsonl.gz"));
  EXPECT_EQ(Gunzip(gz.PathOf(b)), EncodeJsonLines(b));
  FolderSink raw({.root = dir.path() + "/raw", .format = BatchFormat::kRaw, .delimiter = "\n"});
  ASSERT_TRUE(raw.Deliver(b).ok());
  EXPECT_TRUE(raw.PathOf(b).ends_with("-1000-1003"));
  EXPECT_EQ(ReadWholeFile(raw.PathOf(b)), EncodeRaw(b, "\n"));
}

TEST(FolderSinkTest, FindsABatchDeliveredFromTheSameRecord) {
  sluice::testing::TempDir dir;
  FolderSink sink({.root = dir.path()});
  DeliveryBatch b = Batch(5, 4);
  auto none = sink.DeliveredBatchEnd("orders", "shardId-000000000002", b.records[0]);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
  ASSERT_TRUE(sink.Deliver(b).ok());
  ASSERT_TRUE(sink.Deliver(Batch(9, 2)).ok());
  auto end = sink.DeliveredBatchEnd("orders", "shardId-000000000002", b.records[0]);
  ASSERT_TRUE(end.ok());
  ASSERT_TRUE(*end);
  EXPECT_EQ(**end, "1008");
  // Another shard's files do not count.
  auto other = sink.DeliveredBatchEnd("orders", "shardId-000000000001", b.records[0]);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(*other);
}

TEST(FolderSinkTest, ErrorFilesDescribeTheFailure) {
  sluice::testing::TempDir dir;
  FolderSink errors({.root = dir.path() + "/errors"});
  DeliveryBatch b = Batch(0, 2);
  ASSERT_TRUE(errors.DeliverFailed(b, UnavailableError("HTTP 503"), 6, "http://x/").ok());
  EXPECT_EQ(ReadWholeFile(errors.PathOf(b)), EncodeJsonLines(b));
  auto j = nlohmann::json::parse(ReadWholeFile(errors.PathOf(b) + ".error.json"));
  EXPECT_EQ(j["errorMessage"], "HTTP 503");
  EXPECT_EQ(j["errorCode"], "UNAVAILABLE");
  EXPECT_EQ(j["attempts"], 6);
  EXPECT_EQ(j["recordCount"], 2);
  EXPECT_EQ(j["destination"], "http://x/");
}

TEST(FolderSinkTest, FailedFsyncReportsAnErrorAndLeavesNothing) {
  MemEnv env;
  FolderSink sink({.root = "/out", .env = &env});
  DeliveryBatch b = Batch(0, 2);
  env.FailSyncs(1);
  Status s = sink.Deliver(b);
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(env.FileExists(sink.PathOf(b)));
  auto names = env.ListDir("/out/2023/11/14/22");
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(names->empty()) << names->front();  // the temp file was removed
  ASSERT_TRUE(sink.Deliver(b).ok());
  EXPECT_TRUE(env.FileExists(sink.PathOf(b)));
}

TEST(HttpSinkTest, PostsJsonLinesWithBatchHeaders) {
  std::vector<consumers::testing::HttpRequest> got;
  consumers::testing::TestHttpServer server([&](const consumers::testing::HttpRequest& r) {
    got.push_back(r);
    return 200;
  });
  auto sink = HttpSink::Create(
      {.url = server.Url("/in?token=1"), .headers = {{"Authorization", "Bearer t"}}});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  DeliveryBatch b = Batch(0, 3);
  ASSERT_TRUE((*sink)->Deliver(b).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].target, "/in?token=1");
  EXPECT_EQ(got[0].body, EncodeJsonLines(b));
  EXPECT_EQ(got[0].headers["content-type"], "application/x-ndjson");
  EXPECT_EQ(got[0].headers["x-sluice-batch-id"], b.Name());
  EXPECT_EQ(got[0].headers["x-sluice-shard-id"], "shardId-000000000002");
  EXPECT_EQ(got[0].headers["x-sluice-record-count"], "3");
  EXPECT_EQ(got[0].headers["authorization"], "Bearer t");
}

TEST(HttpSinkTest, GzipBodyAndErrors) {
  sluice::testing::TempDir dir;
  int status = 200;
  std::string body;
  std::string encoding;
  consumers::testing::TestHttpServer server([&](const consumers::testing::HttpRequest& r) {
    body = r.body;
    encoding = r.headers.count("content-encoding") ? r.headers.at("content-encoding") : "";
    return status;
  });
  auto sink = HttpSink::Create({.url = server.Url("/"), .gzip = true});
  ASSERT_TRUE(sink.ok());
  DeliveryBatch b = Batch(0, 5);
  ASSERT_TRUE((*sink)->Deliver(b).ok());
  EXPECT_EQ(encoding, "gzip");
  WriteWholeFile(dir.path() + "/body.gz", body);
  EXPECT_EQ(Gunzip(dir.path() + "/body.gz"), EncodeJsonLines(b));
  status = 503;
  EXPECT_EQ((*sink)->Deliver(b).code(), StatusCode::kUnavailable);
  status = 404;
  EXPECT_EQ((*sink)->Deliver(b).code(), StatusCode::kUnavailable);
}

TEST(HttpSinkTest, UnreachableAndBadUrls) {
  // A port nobody listens on: bind one, then let it go.
  std::string url;
  {
    consumers::testing::TestHttpServer gone(
        [](const consumers::testing::HttpRequest&) { return 200; });
    url = gone.Url("/");
  }
  auto sink = HttpSink::Create({.url = url, .timeout_ms = 2000});
  ASSERT_TRUE(sink.ok());
  EXPECT_EQ((*sink)->Deliver(Batch(0, 1)).code(), StatusCode::kUnavailable);
  EXPECT_EQ(HttpSink::Create({.url = "https://example.com/"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpSink::Create({.url = "http://:80/"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpSink::Create({.url = "http://host:port/"}).status().code(),
            StatusCode::kInvalidArgument);
  auto bare = HttpSink::Create({.url = "http://127.0.0.1:9"});
  EXPECT_TRUE(bare.ok());
}

}  // namespace
}  // namespace sluice::consumers::deliver
