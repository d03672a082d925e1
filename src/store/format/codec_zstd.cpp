#include "store/format/codec_zstd.h"

// ZSTD_decompressBound (below) is in zstd's static-linking section; libzstd.so exports it
// (Debian's 1.5.x), and it has kept its signature since 1.4.0.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include <memory>

#include "store/format/codec_bytes.h"

namespace vigia {
namespace {

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

}  // namespace

void FrameBlock(std::string_view raw, int zstd_level, std::string* out, size_t min_saving) {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx(ZSTD_createCCtx());
  // Per-thread and reused: a fresh buffer per chunk costs page faults, not just a malloc.
  thread_local std::string compressed;
  if (compressed.size() < ZSTD_compressBound(raw.size())) {
    compressed.resize(ZSTD_compressBound(raw.size()));
  }
  size_t n = ZSTD_compressCCtx(cctx.get(), compressed.data(), compressed.size(), raw.data(),
                               raw.size(), zstd_level);
  ByteWriter w(out);
  if (!ZSTD_isError(n) && n < raw.size() - raw.size() / min_saving) {
    w.PutU8(static_cast<uint8_t>(BlockCompression::kZstd));
    w.PutVarint(raw.size());
    w.PutBytes(std::string_view(compressed.data(), n));
  } else {
    w.PutU8(static_cast<uint8_t>(BlockCompression::kNone));
    w.PutVarint(raw.size());
    w.PutBytes(raw);
  }
  ReleaseLargeScratch(&compressed);
}

bool UnframeBlockView(std::string_view stored, std::string* scratch, std::string_view* raw) {
  ByteReader r(stored);
  uint8_t comp;
  uint64_t raw_size;
  if (!r.GetU8(&comp) || !r.GetVarint(&raw_size) || raw_size > kMaxRawBlockBytes) return false;
  std::string_view payload;
  r.GetBytes(r.remaining(), &payload);
  if (comp == static_cast<uint8_t>(BlockCompression::kNone)) {
    if (payload.size() != raw_size) return false;
    *raw = payload;
    return true;
  }
  if (comp != static_cast<uint8_t>(BlockCompression::kZstd)) return false;
  // A damaged or hostile size claim must not make us allocate more than the frame can
  // really expand to (column_codec_fuzz had a 40-byte chunk claim 1 GiB): zstd bounds a
  // frame's output from its block headers, at most 128 KiB per block.
  const unsigned long long bound = ZSTD_decompressBound(payload.data(), payload.size());
  if (bound == ZSTD_CONTENTSIZE_ERROR || raw_size > bound) return false;
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx(ZSTD_createDCtx());
  if (scratch->size() < raw_size) scratch->resize(static_cast<size_t>(raw_size));
  size_t n = ZSTD_decompressDCtx(dctx.get(), scratch->data(), static_cast<size_t>(raw_size),
                                 payload.data(), payload.size());
  if (ZSTD_isError(n) || n != raw_size) return false;
  *raw = std::string_view(scratch->data(), static_cast<size_t>(raw_size));
  return true;
}

bool UnframeBlock(std::string_view stored, std::string* raw) {
  // UnframeBlockView decompresses into *raw (as its scratch) or views `stored`.
  std::string_view view;
  if (!UnframeBlockView(stored, raw, &view)) return false;
  if (!view.empty() && view.data() == raw->data()) {
    raw->resize(view.size());
  } else {
    raw->assign(view.data(), view.size());
  }
  return true;
}

}  // namespace vigia
