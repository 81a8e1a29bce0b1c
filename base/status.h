// SPDX-License-Identifier: Apache-2.0
// Status: the one error vocabulary shared by every module. Errors are values; no exception crosses
// a module boundary. Codes follow absl::StatusCode (a small subset) with retry guidance:
//   kInvalidArgument    the caller sent something wrong; do not retry unchanged.
//   kNotFound           the named thing does not exist.
//   kAlreadyExists      the thing to create exists.
//   kFailedPrecondition the system is not in a state that allows this (e.g. stream not ACTIVE);
//                       fix the state, do not retry blindly.
//   kUnavailable        transient; retry the call with backoff.
//   kResourceExhausted  a quota, rate limit or the disk is full.
//   kDataLoss           stored bytes are corrupt.
//   kInternal           a bug or an unexpected system failure (e.g. fsync failed).
//   kCancelled          the operation was stopped (shutdown).
//   kDeadlineExceeded   something expired (an iterator, a token).
// Example:
//   Status s = log.Append(entry);
//   if (!s.ok()) return s;
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace sluice {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kUnavailable,
  kResourceExhausted,
  kDataLoss,
  kInternal,
  kCancelled,
  kDeadlineExceeded,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Marks a status as deliberately ignored.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgumentError(std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m));
}
inline Status NotFoundError(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
inline Status AlreadyExistsError(std::string m) {
  return Status(StatusCode::kAlreadyExists, std::move(m));
}
inline Status FailedPreconditionError(std::string m) {
  return Status(StatusCode::kFailedPrecondition, std::move(m));
}
inline Status UnavailableError(std::string m) {
  return Status(StatusCode::kUnavailable, std::move(m));
}
inline Status ResourceExhaustedError(std::string m) {
  return Status(StatusCode::kResourceExhausted, std::move(m));
}
inline Status DataLossError(std::string m) { return Status(StatusCode::kDataLoss, std::move(m)); }
inline Status InternalError(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }
inline Status CancelledError(std::string m) { return Status(StatusCode::kCancelled, std::move(m)); }
inline Status DeadlineExceededError(std::string m) {
  return Status(StatusCode::kDeadlineExceeded, std::move(m));
}

}  // namespace sluice

#define SLUICE_CONCAT_INNER(a, b) a##b
#define SLUICE_CONCAT(a, b) SLUICE_CONCAT_INNER(a, b)

// RETURN_IF_ERROR(expr): evaluates a Status expression and returns it from the caller if not OK.
#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::sluice::Status _sluice_status = (expr);  \
    if (!_sluice_status.ok()) return _sluice_status; \
  } while (0)
