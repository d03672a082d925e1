#include "query/column_stats.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string_view>
#include <unordered_map>

namespace vigia {

Result<std::unique_ptr<ColumnStats>> ColumnStats::Create(const Pipe& pipe, const QueryOptions& opt,
                                                         TimeRange window) {
  std::unique_ptr<ColumnStats> s(new ColumnStats());
  s->pipe_ = &pipe;
  VIGIA_ASSIGN_OR_RETURN(s->agg_, StatsAggregator::Create(pipe, opt.now_ns, window,
                                                          {opt.max_groups, opt.max_memory_bytes}));
  for (size_t i = 0; i < s->agg_->num_aggregates(); ++i) {
    const Aggregate& a = s->agg_->aggregate(i);
    s->needs_time_ |= a.func == AggFunc::kRate;
    s->conds_.emplace_back();
    if (a.cond) {
      VIGIA_ASSIGN_OR_RETURN(ColumnFilter f, ColumnFilter::Compile(*a.cond, opt.now_ns));
      s->conds_.back().emplace(std::move(f));
    }
  }
  for (size_t i = 0; i < s->agg_->num_aggregates(); ++i) {
    const Aggregate& a = s->agg_->aggregate(i);
    if (a.func != AggFunc::kCount || !a.field.empty() || !s->conds_[i]) continue;
    const std::string& field = s->conds_[i]->single_field();
    if (field.empty()) continue;
    auto it = std::find_if(s->field_conds_.begin(), s->field_conds_.end(),
                           [&](const FieldConds& f) { return f.field == field; });
    if (it == s->field_conds_.end()) it = s->field_conds_.insert(it, FieldConds{field, {}});
    it->aggs.push_back(i);
  }
  // One condition over a field costs a vectorized pass or two, less than the histogram's.
  std::erase_if(s->field_conds_, [](const FieldConds& f) { return f.aggs.size() < 2; });
  s->precounted_.assign(s->agg_->num_aggregates(), std::nullopt);
  s->counts_only_ = s->agg_->num_aggregates() > 0;
  for (size_t i = 0; i < s->agg_->num_aggregates(); ++i) {
    const Aggregate& a = s->agg_->aggregate(i);
    s->counts_only_ &= a.func == AggFunc::kCount && a.field.empty() && !a.cond;
  }
  return s;
}

namespace {

std::string_view FieldName(const std::string& f) {
  return f == "_msg" ? std::string_view("msg") : std::string_view(f);
}

// The present typed column of `cols` at `row`, or nullptr (absent or JSON null).
const ColumnVector* PresentAt(const std::vector<const ColumnVector*>* cols, size_t row) {
  if (cols == nullptr) return nullptr;
  for (const ColumnVector* c : *cols) {
    if (c->IsPresent(row)) return c->type == ColumnType::kNull ? nullptr : c;
  }
  return nullptr;
}

}  // namespace

Status ColumnStats::KeyIds(const BlockView& block, const GroupKey& gk, LocalKey* out) {
  out->ids.resize(sel_.size());
  out->values.assign(1, Value::Null());  // id 0: null (absent, or a JSON null)
  auto add_value = [&](const Value& v) {
    out->values.push_back(v);
    return static_cast<uint32_t>(out->values.size() - 1);
  };
  const int64_t bucket = gk.bucket_ns;
  if (IsTimeField(gk.field)) {
    std::unordered_map<int64_t, uint32_t> memo;
    int64_t last_key = 0;
    uint32_t last = UINT32_MAX;
    for (size_t k = 0; k < sel_.size(); ++k) {
      const int64_t t = block.ts[sel_[k]];
      const int64_t key = bucket > 0 ? StatsAggregator::Bucket(t, bucket) : t;
      if (last == UINT32_MAX || key != last_key) {
        auto [it, fresh] = memo.try_emplace(key, 0);
        if (fresh) it->second = add_value(Value::Int(key));
        last_key = key;
        last = it->second;
      }
      out->ids[k] = last;
    }
    return Status::Ok();
  }
  const auto* cols = block.Find(FieldName(gk.field));
  if (cols == nullptr) {
    std::fill(out->ids.begin(), out->ids.end(), 0);
    return Status::Ok();
  }
  // Dictionary columns map codes to ids through a table; other values through typed memos.
  std::vector<std::vector<uint32_t>> dict_ids(cols->size());
  for (size_t j = 0; j < cols->size(); ++j) {
    if ((*cols)[j]->dictionary) dict_ids[j].assign((*cols)[j]->dict.size(), UINT32_MAX);
  }
  if (cols->size() == 1 && (*cols)[0]->dictionary) {
    // The common case (route, browser, service...): one string column in dictionary form.
    const ColumnVector& c = *(*cols)[0];
    std::vector<uint32_t>& table = dict_ids[0];
    if (c.all_present) {
      for (size_t k = 0; k < sel_.size(); ++k) {
        uint32_t& id = table[c.codes[sel_[k]]];
        if (id == UINT32_MAX) id = add_value(Value::String(c.dict[c.codes[sel_[k]]]));
        out->ids[k] = id;
      }
      return Status::Ok();
    }
    for (size_t k = 0; k < sel_.size(); ++k) {
      const size_t r = sel_[k];
      if (!c.present[r]) {
        out->ids[k] = 0;
        continue;
      }
      uint32_t& id = table[c.codes[r]];
      if (id == UINT32_MAX) id = add_value(Value::String(c.dict[c.codes[r]]));
      out->ids[k] = id;
    }
    return Status::Ok();
  }
  std::unordered_map<std::string_view, uint32_t> strings;
  std::unordered_map<uint64_t, uint32_t> numbers[3];  // bool, int, float (bit pattern)
  for (size_t k = 0; k < sel_.size(); ++k) {
    const size_t r = sel_[k];
    size_t j = 0;
    while (j < cols->size() && !(*cols)[j]->IsPresent(r)) ++j;
    if (j == cols->size() || (*cols)[j]->type == ColumnType::kNull) {
      out->ids[k] = 0;
      continue;
    }
    const ColumnVector& c = *(*cols)[j];
    uint32_t* slot;
    Value v;
    if (c.dictionary) {
      const uint16_t code = c.codes[r];
      slot = &dict_ids[j][code];
      if (*slot == UINT32_MAX) v = Value::String(c.dict[code]);
    } else if (c.type == ColumnType::kString) {
      slot = &strings.try_emplace(c.strings[r], UINT32_MAX).first->second;
      if (*slot == UINT32_MAX) v = Value::String(c.strings[r]);
    } else {
      // As StatsAggregator::Add: a bucketed key floors int values.
      v = c.Get(r);
      if (bucket > 0 && v.type == ValueType::kInt)
        v = Value::Int(StatsAggregator::Bucket(v.i, bucket));
      const int idx = c.type == ColumnType::kBool ? 0 : c.type == ColumnType::kInt ? 1 : 2;
      const uint64_t bits = c.type == ColumnType::kFloat ? std::bit_cast<uint64_t>(c.floats[r])
                            : c.type == ColumnType::kInt ? static_cast<uint64_t>(v.i)
                                                         : static_cast<uint64_t>(c.ints[r]);
      slot = &numbers[idx].try_emplace(bits, UINT32_MAX).first->second;
    }
    if (*slot == UINT32_MAX) *slot = add_value(v);
    out->ids[k] = *slot;
  }
  return Status::Ok();
}

Status ColumnStats::Groups(const BlockView& block) {
  const auto& by = pipe_->by;
  gid_.resize(sel_.size());
  lid_.resize(sel_.size());
  block_gids_.clear();
  if (by.empty()) {
    VIGIA_ASSIGN_OR_RETURN(size_t g, agg_->GroupIndexOf({}));
    block_gids_.push_back(static_cast<uint32_t>(g));
    std::fill(gid_.begin(), gid_.end(), static_cast<uint32_t>(g));
    std::fill(lid_.begin(), lid_.end(), 0);
    return Status::Ok();
  }
  keys_.resize(by.size());
  for (size_t i = 0; i < by.size(); ++i) VIGIA_RETURN_IF_ERROR(KeyIds(block, by[i], &keys_[i]));
  // The block-local group of the tuple of row k: one GroupIndex call per distinct tuple in
  // the block (block_gids_ maps the local group to the aggregator's).
  auto group_of = [&](size_t k) -> Result<uint32_t> {
    key_views_.clear();
    for (const LocalKey& lk : keys_) key_views_.push_back(lk.values[lk.ids[k]]);
    VIGIA_ASSIGN_OR_RETURN(size_t g, agg_->GroupIndexOf(key_views_));
    block_gids_.push_back(static_cast<uint32_t>(g));
    return static_cast<uint32_t>(block_gids_.size() - 1);
  };
  auto finish = [&] {
    for (size_t k = 0; k < sel_.size(); ++k) gid_[k] = block_gids_[lid_[k]];
  };
  if (by.size() == 1) {
    std::vector<uint32_t> table(keys_[0].values.size(), UINT32_MAX);
    for (size_t k = 0; k < sel_.size(); ++k) {
      uint32_t& l = table[keys_[0].ids[k]];
      if (l == UINT32_MAX) {
        VIGIA_ASSIGN_OR_RETURN(l, group_of(k));
      }
      lid_[k] = l;
    }
    finish();
    return Status::Ok();
  }
  // Several keys: pack the local ids into one 64-bit word when they fit (they do unless a
  // block has millions of distinct tuples), else into a byte string.
  int bits = 0;
  std::vector<int> widths(by.size());
  for (size_t i = 0; i < by.size(); ++i) {
    widths[i] = std::bit_width(keys_[i].values.size() - 1);
    bits += widths[i];
  }
  if (bits <= 12) {
    // Few distinct values per key (browser, os, device): the packed ids index a table.
    std::vector<uint32_t> table(size_t{1} << bits, UINT32_MAX);
    for (size_t k = 0; k < sel_.size(); ++k) {
      uint64_t packed = 0;
      for (size_t i = 0; i < by.size(); ++i) {
        packed = (packed << widths[i]) | keys_[i].ids[k];
      }
      uint32_t& l = table[packed];
      if (l == UINT32_MAX) {
        VIGIA_ASSIGN_OR_RETURN(l, group_of(k));
      }
      lid_[k] = l;
    }
    finish();
    return Status::Ok();
  }
  if (bits <= 64) {
    std::unordered_map<uint64_t, uint32_t> memo;
    uint64_t last_packed = 0;
    uint32_t last = UINT32_MAX;
    for (size_t k = 0; k < sel_.size(); ++k) {
      uint64_t packed = 0;
      for (size_t i = 0; i < by.size(); ++i) {
        packed = (packed << widths[i]) | keys_[i].ids[k];
      }
      if (last == UINT32_MAX || packed != last_packed) {
        auto [it, fresh] = memo.try_emplace(packed, 0);
        if (fresh) {
          VIGIA_ASSIGN_OR_RETURN(it->second, group_of(k));
        }
        last_packed = packed;
        last = it->second;
      }
      lid_[k] = last;
    }
    finish();
    return Status::Ok();
  }
  std::unordered_map<std::string, uint32_t> memo;
  std::string packed;
  for (size_t k = 0; k < sel_.size(); ++k) {
    packed.clear();
    for (const LocalKey& lk : keys_) {
      const uint32_t id = lk.ids[k];
      packed.append(reinterpret_cast<const char*>(&id), sizeof(id));
    }
    auto [it, fresh] = memo.try_emplace(packed, 0);
    if (fresh) {
      VIGIA_ASSIGN_OR_RETURN(it->second, group_of(k));
    }
    lid_[k] = it->second;
  }
  finish();
  return Status::Ok();
}

namespace {

// table[slot(i)] += add(i) for every i < n, through four interleaved copies of the table
// (`width` slots each, zeroed by the caller), folded into the first copy at the end: rows
// next to each other that hit one slot (most requests from one browser, one route) do not
// wait on each other's increment of the same memory word, and there is no branch per row.
template <typename T, typename Slot, typename Add>
void AddInterleaved(size_t n, size_t width, T* table, Slot slot, Add add) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    table[slot(i)] += add(i);
    table[width + slot(i + 1)] += add(i + 1);
    table[2 * width + slot(i + 2)] += add(i + 2);
    table[3 * width + slot(i + 3)] += add(i + 3);
  }
  for (; i < n; ++i) table[slot(i)] += add(i);
  for (size_t s = 0; s < width; ++s) {
    table[s] += table[width + s] + table[2 * width + s] + table[3 * width + s];
  }
}

}  // namespace

Result<bool> ColumnStats::CountOnly(const BlockView& block, const std::vector<uint8_t>& mask) {
  if (!counts_only_ || needs_time_ || pipe_->by.size() > 1) return false;
  const size_t n = mask.size();
  const uint8_t* m = mask.data();
  auto add = [&](std::span<const Value> key, uint64_t count) -> Status {
    VIGIA_ASSIGN_OR_RETURN(size_t g, agg_->GroupIndexOf(key));
    for (size_t i = 0; i < agg_->num_aggregates(); ++i) agg_->AddCount(g, i, count);
    return Status::Ok();
  };
  if (pipe_->by.empty()) {
    uint64_t selected = 0;
    for (size_t r = 0; r < n; ++r) selected += m[r] != 0;
    if (selected > 0) VIGIA_RETURN_IF_ERROR(add(std::span<const Value>(), selected));
    return true;
  }
  const GroupKey& gk = pipe_->by[0];
  if (IsTimeField(gk.field)) return false;
  const auto* cols = block.Find(FieldName(gk.field));
  if (cols == nullptr || cols->size() != 1 || !(*cols)[0]->dictionary) return false;
  const ColumnVector& c = *(*cols)[0];
  // Slot dict.size() counts the rows without the field (the null group).
  const size_t absent = c.dict.size();
  // Interleaved (most requests come from one browser): see AddInterleaved.
  const size_t w = absent + 1;
  hist_.assign(4 * w, 0);
  uint32_t* h = hist_.data();
  const uint16_t* codes = c.codes.data();
  auto selected = [m](size_t r) -> uint32_t { return m[r] != 0; };
  if (c.all_present) {
    AddInterleaved(
        n, w, h, [codes](size_t r) -> size_t { return codes[r]; }, selected);
  } else {
    const uint8_t* present = c.present.data();
    AddInterleaved(
        n, w, h, [codes, present, absent](size_t r) { return present[r] ? codes[r] : absent; },
        selected);
  }
  for (size_t code = 0; code < absent; ++code) {
    if (h[code] > 0) {
      const Value key = Value::String(c.dict[code]);
      VIGIA_RETURN_IF_ERROR(add(std::span<const Value>(&key, 1), h[code]));
    }
  }
  const Value null_key = Value::Null();
  if (h[absent] > 0) VIGIA_RETURN_IF_ERROR(add(std::span<const Value>(&null_key, 1), h[absent]));
  return true;
}

bool ColumnStats::CountsByValueCounts(std::vector<CountKey>* keys) const {
  keys->clear();
  if (!counts_only_ || needs_time_) return false;
  for (const GroupKey& gk : pipe_->by) {
    const bool time = IsTimeField(gk.field);
    // A bare `_time` key varies row by row; a bucket of another field is not a time bucket.
    if (time != (gk.bucket_ns > 0)) return false;
    keys->push_back({time ? std::string() : std::string(FieldName(gk.field)), gk.bucket_ns});
  }
  return true;
}

Status ColumnStats::AddCount(std::vector<OwnedValue> key, uint64_t count) {
  if (count == 0) return Status::Ok();
  VIGIA_ASSIGN_OR_RETURN(size_t g, agg_->GroupIndex(std::move(key)));
  for (size_t i = 0; i < agg_->num_aggregates(); ++i) agg_->AddCount(g, i, count);
  return agg_->CheckMemory();
}

void ColumnStats::CountByHistogram(const BlockView& block, const std::vector<uint8_t>& mask) {
  std::fill(precounted_.begin(), precounted_.end(), std::nullopt);
  if (block_gids_.size() != 1) return;  // counts per group: the row path
  for (const FieldConds& fc : field_conds_) {
    if (!hist_of_field_.Build(block, fc.field, mask)) continue;
    for (size_t i : fc.aggs) precounted_[i] = hist_of_field_.Count(*conds_[i]);
  }
}

void ColumnStats::CountGroups() {
  const size_t n = lid_.size();
  const uint32_t* lid = lid_.data();
  size_t changes = 0;
  for (size_t k = 1; k < n; ++k) changes += lid[k] != lid[k - 1];
  if (changes * 8 < n) {
    // Runs of one group (rows sorted by service, kind, time) add up in a register rather
    // than through a chain of increments to the same memory word.
    uint32_t run_group = lid[0];
    uint64_t run = 0;
    for (size_t k = 0; k < n; ++k) {
      if (lid[k] != run_group) {
        counts_[run_group] += run;
        run_group = lid[k];
        run = 0;
      }
      ++run;
    }
    counts_[run_group] += run;
    return;
  }
  // Groups that alternate row by row (route, browser in a block sorted by time): the run
  // test would mispredict at every change, so count without a branch (AddInterleaved).
  const size_t g = counts_.size();
  counts4_.assign(4 * g, 0);
  AddInterleaved(
      n, g, counts4_.data(), [lid](size_t k) { return lid[k]; },
      [](size_t) { return uint64_t{1}; });
  for (size_t l = 0; l < g; ++l) counts_[l] += counts4_[l];
}

Status ColumnStats::AddBlock(const BlockView& block, const std::vector<uint8_t>& mask) {
  VIGIA_ASSIGN_OR_RETURN(bool done, CountOnly(block, mask));
  if (done) return agg_->CheckMemory();
  // Branch-free: every row is written, the count advances only for selected ones; eight
  // unselected rows in a row are skipped with one test (a sparse selection: 5xx among the
  // requests, or the rows of other kinds in a block sorted by kind).
  sel_.resize(mask.size());
  size_t n = 0;
  const uint8_t* m = mask.data();
  uint32_t* sel = sel_.data();
  const size_t rows = mask.size();
  size_t r = 0;
  for (; r + 8 <= rows; r += 8) {
    uint64_t word;
    std::memcpy(&word, m + r, 8);
    if (word == 0) continue;
    for (size_t k = r; k < r + 8; ++k) {
      sel[n] = static_cast<uint32_t>(k);
      n += m[k] != 0;
    }
  }
  for (; r < rows; ++r) {
    sel[n] = static_cast<uint32_t>(r);
    n += m[r] != 0;
  }
  sel_.resize(n);
  if (sel_.empty()) return Status::Ok();
  VIGIA_RETURN_IF_ERROR(Groups(block));
  if (needs_time_) {
    int64_t mn = INT64_MAX, mx = INT64_MIN;
    for (uint32_t r : sel_) {
      mn = std::min(mn, block.ts[r]);
      mx = std::max(mx, block.ts[r]);
    }
    agg_->NoteTime(mn);
    agg_->NoteTime(mx);
  }

  if (!field_conds_.empty()) CountByHistogram(block, mask);

  std::vector<uint8_t> cond_mask;
  for (size_t i = 0; i < agg_->num_aggregates(); ++i) {
    const Aggregate& a = agg_->aggregate(i);
    if (!field_conds_.empty() && precounted_[i]) {
      if (*precounted_[i] > 0) agg_->AddCount(block_gids_[0], i, *precounted_[i]);
      continue;
    }
    const uint8_t* cm = nullptr;
    if (conds_[i]) {
      cond_mask = mask;
      conds_[i]->Apply(block, &cond_mask);
      cm = cond_mask.data();
    }
    const bool time_field = !a.field.empty() && IsTimeField(a.field);
    const auto* cols = a.field.empty() || time_field ? nullptr : block.Find(FieldName(a.field));
    auto value_at = [&](size_t r) -> Value {
      if (time_field) return Value::Int(block.ts[r]);
      const ColumnVector* c = PresentAt(cols, r);
      return c ? c->Get(r) : Value::Null();
    };
    if (a.func == AggFunc::kCount || a.func == AggFunc::kRate) {
      // Counted per block-local group, then one AddCount per group.
      const bool every_row = a.func == AggFunc::kRate || a.field.empty() || time_field;
      counts_.assign(block_gids_.size(), 0);
      if (every_row && block_gids_.size() == 1) {
        // One group in the block (a stats without `by`, as every KPI share): the count is
        // the number of selected rows, or of the condition's mask (a subset of the
        // selection), summed without a branch per row.
        uint64_t n = sel_.size();
        if (cm != nullptr) {
          n = 0;
          for (size_t r = 0; r < mask.size(); ++r) n += cm[r] != 0;
        }
        counts_[0] = n;
      } else if (every_row && cm == nullptr) {
        CountGroups();
      } else {
        for (size_t k = 0; k < sel_.size(); ++k) {
          const uint32_t r = sel_[k];
          if (cm && !cm[r]) continue;
          if (every_row || PresentAt(cols, r)) ++counts_[lid_[k]];
        }
      }
      for (size_t l = 0; l < counts_.size(); ++l) {
        if (counts_[l] > 0) agg_->AddCount(block_gids_[l], i, counts_[l]);
      }
      continue;
    }
    if (a.func != AggFunc::kCountDistinct && cols != nullptr && cols->size() == 1 &&
        ((*cols)[0]->type == ColumnType::kInt || (*cols)[0]->type == ColumnType::kFloat)) {
      // One numeric column (duration_ms, status, bytes): a typed loop without per-row
      // dispatch on the aggregate or the column type.
      const ColumnVector& c = *(*cols)[0];
      const uint8_t* present = c.present.data();
      if (c.type == ColumnType::kInt) {
        const int64_t* v = c.ints.data();
        for (size_t k = 0; k < sel_.size(); ++k) {
          const uint32_t r = sel_[k];
          if ((cm && !cm[r]) || !present[r]) continue;
          agg_->AddInt(gid_[k], i, v[r]);
        }
      } else if (a.func == AggFunc::kQuantile) {
        // Values gathered per block-local group, then handed over a group at a time.
        const double* v = c.floats.data();
        by_group_.resize(block_gids_.size());
        for (auto& g : by_group_) g.clear();
        for (size_t k = 0; k < sel_.size(); ++k) {
          const uint32_t r = sel_[k];
          if ((cm && !cm[r]) || !present[r]) continue;
          by_group_[lid_[k]].push_back(v[r]);
        }
        for (size_t l = 0; l < by_group_.size(); ++l) {
          if (!by_group_[l].empty()) agg_->AddFloats(block_gids_[l], i, by_group_[l]);
        }
      } else {
        const double* v = c.floats.data();
        for (size_t k = 0; k < sel_.size(); ++k) {
          const uint32_t r = sel_[k];
          if ((cm && !cm[r]) || !present[r]) continue;
          agg_->AddFloat(gid_[k], i, v[r]);
        }
      }
      continue;
    }
    for (size_t k = 0; k < sel_.size(); ++k) {
      const uint32_t r = sel_[k];
      if (cm && !cm[r]) continue;
      const uint32_t g = gid_[k];
      switch (a.func) {
        case AggFunc::kCount:
        case AggFunc::kRate:
          break;  // above
        case AggFunc::kCountDistinct:
          agg_->AddDistinct(g, i, value_at(r));
          break;
        case AggFunc::kSum:
        case AggFunc::kAvg:
        case AggFunc::kMin:
        case AggFunc::kMax:
        case AggFunc::kQuantile: {
          // Typed adds for typed columns: no Value per row (AddNumber dispatches alike).
          if (time_field) {
            agg_->AddInt(g, i, block.ts[r]);
            break;
          }
          const ColumnVector* c = PresentAt(cols, r);
          if (c == nullptr) break;
          if (c->type == ColumnType::kInt) {
            agg_->AddInt(g, i, c->ints[r]);
          } else if (c->type == ColumnType::kFloat) {
            agg_->AddFloat(g, i, c->floats[r]);
          } else {
            agg_->AddNumber(g, i, c->Get(r));
          }
          break;
        }
      }
    }
  }
  return agg_->CheckMemory();
}

}  // namespace vigia
