// SPDX-License-Identifier: Apache-2.0
// The JSON a batch command reads on stdin: the event Lambda hands a function for a Kinesis event
// source mapping, so that handlers written for Lambda read it unchanged:
//   {"Records":[{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":"k",
//     "sequenceNumber":"4959...","data":"<base64>","approximateArrivalTimestamp":1700000000.123},
//    "eventSource":"aws:kinesis","eventVersion":"1.0",
//    "eventID":"shardId-000000000000:4959...","eventName":"aws:kinesis:record",
//    "invokeIdentityArn":"...","awsRegion":"us-east-1","eventSourceARN":"arn:aws:kinesis:..."}]}
#pragma once

#include <string>
#include <vector>

#include "consumers/framework/record_source.h"

namespace sluice::consumers::exec {

struct EventSource {
  std::string shard_id;
  std::string stream_arn;  // eventSourceARN
  std::string region = "us-east-1";
  std::string invoke_identity_arn = "arn:aws:iam::000000000000:role/sluice-consumer";
};

std::string EncodeKinesisEvent(const std::vector<Record>& records, const EventSource& source);

}  // namespace sluice::consumers::exec
