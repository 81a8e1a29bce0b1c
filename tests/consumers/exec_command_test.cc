// SPDX-License-Identifier: Apache-2.0
// RunCommand with real programs through /bin/sh: stdin delivery (large too), exit codes,
// output capture and its bound, environment, a command that never reads its input, timeouts
// that kill the whole process group, and a program that does not exist; plus the Lambda-style
// Kinesis event the batch command reads.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "consumers/exec/command_runner.h"
#include "consumers/exec/kinesis_event.h"
#include "consumers/framework/base64.h"

namespace sluice::consumers::exec {
namespace {

Result<CommandResult> Sh(const std::string& script, std::string_view input = "",
                         CommandOptions options = {}) {
  return RunCommand({"/bin/sh", "-c", script}, input, options);
}

TEST(RunCommandTest, StdinOutputAndExitCode) {
  auto r = Sh("tr a-z A-Z; echo err >&2; exit 3", "hello");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->output, "HELLOerr\n");
  EXPECT_EQ(r->Describe(1000), "exit code 3");
  auto ok = Sh("true");
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->ok());
}

TEST(RunCommandTest, LargeInputArrivesWhole) {
  std::string big(3 << 20, 'x');
  auto r = Sh("wc -c", big);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::stoul(r->output), big.size());
}

TEST(RunCommandTest, CommandThatIgnoresItsInputDoesNotHurtTheCaller) {
  std::string big(3 << 20, 'x');
  auto r = Sh("exit 0", big);  // exits before reading: the write fails with EPIPE, no SIGPIPE
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok());
}

TEST(RunCommandTest, OutputIsBounded) {
  auto r = Sh("yes | head -c 1000000", "", {.max_output_bytes = 1000});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->output.size(), 1000u);
}

TEST(RunCommandTest, EnvironmentIsPassed) {
  auto r = Sh("printf '%s' \"$SLUICE_X\"", "", {.env = {{"SLUICE_X", "value"}}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output, "value");
}

TEST(RunCommandTest, TimeoutKillsTheProcessGroup) {
  // The shell's child sleeps too; both must die, or the output pipe would stay open.
  auto r = Sh("sleep 30 & sleep 30", "", {.timeout_ms = 200});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->Describe(200), "timed out after 200 ms");
  auto closed = Sh("exec >&- 2>&-; sleep 30", "", {.timeout_ms = 200});  // output closed early
  ASSERT_TRUE(closed.ok());
  EXPECT_TRUE(closed->timed_out);
}

TEST(RunCommandTest, SignalsAndMissingPrograms) {
  auto r = Sh("kill -TERM $$");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->signal, 15);
  EXPECT_EQ(r->Describe(0), "killed by signal 15");
  auto missing = RunCommand({"/nonexistent/program"}, "", {});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->exit_code, 127);
  auto path = RunCommand({"sh", "-c", "exit 4"}, "", {});  // found through PATH
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->exit_code, 4);
  EXPECT_EQ(RunCommand({}, "", {}).status().code(), StatusCode::kInvalidArgument);
}

TEST(KinesisEventTest, LambdaShape) {
  std::vector<Record> records = {{.sequence_number = "111",
                                  .arrival = TimestampMs(1'700'000'000'123),
                                  .partition_key = "k1",
                                  .data = std::string("\x00bin", 4)},
                                 {.sequence_number = "112",
                                  .arrival = TimestampMs(1'700'000'000'500),
                                  .partition_key = "k2",
                                  .data = "two"}};
  const std::string text = EncodeKinesisEvent(
      records, {.shard_id = "shardId-000000000001",
                .stream_arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s"});
  nlohmann::json j = nlohmann::json::parse(text);
  ASSERT_EQ(j["Records"].size(), 2u);
  const auto& e = j["Records"][0];
  EXPECT_EQ(e["eventSource"], "aws:kinesis");
  EXPECT_EQ(e["eventName"], "aws:kinesis:record");
  EXPECT_EQ(e["eventID"], "shardId-000000000001:111");
  EXPECT_EQ(e["eventSourceARN"], "arn:aws:kinesis:us-east-1:000000000000:stream/s");
  EXPECT_EQ(e["awsRegion"], "us-east-1");
  EXPECT_EQ(e["kinesis"]["partitionKey"], "k1");
  EXPECT_EQ(e["kinesis"]["sequenceNumber"], "111");
  EXPECT_EQ(e["kinesis"]["kinesisSchemaVersion"], "1.0");
  EXPECT_DOUBLE_EQ(e["kinesis"]["approximateArrivalTimestamp"].get<double>(), 1700000000.123);
  EXPECT_EQ(*Base64Decode(e["kinesis"]["data"].get<std::string>()), records[0].data);
  EXPECT_EQ(j["Records"][1]["kinesis"]["partitionKey"], "k2");
}

}  // namespace
}  // namespace sluice::consumers::exec
