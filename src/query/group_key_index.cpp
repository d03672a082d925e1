#include "query/group_key_index.h"

#include <functional>

namespace vigia {

uint64_t GroupKeyIndex::Hash(std::string_view key) {
  // libstdc++'s murmur-based byte hash, with the bits mixed again: the slot is taken from
  // the low bits, and keys that differ in one byte (consecutive IPs) must spread there.
  uint64_t h = std::hash<std::string_view>{}(key);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

std::string_view GroupKeyIndex::key(uint32_t group) const {
  const uint64_t begin = group == 0 ? 0 : key_ends_[group - 1];
  return std::string_view(arena_).substr(begin, key_ends_[group] - begin);
}

std::optional<uint32_t> GroupKeyIndex::Find(std::string_view key, uint64_t hash) const {
  if (slots_.empty()) return std::nullopt;
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.group == kEmpty) return std::nullopt;
    if (s.hash == hash && this->key(s.group) == key) return s.group;
  }
}

uint32_t GroupKeyIndex::Insert(std::string_view key, uint64_t hash) {
  if ((size() + 1) * 2 > slots_.size()) Grow();
  const uint32_t group = static_cast<uint32_t>(size());
  arena_.append(key);
  key_ends_.push_back(arena_.size());
  const size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i].group != kEmpty) i = (i + 1) & mask;
  slots_[i] = {hash, group};
  return group;
}

void GroupKeyIndex::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.group == kEmpty) continue;
    size_t i = s.hash & mask;
    while (slots_[i].group != kEmpty) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

uint64_t GroupKeyIndex::memory_bytes() const {
  return slots_.capacity() * sizeof(Slot) + arena_.capacity() +
         key_ends_.capacity() * sizeof(uint64_t);
}

}  // namespace vigia
