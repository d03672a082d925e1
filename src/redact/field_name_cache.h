// FieldNameCache: remembers a per-name decision (is this field secret, skipped, an IP, ...)
// for the names of one batch, so each distinct name is classified once per batch instead of
// once per event.
//
// Two tables. By content: a name is keyed by its length and at most 16 of its bytes read as
// two words — the first and the last eight, overlapping, which are the whole name up to 16
// bytes, so only longer names need a memcmp — with open addressing; every name ends up
// there. By address, in front of it: canonical field names are static strings shared by every
// event (event/event_fields.h), so their lookups end on a pointer compare. Only names seen
// again at the address they were first seen at go there (two-way sets, the newer first): the
// per-event arena copies of a dynamic name get a new address each time and would only evict
// the canonical names (a direct-mapped table lost ~3.7 canonical lookups per event to them
// and to each other under callgrind). The cached views stay valid for one Redact call: the
// batch's arena only grows meanwhile.
//
// Thread-safety: none; one per Redact call (on the stack).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace vigia::redact {

template <typename Class>
class FieldNameCache {
 public:
  // The cached class of `name`, or classify(name) stored for next time.
  template <typename Classify>
  Class Get(std::string_view name, const Classify& classify) {
    const uintptr_t a = reinterpret_cast<uintptr_t>(name.data());
    AddrEntry* set = &by_addr_[((a * 0x9e3779b97f4a7c15ull) >> 56) & (kAddrSlots - 2)];
    if (set[0].data == name.data() && set[0].size == name.size()) return set[0].value;
    if (set[1].data == name.data() && set[1].size == name.size()) return set[1].value;
    return GetByContent(name, classify, set);
  }

 private:
  struct Key {
    uint64_t w0 = 0, w1 = 0;
  };
  struct AddrEntry {
    const char* data = nullptr;
    size_t size = 0;
    Class value{};
  };
  struct Entry {
    const char* data = nullptr;  // where the name was first seen
    size_t size = 0;
    Key key;
    Class value{};
  };
  template <typename Classify>
  [[gnu::noinline]] Class GetByContent(std::string_view name, const Classify& classify,
                                       AddrEntry* set);
  static constexpr size_t kAddrSlots = 256;  // two-way sets
  // A power of two, several times the few dozen distinct names of a batch.
  static constexpr size_t kSlots = 256;
  static constexpr size_t kMaxProbes = 8;
  // With the length, the whole name when it has at most 16 bytes.
  static Key KeyOf(std::string_view s) {
    const char* p = s.data();
    const size_t n = s.size();
    Key k;
    if (n >= 8) {
      std::memcpy(&k.w0, p, 8);
      std::memcpy(&k.w1, p + n - 8, 8);
    } else if (n >= 4) {
      uint32_t lo, hi;
      std::memcpy(&lo, p, 4);
      std::memcpy(&hi, p + n - 4, 4);
      k.w0 = lo | uint64_t{hi} << 32;
    } else if (n > 0) {
      k.w0 = static_cast<uint8_t>(p[0]) | uint64_t{static_cast<uint8_t>(p[n / 2])} << 8 |
             uint64_t{static_cast<uint8_t>(p[n - 1])} << 16;
    }
    return k;
  }
  std::array<AddrEntry, kAddrSlots> by_addr_{};
  std::array<Entry, kSlots> by_bytes_{};
};

template <typename Class>
template <typename Classify>
Class FieldNameCache<Class>::GetByContent(std::string_view name, const Classify& classify,
                                          AddrEntry* set) {
  const Key k = KeyOf(name);
  const uint64_t h = (k.w0 ^ (k.w1 * 0x9e3779b97f4a7c15ull) ^ name.size()) * 0xff51afd7ed558ccdull;
  size_t slot = static_cast<size_t>(h >> 56) & (kSlots - 1);
  // Open addressing: two names of one slot both stay (a direct-mapped table let a pair of
  // colliding names present in every event evict each other, one classification per event).
  for (size_t probe = 0; probe < kMaxProbes; ++probe, slot = (slot + 1) & (kSlots - 1)) {
    Entry& e = by_bytes_[slot];
    if (e.data == nullptr) {
      e = {name.data(), name.size(), k, classify(name)};
      return e.value;
    }
    if (e.size != name.size() || e.key.w0 != k.w0 || e.key.w1 != k.w1 ||
        (name.size() > 16 && std::memcmp(e.data, name.data(), name.size()) != 0)) {
      continue;
    }
    if (e.data == name.data()) {  // a stable name: by address from now on
      set[1] = set[0];
      set[0] = {name.data(), name.size(), e.value};
    }
    return e.value;
  }
  // A crowded neighbourhood (hundreds of distinct names in one batch): not cached.
  return classify(name);
}

}  // namespace vigia::redact
