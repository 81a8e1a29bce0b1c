// SPDX-License-Identifier: Apache-2.0
// FolderSink: hour-partitioned paths, atomic file writes, error files, finding earlier batches.
#include "consumers/deliver/folder_sink.h"

#include <nlohmann/json.hpp>
#include <random>

#include "consumers/deliver/gzip.h"
#include "consumers/framework/start_position.h"

namespace sluice::consumers::deliver {
namespace {

std::string ParentDir(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

std::string TempSuffix() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return ".tmp-" + std::to_string(rng());
}

}  // namespace

FolderSink::FolderSink(FolderSinkOptions options)
    : options_(std::move(options)), env_(options_.env != nullptr ? options_.env : PosixEnv()) {}

std::string FolderSink::Extension() const {
  std::string ext = options_.format == BatchFormat::kJsonLines ? ".jsonl" : "";
  if (options_.gzip) ext += ".gz";
  return ext;
}

std::string FolderSink::PathOf(const DeliveryBatch& batch) const {
  return options_.root + "/" + TimePrefix(batch.records.front().arrival) + "/" + batch.Name() +
         Extension();
}

Status FolderSink::EnsureDir(const std::string& dir) {
  if (env_->FileExists(dir)) return OkStatus();
  RETURN_IF_ERROR(env_->CreateDirs(dir));
  // Make the new entries durable up to the root, so a crash cannot lose the folder of a file
  // that was reported delivered.
  for (std::string d = dir; d.size() > options_.root.size(); d = ParentDir(d)) {
    RETURN_IF_ERROR(env_->SyncDir(ParentDir(d)));
  }
  return OkStatus();
}

// Like Env::WriteFileAtomically, but with a unique hidden temp name: two writers of the same
// batch (an old owner still finishing while the new one redelivers) never share a temp file.
Status FolderSink::WriteAtomically(const std::string& path, std::string_view data) {
  const std::string dir = ParentDir(path);
  const std::string tmp = dir + "/." + path.substr(dir.size() + 1) + TempSuffix();
  Status s = [&]() -> Status {
    ASSIGN_OR_RETURN(auto file, env_->NewAppendableFile(tmp));
    RETURN_IF_ERROR(file->Append(data));
    RETURN_IF_ERROR(file->Sync());
    RETURN_IF_ERROR(file->Close());
    RETURN_IF_ERROR(env_->RenameFile(tmp, path));
    return env_->SyncDir(dir);
  }();
  if (!s.ok() && env_->FileExists(tmp)) env_->RemoveFile(tmp).IgnoreError();
  return s;
}

Status FolderSink::Deliver(const DeliveryBatch& batch) {
  if (batch.records.empty()) return InvalidArgumentError("empty batch");
  std::string body = options_.format == BatchFormat::kJsonLines
                         ? EncodeJsonLines(batch)
                         : EncodeRaw(batch, options_.delimiter);
  if (options_.gzip) {
    ASSIGN_OR_RETURN(body, GzipCompress(body));
  }
  const std::string path = PathOf(batch);
  RETURN_IF_ERROR(EnsureDir(ParentDir(path)));
  return WriteAtomically(path, body);
}

Status FolderSink::DeliverFailed(const DeliveryBatch& batch, const Status& error, int attempts,
                                 const std::string& destination) {
  RETURN_IF_ERROR(Deliver(batch));
  nlohmann::ordered_json j;
  j["errorCode"] = std::string(StatusCodeName(error.code()));
  j["errorMessage"] = error.message();
  j["attempts"] = attempts;
  j["recordCount"] = batch.records.size();
  j["firstSequenceNumber"] = batch.records.front().sequence_number;
  j["lastSequenceNumber"] = batch.records.back().sequence_number;
  j["destination"] = destination;
  return WriteAtomically(PathOf(batch) + ".error.json",
                         j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

Result<std::optional<std::string>> FolderSink::DeliveredBatchEnd(std::string_view stream,
                                                                 std::string_view shard_id,
                                                                 const Record& first) {
  const std::string dir = options_.root + "/" + TimePrefix(first.arrival);
  std::optional<std::string> end;
  if (!env_->FileExists(dir)) return end;
  ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(dir));
  const std::string ext = Extension();
  for (std::string_view name : names) {
    if (name.starts_with(".") || !name.ends_with(ext)) continue;
    name.remove_suffix(ext.size());
    std::string a, b;
    if (!ParseBatchName(name, stream, shard_id, &a, &b) || a != first.sequence_number) continue;
    if (!end || CompareSequenceNumbers(b, *end) > 0) end = b;
  }
  return end;
}

}  // namespace sluice::consumers::deliver
