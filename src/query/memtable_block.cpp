#include "query/memtable_block.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace vigia {
namespace {

constexpr size_t kTypes = 5;  // ColumnType values

// Column indexes of one field name, per type (-1 = none yet).
using TypeSlots = std::array<int32_t, kTypes>;

}  // namespace

std::unique_ptr<MemtableBlock> MemtableBlock::Build(const EventBatch& batch) {
  std::unique_ptr<MemtableBlock> b(new MemtableBlock());
  const auto& events = batch.events();
  const size_t n = events.size();
  b->ts_.resize(n);

  std::unordered_map<std::string_view, TypeSlots> by_name;
  std::vector<TypeSlots*> names;  // per column: its name's slots (first-wins check)
  // Events of one batch usually list their fields in the same order: predict the column of
  // each field position from the previous event, and hash the name only on a miss.
  std::vector<int32_t> predicted;

  auto resolve = [&](std::string_view name, ColumnType type) -> int32_t {
    auto [it, inserted] = by_name.try_emplace(name);
    if (inserted) it->second.fill(-1);
    int32_t& slot = it->second[static_cast<size_t>(type)];
    if (slot < 0) {
      slot = static_cast<int32_t>(b->columns_.size());
      ColumnVector& c = b->columns_.emplace_back();
      c.name = std::string(name);
      c.type = type;
      c.present.assign(n, 0);
      switch (type) {
        case ColumnType::kBool:
        case ColumnType::kInt:
          c.ints.assign(n, 0);
          break;
        case ColumnType::kFloat:
          c.floats.assign(n, 0.0);
          break;
        case ColumnType::kString:
          c.strings.assign(n, std::string_view());
          break;
        case ColumnType::kNull:
          break;
      }
      names.push_back(&it->second);
    }
    return slot;
  };

  for (size_t r = 0; r < n; ++r) {
    const EventBatch::EventRef& e = events[r];
    b->ts_[r] = e.ts_ns;
    size_t pos = 0;
    for (const Field& f : batch.fields(e)) {
      const ColumnType type = ColumnTypeOf(f.value.type);
      int32_t col = -1;
      if (pos < predicted.size()) {
        const ColumnVector& p = b->columns_[static_cast<size_t>(predicted[pos])];
        if (p.type == type && p.name == f.name) col = predicted[pos];
      }
      if (col < 0) {
        col = resolve(f.name, type);
        if (pos < predicted.size()) {
          predicted[pos] = col;
        } else {
          predicted.push_back(col);
        }
      }
      ++pos;
      ColumnVector& c = b->columns_[static_cast<size_t>(col)];
      // A repeated name: the event row accessor finds the first occurrence, so keep it.
      bool seen = false;
      for (int32_t other : *names[static_cast<size_t>(col)]) {
        if (other >= 0 && b->columns_[static_cast<size_t>(other)].present[r]) seen = true;
      }
      if (seen) continue;
      c.present[r] = 1;
      switch (type) {
        case ColumnType::kBool:
          c.ints[r] = f.value.b ? 1 : 0;
          break;
        case ColumnType::kInt:
          c.ints[r] = f.value.i;
          break;
        case ColumnType::kFloat:
          c.floats[r] = f.value.f;
          break;
        case ColumnType::kString:
          c.strings[r] = f.value.s;
          break;
        case ColumnType::kNull:
          break;
      }
    }
  }

  if (n > 0) {
    auto [mn, mx] = std::minmax_element(b->ts_.begin(), b->ts_.end());
    b->min_ts_ = *mn;
    b->max_ts_ = *mx;
  }
  b->view_.num_rows = n;
  b->view_.ts = b->ts_.data();
  b->bytes_ = n * sizeof(int64_t);
  for (ColumnVector& c : b->columns_) {
    c.all_present = std::find(c.present.begin(), c.present.end(), 0) == c.present.end();
  }
  for (const ColumnVector& c : b->columns_) {
    b->view_.Add(&c);
    b->bytes_ += c.present.size() + c.ints.size() * sizeof(int64_t) +
                 c.floats.size() * sizeof(double) + c.strings.size() * sizeof(std::string_view);
  }
  return b;
}

MemtableBlockCache& MemtableBlockCache::Default() {
  static MemtableBlockCache* cache = new MemtableBlockCache();  // never destroyed: no
  return *cache;                                                // exit-order hazards
}

void MemtableBlockCache::SweepLocked() {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second->batch.expired()) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  hits_since_sweep_ = 0;
}

std::shared_ptr<const MemtableBlock> MemtableBlockCache::Get(
    const std::shared_ptr<const EventBatch>& batch) {
  std::shared_ptr<Entry> e;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // A block of a freed batch is garbage the size of its batch (~15 MB for 20,000 events),
    // so sweep often: before each new entry and every kSweepEvery hits. A sweep is one pass
    // over the entries (a few hundred at most: the memtable's batches), cheap beside a build.
    auto it = entries_.find(batch.get());
    // A freed batch's address may be reused by a new one: the weak pointer tells them apart.
    const bool fresh_entry = it == entries_.end() || it->second->batch.lock() != batch;
    if (fresh_entry || ++hits_since_sweep_ >= kSweepEvery) {
      SweepLocked();
      it = entries_.find(batch.get());
    }
    if (fresh_entry) {
      auto fresh = std::make_shared<Entry>();
      fresh->batch = batch;
      it = entries_.insert_or_assign(batch.get(), std::move(fresh)).first;
    }
    e = it->second;
  }
  std::call_once(e->built, [&] { e->block = MemtableBlock::Build(*batch); });
  return e->block;
}

size_t MemtableBlockCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace vigia
