// SPDX-License-Identifier: Apache-2.0
// EbmlReader: header decoding (variable-length ids and sizes), the open-element stack with bounds
// checks, and the rules that close unknown-size elements.
#include "media/ebml_reader.h"

#include <algorithm>
#include <bit>
#include <cstdio>

#include "media/mkv_ids.h"

namespace sluice::media {

// A buffered value's memory is reserved up to this size before its bytes arrive; beyond it the
// buffer grows with the data, so a header announcing a large value costs nothing until sent.
constexpr uint64_t kMaxValueReserve = 64 << 10;

std::string_view EbmlErrorName(EbmlError e) {
  switch (e) {
    case EbmlError::kNone:
      return "none";
    case EbmlError::kBadId:
      return "bad element id";
    case EbmlError::kBadSize:
      return "bad element size";
    case EbmlError::kUnknownSizeNotAllowed:
      return "unknown size not allowed";
    case EbmlError::kTooDeep:
      return "elements nested too deep";
    case EbmlError::kValueTooLarge:
      return "element value too large";
    case EbmlError::kOverflowsParent:
      return "element overflows its parent";
    case EbmlError::kTruncated:
      return "truncated element";
    case EbmlError::kHandler:
      return "rejected by handler";
  }
  return "unknown";
}

EbmlReader::EbmlReader(EbmlHandler* handler, EbmlReaderOptions options)
    : handler_(handler), options_(options) {}

void EbmlReader::Reset(uint64_t offset) {
  state_ = State::kHeader;
  error_ = EbmlError::kNone;
  status_ = OkStatus();
  offset_ = offset;
  stack_.clear();
  pending_ = ElementHeader();
  id_len_ = 0;
  size_len_ = 0;
  remaining_ = 0;
  value_.clear();
}

Status EbmlReader::Fail(EbmlError e, std::string message) {
  error_ = e;
  status_ = e == EbmlError::kHandler
                ? Status(StatusCode::kInvalidArgument, std::move(message))
                : InvalidArgumentError("ebml: " + std::string(EbmlErrorName(e)) + " at offset " +
                                       std::to_string(offset_) + message);
  return status_;
}

// Length of a vint from its first byte: the count of leading zero bits plus one (1..8), or 9 for
// a zero byte (invalid in both ids and sizes).
static int VintLength(uint8_t first) { return std::countl_zero(first) + 1; }

Status EbmlReader::ReadHeaderByte(uint8_t b, bool* complete) {
  *complete = false;
  if (pending_.header_size == 0) pending_.offset = offset_;
  pending_.raw[pending_.header_size++] = b;
  if (id_len_ == 0) {
    int len = VintLength(b);
    if (len > 4) return Fail(EbmlError::kBadId, "");
    id_len_ = static_cast<uint8_t>(len);
    pending_.id = 0;
  }
  if (pending_.header_size <= id_len_) {
    pending_.id = (pending_.id << 8) | b;
    if (pending_.header_size == id_len_) {
      // Ids whose data bits are all zeros or all ones are reserved.
      uint32_t data_mask = (1u << (7 * id_len_)) - 1;
      uint32_t data = pending_.id & data_mask;
      if (data == 0 || data == data_mask) return Fail(EbmlError::kBadId, "");
    }
    return OkStatus();
  }
  if (size_len_ == 0) {
    int len = VintLength(b);
    if (len > 8) return Fail(EbmlError::kBadSize, "");
    size_len_ = static_cast<uint8_t>(len);
    pending_.size = b & (0xFFu >> len);
  } else {
    pending_.size = (pending_.size << 8) | b;
  }
  if (pending_.header_size < id_len_ + size_len_) return OkStatus();
  // All data bits set means "unknown size" at every length.
  uint64_t all_ones = (uint64_t{1} << (7 * size_len_)) - 1;
  if (pending_.size == all_ones) pending_.size = kEbmlUnknownSize;
  *complete = true;
  return OkStatus();
}

// An unknown-size element ends where an element of the same or a higher level begins.
Status EbmlReader::CloseUnknownSizedFor(uint32_t id) {
  int level = mkv::LevelOf(id);
  while (level >= 0 && !stack_.empty() && stack_.back().end == kEbmlUnknownSize &&
         level <= mkv::LevelOf(stack_.back().h.id)) {
    ElementHeader closed = stack_.back().h;
    stack_.pop_back();
    Status s = handler_->OnEnd(closed);
    if (!s.ok()) return Fail(EbmlError::kHandler, s.message());
  }
  return OkStatus();
}

// Closes every element whose known end is the current offset, with the unknown-size elements
// nested inside it.
Status EbmlReader::CloseFinished() {
  while (!stack_.empty()) {
    size_t i = stack_.size();
    while (i > 0 && stack_[i - 1].end != offset_) --i;
    if (i == 0) return OkStatus();
    // An element header may not run past the end of its parent.
    if (pending_.header_size > 0) return Fail(EbmlError::kOverflowsParent, "");
    while (stack_.size() >= i) {
      ElementHeader closed = stack_.back().h;
      stack_.pop_back();
      Status s = handler_->OnEnd(closed);
      if (!s.ok()) return Fail(EbmlError::kHandler, s.message());
    }
  }
  return OkStatus();
}

Status EbmlReader::StartElement() {
  ElementHeader h = pending_;
  pending_ = ElementHeader();
  id_len_ = size_len_ = 0;
  RETURN_IF_ERROR(CloseUnknownSizedFor(h.id));
  if (stack_.size() >= static_cast<size_t>(options_.max_depth)) {
    return Fail(EbmlError::kTooDeep, "");
  }
  if (h.unknown_size() && !mkv::UnknownSizeAllowed(h.id)) {
    return Fail(EbmlError::kUnknownSizeNotAllowed, "");
  }
  // The nearest ancestor with a known size bounds this element.
  for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
    if (it->end == kEbmlUnknownSize) continue;
    // offset_ > end: the header itself ran past the parent's end.
    if (offset_ > it->end || (!h.unknown_size() && h.size > it->end - offset_)) {
      return Fail(EbmlError::kOverflowsParent, "");
    }
    break;
  }
  h.depth = static_cast<int>(stack_.size());
  h.parent_id = stack_.empty() ? 0 : stack_.back().h.id;
  Result<BodyAction> action = handler_->OnStart(h);
  if (!action.ok()) return Fail(EbmlError::kHandler, action.status().message());
  if (*action == BodyAction::kMaster) {
    stack_.push_back({h, h.unknown_size() ? kEbmlUnknownSize : offset_ + h.size});
    return OkStatus();
  }
  if (h.unknown_size()) return Fail(EbmlError::kUnknownSizeNotAllowed, "");
  if (*action == BodyAction::kBuffer) {
    if (h.size > options_.max_value_bytes) return Fail(EbmlError::kValueTooLarge, "");
    value_.clear();
    value_.reserve(std::min<uint64_t>(h.size, kMaxValueReserve));
  }
  leaf_ = h;
  leaf_action_ = *action;
  remaining_ = h.size;
  state_ = State::kBody;
  if (remaining_ == 0) return FinishLeaf();
  return OkStatus();
}

Status EbmlReader::FinishLeaf() {
  state_ = State::kHeader;
  Status s;
  if (leaf_action_ == BodyAction::kBuffer) {
    s = handler_->OnValue(leaf_, value_);
  } else if (leaf_action_ == BodyAction::kStream) {
    s = handler_->OnEnd(leaf_);
  }
  if (!s.ok()) return Fail(EbmlError::kHandler, s.message());
  return OkStatus();
}

Status EbmlReader::Feed(std::string_view data, size_t* consumed) {
  size_t pos = 0;
  if (consumed != nullptr) *consumed = 0;
  if (error_ != EbmlError::kNone) return status_;
  Status s;
  while (s.ok()) {
    s = CloseFinished();
    if (!s.ok() || pos == data.size()) break;
    if (state_ == State::kHeader) {
      bool complete = false;
      s = ReadHeaderByte(static_cast<uint8_t>(data[pos]), &complete);
      if (!s.ok()) break;
      ++pos;
      ++offset_;
      if (complete) s = StartElement();
      continue;
    }
    size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size() - pos));
    std::string_view piece = data.substr(pos, n);
    if (leaf_action_ == BodyAction::kBuffer) {
      value_.append(piece);
    } else if (leaf_action_ == BodyAction::kStream) {
      Status d = handler_->OnData(leaf_, piece);
      if (!d.ok()) {
        s = Fail(EbmlError::kHandler, d.message());
        break;
      }
    }
    pos += n;
    offset_ += n;
    remaining_ -= n;
    if (remaining_ == 0) s = FinishLeaf();
  }
  if (consumed != nullptr) *consumed = pos;
  return s;
}

Status EbmlReader::Finish() {
  if (error_ != EbmlError::kNone) return status_;
  RETURN_IF_ERROR(CloseFinished());
  if (state_ == State::kBody || pending_.header_size > 0) {
    return Fail(EbmlError::kTruncated, " (input ended inside an element)");
  }
  for (const Open& o : stack_) {
    if (o.end != kEbmlUnknownSize) {
      char id[16];
      std::snprintf(id, sizeof(id), "0x%X", o.h.id);
      return Fail(EbmlError::kTruncated, std::string(" (input ended inside element ") + id + ")");
    }
  }
  while (!stack_.empty()) {
    ElementHeader closed = stack_.back().h;
    stack_.pop_back();
    Status s = handler_->OnEnd(closed);
    if (!s.ok()) return Fail(EbmlError::kHandler, s.message());
  }
  return OkStatus();
}

}  // namespace sluice::media
