// SPDX-License-Identifier: Apache-2.0
// MemEnv: an in-memory file system with fault injection. Files are shared FileState buffers, so a
// removed file stays readable through handles already open (like an unlinked inode).
#include "base/mem_env.h"

#include <algorithm>

namespace sluice {
namespace {

// Collapses doubled slashes and drops a trailing one: "/a//b/" -> "/a/b". "/" stays "/".
std::string Normalize(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(c);
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// The prefix every entry under dir starts with.
std::string ChildPrefix(const std::string& dir) { return dir == "/" ? dir : dir + "/"; }

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

class MemEnv::File final : public WritableFile {
 public:
  // `env` must outlive this file.
  File(MemEnv* env, std::string path, std::shared_ptr<FileState> state)
      : env_(env), path_(std::move(path)), state_(std::move(state)) {}

  Status Append(std::string_view data) override {
    if (closed_) return FailedPreconditionError("append to closed file " + path_);
    return env_->AppendTo(state_.get(), path_, data);
  }
  Status Sync() override {
    if (closed_) return FailedPreconditionError("sync of closed file " + path_);
    return env_->SyncFile(state_.get());
  }
  Status Close() override {
    closed_ = true;
    return OkStatus();
  }
  uint64_t Size() const override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return state_->data.size();
  }

 private:
  MemEnv* const env_;
  const std::string path_;
  const std::shared_ptr<FileState> state_;
  bool closed_ = false;
};

class MemEnv::Reader final : public RandomAccessFile {
 public:
  // `env` must outlive this reader.
  Reader(MemEnv* env, std::shared_ptr<FileState> state) : env_(env), state_(std::move(state)) {}

  Result<std::string_view> Read(uint64_t offset, size_t n, char* scratch) const override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    const std::string& data = state_->data;
    if (offset >= data.size()) return std::string_view(scratch, 0);
    size_t count = std::min<uint64_t>(n, data.size() - offset);
    std::copy_n(data.data() + offset, count, scratch);
    return std::string_view(scratch, count);
  }
  Result<uint64_t> Size() const override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return static_cast<uint64_t>(state_->data.size());
  }

 private:
  MemEnv* const env_;
  const std::shared_ptr<FileState> state_;
};

MemEnv::~MemEnv() = default;

void MemEnv::AddParentsLocked(const std::string& path) {
  for (size_t slash = path.find('/'); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    dirs_.insert(slash == 0 ? "/" : path.substr(0, slash));
  }
}

bool MemEnv::IsDirLocked(const std::string& path) const {
  return path == "." || dirs_.count(path) > 0;
}

Status MemEnv::AppendTo(FileState* f, const std::string& path, std::string_view data) {
  std::lock_guard<std::mutex> lock(mu_);
  if (write_budget_ && data.size() > *write_budget_) {
    f->data.append(data.data(), *write_budget_);  // the short write a full disk produces
    write_budget_ = 0;
    return ResourceExhaustedError("No space left on device: " + path);
  }
  if (write_budget_) *write_budget_ -= data.size();
  f->data.append(data.data(), data.size());
  return OkStatus();
}

Status MemEnv::SyncFile(FileState* f) {
  std::lock_guard<std::mutex> lock(mu_);
  if (failing_syncs_ > 0) {
    failing_syncs_--;
    return sync_failure_;
  }
  f->synced = f->data.size();
  sync_count_++;
  return OkStatus();
}

Result<std::unique_ptr<WritableFile>> MemEnv::NewAppendableFile(const std::string& path) {
  const std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(mu_);
  if (IsDirLocked(p)) return InternalError("open " + p + ": Is a directory");
  auto& state = files_[p];
  if (!state) state = std::make_shared<FileState>();
  AddParentsLocked(p);
  return std::unique_ptr<WritableFile>(new File(this, p, state));
}

Result<std::unique_ptr<RandomAccessFile>> MemEnv::NewRandomAccessFile(const std::string& path) {
  const std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(p);
  if (it == files_.end()) return NotFoundError("open " + p + ": No such file or directory");
  return std::unique_ptr<RandomAccessFile>(new Reader(this, it->second));
}

bool MemEnv::FileExists(const std::string& path) {
  const std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(mu_);
  return files_.count(p) > 0 || IsDirLocked(p);
}

Result<std::vector<std::string>> MemEnv::ListDir(const std::string& dir) {
  const std::string d = Normalize(dir);
  std::lock_guard<std::mutex> lock(mu_);
  if (files_.count(d) > 0) return InternalError("opendir " + d + ": Not a directory");
  if (!IsDirLocked(d)) return NotFoundError("opendir " + d + ": No such file or directory");
  const std::string prefix = d == "." ? "" : ChildPrefix(d);
  std::vector<std::string> names;
  auto add_children = [&](const auto& container, auto key_of) {
    for (auto it = container.lower_bound(prefix); it != container.end(); ++it) {
      const std::string& key = key_of(*it);
      if (!StartsWith(key, prefix)) break;
      std::string rest = key.substr(prefix.size());
      if (!rest.empty() && rest.find('/') == std::string::npos) names.push_back(std::move(rest));
    }
  };
  add_children(files_, [](const auto& kv) -> const std::string& { return kv.first; });
  add_children(dirs_, [](const std::string& s) -> const std::string& { return s; });
  return names;
}

Status MemEnv::CreateDirs(const std::string& dir) {
  const std::string d = Normalize(dir);
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t slash = d.find('/', 1);; slash = d.find('/', slash + 1)) {
    if (files_.count(d.substr(0, slash)) > 0) {
      return InternalError("mkdir " + d + ": Not a directory");
    }
    if (slash == std::string::npos) break;
  }
  AddParentsLocked(d);
  dirs_.insert(d);
  return OkStatus();
}

Status MemEnv::RemoveFile(const std::string& path) {
  const std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(mu_);
  if (IsDirLocked(p)) return InternalError("unlink " + p + ": Is a directory");
  if (files_.erase(p) == 0) return NotFoundError("unlink " + p + ": No such file or directory");
  return OkStatus();
}

Status MemEnv::RemoveDirRecursively(const std::string& dir) {
  const std::string d = Normalize(dir);
  const std::string prefix = ChildPrefix(d);
  std::lock_guard<std::mutex> lock(mu_);
  files_.erase(d);  // like rm -rf, a plain file is removed too
  dirs_.erase(d);
  std::erase_if(files_, [&](const auto& kv) { return StartsWith(kv.first, prefix); });
  std::erase_if(dirs_, [&](const std::string& s) { return StartsWith(s, prefix); });
  return OkStatus();
}

Status MemEnv::RenameFile(const std::string& from, const std::string& to) {
  const std::string f = Normalize(from);
  const std::string t = Normalize(to);
  const std::string what = "rename " + f + " -> " + t;
  std::lock_guard<std::mutex> lock(mu_);
  if (f == t) {
    if (files_.count(f) > 0 || IsDirLocked(f)) return OkStatus();
    return NotFoundError(what + ": No such file or directory");
  }
  if (auto it = files_.find(f); it != files_.end()) {
    if (IsDirLocked(t)) return InternalError(what + ": Is a directory");
    auto state = it->second;
    files_.erase(it);
    files_[t] = std::move(state);
    AddParentsLocked(t);
    return OkStatus();
  }
  if (!IsDirLocked(f)) return NotFoundError(what + ": No such file or directory");
  if (files_.count(t) > 0) return InternalError(what + ": Not a directory");
  if (StartsWith(t, ChildPrefix(f))) return InvalidArgumentError(what + ": into itself");
  const std::string from_prefix = ChildPrefix(f);
  const std::string to_prefix = ChildPrefix(t);
  for (const auto& [name, state] : files_) {
    if (StartsWith(name, to_prefix)) return InternalError(what + ": Directory not empty");
  }
  std::map<std::string, std::shared_ptr<FileState>> moved_files;
  std::erase_if(files_, [&](const auto& kv) {
    if (!StartsWith(kv.first, from_prefix)) return false;
    moved_files[to_prefix + kv.first.substr(from_prefix.size())] = kv.second;
    return true;
  });
  std::set<std::string> moved_dirs;
  std::erase_if(dirs_, [&](const std::string& s) {
    if (s != f && !StartsWith(s, from_prefix)) return false;
    moved_dirs.insert(s == f ? t : to_prefix + s.substr(from_prefix.size()));
    return true;
  });
  files_.merge(moved_files);
  dirs_.merge(moved_dirs);
  AddParentsLocked(t);
  return OkStatus();
}

Status MemEnv::TruncateFile(const std::string& path, uint64_t size) {
  const std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(p);
  if (it == files_.end()) return NotFoundError("truncate " + p + ": No such file or directory");
  FileState& f = *it->second;
  f.data.resize(size, '\0');
  f.synced = std::min<uint64_t>(f.synced, size);
  return OkStatus();
}

Result<uint64_t> MemEnv::FileSize(const std::string& path) {
  const std::string p = Normalize(path);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(p);
  if (it == files_.end()) {
    if (IsDirLocked(p)) return InternalError("stat " + p + ": Is a directory");
    return NotFoundError("stat " + p + ": No such file or directory");
  }
  return static_cast<uint64_t>(it->second->data.size());
}

Status MemEnv::SyncDir(const std::string& dir) {
  const std::string d = Normalize(dir);
  std::lock_guard<std::mutex> lock(mu_);
  if (!IsDirLocked(d)) return NotFoundError("open " + d + ": No such file or directory");
  return OkStatus();
}

void MemEnv::FailSyncs(int n, Status s) {
  std::lock_guard<std::mutex> lock(mu_);
  failing_syncs_ = n;
  sync_failure_ = std::move(s);
}

void MemEnv::SetWriteBudget(std::optional<uint64_t> bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  write_budget_ = bytes;
}

void MemEnv::DropUnsyncedData() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, state] : files_) state->data.resize(state->synced);
}

void MemEnv::CorruptByte(const std::string& path, uint64_t offset) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(Normalize(path));
  if (it == files_.end() || offset >= it->second->data.size()) return;
  it->second->data[offset] =
      static_cast<char>(~static_cast<unsigned char>(it->second->data[offset]));
}

uint64_t MemEnv::sync_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sync_count_;
}

}  // namespace sluice
