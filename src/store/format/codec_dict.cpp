#include "store/format/codec_dict.h"

#include <xxhash.h>

#include <algorithm>

#include "common/same_bytes.h"
#include "store/format/codec_zstd.h"

namespace vigia {

namespace {

// EncodeDict's working memory, kept per thread between calls: a block's table (65,536 slots
// for 32,768 rows) and codes are 384 KiB, above malloc's mmap threshold then (128 KiB), so
// fresh vectors per call cost a mapping, its zero-fill page faults and an munmap for every
// string column of every block (~4 % of the server under full ingest: perf, issue 20 round nine).
// Invariant between calls: every slot is 0; a call clears the slots it filled (`used`).
struct DictScratch {
  std::vector<uint32_t> slots;
  std::vector<uint32_t> used;  // the slots filled by this call
  std::vector<std::string_view> entries;
  std::vector<uint32_t> ids;
};

// Zeroes the slots the call filled and gives a huge table (a block far above kPartBlockRows
// rows) back, whichever way the call returns.
class ScratchReset {
 public:
  explicit ScratchReset(DictScratch* s) : s_(s) {}
  ScratchReset(const ScratchReset&) = delete;
  ScratchReset& operator=(const ScratchReset&) = delete;
  ~ScratchReset() {
    for (uint32_t i : s_->used) s_->slots[i] = 0;
    ReleaseLargeScratch(&s_->slots);
    ReleaseLargeScratch(&s_->ids);
  }

 private:
  DictScratch* const s_;
};

}  // namespace

bool EncodeDict(std::span<const std::string_view> values, size_t max_entries, std::string* out) {
  // Open addressing over entry numbers (0 = empty slot), in a per-thread table, and XXH3 is
  // faster than std::hash on short strings. Every string column of every block tries this
  // first, including unique ids, so it is hot.
  thread_local DictScratch scratch;
  size_t cap = 64;
  while (cap < 2 * std::min(values.size(), max_entries + 1)) cap <<= 1;
  if (scratch.slots.size() < cap) scratch.slots.resize(cap, 0);
  scratch.used.clear();
  scratch.entries.clear();
  scratch.ids.clear();
  ScratchReset reset(&scratch);
  uint32_t* const slots = scratch.slots.data();
  const size_t mask = cap - 1;
  std::vector<std::string_view>& entries = scratch.entries;
  std::vector<uint32_t>& ids = scratch.ids;
  ids.reserve(values.size());
  for (size_t n = 0; n < values.size(); ++n) {
    const std::string_view v = values[n];
    // Rows are sorted by (service, kind, ts), so equal neighbours are common: no hash.
    if (n > 0 && SameBytes(v, values[n - 1])) {
      ids.push_back(ids.back());
      continue;
    }
    size_t i = XXH3_64bits(v.data(), v.size()) & mask;
    uint32_t id;
    for (;;) {
      const uint32_t slot = slots[i];
      if (slot == 0) {
        if (entries.size() >= max_entries) return false;
        // Mostly distinct so far (unique ids, free text): give up early rather than hash
        // the whole block; such columns never make a dictionary of at most half the values.
        if (n >= 1024 && entries.size() > n - n / 8) return false;
        entries.push_back(v);
        id = static_cast<uint32_t>(entries.size() - 1);
        slots[i] = id + 1;
        scratch.used.push_back(static_cast<uint32_t>(i));
        break;
      }
      if (SameBytes(entries[slot - 1], v)) {
        id = slot - 1;
        break;
      }
      i = (i + 1) & mask;
    }
    ids.push_back(id);
  }
  ByteWriter w(out);
  w.PutVarint(entries.size());
  for (std::string_view e : entries) w.PutString(e);
  const uint8_t width = entries.size() <= 1 ? 0 : entries.size() <= 256 ? 1 : 2;
  w.PutU8(width);
  if (width == 1) {
    for (uint32_t id : ids) w.PutU8(static_cast<uint8_t>(id));
  } else if (width == 2) {
    for (uint32_t id : ids) {
      w.PutU8(static_cast<uint8_t>(id));
      w.PutU8(static_cast<uint8_t>(id >> 8));
    }
  }
  return true;
}

bool DecodeDictCodes(ByteReader* in, size_t n, std::vector<std::string_view>* entries,
                     std::vector<uint16_t>* codes) {
  uint64_t count;
  if (!in->GetVarint(&count) || count > kMaxDictEntries) return false;
  entries->assign(static_cast<size_t>(count), std::string_view());
  for (auto& e : *entries) {
    if (!in->GetString(&e)) return false;
  }
  uint8_t width;
  if (!in->GetU8(&width) || width > 2) return false;
  if (n > 0 && entries->empty()) return false;
  if (width == 0) {
    codes->resize(codes->size() + n, 0);
    return true;
  }
  std::string_view idx;
  if (!in->GetBytes(n * width, &idx)) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(idx.data());
  const size_t base = codes->size();
  codes->resize(base + n);
  uint16_t* out = codes->data() + base;
  // Validate with one max over the codes rather than a branch per value.
  uint32_t max_id = 0;
  if (width == 1) {
    for (size_t i = 0; i < n; ++i) {
      out[i] = p[i];
      max_id = std::max<uint32_t>(max_id, p[i]);
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      const uint32_t id = p[2 * i] | (static_cast<uint32_t>(p[2 * i + 1]) << 8);
      out[i] = static_cast<uint16_t>(id);
      max_id = std::max(max_id, id);
    }
  }
  return n == 0 || max_id < entries->size();
}

bool DecodeDict(ByteReader* in, size_t n, std::vector<std::string_view>* out) {
  std::vector<std::string_view> entries;
  std::vector<uint16_t> codes;
  if (!DecodeDictCodes(in, n, &entries, &codes)) return false;
  out->reserve(out->size() + n);
  for (uint16_t c : codes) out->push_back(entries[c]);
  return true;
}

}  // namespace vigia
