// SPDX-License-Identifier: Apache-2.0
// Result<T>: a value or a non-OK Status (absl::StatusOr). Use it for any fallible function that
// produces a value. Example:
//   Result<Segment> seg = Segment::Open(env, path);
//   if (!seg.ok()) return seg.status();
//   ASSIGN_OR_RETURN(auto batch, shard.Read(from, limit));
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "base/status.h"

namespace sluice {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "Result built from an OK status carries no value");
    if (status_.ok()) status_ = InternalError("Result constructed from OK status without value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T&& operator*() && { return std::move(*value_); }

 private:
  Status status_;  // OK when value_ is set
  std::optional<T> value_;
};

}  // namespace sluice

// ASSIGN_OR_RETURN(lhs, expr): evaluates a Result expression; returns its Status from the caller on
// error, otherwise moves the value into lhs (which may be a declaration such as `auto x`).
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(SLUICE_CONCAT(_sluice_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
