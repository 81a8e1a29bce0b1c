// SPDX-License-Identifier: Apache-2.0
// GzipCompress: gzip header, Beast raw deflate (level 6, 32 KiB window), CRC-32 and ISIZE.
#include "consumers/deliver/gzip.h"

#include <boost/beast/zlib/deflate_stream.hpp>
#include <boost/crc.hpp>
#include <cstdint>

namespace sluice::consumers::deliver {
namespace {

void PutLe32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; i++) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

Result<std::string> GzipCompress(std::string_view data) {
  namespace zlib = boost::beast::zlib;
  // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=255 (unknown).
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  zlib::deflate_stream deflate;
  deflate.reset(6, 15, 8, zlib::Strategy::normal);
  const size_t header = out.size();
  out.resize(header + deflate.upper_bound(data.size()) + 16);
  zlib::z_params zs;
  zs.next_in = data.data();
  zs.avail_in = data.size();
  zs.next_out = out.data() + header;
  zs.avail_out = out.size() - header;
  boost::system::error_code ec;
  deflate.write(zs, zlib::Flush::finish, ec);
  if (ec != zlib::error::end_of_stream) {
    return InternalError("gzip: deflate did not finish: " + ec.message());
  }
  out.resize(header + zs.total_out);
  boost::crc_32_type crc;
  crc.process_bytes(data.data(), data.size());
  PutLe32(&out, crc.checksum());
  PutLe32(&out, static_cast<uint32_t>(data.size()));  // ISIZE: the length modulo 2^32
  return out;
}

}  // namespace sluice::consumers::deliver
