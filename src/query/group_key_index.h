// GroupKeyIndex: the `stats` pipe's map from a group's encoded key (the `by` values as bytes,
// StatsAggregator's encoding) to its group number. Open addressing over 16-byte slots (the
// key's hash and its group) with every key's bytes in one arena: a lookup touches one slot
// and one key, and a new group costs no allocation of its own (only the amortized growth of
// three vectors). `stats … by (ip)` or `by (ip, route)` over millions of rows looks a key up
// once per distinct key per block and adds hundreds of thousands of groups; a node-based map
// paid a node and a string per group and a cache miss per pointer it followed.
//
// Thread-safety: externally synchronized (one per aggregator, one aggregator per thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigia {

class GroupKeyIndex {
 public:
  static uint64_t Hash(std::string_view key);

  // The group of `key`, if it was inserted. REQUIRES: hash == Hash(key).
  std::optional<uint32_t> Find(std::string_view key, uint64_t hash) const;
  // Adds `key` as group number size(), and returns it.
  // REQUIRES: hash == Hash(key); Find(key, hash) is empty; size() < UINT32_MAX.
  uint32_t Insert(std::string_view key, uint64_t hash);

  size_t size() const { return key_ends_.size(); }
  // The key of group `group`. REQUIRES: group < size().
  std::string_view key(uint32_t group) const;
  // Bytes held (slots, keys, offsets), for the query's memory limit.
  uint64_t memory_bytes() const;

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t group = kEmpty;
  };
  static constexpr uint32_t kEmpty = UINT32_MAX;
  void Grow();

  std::vector<Slot> slots_;         // size a power of two (or 0), at most half full
  std::string arena_;               // every key's bytes, in group order
  std::vector<uint64_t> key_ends_;  // per group: the end of its key in arena_
};

}  // namespace vigia
