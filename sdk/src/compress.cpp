#include "compress.h"

#include <zlib.h>
#include <zstd.h>

namespace vigia::sdk::internal {

std::string_view content_encoding(Compression c) {
  switch (c) {
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
    case Compression::kNone:
      return "";
  }
  return "";
}

bool compress_body(Compression c, std::string_view in, std::string* out) {
  if (c == Compression::kNone) {
    out->assign(in);
    return true;
  }
  if (c == Compression::kZstd) {
    std::string r(ZSTD_compressBound(in.size()), '\0');
    size_t n = ZSTD_compress(r.data(), r.size(), in.data(), in.size(), 3);
    if (ZSTD_isError(n)) return false;
    r.resize(n);
    *out = std::move(r);
    return true;
  }
  z_stream zs{};
  // windowBits 15 + 16 selects the gzip wrapper.
  if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
  std::string r(deflateBound(&zs, in.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(r.data());
  zs.avail_out = static_cast<uInt>(r.size());
  int rc = deflate(&zs, Z_FINISH);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return false;
  r.resize(zs.total_out);
  *out = std::move(r);
  return true;
}

}  // namespace vigia::sdk::internal
