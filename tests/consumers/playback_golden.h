// SPDX-License-Identifier: Apache-2.0
// Golden files for playlists and manifests: ExpectGolden(name, text) compares `text` with
// tests/consumers/golden/<name>; with SLUICE_UPDATE_GOLDEN=1 in the environment it rewrites the
// file instead (review the diff before committing). Header-only (tests glob *_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace sluice::consumers::playback::testing {

inline std::filesystem::path GoldenDir() {
  return std::filesystem::path(__FILE__).parent_path() / "golden";
}

inline void ExpectGolden(const std::string& name, const std::string& text) {
  const std::filesystem::path path = GoldenDir() / name;
  const char* update = std::getenv("SLUICE_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << text;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "missing golden file " << path
                         << " (run with SLUICE_UPDATE_GOLDEN=1 to create it)";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), text) << "golden file " << path << " differs";
}

// Replaces every occurrence of `token` in `text` by "TOKEN".
inline std::string MaskToken(std::string text, const std::string& token) {
  if (token.empty()) return text;
  for (size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + 5)) {
    text.replace(at, token.size(), "TOKEN");
  }
  return text;
}

}  // namespace sluice::consumers::playback::testing
