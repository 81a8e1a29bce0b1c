// SPDX-License-Identifier: Apache-2.0
// EncodeKinesisEvent: Lambda's Kinesis event shape with base64 data and arrival in seconds.
#include "consumers/exec/kinesis_event.h"

#include <nlohmann/json.hpp>

#include "consumers/framework/base64.h"

namespace sluice::consumers::exec {

std::string EncodeKinesisEvent(const std::vector<Record>& records, const EventSource& source) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Record& r : records) {
    nlohmann::ordered_json k;
    k["kinesisSchemaVersion"] = "1.0";
    k["partitionKey"] = r.partition_key;
    k["sequenceNumber"] = r.sequence_number;
    k["data"] = Base64Encode(r.data);
    k["approximateArrivalTimestamp"] = static_cast<double>(r.arrival.value()) / 1000.0;
    nlohmann::ordered_json e;
    e["kinesis"] = std::move(k);
    e["eventSource"] = "aws:kinesis";
    e["eventVersion"] = "1.0";
    e["eventID"] = source.shard_id + ":" + r.sequence_number;
    e["eventName"] = "aws:kinesis:record";
    e["invokeIdentityArn"] = source.invoke_identity_arn;
    e["awsRegion"] = source.region;
    e["eventSourceARN"] = source.stream_arn;
    list.push_back(std::move(e));
  }
  nlohmann::ordered_json event;
  event["Records"] = std::move(list);
  return event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sluice::consumers::exec
