#include "query/column_stats.h"

#include <algorithm>
#include <bit>
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
    s->conds_.emplace_back();
    if (a.cond) {
      VIGIA_ASSIGN_OR_RETURN(ColumnFilter f, ColumnFilter::Compile(*a.cond, opt.now_ns));
      s->conds_.back().emplace(std::move(f));
    }
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

Status ColumnStats::Groups(const BlockView& block) {
  const auto& by = pipe_->by;
  gid_.resize(sel_.size());
  if (by.empty()) {
    VIGIA_ASSIGN_OR_RETURN(size_t g, agg_->GroupIndex({}));
    std::fill(gid_.begin(), gid_.end(), static_cast<uint32_t>(g));
    return Status::Ok();
  }
  if (by.size() == 1 && IsTimeField(by[0].field)) {
    const int64_t bucket = by[0].bucket_ns;
    std::unordered_map<int64_t, uint32_t> memo;
    int64_t last_key = 0;
    uint32_t last = UINT32_MAX;
    for (size_t k = 0; k < sel_.size(); ++k) {
      int64_t t = block.ts[sel_[k]];
      int64_t key = bucket > 0 ? StatsAggregator::Bucket(t, bucket) : t;
      if (last != UINT32_MAX && key == last_key) {
        gid_[k] = last;
        continue;
      }
      auto it = memo.find(key);
      if (it == memo.end()) {
        VIGIA_ASSIGN_OR_RETURN(size_t g, agg_->GroupIndex({OwnedValue::Int(key)}));
        it = memo.emplace(key, static_cast<uint32_t>(g)).first;
      }
      last_key = key;
      last = it->second;
      gid_[k] = last;
    }
    return Status::Ok();
  }
  if (by.size() == 1) {
    const auto* cols = block.Find(FieldName(by[0].field));
    // Per-block memos by typed value: each distinct value costs one GroupIndex call.
    std::unordered_map<std::string_view, uint32_t> strings;
    std::unordered_map<uint64_t, uint32_t> numbers[3];  // bool, int, float (bit pattern)
    uint32_t null_group = UINT32_MAX;
    for (size_t k = 0; k < sel_.size(); ++k) {
      size_t r = sel_[k];
      const ColumnVector* c = PresentAt(cols, r);
      uint32_t* slot = nullptr;
      if (c == nullptr) {
        slot = &null_group;
      } else if (c->type == ColumnType::kString) {
        auto it = strings.find(c->strings[r]);
        if (it != strings.end()) {
          gid_[k] = it->second;
          continue;
        }
        slot = &strings.emplace(c->strings[r], UINT32_MAX).first->second;
      } else {
        int idx = c->type == ColumnType::kBool ? 0 : c->type == ColumnType::kInt ? 1 : 2;
        uint64_t bits = c->type == ColumnType::kFloat ? std::bit_cast<uint64_t>(c->floats[r])
                                                      : static_cast<uint64_t>(c->ints[r]);
        slot = &numbers[idx].try_emplace(bits, UINT32_MAX).first->second;
      }
      if (*slot == UINT32_MAX) {
        VIGIA_ASSIGN_OR_RETURN(size_t g,
                               agg_->GroupIndex({c ? OwnedValue::From(c->Get(r)) : OwnedValue{}}));
        *slot = static_cast<uint32_t>(g);
      }
      gid_[k] = *slot;
    }
    return Status::Ok();
  }
  BlockRowAccessor row(block, 0);
  for (size_t k = 0; k < sel_.size(); ++k) {
    row.set_row(sel_[k]);
    std::vector<OwnedValue> key;
    key.reserve(by.size());
    for (const GroupKey& gk : by) {
      Value v = row.Get(gk.field);
      if (gk.bucket_ns > 0 && v.type == ValueType::kInt) {
        v = Value::Int(StatsAggregator::Bucket(v.i, gk.bucket_ns));
      }
      key.push_back(OwnedValue::From(v));
    }
    VIGIA_ASSIGN_OR_RETURN(size_t g, agg_->GroupIndex(std::move(key)));
    gid_[k] = static_cast<uint32_t>(g);
  }
  return Status::Ok();
}

Status ColumnStats::AddBlock(const BlockView& block, const std::vector<uint8_t>& mask) {
  sel_.clear();
  for (size_t r = 0; r < mask.size(); ++r) {
    if (mask[r]) sel_.push_back(static_cast<uint32_t>(r));
  }
  if (sel_.empty()) return Status::Ok();
  VIGIA_RETURN_IF_ERROR(Groups(block));
  int64_t mn = INT64_MAX, mx = INT64_MIN;
  for (uint32_t r : sel_) {
    mn = std::min(mn, block.ts[r]);
    mx = std::max(mx, block.ts[r]);
  }
  agg_->NoteTime(mn);
  agg_->NoteTime(mx);

  std::vector<uint8_t> cond_mask;
  for (size_t i = 0; i < agg_->num_aggregates(); ++i) {
    const Aggregate& a = agg_->aggregate(i);
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
    for (size_t k = 0; k < sel_.size(); ++k) {
      const uint32_t r = sel_[k];
      if (cm && !cm[r]) continue;
      const uint32_t g = gid_[k];
      switch (a.func) {
        case AggFunc::kCount:
          if (a.field.empty() || time_field || PresentAt(cols, r)) agg_->AddCount(g, i, 1);
          break;
        case AggFunc::kRate:
          agg_->AddCount(g, i, 1);
          break;
        case AggFunc::kCountDistinct:
          agg_->AddDistinct(g, i, value_at(r));
          break;
        case AggFunc::kSum:
        case AggFunc::kAvg:
        case AggFunc::kMin:
        case AggFunc::kMax:
        case AggFunc::kQuantile:
          agg_->AddNumber(g, i, value_at(r));
          break;
      }
    }
  }
  return agg_->CheckMemory();
}

}  // namespace vigia
