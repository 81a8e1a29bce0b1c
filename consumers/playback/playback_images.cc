// SPDX-License-Identifier: Apache-2.0
// GetImages: one image per sampling instant (start, start + interval, ... <= end), a page of
// MaxResults at a time. An instant is served by the fragment that contains it (the last one
// starting at or before it, if it has not ended yet), else NO_MEDIA; each fragment is decoded
// once for all its instants, converting only the frames picked: the last frame presented at or
// before the instant (frame pts - the fragment's first pts == instant - fragment start). A
// decoding failure is MEDIA_ERROR for that fragment's instants.
#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <set>

#include "consumers/playback/playback_internal.h"
#include "consumers/playback/playback_validation.h"
#include "media/frame_decoder.h"

namespace sluice::consumers::playback {
namespace {

// Fragments are at most 10-20 s long: one starting earlier cannot contain an instant.
constexpr int64_t kLookBackMs = 60'000;

struct PageCursor {
  int64_t stream_id = 0;
  uint8_t axis = 0;
  int64_t start = 0;
  int64_t end = 0;
  int64_t interval = 0;
  int64_t next = 0;  // the first instant of the next page
};

void PutI64(std::string* out, int64_t v) {
  for (int i = 7; i >= 0; --i)
    out->push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff));
}
int64_t GetI64(std::string_view in, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[at + i]);
  return static_cast<int64_t>(v);
}

std::string EncodeCursor(const TokenSigner& signer, const PageCursor& c) {
  std::string body;
  PutI64(&body, c.stream_id);
  body.push_back(static_cast<char>(c.axis));
  for (int64_t v : {c.start, c.end, c.interval, c.next}) PutI64(&body, v);
  return signer.Sign(TokenKind::kImagesPage, body, TokenSigner::Alphabet::kStandard);
}

Result<PageCursor> DecodeCursor(const TokenSigner& signer, std::string_view token) {
  std::optional<std::string> body =
      signer.Verify(TokenKind::kImagesPage, token, TokenSigner::Alphabet::kStandard);
  if (!body || body->size() != 41) return InvalidArgumentError("The NextToken is invalid.");
  PageCursor c;
  c.stream_id = GetI64(*body, 0);
  c.axis = static_cast<uint8_t>((*body)[8]);
  c.start = GetI64(*body, 9);
  c.end = GetI64(*body, 17);
  c.interval = GetI64(*body, 25);
  c.next = GetI64(*body, 33);
  return c;
}

// The frame to show at `instant` in a fragment: the greatest video pts at or before the
// instant's offset into the fragment.
int64_t PickFrame(const ParsedFragment& f, int64_t offset_ms) {
  std::vector<int64_t> pts;
  const uint64_t video = f.tracks.video->number;
  for (const media::Frame& frame : f.fragment.frames) {
    if (frame.track_number == video && frame.pts_ns != media::kUnknownTime) {
      pts.push_back(frame.pts_ns);
    }
  }
  if (pts.empty()) return media::kUnknownTime;
  std::sort(pts.begin(), pts.end());
  const int64_t target = pts.front() + offset_ms * 1'000'000;
  auto it = std::upper_bound(pts.begin(), pts.end(), target);
  return it == pts.begin() ? pts.front() : *(it - 1);
}

// Decodes the fragments that hold instants, in log order, one decoder per header version.
class ImageMaker {
 public:
  using ParseFn = std::function<Result<std::unique_ptr<ParsedFragment>>(const index::FragmentRow&)>;
  // `rows` must outlive the maker; `made` counts the images produced.
  ImageMaker(ParseFn parse, const ImagesRequest& request,
             const std::vector<index::FragmentRow>& rows, std::atomic<uint64_t>* made)
      : parse_(std::move(parse)), request_(request), rows_(rows), made_(made) {}

  // Fills in the images of `members` (indexes into `page`), all held by rows_[row].
  void Make(size_t row, const std::vector<size_t>& members, ImagesPage* page) {
    for (size_t i : members) page->images[i].error = ImageError::kMediaError;
    Result<std::unique_ptr<ParsedFragment>> f = parse_(rows_[row]);
    if (!f.ok() || (*f)->tracks.video == nullptr) return;
    std::map<size_t, int64_t> picked;  // image index -> pts
    std::set<int64_t> wanted;
    const int64_t start = AxisTime(rows_[row], request_.axis);
    for (size_t i : members) {
      const int64_t pts = PickFrame(**f, page->images[i].timestamp.value() - start);
      if (pts == media::kUnknownTime) continue;
      picked[i] = pts;
      wanted.insert(pts);
    }
    media::VideoDecoder* decoder = DecoderFor(row, **f);
    if (decoder == nullptr) return;
    media::DecodeOptions options;
    options.want = [&](int64_t pts) { return wanted.count(pts) > 0; };
    Result<std::vector<media::DecodedFrame>> frames =
        decoder->DecodeFragment((*f)->fragment, options);
    if (!frames.ok()) {
      decoders_.erase(rows_[row].header_version);  // start clean at the next fragment
      return;
    }
    last_[rows_[row].header_version] = row;
    for (const auto& [i, pts] : picked) {
      auto frame = std::find_if(frames->begin(), frames->end(),
                                [&](const media::DecodedFrame& d) { return d.pts_ns == pts; });
      if (frame == frames->end()) continue;
      Result<std::string> image = media::EncodeImage(*frame, Options());
      if (!image.ok()) continue;
      page->images[i].content = std::move(*image);
      page->images[i].error = ImageError::kNone;
      ++*made_;
    }
  }

 private:
  media::ImageOptions Options() const {
    return {.format = request_.png ? media::ImageFormat::kPng : media::ImageFormat::kJpeg,
            .jpeg_quality = request_.jpeg_quality,
            .width = request_.width,
            .height = request_.height};
  }

  // The decoder for the row's header, primed for a fragment that does not start with a key
  // frame: the fragments back to its key frame are decoded first (nothing converted), unless the
  // decoder just decoded the one before it.
  media::VideoDecoder* DecoderFor(size_t row, const ParsedFragment& f) {
    const uint64_t version = rows_[row].header_version;
    auto& decoder = decoders_[version];
    if (!decoder) {
      Result<std::unique_ptr<media::VideoDecoder>> made =
          media::VideoDecoder::Create(*f.tracks.video);
      if (!made.ok()) return nullptr;
      decoder = std::move(*made);
      last_.erase(version);
    }
    if (rows_[row].key_frame || (last_.count(version) > 0 && last_[version] + 1 == row)) {
      return decoder.get();
    }
    size_t first = row;
    while (first > 0 && !rows_[first].key_frame && rows_[first - 1].header_version == version &&
           rows_[first - 1].counter.value() + 1 == rows_[first].counter.value()) {
      --first;
    }
    for (size_t k = first; k < row; ++k) {
      Result<std::unique_ptr<ParsedFragment>> before = parse_(rows_[k]);
      if (!before.ok()) break;
      media::DecodeOptions none;
      none.want = [](int64_t) { return false; };
      if (!decoder->DecodeFragment((*before)->fragment, none).ok()) break;
    }
    return decoder.get();
  }

  const ParseFn parse_;
  const ImagesRequest& request_;
  const std::vector<index::FragmentRow>& rows_;
  std::atomic<uint64_t>* const made_;
  std::map<uint64_t, std::unique_ptr<media::VideoDecoder>> decoders_;  // by header version
  std::map<uint64_t, size_t> last_;  // header version -> the row its decoder decoded last
};

// The instants of one page (from `first`), and the cursor of the next page if any remain.
std::vector<int64_t> PageInstants(const ImagesRequest& r, int64_t first) {
  std::vector<int64_t> instants;
  for (int64_t t = first; t <= r.end.value() && instants.size() < r.max_results;
       t += r.sampling_interval_ms) {
    instants.push_back(t);
  }
  return instants;
}

// Which row holds each instant: the last starting at or before it, if it has not ended by then.
std::map<size_t, std::vector<size_t>> HoldingRows(const std::vector<index::FragmentRow>& rows,
                                                  index::TimeAxis axis,
                                                  const std::vector<int64_t>& instants) {
  std::map<size_t, std::vector<size_t>> by_row;
  for (size_t i = 0; i < instants.size(); ++i) {
    auto holder = std::upper_bound(
        rows.begin(), rows.end(), instants[i],
        [&](int64_t t, const index::FragmentRow& row) { return t < AxisTime(row, axis); });
    if (holder == rows.begin()) continue;
    const size_t row = static_cast<size_t>(holder - rows.begin()) - 1;
    if (instants[i] >= AxisTime(rows[row], axis) + rows[row].duration_ms) continue;
    by_row[row].push_back(i);
  }
  return by_row;
}

}  // namespace

Result<ImagesPage> PlaybackService::GetImages(const ImagesRequest& r) {
  RETURN_IF_ERROR(ValidateImagesRequest(r));
  ASSIGN_OR_RETURN(engine::StreamInfo info, impl_->PlayableStream(r.stream));
  const PageCursor here{info.id.value(), static_cast<uint8_t>(r.axis), r.start.value(),
                        r.end.value(),   r.sampling_interval_ms,       r.start.value()};
  int64_t first = r.start.value();
  if (!r.next_token.empty()) {
    ASSIGN_OR_RETURN(PageCursor c, DecodeCursor(impl_->signer, r.next_token));
    if (c.stream_id != here.stream_id || c.axis != here.axis || c.start != here.start ||
        c.end != here.end || c.interval != here.interval) {
      return InvalidArgumentError("The NextToken does not belong to this request.");
    }
    first = c.next;
  }
  ImagesPage page;
  const std::vector<int64_t> instants = PageInstants(r, first);
  if (instants.empty()) return page;
  const int64_t after = instants.back() + r.sampling_interval_ms;
  if (after <= r.end.value()) {
    PageCursor next = here;
    next.next = after;
    page.next_token = EncodeCursor(impl_->signer, next);
  }
  page.images.resize(instants.size());
  for (size_t i = 0; i < instants.size(); ++i) {
    page.images[i].timestamp = TimestampMs(instants[i]);
    page.images[i].error = ImageError::kNoMedia;
  }
  // The fragments that may hold the page's instants, in (start, counter) order.
  ASSIGN_OR_RETURN(
      std::vector<index::FragmentRow> rows,
      AllFragments(impl_->Lister(r.stream), r.axis, TimestampMs(instants.front() - kLookBackMs),
                   TimestampMs(instants.back())));
  ImageMaker maker(
      [&](const index::FragmentRow& row) { return impl_->Parse(info, row, /*allow_g711=*/true); },
      r, rows, &impl_->images);
  for (const auto& [row, members] : HoldingRows(rows, r.axis, instants)) {
    maker.Make(row, members, &page);
  }
  return page;
}

}  // namespace sluice::consumers::playback
