// SPDX-License-Identifier: Apache-2.0
// Helpers for the delivery and batch-command suites: fixed-size records (so that size-cut
// batches are predictable), JSON-lines parsing, gunzip through gzip(1), and reading back every
// batch file a FolderSink wrote. Header-only because tests/consumers globs only *_test.cc files.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "consumers/framework/base64.h"
#include "consumers/framework/start_position.h"

namespace sluice::consumers::testing {

// One record as found in a delivered JSON line.
struct DeliveredRecord {
  std::string stream;
  std::string shard_id;
  std::string sequence_number;
  std::string partition_key;
  int64_t arrival = 0;
  std::string data;
};

inline std::vector<DeliveredRecord> ParseJsonLines(const std::string& body) {
  std::vector<DeliveredRecord> out;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line);
    auto data = Base64Decode(j.at("data").get<std::string>());
    EXPECT_TRUE(data.ok());
    out.push_back({j.at("stream"), j.at("shardId"), j.at("sequenceNumber"), j.at("partitionKey"),
                   j.at("approximateArrivalTimestamp"), data.ok() ? *data : ""});
  }
  return out;
}

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline void WriteWholeFile(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary);
  f << data;
}

// Decompresses with gzip(1), which also validates the CRC and length trailer.
inline std::string Gunzip(const std::string& path) {
  std::string out;
  FILE* p = popen(("gzip -dc '" + path + "'").c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << "gzip -dc " << path;
  return out;
}

// Every batch file under `root` (not under root/errors, not hidden, not .error.json), by path.
inline std::map<std::string, std::string> BatchFiles(const std::string& root) {
  std::map<std::string, std::string> out;
  if (!std::filesystem::exists(root)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    const std::string rel = std::filesystem::relative(e.path(), root).string();
    const std::string name = e.path().filename().string();
    if (rel.starts_with("errors/") || name.starts_with(".") || name.ends_with(".error.json")) {
      continue;
    }
    out[rel] = name.ends_with(".gz") ? Gunzip(e.path().string()) : ReadWholeFile(e.path());
  }
  return out;
}

// The records of every batch file under `root`, per shard id, batches ordered by their first
// sequence number (numerically).
inline std::map<std::string, std::vector<DeliveredRecord>> RecordsByShard(const std::string& root) {
  std::vector<std::vector<DeliveredRecord>> batches;
  for (const auto& [path, body] : BatchFiles(root)) batches.push_back(ParseJsonLines(body));
  std::sort(batches.begin(), batches.end(), [](const auto& a, const auto& b) {
    return CompareSequenceNumbers(a.front().sequence_number, b.front().sequence_number) < 0;
  });
  std::map<std::string, std::vector<DeliveredRecord>> out;
  for (auto& b : batches) {
    for (auto& r : b) out[r.shard_id].push_back(std::move(r));
  }
  return out;
}

inline std::vector<std::string> SequenceNumbers(const std::vector<DeliveredRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.sequence_number);
  return out;
}

}  // namespace sluice::consumers::testing
