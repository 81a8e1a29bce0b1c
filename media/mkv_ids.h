// SPDX-License-Identifier: Apache-2.0
// Matroska/EBML element ids used by the parser and the writer (constants only), and the level
// table that tells where an unknown-size Segment or Cluster ends. Ids are written with their
// length marker bits, as they appear on the wire (e.g. Cluster = 0x1F43B675).
#pragma once

#include <cstdint>

namespace sluice::media::mkv {

// EBML header (level 0) and its children.
constexpr uint32_t kEbml = 0x1A45DFA3;
constexpr uint32_t kEbmlVersion = 0x4286;
constexpr uint32_t kEbmlReadVersion = 0x42F7;
constexpr uint32_t kEbmlMaxIdLength = 0x42F2;
constexpr uint32_t kEbmlMaxSizeLength = 0x42F3;
constexpr uint32_t kDocType = 0x4282;
constexpr uint32_t kDocTypeVersion = 0x4287;
constexpr uint32_t kDocTypeReadVersion = 0x4285;

// Global elements, legal anywhere.
constexpr uint32_t kVoid = 0xEC;
constexpr uint32_t kCrc32 = 0xBF;

// Segment (level 0) and its level-1 children.
constexpr uint32_t kSegment = 0x18538067;
constexpr uint32_t kSeekHead = 0x114D9B74;
constexpr uint32_t kInfo = 0x1549A966;
constexpr uint32_t kTracks = 0x1654AE6B;
constexpr uint32_t kCluster = 0x1F43B675;
constexpr uint32_t kCues = 0x1C53BB6B;
constexpr uint32_t kChapters = 0x1043A770;
constexpr uint32_t kAttachments = 0x1941A469;
constexpr uint32_t kTags = 0x1254C367;

// Info.
constexpr uint32_t kTimecodeScale = 0x2AD7B1;
constexpr uint32_t kDuration = 0x4489;
constexpr uint32_t kMuxingApp = 0x4D80;
constexpr uint32_t kWritingApp = 0x5741;

// Tracks / TrackEntry.
constexpr uint32_t kTrackEntry = 0xAE;
constexpr uint32_t kTrackNumber = 0xD7;
constexpr uint32_t kTrackUid = 0x73C5;
constexpr uint32_t kTrackType = 0x83;
constexpr uint32_t kFlagLacing = 0x9C;
constexpr uint32_t kDefaultDuration = 0x23E383;
constexpr uint32_t kName = 0x536E;
constexpr uint32_t kLanguage = 0x22B59C;
constexpr uint32_t kCodecId = 0x86;
constexpr uint32_t kCodecPrivate = 0x63A2;
constexpr uint32_t kCodecDelay = 0x56AA;
constexpr uint32_t kSeekPreRoll = 0x56BB;
constexpr uint32_t kContentEncodings = 0x6D80;
constexpr uint32_t kVideo = 0xE0;
constexpr uint32_t kPixelWidth = 0xB0;
constexpr uint32_t kPixelHeight = 0xBA;
constexpr uint32_t kAudio = 0xE1;
constexpr uint32_t kSamplingFrequency = 0xB5;
constexpr uint32_t kChannels = 0x9F;
constexpr uint32_t kBitDepth = 0x6264;

// Tags.
constexpr uint32_t kTag = 0x7373;
constexpr uint32_t kTargets = 0x63C0;
constexpr uint32_t kTagTrackUid = 0x63C5;
constexpr uint32_t kTagEditionUid = 0x63C9;
constexpr uint32_t kTagChapterUid = 0x63C4;
constexpr uint32_t kTagAttachmentUid = 0x63C6;
constexpr uint32_t kSimpleTag = 0x67C8;
constexpr uint32_t kTagName = 0x45A3;
constexpr uint32_t kTagString = 0x4487;

// Cluster.
constexpr uint32_t kTimecode = 0xE7;
constexpr uint32_t kPosition = 0xA7;
constexpr uint32_t kPrevSize = 0xAB;
constexpr uint32_t kSimpleBlock = 0xA3;
constexpr uint32_t kBlockGroup = 0xA0;
constexpr uint32_t kBlock = 0xA1;
constexpr uint32_t kBlockDuration = 0x9B;
constexpr uint32_t kReferenceBlock = 0xFB;

// Level of an element in the Matroska tree when the id alone fixes it: 0 for EBML and Segment,
// 1 for the Segment's children, -1 for everything else. An open unknown-size element of level L
// ends when an element of level <= L begins (Matroska spec, "Unknown-sized Element").
constexpr int LevelOf(uint32_t id) {
  switch (id) {
    case kEbml:
    case kSegment:
      return 0;
    case kSeekHead:
    case kInfo:
    case kTracks:
    case kCluster:
    case kCues:
    case kChapters:
    case kAttachments:
    case kTags:
      return 1;
    default:
      return -1;
  }
}

// Only these may have an unknown size (all-ones size field).
constexpr bool UnknownSizeAllowed(uint32_t id) { return id == kSegment || id == kCluster; }

}  // namespace sluice::media::mkv
