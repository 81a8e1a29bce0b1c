// SPDX-License-Identifier: Apache-2.0
// Constants of the shard segment format (<base counter>.log files). The grammar, the rationale and
// the known downsides are in engine/README.md ("Segment format"); this header holds the numbers
// only. Bump kSegmentFormatVersion for any change a version-1 reader could misread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice::engine::format {

// segment := header entry*
// header  := magic "SLCSEG01"(8) | format version u32 | base counter u64 | created_ms i64 |
//            masked crc32c u32 of the 28 bytes before it
inline constexpr char kSegmentMagic[8] = {'S', 'L', 'C', 'S', 'E', 'G', '0', '1'};
inline constexpr uint32_t kSegmentFormatVersion = 1;
inline constexpr size_t kSegmentHeaderSize = 8 + 4 + 8 + 8 + 4;  // 32

// entry := masked crc32c u32 | length u32 | type u8 | body
// The CRC covers type + body; length counts the bytes of type + body.
inline constexpr size_t kEntryHeaderSize = 4 + 4;  // crc + length; the type byte is in `length`
// Upper bound on one entry's length: a larger length field is treated as corruption, never as a
// reason to allocate. Records are bounded far below this (StreamConfig::max_record_bytes).
inline constexpr uint32_t kMaxEntryLength = 64u << 20;

// Entry types. The low 7 bits name the kind; kSafeToIgnoreBit marks kinds that a reader which does
// not know them may skip (rocksdb's log_format idea). An unknown kind without the bit is corruption
// to an old reader, so later kinds that change counter semantics must leave the bit clear.
inline constexpr uint8_t kSafeToIgnoreBit = 0x80;
inline constexpr uint8_t kTypeMask = 0x7f;
inline constexpr uint8_t kRecordType = 1;

// body (type 1, record) := counter u64 | arrival_ms i64 | key_len varint32 | key |
//                          meta_len varint32 | meta | data (the rest of the entry)
inline constexpr size_t kRecordFixedBodySize = 8 + 8;

// Sidecar time index of a sealed segment: same name with this extension (format in
// index/README.md).
inline constexpr char kSegmentExtension[] = ".log";
inline constexpr char kTimeIndexExtension[] = ".tix";
// Segment file names are the base counter in this many decimal digits, zero-padded.
inline constexpr int kSegmentNameDigits = 20;

}  // namespace sluice::engine::format
