#include "query/memtable_block.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "common/limits.h"
#include "common/same_bytes.h"

namespace vigia {
namespace {

constexpr size_t kTypes = 5;  // ColumnType values

// Column indexes of one field name, per type (-1 = none yet).
using TypeSlots = std::array<int32_t, kTypes>;

// Turns a flat string column into dictionary form (distinct values in first-appearance
// order, a code per row, 0 where absent) when it has few distinct values; leaves it flat
// otherwise (limits::kMemtableDictMaxEntries).
void ToDictionary(ColumnVector* c) {
  const size_t n = c->strings.size();
  const size_t max_entries = std::min(limits::kMemtableDictMaxEntries, std::max<size_t>(n / 2, 1));
  std::unordered_map<std::string_view, uint16_t> index;
  std::vector<std::string_view> dict;
  std::vector<uint16_t> codes(n, 0);
  // Neighbouring events often repeat a value: compare with the last one before hashing.
  std::string_view last;
  uint16_t last_code = 0;
  bool have_last = false;
  for (size_t r = 0; r < n; ++r) {
    if (!c->present[r]) continue;
    const std::string_view v = c->strings[r];
    if (have_last && v == last) {
      codes[r] = last_code;
      continue;
    }
    auto [it, added] = index.try_emplace(v, static_cast<uint16_t>(dict.size()));
    if (added) {
      if (dict.size() == max_entries) return;  // too many values: stays flat
      dict.push_back(v);
    }
    codes[r] = last_code = it->second;
    last = v;
    have_last = true;
  }
  if (dict.empty()) dict.emplace_back();  // no row has it: code 0 must still index
  c->dict = std::move(dict);
  c->codes = std::move(codes);
  c->dictionary = true;
  std::vector<std::string_view>().swap(c->strings);
}

}  // namespace

MemtableBlock::MemtableBlock(const EventBatch& batch) {
  const auto& events = batch.events();
  ts_.resize(events.size());
  for (size_t r = 0; r < events.size(); ++r) ts_[r] = events[r].ts_ns;
  if (!ts_.empty()) {
    auto [mn, mx] = std::minmax_element(ts_.begin(), ts_.end());
    min_ts_ = *mn;
    max_ts_ = *mx;
  }
  bytes_.store(ts_.size() * sizeof(int64_t), std::memory_order_relaxed);
}

std::unique_ptr<MemtableBlock> MemtableBlock::Create(const EventBatch& batch) {
  return std::unique_ptr<MemtableBlock>(new MemtableBlock(batch));
}

std::unique_ptr<MemtableBlock> MemtableBlock::Build(const EventBatch& batch) {
  std::unique_ptr<MemtableBlock> b = Create(batch);
  std::lock_guard<std::mutex> lock(b->mu_);
  b->BuildLocked(batch, {}, /*all=*/true);
  b->full_view_.num_rows = b->ts_.size();
  b->full_view_.ts = b->ts_.data();
  for (const ColumnVector& c : b->columns_) b->full_view_.Add(&c);
  return b;
}

size_t MemtableBlock::built_names() const {
  std::lock_guard<std::mutex> lock(mu_);
  return built_.size();
}

void MemtableBlock::View(const EventBatch& batch, std::span<const std::string> names,
                         BlockView* out) const {
  out->ClearColumns();
  out->num_rows = ts_.size();
  out->ts = ts_.data();
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string_view> missing;
  for (const std::string& n : names) {
    if (!built_.contains(n) &&
        std::find(missing.begin(), missing.end(), std::string_view(n)) == missing.end()) {
      missing.push_back(n);
    }
  }
  if (!missing.empty()) BuildLocked(batch, missing, /*all=*/false);
  for (const std::string& n : names) {
    if (out->Find(n) != nullptr) continue;  // listed twice
    for (uint32_t col : built_.find(n)->second) out->Add(&columns_[col]);
  }
}

void MemtableBlock::BuildLocked(const EventBatch& batch, const std::vector<std::string_view>& names,
                                bool all) const {
  const auto& events = batch.events();
  const size_t n = events.size();
  const size_t first_new = columns_.size();

  std::unordered_map<std::string_view, TypeSlots> by_name;
  for (std::string_view name : names) by_name.try_emplace(name).first->second.fill(-1);
  std::vector<TypeSlots*> slots_of;  // per new column (index - first_new): its name's slots
  // Events of one batch usually list their fields in the same order: predict each field
  // position's column (or that it is not wanted) from the previous event, and hash the name
  // only on a miss.
  struct Predicted {
    std::string_view name;
    ColumnType type;
    int32_t col;  // -1: a name not being built
  };
  std::vector<Predicted> predicted;

  auto resolve = [&](std::string_view name, ColumnType type) -> int32_t {
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      if (!all) return -1;
      it = by_name.try_emplace(name).first;
      it->second.fill(-1);
    }
    int32_t& slot = it->second[static_cast<size_t>(type)];
    if (slot < 0) {
      slot = static_cast<int32_t>(columns_.size());
      ColumnVector& c = columns_.emplace_back();
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
      slots_of.push_back(&it->second);
    }
    return slot;
  };

  for (size_t r = 0; r < n; ++r) {
    size_t pos = 0;
    for (const Field& f : batch.fields(events[r])) {
      const ColumnType type = ColumnTypeOf(f.value.type);
      int32_t col;
      if (pos < predicted.size() && predicted[pos].type == type &&
          SameBytes(predicted[pos].name, f.name)) {
        col = predicted[pos].col;
      } else {
        col = resolve(f.name, type);
        if (pos < predicted.size()) {
          predicted[pos] = {f.name, type, col};
        } else {
          predicted.push_back({f.name, type, col});
        }
      }
      ++pos;
      if (col < 0) continue;
      ColumnVector& c = columns_[static_cast<size_t>(col)];
      // A repeated name: the event row accessor finds the first occurrence, so keep it.
      bool seen = false;
      for (int32_t other : *slots_of[static_cast<size_t>(col) - first_new]) {
        if (other >= 0 && columns_[static_cast<size_t>(other)].present[r]) seen = true;
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

  size_t added = 0;
  for (size_t i = first_new; i < columns_.size(); ++i) {
    ColumnVector& c = columns_[i];
    c.all_present = std::find(c.present.begin(), c.present.end(), 0) == c.present.end();
    if (c.type == ColumnType::kString) ToDictionary(&c);
    added += c.codes.size() * sizeof(uint16_t) + c.dict.size() * sizeof(std::string_view) +
             c.present.size() + c.ints.size() * sizeof(int64_t) + c.floats.size() * sizeof(double) +
             c.strings.size() * sizeof(std::string_view);
  }
  bytes_.fetch_add(added, std::memory_order_relaxed);
  // Every name asked for is built now, present or not; columns in first-appearance order.
  for (auto& [name, slots] : by_name) {
    std::vector<uint32_t>& cols = built_[std::string(name)];
    for (size_t i = first_new; i < columns_.size(); ++i) {
      if (columns_[i].name == name) cols.push_back(static_cast<uint32_t>(i));
    }
  }
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
  std::call_once(e->created, [&] { e->block = MemtableBlock::Create(*batch); });
  return e->block;
}

size_t MemtableBlockCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace vigia
