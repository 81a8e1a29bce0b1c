// SPDX-License-Identifier: Apache-2.0
// logfmt lines: field order, quoting and escaping, level filtering, whole lines under concurrency.
#include "base/log.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace sluice::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetSink([this](std::string_view line) { lines_.emplace_back(line); });
    SetLevel(Level::kInfo);
  }
  void TearDown() override {
    SetSink({});
    SetLevel(Level::kInfo);
  }
  std::vector<std::string> lines_;  // written under the log's own mutex
};

TEST_F(LogTest, FormatsLogfmtLine) {
  LOG_INFO("engine", "recovered shard", {{"stream", "orders"}, {"shard", 3}, {"ok", true}});
  ASSERT_EQ(1u, lines_.size());
  std::regex re(R"(ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=info component=engine )"
                R"(msg="recovered shard" stream=orders shard=3 ok=1)");
  EXPECT_TRUE(std::regex_match(lines_[0], re)) << lines_[0];
}

TEST_F(LogTest, QuotesAndEscapesValues) {
  LOG_WARN("web", "say \"hi\"",
           {{"path", "/a b"}, {"empty", ""}, {"nl", "x\ny"}, {"eq", "a=b"}, {"bs", "c:\\d"}});
  ASSERT_EQ(1u, lines_.size());
  const std::string& l = lines_[0];
  EXPECT_NE(std::string::npos, l.find(R"(level=warn component=web msg="say \"hi\"")")) << l;
  EXPECT_NE(std::string::npos, l.find(R"( path="/a b" empty="" nl="x\ny" eq="a=b" bs="c:\\d")"))
      << l;
}

TEST_F(LogTest, LevelFiltering) {
  SetLevel(Level::kWarn);
  EXPECT_FALSE(Enabled(Level::kInfo));
  EXPECT_TRUE(Enabled(Level::kError));
  LOG_DEBUG("x", "no");
  LOG_INFO("x", "no");
  LOG_ERROR("x", "yes");
  ASSERT_EQ(1u, lines_.size());
  EXPECT_NE(std::string::npos, lines_[0].find("level=error"));
  SetLevel(Level::kDebug);
  LOG_DEBUG("x", "now yes");
  EXPECT_EQ(2u, lines_.size());
}

TEST_F(LogTest, ConcurrentLinesStayWhole) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([t] {
      for (int i = 0; i < 200; i++) LOG_INFO("t", "tick", {{"thread", t}, {"i", i}});
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(800u, lines_.size());
  std::regex re(R"(ts=\S+ level=info component=t msg="tick" thread=\d i=\d+)");
  for (const auto& l : lines_) ASSERT_TRUE(std::regex_match(l, re)) << l;
}

}  // namespace
}  // namespace sluice::log
