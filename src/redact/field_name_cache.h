// FieldNameCache: remembers a per-name decision (is this field secret, skipped, an IP, ...)
// for the names of one batch, so each distinct name is classified once per batch instead of
// once per event. Keyed by the name's bytes (a cheap hash of them); canonical field names are
// static strings shared by every event (event/event_fields.h), so their lookups end on an
// address compare (first table, direct-mapped), and dynamic names (arena copies, one per
// event) on a hash of their bytes and a short memcmp (second table, open addressing). The
// cached views stay valid for one Redact call: the batch's arena only grows meanwhile.
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
    // By address first: canonical names (most fields) end here with one compare.
    const uintptr_t a = reinterpret_cast<uintptr_t>(name.data());
    Entry& by_addr = by_addr_[((a >> 3) ^ (a >> 11) ^ name.size()) & (kSlots - 1)];
    if (by_addr.data == name.data() && by_addr.size == name.size()) return by_addr.value;
    // Then by content: the per-event copies of a dynamic name.
    uint32_t h = 2166136261u ^ static_cast<uint32_t>(name.size());  // FNV-1a
    for (char c : name) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
    // Open addressing: two names of one slot both stay (a direct-mapped table let a pair of
    // colliding names present in every event evict each other, one classification per event).
    size_t slot = (h ^ (h >> 16)) & (kSlots - 1);
    for (size_t probe = 0; probe < kMaxProbes; ++probe, slot = (slot + 1) & (kSlots - 1)) {
      Entry& e = by_bytes_[slot];
      if (e.data == nullptr) {
        e = {name.data(), name.size(), classify(name)};
      } else if (e.size != name.size() || std::memcmp(e.data, name.data(), name.size()) != 0) {
        continue;
      }
      by_addr = {name.data(), name.size(), e.value};
      return e.value;
    }
    // A crowded neighbourhood (hundreds of distinct names in one batch): not cached by bytes.
    by_addr = {name.data(), name.size(), classify(name)};
    return by_addr.value;
  }

 private:
  // A power of two, several times the few dozen names of a batch: per-event copies of dynamic
  // names take a by-address slot each, and collisions would evict the canonical names.
  static constexpr size_t kSlots = 256;
  static constexpr size_t kMaxProbes = 8;
  struct Entry {
    const char* data = nullptr;
    size_t size = 0;
    Class value{};
  };
  std::array<Entry, kSlots> by_addr_{};
  std::array<Entry, kSlots> by_bytes_{};
};

}  // namespace vigia::redact
