// SPDX-License-Identifier: Apache-2.0
// Catalog on a real SQLite file: stream CRUD, duplicate names, persistence across reopen, cascade
// delete, shard upserts, settings, transaction rollback and the schema version guard.
#include "index/catalog.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace sluice::index {
namespace {

StreamRow MakeStream(const std::string& name) {
  StreamRow r;
  r.name = name;
  r.arn = "arn:aws:kinesis:us-east-1:000000000000:stream/" + name;
  r.kind = 1;
  r.mode = 1;
  r.status = 2;
  r.retention_hours = 48;
  r.created_ms = 1'700'000'000'123;
  r.fsync_policy = "interval:50";
  r.max_record_bytes = ~uint64_t{0};  // full unsigned range survives the int64 column
  r.tags_json = R"({"team":"video"})";
  r.metrics_json = R"(["IncomingBytes"])";
  r.encryption_type = "KMS";
  r.key_id = "alias/x";
  r.settings_json = R"({"media_type":"video/h264"})";
  return r;
}

ShardRow MakeShard(uint32_t index, std::string start, std::string end) {
  ShardRow s;
  s.index = ShardIndex(index);
  s.hash_start = std::move(start);
  s.hash_end = std::move(end);
  s.created_ms = 1'700'000'000'000 + index;
  return s;
}

void ExpectSameStream(const StreamRow& a, const StreamRow& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.arn, b.arn);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.mode, b.mode);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.retention_hours, b.retention_hours);
  EXPECT_EQ(a.created_ms, b.created_ms);
  EXPECT_EQ(a.fsync_policy, b.fsync_policy);
  EXPECT_EQ(a.max_record_bytes, b.max_record_bytes);
  EXPECT_EQ(a.tags_json, b.tags_json);
  EXPECT_EQ(a.metrics_json, b.metrics_json);
  EXPECT_EQ(a.encryption_type, b.encryption_type);
  EXPECT_EQ(a.key_id, b.key_id);
  EXPECT_EQ(a.settings_json, b.settings_json);
}

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-catalog-XXXXXX").string();
    ASSERT_NE(nullptr, ::mkdtemp(tmpl.data()));
    dir_ = tmpl;
    path_ = dir_ + "/catalog.db";
    Reopen();
  }
  void TearDown() override {
    catalog_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    catalog_.reset();
    auto c = Catalog::Open(path_);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(c).value();
  }
  StreamId Insert(const std::string& name, std::vector<ShardRow> shards = {}) {
    auto id = catalog_->InsertStream(MakeStream(name), shards);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : StreamId();
  }

  std::string dir_;
  std::string path_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(CatalogTest, InsertAndLoadEveryColumn) {
  ShardRow open = MakeShard(0, "0", "170141183460469231731687303715884105727");
  ShardRow closed = MakeShard(1, "170141183460469231731687303715884105728",
                              "340282366920938463463374607431768211455");
  closed.parent = ShardIndex(7);
  closed.adjacent_parent = ShardIndex(8);
  closed.ending_counter = ~uint64_t{0} - 1;
  StreamId id = Insert("orders", {open, closed});
  EXPECT_GT(id.value(), 0);

  auto streams = catalog_->LoadStreams();
  ASSERT_TRUE(streams.ok());
  ASSERT_EQ(1u, streams->size());
  StreamRow expected = MakeStream("orders");
  expected.id = id;
  ExpectSameStream(expected, (*streams)[0]);

  auto shards = catalog_->LoadShards(id);
  ASSERT_TRUE(shards.ok());
  ASSERT_EQ(2u, shards->size());
  const ShardRow& s0 = (*shards)[0];
  EXPECT_EQ(id, s0.stream);
  EXPECT_EQ(ShardIndex(0), s0.index);
  EXPECT_FALSE(s0.parent.has_value());
  EXPECT_FALSE(s0.adjacent_parent.has_value());
  EXPECT_FALSE(s0.ending_counter.has_value());
  EXPECT_EQ(open.hash_end, s0.hash_end);
  EXPECT_EQ(open.created_ms, s0.created_ms);
  const ShardRow& s1 = (*shards)[1];
  EXPECT_EQ(ShardIndex(7), s1.parent);
  EXPECT_EQ(ShardIndex(8), s1.adjacent_parent);
  EXPECT_EQ(closed.ending_counter, s1.ending_counter);
  EXPECT_EQ(closed.hash_start, s1.hash_start);
}

TEST_F(CatalogTest, DuplicateNameIsAlreadyExistsAndLeavesNoShards) {
  StreamId first = Insert("dup", {MakeShard(0, "0", "9")});
  auto again = catalog_->InsertStream(MakeStream("dup"), {MakeShard(0, "0", "1")});
  EXPECT_EQ(StatusCode::kAlreadyExists, again.status().code());
  EXPECT_EQ(1u, catalog_->LoadStreams()->size());
  auto shards = catalog_->LoadShards(first);
  ASSERT_EQ(1u, shards->size());
  EXPECT_EQ("9", (*shards)[0].hash_end);
}

TEST_F(CatalogTest, FailedShardInsertRollsBackTheStream) {
  // Two shards with the same index violate the primary key: nothing of the stream may remain.
  auto r =
      catalog_->InsertStream(MakeStream("bad"), {MakeShard(0, "0", "1"), MakeShard(0, "2", "3")});
  EXPECT_EQ(StatusCode::kInvalidArgument, r.status().code());
  EXPECT_TRUE(catalog_->LoadStreams()->empty());
}

TEST_F(CatalogTest, UpdateStream) {
  StreamId id = Insert("s");
  StreamRow row = MakeStream("s");
  row.id = id;
  row.status = 3;
  row.retention_hours = 100;
  row.tags_json = "{}";
  ASSERT_TRUE(catalog_->UpdateStream(row).ok());
  ExpectSameStream(row, (*catalog_->LoadStreams())[0]);

  row.id = StreamId(id.value() + 100);
  EXPECT_EQ(StatusCode::kNotFound, catalog_->UpdateStream(row).code());
  // Renaming onto another stream's name is a duplicate too.
  Insert("other");
  row.id = id;
  row.name = "other";
  EXPECT_EQ(StatusCode::kAlreadyExists, catalog_->UpdateStream(row).code());
}

TEST_F(CatalogTest, ReopenKeepsEverything) {
  StreamId id = Insert("persist", {MakeShard(0, "0", "5"), MakeShard(1, "6", "9")});
  ASSERT_TRUE(catalog_->PutSetting("secret", "abc").ok());
  Reopen();
  auto streams = catalog_->LoadStreams();
  ASSERT_EQ(1u, streams->size());
  EXPECT_EQ(id, (*streams)[0].id);
  EXPECT_EQ("persist", (*streams)[0].name);
  EXPECT_EQ(2u, catalog_->LoadShards(id)->size());
  EXPECT_EQ("abc", **catalog_->GetSetting("secret"));
}

TEST_F(CatalogTest, DeleteCascadesToShardsAndIdsAreNotReused) {
  StreamId a = Insert("a", {MakeShard(0, "0", "9"), MakeShard(1, "10", "19")});
  StreamId b = Insert("b", {MakeShard(0, "0", "9")});
  ASSERT_TRUE(catalog_->DeleteStream(b).ok());
  EXPECT_TRUE(catalog_->LoadShards(b)->empty());
  EXPECT_EQ(2u, catalog_->LoadShards(a)->size());
  EXPECT_EQ(StatusCode::kNotFound, catalog_->DeleteStream(b).code());
  // Re-creating the same name gets a fresh id, even across a reopen.
  Reopen();
  StreamId b2 = Insert("b");
  EXPECT_GT(b2.value(), b.value());
  EXPECT_TRUE(catalog_->LoadShards(b2)->empty());
  int64_t orphans = -1;
  ASSERT_TRUE(catalog_
                  ->Transaction([&](sqlite3* db) -> Status {
                    sqlite3_stmt* st = nullptr;
                    sqlite3_prepare_v2(db, "SELECT count(*) FROM shards WHERE stream_id = ?1", -1,
                                       &st, nullptr);
                    sqlite3_bind_int64(st, 1, b.value());
                    if (sqlite3_step(st) == SQLITE_ROW) orphans = sqlite3_column_int64(st, 0);
                    sqlite3_finalize(st);
                    return OkStatus();
                  })
                  .ok());
  EXPECT_EQ(0, orphans);
}

TEST_F(CatalogTest, UpsertShardsInsertsAndRewrites) {
  StreamId id = Insert("reshard", {MakeShard(0, "0", "99")});
  // Split shard 0 into 1 and 2: close the parent, add the children.
  ShardRow parent = MakeShard(0, "0", "99");
  parent.stream = id;
  parent.ending_counter = 41;
  ShardRow left = MakeShard(1, "0", "49");
  left.stream = id;
  left.parent = ShardIndex(0);
  ShardRow right = MakeShard(2, "50", "99");
  right.stream = id;
  right.parent = ShardIndex(0);
  ASSERT_TRUE(catalog_->UpsertShards({parent, left, right}).ok());
  auto shards = *catalog_->LoadShards(id);
  ASSERT_EQ(3u, shards.size());
  EXPECT_EQ(std::optional<uint64_t>(41), shards[0].ending_counter);
  EXPECT_EQ(ShardIndex(0), shards[1].parent);
  EXPECT_EQ("50", shards[2].hash_start);
  // A shard of a stream that does not exist is refused, and the batch is all-or-nothing.
  ShardRow stray = MakeShard(5, "0", "1");
  stray.stream = StreamId(id.value() + 50);
  ShardRow fine = MakeShard(3, "0", "1");
  fine.stream = id;
  EXPECT_EQ(StatusCode::kNotFound, catalog_->UpsertShards({fine, stray}).code());
  EXPECT_EQ(3u, catalog_->LoadShards(id)->size());
}

TEST_F(CatalogTest, Settings) {
  auto missing = catalog_->GetSetting("nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  ASSERT_TRUE(catalog_->PutSetting("k", "v1").ok());
  ASSERT_TRUE(catalog_->PutSetting("k", "v2").ok());
  ASSERT_TRUE(catalog_->PutSetting("quote'; DROP TABLE settings; --", std::string("a\0b", 3)).ok());
  EXPECT_EQ("v2", **catalog_->GetSetting("k"));
  EXPECT_EQ(std::string("a\0b", 3), **catalog_->GetSetting("quote'; DROP TABLE settings; --"));
}

TEST_F(CatalogTest, TransactionCommitsOrRollsBack) {
  ASSERT_TRUE(catalog_
                  ->Transaction([](sqlite3* db) -> Status {
                    if (sqlite3_exec(db, "CREATE TABLE extra (x INTEGER)", nullptr, nullptr,
                                     nullptr) != SQLITE_OK) {
                      return InternalError(sqlite3_errmsg(db));
                    }
                    return OkStatus();
                  })
                  .ok());
  Status failed = catalog_->Transaction([](sqlite3* db) -> Status {
    sqlite3_exec(db, "INSERT INTO extra VALUES (1)", nullptr, nullptr, nullptr);
    sqlite3_exec(db, "INSERT INTO settings VALUES ('rolled', 'back')", nullptr, nullptr, nullptr);
    return FailedPreconditionError("changed my mind");
  });
  EXPECT_EQ(FailedPreconditionError("changed my mind"), failed);
  EXPECT_FALSE(catalog_->GetSetting("rolled")->has_value());
  int64_t rows = -1;
  ASSERT_TRUE(catalog_
                  ->Transaction([&](sqlite3* db) -> Status {
                    sqlite3_stmt* st = nullptr;
                    sqlite3_prepare_v2(db, "SELECT count(*) FROM extra", -1, &st, nullptr);
                    if (sqlite3_step(st) == SQLITE_ROW) rows = sqlite3_column_int64(st, 0);
                    sqlite3_finalize(st);
                    return OkStatus();
                  })
                  .ok());
  EXPECT_EQ(0, rows);
  // The catalog still works after a rollback.
  Insert("after");
  EXPECT_EQ(1u, catalog_->LoadStreams()->size());
}

TEST_F(CatalogTest, OpensInWalModeWithForeignKeys) {
  std::string mode;
  int64_t fk = -1;
  ASSERT_TRUE(catalog_
                  ->Transaction([&](sqlite3* db) -> Status {
                    sqlite3_stmt* st = nullptr;
                    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr);
                    if (sqlite3_step(st) == SQLITE_ROW)
                      mode = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
                    sqlite3_finalize(st);
                    sqlite3_prepare_v2(db, "PRAGMA foreign_keys", -1, &st, nullptr);
                    if (sqlite3_step(st) == SQLITE_ROW) fk = sqlite3_column_int64(st, 0);
                    sqlite3_finalize(st);
                    return OkStatus();
                  })
                  .ok());
  EXPECT_EQ("wal", mode);
  EXPECT_EQ(1, fk);
}

TEST_F(CatalogTest, RefusesNewerSchema) {
  ASSERT_TRUE(catalog_
                  ->Transaction([](sqlite3* db) -> Status {
                    sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
                    return OkStatus();
                  })
                  .ok());
  catalog_.reset();
  auto c = Catalog::Open(path_);
  EXPECT_EQ(StatusCode::kFailedPrecondition, c.status().code());
}

TEST_F(CatalogTest, OpenFailsOnGarbageFile) {
  catalog_.reset();
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    ASSERT_NE(nullptr, f);
    std::string junk(8192, 'x');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  auto c = Catalog::Open(path_);
  EXPECT_EQ(StatusCode::kDataLoss, c.status().code()) << c.status().ToString();
  EXPECT_FALSE(Catalog::Open(dir_ + "/no/such/dir/catalog.db").ok());
}

}  // namespace
}  // namespace sluice::index
