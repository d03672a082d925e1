// zstd framing of one stored column block: the part writer compresses every encoded block and
// keeps the compressed form only when it is smaller (random ids and packed hex are left
// alone). A stored block is: u8 compression (0 none, 1 zstd), varint raw_size, payload.
//
// Thread-safety: stateless functions, thread-safe (contexts are per call / thread_local).
#pragma once

#include <string>
#include <string_view>

namespace vigia {

enum class BlockCompression : uint8_t { kNone = 0, kZstd = 1 };

// Largest decoded size accepted for one stored block. Blocks hold at most kPartBlockRows rows
// (limits.h); this guards the allocation when a corrupt header claims gigabytes.
inline constexpr size_t kMaxRawBlockBytes = size_t{1} << 30;

// Largest per-thread scratch buffer (a compression output, a chunk's stored or unframed bytes)
// kept between chunks: reusing it spares a fresh mapping and its page faults per chunk, and a
// huge one (a block of long strings) is not worth holding for the thread's life.
inline constexpr size_t kMaxRetainedScratchBytes = size_t{16} << 20;

// Frees `buffer` (a std::string or std::vector) when it has grown beyond
// kMaxRetainedScratchBytes.
template <typename Buffer>
void ReleaseLargeScratch(Buffer* buffer) {
  if (buffer->capacity() > kMaxRetainedScratchBytes) Buffer().swap(*buffer);
}

// zstd is kept when it saves at least 1/kZstdMinSaving of a chunk: decompression costs time
// on every read. A chunk of bit-packed ints (codec_bitpack.h) keeps it only when it saves a
// quarter: those decode several times faster than zstd inflates them, so a timestamp column
// (zstd saves ~1/6 of its packed steps) is read faster plain, for ~0.4 bytes per event.
inline constexpr size_t kZstdMinSaving = 16;
inline constexpr size_t kZstdMinSavingPacked = 4;

// Appends the framed (and, when it saves at least 1/min_saving, compressed) form of `raw` to
// `out`.
void FrameBlock(std::string_view raw, int zstd_level, std::string* out,
                size_t min_saving = kZstdMinSaving);

// Unframes `stored` into `raw`. False when the frame is malformed or does not decompress to
// exactly the recorded size.
bool UnframeBlock(std::string_view stored, std::string* raw);

// UnframeBlock without copies: an uncompressed payload is viewed in place (`stored` must
// outlive *raw), a compressed one is decompressed into *scratch, which is only ever grown (so
// what decompression overwrites is not zero-filled first). *raw is valid until *scratch
// changes.
bool UnframeBlockView(std::string_view stored, std::string* scratch, std::string_view* raw);

}  // namespace vigia
