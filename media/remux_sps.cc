// SPDX-License-Identifier: Apache-2.0
// H.264 SPS (ITU-T H.264 7.3.2.1.1, E.1.1) and H.265 SPS/VPS (ITU-T H.265 7.3.2.1-2) readers: just
// far enough for the cropped picture size and the timing info. Untrusted input: every loop is
// bounded by the spec's limits and every read is checked.
#include "media/remux_sps.h"

namespace sluice::media::remux {

uint32_t BitReader::Bits(int n) {
  uint32_t v = 0;
  for (int i = 0; i < n; ++i) {
    if (pos_ >= data_.size() * 8) {
      failed_ = true;
      return 0;
    }
    const auto byte = static_cast<uint8_t>(data_[pos_ / 8]);
    v = (v << 1) | ((byte >> (7 - pos_ % 8)) & 1u);
    ++pos_;
  }
  return v;
}

void BitReader::Skip(size_t n) {
  if (pos_ + n > data_.size() * 8) {
    failed_ = true;
    pos_ = data_.size() * 8;
    return;
  }
  pos_ += n;
}

uint32_t BitReader::Ue() {
  int zeros = 0;
  while (!failed_ && Bits(1) == 0) {
    if (++zeros > 31) {
      failed_ = true;
      return 0;
    }
  }
  if (failed_) return 0;
  const uint64_t v = (uint64_t{1} << zeros) - 1 + Bits(zeros);
  return static_cast<uint32_t>(v);
}

int32_t BitReader::Se() {
  const uint32_t k = Ue();
  const auto half = static_cast<int32_t>((k + 1) / 2);
  return (k & 1) ? half : -half;
}

std::string NalToRbsp(std::string_view nal) {
  std::string out;
  out.reserve(nal.size());
  int zeros = 0;
  for (char c : nal) {
    if (zeros >= 2 && c == '\x03') {
      zeros = 0;
      continue;
    }
    zeros = (c == '\0') ? zeros + 1 : 0;
    out.push_back(c);
  }
  return out;
}

namespace {

constexpr uint32_t kMaxDimension = 1u << 16;

void SkipH264ScalingList(BitReader* r, int size) {
  int last = 8;
  int next = 8;
  for (int j = 0; j < size && !r->failed(); ++j) {
    if (next != 0) next = (last + r->Se() % 256 + 512) % 256;
    last = (next == 0) ? last : next;
  }
}

bool HighProfile(uint32_t profile_idc) {
  switch (profile_idc) {
    case 100:
    case 110:
    case 122:
    case 244:
    case 44:
    case 83:
    case 86:
    case 118:
    case 128:
    case 138:
    case 139:
    case 134:
    case 135:
      return true;
    default:
      return false;
  }
}

// Size from the coded size minus the crop window; nullopt when the crop does not fit.
std::optional<SpsInfo> Cropped(uint64_t width, uint64_t height, uint64_t crop_x, uint64_t crop_y) {
  if (width == 0 || height == 0 || width > kMaxDimension || height > kMaxDimension ||
      crop_x >= width || crop_y >= height) {
    return std::nullopt;
  }
  SpsInfo info;
  info.width = static_cast<uint32_t>(width - crop_x);
  info.height = static_cast<uint32_t>(height - crop_y);
  return info;
}

// H.265 profile_tier_level(1, max_sub_layers_minus1).
void SkipH265ProfileTierLevel(BitReader* r, uint32_t max_sub_layers_minus1) {
  r->Skip(96);  // general profile space .. general_level_idc
  bool profile_present[8] = {};
  bool level_present[8] = {};
  for (uint32_t i = 0; i < max_sub_layers_minus1; ++i) {
    profile_present[i] = r->Flag();
    level_present[i] = r->Flag();
  }
  if (max_sub_layers_minus1 > 0) r->Skip(2 * (8 - max_sub_layers_minus1));
  for (uint32_t i = 0; i < max_sub_layers_minus1; ++i) {
    if (profile_present[i]) r->Skip(88);
    if (level_present[i]) r->Skip(8);
  }
}

}  // namespace

std::optional<SpsInfo> ParseH264Sps(std::string_view nal) {
  if (nal.empty() || (static_cast<uint8_t>(nal[0]) & 0x1f) != 7) return std::nullopt;
  const std::string rbsp = NalToRbsp(nal.substr(1));
  BitReader r(rbsp);
  const uint32_t profile_idc = r.Bits(8);
  r.Skip(16);                            // constraint flags, level_idc
  if (r.Ue() > 31) return std::nullopt;  // seq_parameter_set_id
  uint32_t chroma_format_idc = 1;
  bool separate_colour_plane = false;
  if (HighProfile(profile_idc)) {
    chroma_format_idc = r.Ue();
    if (chroma_format_idc > 3) return std::nullopt;
    if (chroma_format_idc == 3) separate_colour_plane = r.Flag();
    r.Ue();          // bit_depth_luma_minus8
    r.Ue();          // bit_depth_chroma_minus8
    r.Flag();        // qpprime_y_zero_transform_bypass_flag
    if (r.Flag()) {  // seq_scaling_matrix_present_flag
      const int lists = chroma_format_idc != 3 ? 8 : 12;
      for (int i = 0; i < lists && !r.failed(); ++i) {
        if (r.Flag()) SkipH264ScalingList(&r, i < 6 ? 16 : 64);
      }
    }
  }
  r.Ue();  // log2_max_frame_num_minus4
  const uint32_t poc_type = r.Ue();
  if (poc_type == 0) {
    r.Ue();  // log2_max_pic_order_cnt_lsb_minus4
  } else if (poc_type == 1) {
    r.Flag();
    r.Se();
    r.Se();
    const uint32_t cycle = r.Ue();
    if (cycle > 255) return std::nullopt;
    for (uint32_t i = 0; i < cycle && !r.failed(); ++i) r.Se();
  } else if (poc_type != 2) {
    return std::nullopt;
  }
  r.Ue();    // max_num_ref_frames
  r.Flag();  // gaps_in_frame_num_value_allowed_flag
  const uint64_t width_mbs = uint64_t{r.Ue()} + 1;
  const uint64_t height_map_units = uint64_t{r.Ue()} + 1;
  const bool frame_mbs_only = r.Flag();
  if (!frame_mbs_only) r.Flag();  // mb_adaptive_frame_field_flag
  r.Flag();                       // direct_8x8_inference_flag
  uint64_t crop[4] = {};
  if (r.Flag()) {
    for (uint64_t& c : crop) c = r.Ue();
  }
  if (r.failed()) return std::nullopt;
  const uint32_t chroma_array_type = separate_colour_plane ? 0 : chroma_format_idc;
  const uint64_t crop_unit_x = chroma_array_type == 0 ? 1 : (chroma_array_type == 3 ? 1 : 2);
  const uint64_t crop_unit_y = (chroma_array_type == 1 ? 2 : 1) * (frame_mbs_only ? 1 : 2);
  std::optional<SpsInfo> info =
      Cropped(width_mbs * 16, height_map_units * 16 * (frame_mbs_only ? 1 : 2),
              crop_unit_x * (crop[0] + crop[1]), crop_unit_y * (crop[2] + crop[3]));
  if (!info) return std::nullopt;
  // VUI: only the timing info is wanted; a VUI that ends early just leaves the rate unknown.
  if (!r.Flag()) return info;
  if (r.Flag() && r.Bits(8) == 255) r.Skip(32);  // aspect_ratio_idc, Extended_SAR
  if (r.Flag()) r.Flag();                        // overscan
  if (r.Flag()) {                                // video_signal_type_present_flag
    r.Skip(4);
    if (r.Flag()) r.Skip(24);  // colour description
  }
  if (r.Flag()) {  // chroma_loc_info_present_flag
    r.Ue();
    r.Ue();
  }
  if (r.Flag()) {  // timing_info_present_flag
    const uint32_t num_units_in_tick = r.Bits(32);
    const uint32_t time_scale = r.Bits(32);
    if (!r.failed() && num_units_in_tick > 0 && time_scale > 0) {
      info->frame_rate = static_cast<double>(time_scale) / (2.0 * num_units_in_tick);
    }
  }
  return info;
}

std::optional<SpsInfo> ParseH265Sps(std::string_view nal) {
  if (nal.size() < 2 || ((static_cast<uint8_t>(nal[0]) >> 1) & 0x3f) != 33) return std::nullopt;
  const std::string rbsp = NalToRbsp(nal.substr(2));
  BitReader r(rbsp);
  r.Skip(4);  // sps_video_parameter_set_id
  const uint32_t max_sub_layers_minus1 = r.Bits(3);
  if (max_sub_layers_minus1 > 6) return std::nullopt;
  r.Flag();  // sps_temporal_id_nesting_flag
  SkipH265ProfileTierLevel(&r, max_sub_layers_minus1);
  if (r.Ue() > 15) return std::nullopt;  // sps_seq_parameter_set_id
  const uint32_t chroma_format_idc = r.Ue();
  if (chroma_format_idc > 3) return std::nullopt;
  bool separate_colour_plane = false;
  if (chroma_format_idc == 3) separate_colour_plane = r.Flag();
  const uint64_t width = r.Ue();
  const uint64_t height = r.Ue();
  uint64_t window[4] = {};
  if (r.Flag()) {  // conformance_window_flag
    for (uint64_t& w : window) w = r.Ue();
  }
  if (r.failed()) return std::nullopt;
  const uint32_t chroma_array_type = separate_colour_plane ? 0 : chroma_format_idc;
  const uint64_t sub_width = (chroma_array_type == 1 || chroma_array_type == 2) ? 2 : 1;
  const uint64_t sub_height = chroma_array_type == 1 ? 2 : 1;
  return Cropped(width, height, sub_width * (window[0] + window[1]),
                 sub_height * (window[2] + window[3]));
}

double ParseH265VpsFrameRate(std::string_view nal) {
  if (nal.size() < 2 || ((static_cast<uint8_t>(nal[0]) >> 1) & 0x3f) != 32) return 0;
  const std::string rbsp = NalToRbsp(nal.substr(2));
  BitReader r(rbsp);
  r.Skip(4 + 1 + 1 + 6);  // vps_video_parameter_set_id .. vps_max_layers_minus1
  const uint32_t max_sub_layers_minus1 = r.Bits(3);
  if (max_sub_layers_minus1 > 6) return 0;
  r.Skip(1 + 16);  // vps_temporal_id_nesting_flag, vps_reserved_0xffff_16bits
  SkipH265ProfileTierLevel(&r, max_sub_layers_minus1);
  const bool ordering_info_present = r.Flag();
  for (uint32_t i = ordering_info_present ? 0 : max_sub_layers_minus1;
       i <= max_sub_layers_minus1 && !r.failed(); ++i) {
    r.Ue();
    r.Ue();
    r.Ue();
  }
  const uint32_t max_layer_id = r.Bits(6);
  const uint32_t num_layer_sets_minus1 = r.Ue();
  if (num_layer_sets_minus1 > 1023) return 0;
  r.Skip(static_cast<size_t>(num_layer_sets_minus1) * (max_layer_id + 1));
  if (!r.Flag()) return 0;  // vps_timing_info_present_flag
  const uint32_t num_units_in_tick = r.Bits(32);
  const uint32_t time_scale = r.Bits(32);
  if (r.failed() || num_units_in_tick == 0 || time_scale == 0) return 0;
  return static_cast<double>(time_scale) / num_units_in_tick;
}

}  // namespace sluice::media::remux
