#include "ingest/decompress.h"

#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <cstring>

#include "common/ascii.h"

namespace vigia {
namespace {

Status TooBig(size_t max_output) {
  return Status::ResourceExhausted("decompressed body larger than " + std::to_string(max_output) +
                                   " bytes");
}

// Output buffer that grows by doubling but never allocates more than `cap` bytes
// (std::string's own growth may round capacity up to twice the old one, so the last step
// allocates exactly).
class CappedBuffer {
 public:
  CappedBuffer(std::string* out, size_t cap, size_t first) : out_(out), cap_(cap) {
    out_->clear();
    out_->shrink_to_fit();
    Resize(std::min(cap_, std::max<size_t>(first, 1)));
  }
  char* data() { return out_->data(); }
  size_t size() const { return out_->size(); }
  bool full_at_cap() const { return out_->size() >= cap_; }
  // Doubles the buffer (up to the cap), keeping the first `used` bytes.
  void Grow(size_t used) { Resize(std::min(cap_, std::max<size_t>(size() * 2, 1)), used); }
  void Finish(size_t used) { out_->resize(used); }
  void Fail() {
    out_->clear();
    out_->shrink_to_fit();
  }

 private:
  void Resize(size_t n, size_t used = 0) {
    if (n <= out_->capacity()) {
      out_->resize(n);
      return;
    }
    std::string fresh;
    fresh.reserve(n);  // from an empty string: exactly n
    fresh.assign(out_->data(), used);
    fresh.resize(n);
    out_->swap(fresh);
  }
  std::string* out_;
  size_t cap_;
};

Status Inflate(std::string_view in, bool gzip, size_t max_output, std::string* out) {
  z_stream zs{};
  if (inflateInit2(&zs, gzip ? 16 + MAX_WBITS : MAX_WBITS) != Z_OK) {
    return Status::ResourceExhausted("zlib: cannot allocate an inflate stream");
  }
  struct Closer {
    z_stream* z;
    ~Closer() { inflateEnd(z); }
  } closer{&zs};
  const char* what = gzip ? "gzip" : "deflate";
  CappedBuffer buf(out, max_output, std::max<size_t>(in.size() * 4, 64 * 1024));
  size_t used = 0;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  if (in.size() > UINT32_MAX) {
    buf.Fail();
    return Status::InvalidArgument(std::string(what) + ": body too large");
  }
  while (true) {
    int ret;
    if (used == buf.size()) {
      if (buf.full_at_cap()) {
        // Full at the cap: one more byte of output means the body is too big.
        unsigned char probe;
        zs.next_out = &probe;
        zs.avail_out = 1;
        ret = inflate(&zs, Z_NO_FLUSH);
        if (zs.avail_out == 0) {
          buf.Fail();
          return TooBig(max_output);
        }
      } else {
        buf.Grow(used);
        continue;
      }
    } else {
      zs.next_out = reinterpret_cast<Bytef*>(buf.data() + used);
      zs.avail_out = static_cast<uInt>(std::min<size_t>(buf.size() - used, UINT32_MAX));
      const uInt before = zs.avail_out;
      ret = inflate(&zs, Z_NO_FLUSH);
      used += before - zs.avail_out;
    }
    if (ret == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Concatenated gzip members are one valid gzip file (RFC 1952 §2.2).
      if (gzip && zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
        inflateReset(&zs);
        continue;
      }
      buf.Fail();
      return Status::InvalidArgument(std::string(what) + ": trailing data after the stream");
    }
    if (ret == Z_MEM_ERROR) {
      buf.Fail();
      return Status::ResourceExhausted(std::string(what) + ": out of memory");
    }
    if (ret == Z_BUF_ERROR) {  // no progress possible
      if (zs.avail_in == 0) {
        buf.Fail();
        return Status::InvalidArgument(std::string(what) + ": truncated stream");
      }
      continue;  // output space ran out; the loop grows it
    }
    if (ret != Z_OK) {
      buf.Fail();
      return Status::InvalidArgument(std::string(what) + ": " +
                                     (zs.msg ? zs.msg : "corrupt stream"));
    }
  }
  buf.Finish(used);
  return Status::Ok();
}

Status Unzstd(std::string_view in, size_t max_output, std::string* out) {
  out->clear();
  const unsigned long long declared = ZSTD_getFrameContentSize(in.data(), in.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) {
    return Status::InvalidArgument("zstd: not a zstd frame");
  }
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared > max_output) {
    return TooBig(max_output);  // known before decoding a single byte
  }
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  if (dctx == nullptr) return Status::ResourceExhausted("zstd: cannot allocate a context");
  struct Closer {
    ZSTD_DCtx* d;
    ~Closer() { ZSTD_freeDCtx(d); }
  } closer{dctx};
  // The window is memory the decoder allocates up front; 2^27 is zstd's own default limit
  // (every standard level fits), and windows beyond the output cap are never needed.
  int wlog = 10;
  while (wlog < 27 && (size_t{1} << wlog) < max_output) ++wlog;
  ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, std::max(wlog, 23));

  size_t first = declared != ZSTD_CONTENTSIZE_UNKNOWN ? static_cast<size_t>(declared)
                                                      : std::max<size_t>(in.size() * 4, 64 * 1024);
  CappedBuffer buf(out, max_output, first);
  size_t used = 0;
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  while (true) {
    size_t ret;
    bool room_left;
    if (used == buf.size()) {
      if (!buf.full_at_cap()) {
        buf.Grow(used);
        continue;
      }
      // Full at the cap: one more byte of output means the body is too big.
      char probe;
      ZSTD_outBuffer ob{&probe, 1, 0};
      ret = ZSTD_decompressStream(dctx, &ob, &ib);
      if (!ZSTD_isError(ret) && ob.pos > 0) {
        buf.Fail();
        return TooBig(max_output);
      }
      room_left = true;
    } else {
      ZSTD_outBuffer ob{buf.data() + used, buf.size() - used, 0};
      ret = ZSTD_decompressStream(dctx, &ob, &ib);
      if (!ZSTD_isError(ret)) used += ob.pos;
      room_left = ob.pos < ob.size;
    }
    if (ZSTD_isError(ret)) {
      buf.Fail();
      const ZSTD_ErrorCode code = ZSTD_getErrorCode(ret);
      std::string msg = std::string("zstd: ") + ZSTD_getErrorName(ret);
      if (code == ZSTD_error_frameParameter_windowTooLarge ||
          code == ZSTD_error_memory_allocation) {
        return Status::ResourceExhausted(msg);
      }
      return Status::InvalidArgument(msg);
    }
    if (ib.pos == ib.size) {
      if (ret == 0) break;  // every frame complete
      // zstd flushes all it can: with output room left, it is waiting for input we lack.
      if (room_left) {
        buf.Fail();
        return Status::InvalidArgument("zstd: truncated stream");
      }
    }
  }
  buf.Finish(used);
  return Status::Ok();
}

}  // namespace

std::optional<ContentEncoding> ParseContentEncoding(std::string_view h) {
  h = ascii::TrimSpaces(h);
  if (h.empty() || ascii::EqualsLower(h, "identity")) return ContentEncoding::kIdentity;
  if (ascii::EqualsLower(h, "gzip") || ascii::EqualsLower(h, "x-gzip"))
    return ContentEncoding::kGzip;
  if (ascii::EqualsLower(h, "deflate")) return ContentEncoding::kDeflate;
  if (ascii::EqualsLower(h, "zstd")) return ContentEncoding::kZstd;
  return std::nullopt;
}

Status Decompress(ContentEncoding encoding, std::string_view in, size_t max_output,
                  std::string* out) {
  switch (encoding) {
    case ContentEncoding::kIdentity:
      out->clear();
      if (in.size() > max_output) return TooBig(max_output);
      out->assign(in);
      return Status::Ok();
    case ContentEncoding::kGzip:
    case ContentEncoding::kDeflate:
      if (in.empty()) return Status::InvalidArgument("empty compressed body");
      return Inflate(in, encoding == ContentEncoding::kGzip, max_output, out);
    case ContentEncoding::kZstd:
      if (in.empty()) return Status::InvalidArgument("empty compressed body");
      return Unzstd(in, max_output, out);
  }
  return Status::Internal("unknown content encoding");
}

}  // namespace vigia
