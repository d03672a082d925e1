#include "query/gzip_inflater.h"

#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace vigia {
namespace {

constexpr uint8_t kMagic0 = 0x1f;
constexpr uint8_t kMagic1 = 0x8b;

std::string IsalError(int code) {
  switch (code) {
    case ISAL_INVALID_BLOCK:
      return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
      return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
      return "invalid distance too far back";
    case ISAL_INVALID_WRAPPER:
      return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
      return "unknown compression method";
    case ISAL_INCORRECT_CHECKSUM:
      return "CRC mismatch (corrupt data)";
    default:  // ISA-L's codes are plain ints, not a closed enum
      return "gzip error " + std::to_string(code);
  }
}

}  // namespace

struct GzipInflater::Impl {
  inflate_state s;
  bool ended = false;           // bytes that start no member followed one: the rest is ignored
  bool pending_magic = false;   // a member ended, then the input ended on a lone 1f byte
  std::vector<uint8_t> staged;  // that byte and the next input, when pending_magic

  Impl() {
    isal_inflate_init(&s);
    s.crc_flag = ISAL_GZIP;  // parse each member's header, check its CRC-32 and length
  }

  // At the end of a member: starts the next one, or ends the stream. False when it cannot
  // tell yet (no input, or only a 1f byte).
  bool NextMember() {
    if (s.avail_in == 0) return false;
    if (s.next_in[0] != kMagic0 || (s.avail_in > 1 && s.next_in[1] != kMagic1)) {
      ended = true;  // like gzread: trailing bytes that are not gzip are not an error
      s.avail_in = 0;
      return false;
    }
    if (s.avail_in == 1) {
      pending_magic = true;
      s.avail_in = 0;
      return false;
    }
    isal_inflate_reset(&s);
    s.crc_flag = ISAL_GZIP;
    return true;
  }
};

GzipInflater::GzipInflater() : impl_(std::make_unique<Impl>()) {}
GzipInflater::~GzipInflater() = default;

bool GzipInflater::LooksLikeGzip(const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  return size >= 2 && p[0] == kMagic0 && p[1] == kMagic1;
}

void GzipInflater::SetInput(const void* data, size_t size) {
  Impl& m = *impl_;
  if (m.ended) return;
  const auto* p = static_cast<const uint8_t*>(data);
  if (m.pending_magic) {
    m.pending_magic = false;
    m.staged.assign(1, kMagic0);
    m.staged.insert(m.staged.end(), p, p + size);
    p = m.staged.data();
    size = m.staged.size();
  }
  // Input blocks are far below 4 GiB (the reader's); ISA-L counts in 32 bits.
  m.s.next_in = const_cast<uint8_t*>(p);
  m.s.avail_in = static_cast<uint32_t>(size);
}

bool GzipInflater::NeedsInput() const { return impl_->s.avail_in == 0; }

Result<size_t> GzipInflater::Inflate(char* out, size_t capacity) {
  Impl& m = *impl_;
  size_t written = 0;
  while (written < capacity && !m.ended) {
    if (m.s.block_state == ISAL_BLOCK_FINISH && !m.NextMember()) break;
    const uint32_t before_in = m.s.avail_in;
    m.s.next_out = reinterpret_cast<uint8_t*>(out + written);
    m.s.avail_out = static_cast<uint32_t>(
        std::min<size_t>(capacity - written, std::numeric_limits<uint32_t>::max()));
    const int r = isal_inflate(&m.s);
    if (r < 0) return Status::Corruption(IsalError(r));
    const size_t now = static_cast<size_t>(reinterpret_cast<char*>(m.s.next_out) - out);
    const bool progress = now != written || m.s.avail_in != before_in;
    written = now;
    // Pending output is flushed even without input, so only a call that did nothing stops.
    if (!progress && m.s.block_state != ISAL_BLOCK_FINISH) break;
  }
  return written;
}

Status GzipInflater::Finish() const {
  const Impl& m = *impl_;
  if (m.ended || m.s.block_state == ISAL_BLOCK_FINISH) return Status::Ok();
  return Status::Corruption("unexpected end of file (truncated gzip)");
}

}  // namespace vigia
