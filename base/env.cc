// SPDX-License-Identifier: Apache-2.0
// The Env helpers that are the same for every file system: whole-file reads and atomic small-file
// writes, built only from the virtual primitives so that MemEnv and PosixEnv share them.
#include "base/env.h"

#include <algorithm>

namespace sluice {
namespace {

// "a/b/c" -> "a/b"; "c" -> "."; "/c" -> "/".
std::string ParentDir(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Result<std::string> Env::ReadFileToString(const std::string& path) {
  ASSIGN_OR_RETURN(auto file, NewRandomAccessFile(path));
  ASSIGN_OR_RETURN(uint64_t size, file->Size());
  std::string out(size, '\0');
  uint64_t done = 0;
  while (done < size) {
    ASSIGN_OR_RETURN(std::string_view got,
                     file->Read(done, static_cast<size_t>(size - done), out.data() + done));
    if (got.empty()) break;  // the file shrank under us; return what exists
    // Read may return a view that is not at our scratch position; copy if so.
    if (got.data() != out.data() + done) std::copy(got.begin(), got.end(), out.begin() + done);
    done += got.size();
  }
  out.resize(done);
  return out;
}

// Write order: temp file, its data fsynced, then renamed over the target, then the directory
// fsynced so the rename itself survives a crash. A reader sees either the old or the new file.
Status Env::WriteFileAtomically(const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  Status s = [&]() -> Status {
    if (FileExists(tmp)) RETURN_IF_ERROR(RemoveFile(tmp));  // leftover from a crash
    ASSIGN_OR_RETURN(auto file, NewAppendableFile(tmp));
    RETURN_IF_ERROR(file->Append(data));
    RETURN_IF_ERROR(file->Sync());
    RETURN_IF_ERROR(file->Close());
    RETURN_IF_ERROR(RenameFile(tmp, path));
    return SyncDir(ParentDir(path));
  }();
  if (!s.ok() && FileExists(tmp)) RemoveFile(tmp).IgnoreError();
  return s;
}

}  // namespace sluice
