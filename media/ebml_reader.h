// SPDX-License-Identifier: Apache-2.0
// EbmlReader: an incremental, push-style EBML tokenizer. Feed() takes byte chunks of any size (one
// byte at a time works) and calls an EbmlHandler for each element; the handler decides per element
// whether to descend into it, buffer its value, stream its body, or skip it. No I/O, no exceptions,
// never reads past what it was given. Used by MkvFragmenter; knows Matroska only through the level
// table in mkv_ids.h (where an unknown-size Segment or Cluster ends). Example:
//   EbmlReader reader(&handler);
//   Status s = reader.Feed(chunk);          // calls handler.OnStart/OnValue/OnData/OnEnd
//   if (s.ok()) s = reader.Finish();        // end of input: closes unknown-size elements
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace sluice::media {

// The size of an element whose size field is all ones ("unknown size", live streams).
constexpr uint64_t kEbmlUnknownSize = ~uint64_t{0};

// One element's header as read from the stream.
struct ElementHeader {
  uint32_t id = 0;          // with its length-marker bits, e.g. 0x1F43B675
  uint64_t size = 0;        // body bytes, or kEbmlUnknownSize
  uint64_t offset = 0;      // stream offset of the first id byte
  uint32_t parent_id = 0;   // id of the enclosing element, 0 at top level
  int depth = 0;            // 0 at top level
  uint8_t header_size = 0;  // id bytes + size bytes
  uint8_t raw[12] = {};     // the header bytes as received

  bool unknown_size() const { return size == kEbmlUnknownSize; }
  std::string_view raw_header() const {
    return std::string_view(reinterpret_cast<const char*>(raw), header_size);
  }
};

// What the reader does with an element's body.
enum class BodyAction {
  kMaster,  // parse the body as child elements; OnEnd when it closes
  kBuffer,  // collect the whole body (at most max_value_bytes), then OnValue
  kStream,  // pass the body through OnData in pieces as it arrives, then OnEnd
  kSkip,    // drop the body unseen
};

// Receives the reader's events. A non-OK status stops the reader (it reports EbmlError::kHandler
// and returns that status from Feed/Finish).
class EbmlHandler {
 public:
  virtual ~EbmlHandler() = default;
  virtual Result<BodyAction> OnStart(const ElementHeader& h) = 0;
  virtual Status OnValue(const ElementHeader& h, std::string_view body) = 0;
  virtual Status OnData(const ElementHeader& h, std::string_view piece) = 0;
  // For kMaster and kStream elements, after the body (or, for unknown sizes, when the next
  // element of the same or a higher level begins, or at Finish).
  virtual Status OnEnd(const ElementHeader& h) = 0;
};

enum class EbmlError {
  kNone = 0,
  kBadId,                  // id longer than 4 bytes, or a reserved id (all zero / all one bits)
  kBadSize,                // size field longer than 8 bytes
  kUnknownSizeNotAllowed,  // unknown size on anything but a Segment or Cluster
  kTooDeep,                // more nested elements than max_depth
  kValueTooLarge,          // a buffered value over max_value_bytes
  kOverflowsParent,        // a child that does not fit in its parent
  kTruncated,              // input ended inside an element
  kHandler,                // the handler returned an error
};
std::string_view EbmlErrorName(EbmlError e);

struct EbmlReaderOptions {
  size_t max_value_bytes = 8 << 20;  // largest kBuffer body (codec private data, tag strings)
  int max_depth = 16;
};

// Lifecycle: construct, Feed() any number of times, Finish() once at end of input. After an error
// every call returns that error until Reset(). Not thread-safe; one caller at a time.
class EbmlReader {
 public:
  // `handler` must outlive the reader.
  explicit EbmlReader(EbmlHandler* handler, EbmlReaderOptions options = {});
  EbmlReader(const EbmlReader&) = delete;
  EbmlReader& operator=(const EbmlReader&) = delete;

  // Consumes `data`. On error, *consumed (if given) is the number of bytes of `data` used before
  // the failure: a caller that resynchronises scans from there.
  Status Feed(std::string_view data, size_t* consumed = nullptr);
  // End of input: closes unknown-size elements (OnEnd); kTruncated if an element is incomplete.
  Status Finish();
  // Forgets all state; the next byte is the start of an element at stream offset `offset`.
  void Reset(uint64_t offset = 0);

  EbmlError error() const { return error_; }
  uint64_t offset() const { return offset_; }  // stream offset of the next byte
  size_t open_elements() const { return stack_.size(); }

 private:
  struct Open {
    ElementHeader h;
    uint64_t end;  // stream offset where the body ends; kEbmlUnknownSize if unknown
  };
  enum class State { kHeader, kBody };

  Status Fail(EbmlError e, std::string message);
  Status ReadHeaderByte(uint8_t b, bool* complete);
  Status StartElement();
  Status CloseUnknownSizedFor(uint32_t id);
  Status CloseFinished();
  Status FinishLeaf();

  // Constant after construction.
  EbmlHandler* const handler_;
  const EbmlReaderOptions options_;

  State state_ = State::kHeader;
  EbmlError error_ = EbmlError::kNone;
  Status status_;
  uint64_t offset_ = 0;
  std::vector<Open> stack_;
  // Header being read.
  ElementHeader pending_;
  uint8_t id_len_ = 0;    // 0 until the first id byte is read
  uint8_t size_len_ = 0;  // 0 until the first size byte is read
  // Leaf being read.
  ElementHeader leaf_;
  BodyAction leaf_action_ = BodyAction::kSkip;
  uint64_t remaining_ = 0;
  std::string value_;
};

}  // namespace sluice::media
