#include "store/codec_dict.h"

#include <unordered_map>

namespace vigia {

bool EncodeDict(std::span<const std::string_view> values, size_t max_entries, std::string* out) {
  std::unordered_map<std::string_view, uint32_t> index;
  std::vector<std::string_view> entries;
  std::vector<uint32_t> ids;
  ids.reserve(values.size());
  for (std::string_view v : values) {
    auto [it, inserted] = index.try_emplace(v, static_cast<uint32_t>(entries.size()));
    if (inserted) {
      if (entries.size() >= max_entries) return false;
      entries.push_back(v);
    }
    ids.push_back(it->second);
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

bool DecodeDict(ByteReader* in, size_t n, std::vector<std::string_view>* out) {
  uint64_t count;
  if (!in->GetVarint(&count) || count > kMaxDictEntries) return false;
  std::vector<std::string_view> entries(static_cast<size_t>(count));
  for (auto& e : entries) {
    if (!in->GetString(&e)) return false;
  }
  uint8_t width;
  if (!in->GetU8(&width) || width > 2) return false;
  out->reserve(out->size() + n);
  if (width == 0) {
    if (n > 0 && entries.empty()) return false;
    for (size_t i = 0; i < n; ++i) out->push_back(entries[0]);
    return true;
  }
  std::string_view idx;
  if (!in->GetBytes(n * width, &idx)) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(idx.data());
  for (size_t i = 0; i < n; ++i) {
    uint32_t id = width == 1 ? p[i] : (p[2 * i] | (static_cast<uint32_t>(p[2 * i + 1]) << 8));
    if (id >= entries.size()) return false;
    out->push_back(entries[id]);
  }
  return true;
}

}  // namespace vigia
