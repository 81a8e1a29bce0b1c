// SPDX-License-Identifier: Apache-2.0
// TempDir: a fresh folder under $TMPDIR (or /tmp) for one test, removed with everything in it when
// the object goes away. Example: TempDir dir; Open({.data_dir = dir.path()});
#pragma once

#include <string>

namespace sluice::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace sluice::testing
