// SPDX-License-Identifier: Apache-2.0
// DeliveryBatch names, time prefixes and body encodings.
#include "consumers/deliver/delivery_batch.h"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "consumers/framework/base64.h"

namespace sluice::consumers::deliver {

std::string DeliveryBatch::Name() const {
  return stream + "-" + shard_id + "-" + records.front().sequence_number + "-" +
         records.back().sequence_number;
}

size_t DeliveryBatch::Bytes() const {
  size_t n = 0;
  for (const Record& r : records) n += r.data.size() + r.partition_key.size();
  return n;
}

std::string TimePrefix(TimestampMs t) {
  const time_t secs = static_cast<time_t>(t.value() / 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d/%02d/%02d/%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour);
  return buf;
}

std::string EncodeJsonLines(const DeliveryBatch& batch) {
  std::string out;
  for (const Record& r : batch.records) {
    nlohmann::ordered_json j;
    j["stream"] = batch.stream;
    j["shardId"] = batch.shard_id;
    j["sequenceNumber"] = r.sequence_number;
    // Partition keys are Unicode in the Kinesis API; replace anything that is not UTF-8.
    j["partitionKey"] = r.partition_key;
    j["approximateArrivalTimestamp"] = r.arrival.value();
    j["data"] = Base64Encode(r.data);
    out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += '\n';
  }
  return out;
}

std::string EncodeRaw(const DeliveryBatch& batch, std::string_view delimiter) {
  std::string out;
  for (const Record& r : batch.records) {
    out += r.data;
    out += delimiter;
  }
  return out;
}

bool ParseBatchName(std::string_view name, std::string_view stream, std::string_view shard_id,
                    std::string* first, std::string* last) {
  const std::string prefix = std::string(stream) + "-" + std::string(shard_id) + "-";
  if (!name.starts_with(prefix)) return false;
  name.remove_prefix(prefix.size());
  const size_t dash = name.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 >= name.size()) return false;
  std::string_view a = name.substr(0, dash);
  std::string_view b = name.substr(dash + 1);
  const auto digits = [](std::string_view s) {
    return s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (!digits(a) || !digits(b)) return false;
  *first = std::string(a);
  *last = std::string(b);
  return true;
}

}  // namespace sluice::consumers::deliver
