#include "server/tail_seam.h"

#include <cmath>
#include <cstring>
#include <string_view>

namespace vigia {
namespace {

// 64-bit FNV-1a over bytes, finished with a murmur-style mix so that summing field hashes
// (order independence) does not cancel structure.
uint64_t HashBytes(uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001B3ull;
  }
  return h;
}

uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

uint64_t HashWord(uint64_t h, uint64_t w) {
  char bytes[sizeof(w)];
  std::memcpy(bytes, &w, sizeof(w));
  return HashBytes(h, std::string_view(bytes, sizeof(bytes)));
}

// One field's contribution; 0 for a null (absent and null are the same to a query).
// Numbers hash by value, so an integral float and the same int agree whichever form a
// column stores.
uint64_t FieldHash(std::string_view name, const Value& v) {
  uint64_t h = HashBytes(0xCBF29CE484222325ull, name);
  h = HashBytes(h, std::string_view("\0", 1));
  switch (v.type) {
    case ValueType::kNull:
      return 0;
    case ValueType::kBool:
      h = HashWord(h, v.b ? 1 : 2);
      break;
    case ValueType::kInt:
      h = HashWord(HashWord(h, 3), static_cast<uint64_t>(v.i));
      break;
    case ValueType::kFloat: {
      double f = v.f;
      if (std::isfinite(f) && std::trunc(f) == f && std::fabs(f) < 9.2e18) {
        h = HashWord(HashWord(h, 3), static_cast<uint64_t>(static_cast<int64_t>(f)));
      } else {
        uint64_t bits;
        std::memcpy(&bits, &f, sizeof(bits));
        h = HashWord(HashWord(h, 4), bits);
      }
      break;
    }
    case ValueType::kString:
      h = HashBytes(HashWord(h, 5), v.s);
      break;
  }
  return Mix(h);
}

}  // namespace

TailSeam::Key TailSeam::RowKey(const QueryRecord& row) {
  Key k;
  uint64_t sum = 0;
  for (const auto& [name, value] : row.cols) {
    if (IsTimeField(name)) {
      k.ts = value.i;
      continue;
    }
    sum += FieldHash(name, value.view());
  }
  k.content = Mix(sum);
  return k;
}

TailSeam::Key TailSeam::EventKey(const EventBatch& batch, const EventBatch::EventRef& e) {
  Key k;
  k.ts = e.ts_ns;
  uint64_t sum = 0;
  for (const Field& f : batch.fields(e)) sum += FieldHash(f.name, f.value);
  k.content = Mix(sum);
  return k;
}

void TailSeam::Sent(const QueryRecord& row) {
  if (max_keys_ == 0) return;
  if (sent_.size() == max_keys_) sent_.pop_front();
  sent_.push_back(RowKey(row));
}

void TailSeam::Close(uint64_t live_mark) {
  mark_ = live_mark;
  for (const Key& k : sent_) ++unmatched_[k];
  sent_.clear();
  sent_.shrink_to_fit();
}

bool TailSeam::SkipLive(uint64_t seq, const EventBatch& batch, const EventBatch::EventRef& e) {
  if (unmatched_.empty()) return false;
  if (seq >= *mark_) {
    // Published after the backfill ended: past the seam for good (the feed is in order).
    unmatched_.clear();
    return false;
  }
  auto it = unmatched_.find(EventKey(batch, e));
  if (it == unmatched_.end()) return false;
  if (--it->second == 0) unmatched_.erase(it);
  return true;
}

}  // namespace vigia
