#include "server/tail_seam.h"

#include <xxhash.h>

#include <cmath>
#include <cstring>
#include <string_view>

namespace vigia {
namespace {

// Seeds the value hash with the field name and a type tag, so equal values under other names
// or of another kind differ.
uint64_t Tagged(uint64_t name_hash, uint64_t tag) {
  return name_hash + tag * 0x9E3779B97F4A7C15ull;
}

uint64_t HashWord(uint64_t seed, uint64_t w) { return XXH3_64bits_withSeed(&w, sizeof(w), seed); }

// One field's contribution; 0 for a null (absent and null are the same to a query). The
// event's key sums them, so field order does not matter. Numbers hash by value, so an
// integral float and the same int agree whichever form a column stores.
uint64_t FieldHash(std::string_view name, const Value& v) {
  const uint64_t h = XXH3_64bits(name.data(), name.size());
  switch (v.type) {
    case ValueType::kNull:
      return 0;
    case ValueType::kBool:
      return HashWord(Tagged(h, 1), v.b ? 1 : 0);
    case ValueType::kInt:
      return HashWord(Tagged(h, 2), static_cast<uint64_t>(v.i));
    case ValueType::kFloat: {
      const double f = v.f;
      if (std::isfinite(f) && std::trunc(f) == f && std::fabs(f) < 9.2e18) {
        return HashWord(Tagged(h, 2), static_cast<uint64_t>(static_cast<int64_t>(f)));
      }
      uint64_t bits;
      std::memcpy(&bits, &f, sizeof(bits));
      return HashWord(Tagged(h, 3), bits);
    }
    case ValueType::kString:
      return XXH3_64bits_withSeed(v.s.data(), v.s.size(), Tagged(h, 4));
  }
  return 0;
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
  k.content = sum;
  return k;
}

TailSeam::Key TailSeam::EventKey(const EventBatch& batch, const EventBatch::EventRef& e) {
  Key k;
  k.ts = e.ts_ns;
  uint64_t sum = 0;
  for (const Field& f : batch.fields(e)) sum += FieldHash(f.name, f.value);
  k.content = sum;
  return k;
}

void TailSeam::Sent(const QueryRecord& row) {
  if (max_keys_ == 0) return;
  if (sent_.size() == max_keys_) sent_.pop_front();
  sent_.push_back(RowKey(row));
}

void TailSeam::Close(uint64_t live_mark, Clock::time_point now) {
  mark_ = live_mark;
  closed_at_ = now;
  for (const Key& k : sent_) ++unmatched_[k];
  sent_.clear();
  sent_.shrink_to_fit();
}

bool TailSeam::SkipLive(uint64_t ticket, const EventBatch& batch, const EventBatch::EventRef& e) {
  // At or above the mark: stored after the backfill ended, so not in it.
  if (unmatched_.empty() || ticket >= *mark_) return false;
  auto it = unmatched_.find(EventKey(batch, e));
  if (it == unmatched_.end()) return false;
  if (--it->second == 0) unmatched_.erase(it);
  return true;
}

void TailSeam::Expire(Clock::time_point now) {
  if (mark_ && !unmatched_.empty() && now - closed_at_ >= hold_) {
    unmatched_ = {};  // frees the buckets too
  }
}

}  // namespace vigia
