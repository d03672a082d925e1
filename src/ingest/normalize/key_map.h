// KeyMap<V>: an immutable map from short field names to V, built once from a fixed list —
// the alias tables (normalizer_keys.h) and a projection's key classes (field_projection.h).
// Every key of every line goes through one of these, so a lookup is one multiply for the
// hash, an open-addressing probe over a table kept at most a quarter full, and a comparison
// by word loads; a miss (a dynamic key: most keys of most lines) ends at the first empty
// slot, usually the first one probed. The table is fixed once built, so no key, however
// hostile, probes longer than its largest cluster.
//
// The map keeps views: the keys given at construction must outlive it.
//
// Thread-safety: immutable after construction; Find is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace vigia::normalize {

inline uint64_t LoadKeyWord8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint32_t LoadKeyWord4(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Keys are short: two overlapping word loads per side instead of a byte loop (whose exit,
// at a different byte for every key, mispredicted; a call to memcmp was worse). Never
// reads outside either key.
inline bool SameKey(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (LoadKeyWord8(x + i) != LoadKeyWord8(y + i)) return false;
    }
    return LoadKeyWord8(x + n - 8) == LoadKeyWord8(y + n - 8);
  }
  if (n >= 4) {
    return ((LoadKeyWord4(x) ^ LoadKeyWord4(y)) |
            (LoadKeyWord4(x + n - 4) ^ LoadKeyWord4(y + n - 4))) == 0;
  }
  if (n == 0) return true;
  return x[0] == y[0] && x[n / 2] == y[n / 2] && x[n - 1] == y[n - 1];
}

// The first and last (up to) 8 bytes and the length, mixed by one multiply: the known keys
// differ within those bytes or in length, and a collision only costs a probe.
inline uint64_t KeyMapHash(std::string_view k) {
  const size_t n = k.size();
  const char* p = k.data();
  uint64_t w;
  if (n >= 8) {
    w = LoadKeyWord8(p) ^ (LoadKeyWord8(p + n - 8) >> 3);
  } else if (n >= 4) {
    w = LoadKeyWord4(p) | (uint64_t{LoadKeyWord4(p + n - 4)} << 32);
  } else if (n > 0) {
    w = static_cast<unsigned char>(p[0]) | uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
        uint64_t{static_cast<unsigned char>(p[n - 1])} << 16;
  } else {
    w = 0;
  }
  return (w + n * 0x9E3779B97F4A7C15ull) * 0xBF58476D1CE4E5B9ull;
}

template <class V>
class KeyMap {
 public:
  struct Entry {
    std::string_view key;
    V value;
  };

  KeyMap() : KeyMap(std::vector<Entry>{}) {}
  // A key given twice keeps its first value.
  explicit KeyMap(const std::vector<Entry>& entries) {
    size_t size = 64;
    while (size < 4 * entries.size()) size <<= 1;
    shift_ = 64;
    for (size_t s = size; s > 1; s >>= 1) --shift_;
    mask_ = size - 1;
    slots_.resize(size);
    for (const Entry& e : entries) {
      if (Find(e.key) != nullptr) continue;
      size_t i = Index(e.key);
      while (slots_[i].used) i = (i + 1) & mask_;
      slots_[i] = {e.key, e.value, true};
    }
  }

  // The value of `key`, or nullptr. The pointer is stable for the map's lifetime.
  const V* Find(std::string_view key) const {
    size_t i = Index(key);
    while (slots_[i].used) {
      if (SameKey(slots_[i].key, key)) return &slots_[i].value;
      i = (i + 1) & mask_;
    }
    return nullptr;
  }

 private:
  size_t Index(std::string_view key) const {
    return static_cast<size_t>(KeyMapHash(key) >> shift_);
  }

  struct Slot {
    std::string_view key;
    V value{};
    bool used = false;
  };
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  int shift_ = 0;  // 64 - log2(slots_.size()): the hash's top bits index the table
};

}  // namespace vigia::normalize
