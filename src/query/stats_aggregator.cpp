#include "query/stats_aggregator.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <unordered_set>

#include "common/limits.h"
#include "query/quantile_sketch.h"
#include "query/value_buffer_pool.h"

namespace vigia {

int CompareValues(const Value& a, const Value& b) {
  auto rank = [](const Value& v) {
    switch (v.type) {
      case ValueType::kNull:
        return 2;
      case ValueType::kString:
        return 1;
      case ValueType::kBool:
      case ValueType::kInt:
      case ValueType::kFloat:
        return 0;
    }
    return 0;
  };
  int ra = rank(a), rb = rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra == 2) return 0;
  if (ra == 1) {
    int c = a.s.compare(b.s);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  auto num = [](const Value& v) -> long double {
    if (v.type == ValueType::kInt) return static_cast<long double>(v.i);
    if (v.type == ValueType::kBool) return v.b ? 1 : 0;
    return v.f;
  };
  long double x = num(a), y = num(b);
  if (x < y) return -1;
  if (x > y) return 1;
  return 0;
}

// Integers are kept apart from floats (imin/imax, ivalues) because a double holds them
// exactly only up to 2^53: max() of 9223372036854775807 must not come back as 2^63.
struct StatsAggregator::AggState {
  AggState() = default;
  AggState(AggState&&) = default;
  AggState& operator=(AggState&&) = default;
  // Full-size percentile buffers go back to their pool (value_buffer_pool.h).
  ~AggState() {
    ValueBufferPool<double>::Default().Give(values);
    ValueBufferPool<int64_t>::Default().Give(ivalues);
  }

  uint64_t count = 0;  // rows (count) or numeric values seen (sum/avg/min/max)
  long double sum = 0;
  bool all_int = true;
  int64_t isum = 0;
  bool isum_overflow = false;
  double min = 0, max = 0;  // over every value, as doubles (the result when not all_int)
  uint64_t icount = 0;      // integer values seen
  int64_t imin = 0, imax = 0;
  std::vector<double> values;    // quantiles: the non-integer values
  std::vector<int64_t> ivalues;  // quantiles: the integer values
  // Quantiles past limits::kMaxExactQuantileValues values: every value, as a double (then
  // `values`/`ivalues` are empty).
  std::unique_ptr<QuantileSketch> sketch;
  std::unordered_set<std::string> distinct;  // count_distinct (type-tagged)
};

namespace {

// The nearest-rank quantile of `v` (non-empty): the smallest value with at least q·n values
// at or below it. Reorders `v`.
template <typename T>
T NearestRank(std::vector<T>& v, double q) {
  size_t idx = QuantileSketch::Rank(q, v.size()) - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(idx), v.end());
  return v[idx];
}

// Moves `from`'s values into `to`, copying the shorter list (order does not matter).
template <typename T>
void Append(std::vector<T>& to, std::vector<T>& from) {
  if (to.size() < from.size()) std::swap(to, from);
  ReserveValues(to, to.size() + from.size());
  to.insert(to.end(), from.begin(), from.end());
  ValueBufferPool<T>::Default().Give(from);
}

// Moves an exact quantile state's values into a new sketch; returns the bytes freed.
template <typename State>
uint64_t ToSketch(State& s) {
  s.sketch = std::make_unique<QuantileSketch>();
  s.sketch->AddMany(s.values);
  for (int64_t x : s.ivalues) s.sketch->Add(static_cast<double>(x));
  uint64_t freed = (s.values.size() + s.ivalues.size()) * sizeof(double);
  ValueBufferPool<double>::Default().Give(s.values);
  ValueBufferPool<int64_t>::Default().Give(s.ivalues);
  return freed;
}

}  // namespace

struct StatsAggregator::Group {
  std::vector<OwnedValue> key;
  std::vector<AggState> states;
};

StatsAggregator::~StatsAggregator() = default;

Result<std::unique_ptr<StatsAggregator>> StatsAggregator::Create(const Pipe& pipe, int64_t now_ns,
                                                                 TimeRange window,
                                                                 AggregatorLimits limits) {
  std::unique_ptr<StatsAggregator> a(new StatsAggregator());
  a->pipe_ = &pipe;
  a->window_ = window;
  a->limits_ = limits;
  if (pipe.kind == PipeKind::kTop) {
    Aggregate hits;
    hits.func = AggFunc::kCount;
    hits.name = "hits";
    a->top_aggs_.push_back(std::move(hits));
    a->aggs_.push_back(&a->top_aggs_[0]);
  } else {
    for (const Aggregate& g : pipe.aggregates) a->aggs_.push_back(&g);
  }
  for (const Aggregate* g : a->aggs_) {
    a->has_cond_.push_back(g->cond != nullptr);
    Filter all;
    VIGIA_ASSIGN_OR_RETURN(FilterMatcher m,
                           FilterMatcher::Compile(g->cond ? *g->cond : all, now_ns));
    a->conds_.push_back(std::move(m));
  }
  return a;
}

namespace {

// One value of a group key, for the group index: Value (a row's) and OwnedValue (a group's)
// encode the same.
template <class V>
void AppendKeyPart(const V& v, std::string* out) {
  out->push_back(static_cast<char>(v.type));
  switch (v.type) {
    case ValueType::kNull:
      break;
    case ValueType::kBool:
      out->push_back(v.b ? '1' : '0');
      break;
    case ValueType::kInt:
      out->append(reinterpret_cast<const char*>(&v.i), sizeof(v.i));
      break;
    case ValueType::kFloat:
      out->append(reinterpret_cast<const char*>(&v.f), sizeof(v.f));
      break;
    case ValueType::kString: {
      uint32_t n = static_cast<uint32_t>(v.s.size());
      out->append(reinterpret_cast<const char*>(&n), sizeof(n));
      out->append(v.s);
      break;
    }
  }
}

}  // namespace

std::string StatsAggregator::EncodeKey(const std::vector<OwnedValue>& key) {
  std::string out;
  for (const OwnedValue& v : key) AppendKeyPart(v, &out);
  return out;
}

Result<size_t> StatsAggregator::GroupIndex(std::vector<OwnedValue> key) {
  const std::string enc = EncodeKey(key);
  const uint64_t hash = GroupKeyIndex::Hash(enc);
  if (auto g = index_.Find(enc, hash)) return *g;
  return NewGroup(enc, hash, std::move(key));
}

Result<size_t> StatsAggregator::GroupIndexOf(std::span<const Value> key) {
  key_scratch_.clear();
  for (const Value& v : key) AppendKeyPart(v, &key_scratch_);
  const uint64_t hash = GroupKeyIndex::Hash(key_scratch_);
  if (auto g = index_.Find(key_scratch_, hash)) return *g;
  std::vector<OwnedValue> owned;
  owned.reserve(key.size());
  for (const Value& v : key) owned.push_back(OwnedValue::From(v));
  return NewGroup(key_scratch_, hash, std::move(owned));
}

Result<size_t> StatsAggregator::NewGroup(std::string_view enc, uint64_t hash,
                                         std::vector<OwnedValue> key) {
  if ((limits_.max_groups && groups_.size() >= limits_.max_groups) ||
      groups_.size() >= UINT32_MAX) {
    return Status::ResourceExhausted("query produces more than " +
                                     std::to_string(limits_.max_groups) +
                                     " groups; narrow the filter or the `by` keys");
  }
  // The key twice (owned values, index arena), two index slots, the group, its states.
  memory_ += enc.size() * 2 + 40 + sizeof(Group) + aggs_.size() * sizeof(AggState);
  Group& g = groups_.emplace_back();
  g.key = std::move(key);
  g.states.resize(aggs_.size());
  index_.Insert(enc, hash);
  return groups_.size() - 1;
}

void StatsAggregator::AddCount(size_t group, size_t agg, uint64_t n) {
  groups_[group].states[agg].count += n;
}

void StatsAggregator::AddNumber(size_t group, size_t agg, const Value& v) {
  if (v.type == ValueType::kInt) {
    AddInt(group, agg, v.i);
  } else if (auto n = ValueToNumber(v)) {
    AddFloat(group, agg, *n);
  }
}

void StatsAggregator::AddInt(size_t group, size_t agg, int64_t x) {
  AggState& s = groups_[group].states[agg];
  if (s.icount == 0 || x < s.imin) s.imin = x;
  if (s.icount == 0 || x > s.imax) s.imax = x;
  ++s.icount;
  ++s.count;
  auto d = static_cast<double>(x);
  // A percentile needs only its values (and the exact integer min/max for p0/p100); the
  // sums cost a long double add per row on the hottest path of a percentile query.
  if (aggs_[agg]->func == AggFunc::kQuantile) {
    AddQuantileValue(s, d, x);
    return;
  }
  if (!s.isum_overflow && __builtin_add_overflow(s.isum, x, &s.isum)) s.isum_overflow = true;
  if (s.count == 1 || d < s.min) s.min = d;
  if (s.count == 1 || d > s.max) s.max = d;
  s.sum += x;
}

void StatsAggregator::AddFloat(size_t group, size_t agg, double x) {
  if (std::isnan(x)) return;
  AggState& s = groups_[group].states[agg];
  s.all_int = false;
  ++s.count;
  if (aggs_[agg]->func == AggFunc::kQuantile) {
    AddQuantileValue(s, x, std::nullopt);
    return;
  }
  if (s.count == 1 || x < s.min) s.min = x;
  if (s.count == 1 || x > s.max) s.max = x;
  s.sum += x;
}

void StatsAggregator::AddFloats(size_t group, size_t agg, std::span<const double> xs) {
  if (aggs_[agg]->func != AggFunc::kQuantile) {
    for (double x : xs) AddFloat(group, agg, x);
    return;
  }
  AggState& s = groups_[group].states[agg];
  // A block's values of one group in bulk (p95 by route): one reservation and a copy for an
  // exact state that stays exact, a tight loop for a sketch; value by value only across the
  // switch from one to the other.
  if (!s.sketch &&
      s.values.size() + s.ivalues.size() + xs.size() <= limits::kMaxExactQuantileValues) {
    ReserveValues(s.values, s.values.size() + xs.size());
    const size_t base = s.values.size();
    s.values.resize(base + xs.size());
    double* out = s.values.data() + base;
    size_t kept = 0;
    for (double x : xs) {
      out[kept] = x;
      kept += !std::isnan(x);
    }
    s.values.resize(base + kept);
    s.count += kept;
    if (kept > 0) s.all_int = false;
    memory_ += kept * sizeof(double);
    return;
  }
  if (s.sketch) {
    const uint64_t kept = s.sketch->AddMany(xs);
    s.count += kept;
    if (kept > 0) s.all_int = false;
    return;
  }
  for (double x : xs) {
    if (std::isnan(x)) continue;
    s.all_int = false;
    ++s.count;
    AddQuantileValue(s, x, std::nullopt);
  }
}

void StatsAggregator::AddQuantileValue(AggState& s, double d, std::optional<int64_t> exact_int) {
  if (s.sketch) {
    s.sketch->Add(d);
    return;
  }
  // Integers are kept as integers, so exact percentiles of ints beyond 2^53 stay exact.
  if (exact_int) {
    ReserveValues(s.ivalues, s.ivalues.size() + 1);
    s.ivalues.push_back(*exact_int);
  } else {
    ReserveValues(s.values, s.values.size() + 1);
    s.values.push_back(d);
  }
  static_assert(sizeof(int64_t) == sizeof(double));
  memory_ += sizeof(double);
  if (s.values.size() + s.ivalues.size() > limits::kMaxExactQuantileValues) SwitchToSketch(s);
}

void StatsAggregator::SwitchToSketch(AggState& s) {
  uint64_t freed = ToSketch(s);
  memory_ -= std::min(memory_, freed);
  memory_ += s.sketch->MemoryBytes();
}

void StatsAggregator::MergeQuantiles(AggState& a, AggState& b) {
  if (!a.sketch && !b.sketch &&
      a.values.size() + a.ivalues.size() + b.values.size() + b.ivalues.size() <=
          limits::kMaxExactQuantileValues) {
    Append(a.values, b.values);
    Append(a.ivalues, b.ivalues);
    return;
  }
  // Past the limit the union is a sketch, whichever way it was split between workers.
  if (!a.sketch) SwitchToSketch(a);
  if (!b.sketch) ToSketch(b);
  uint64_t before = a.sketch->MemoryBytes();
  a.sketch->Merge(*b.sketch);
  memory_ += a.sketch->MemoryBytes() - before;
  b.sketch.reset();
}

void StatsAggregator::AddDistinct(size_t group, size_t agg, const Value& v) {
  if (v.type == ValueType::kNull) return;
  std::string k(1, static_cast<char>(v.type));
  k += ValueToString(v);
  auto [pos, inserted] = groups_[group].states[agg].distinct.insert(std::move(k));
  if (inserted) memory_ += pos->size() + 32;
}

Status StatsAggregator::CheckMemory() const {
  if (limits_.max_memory_bytes && memory_ > limits_.max_memory_bytes) {
    return Status::ResourceExhausted("query needs more than " +
                                     std::to_string(limits_.max_memory_bytes >> 20) +
                                     " MiB of memory; narrow the filter or the `by` keys");
  }
  return Status::Ok();
}

Status StatsAggregator::Merge(StatsAggregator&& other) {
  for (size_t oi = 0; oi < other.groups_.size(); ++oi) {
    Group& og = other.groups_[oi];
    // Group oi's encoded key is the other index's oi-th key: no encoding again. (Only Finish
    // adds a group without a key, and nothing is merged after Finish.)
    const std::string_view enc = other.index_.key(static_cast<uint32_t>(oi));
    const uint64_t hash = GroupKeyIndex::Hash(enc);
    size_t gi;
    if (auto found = index_.Find(enc, hash)) {
      gi = *found;
    } else {
      VIGIA_ASSIGN_OR_RETURN(gi, NewGroup(enc, hash, std::move(og.key)));
    }
    Group& g = groups_[gi];
    for (size_t i = 0; i < aggs_.size(); ++i) {
      AggState& a = g.states[i];
      AggState& b = og.states[i];
      if (b.count > 0) {
        if (a.count == 0 || b.min < a.min) a.min = b.min;
        if (a.count == 0 || b.max > a.max) a.max = b.max;
      }
      if (b.icount > 0) {
        if (a.icount == 0 || b.imin < a.imin) a.imin = b.imin;
        if (a.icount == 0 || b.imax > a.imax) a.imax = b.imax;
      }
      a.icount += b.icount;
      a.count += b.count;
      a.sum += b.sum;
      a.all_int = a.all_int && b.all_int;
      if (!a.isum_overflow &&
          (b.isum_overflow || __builtin_add_overflow(a.isum, b.isum, &a.isum))) {
        a.isum_overflow = true;
      }
      MergeQuantiles(a, b);
      if (a.distinct.empty()) {
        a.distinct = std::move(b.distinct);
      } else {
        a.distinct.merge(b.distinct);
      }
    }
  }
  min_ts_ = std::min(min_ts_, other.min_ts_);
  max_ts_ = std::max(max_ts_, other.max_ts_);
  memory_ += other.memory_;
  return CheckMemory();
}

Status StatsAggregator::Add(const RowAccessor& row) {
  auto key_value = [&](const GroupKey& k) {
    Value v = row.Get(k.field);
    if (k.bucket_ns > 0 && v.type == ValueType::kInt) v = Value::Int(Bucket(v.i, k.bucket_ns));
    return v;
  };
  // The row's key is looked up as views; only a new group's key is copied out.
  key_views_.clear();
  for (const GroupKey& k : pipe_->by) key_views_.push_back(key_value(k));
  VIGIA_ASSIGN_OR_RETURN(size_t g, GroupIndexOf(key_views_));
  Value ts = row.Get("_time");
  if (ts.type == ValueType::kInt) NoteTime(ts.i);
  for (size_t i = 0; i < aggs_.size(); ++i) {
    if (has_cond_[i] && !conds_[i].Matches(row)) continue;
    const Aggregate& a = *aggs_[i];
    switch (a.func) {
      case AggFunc::kCount:
        if (a.field.empty() || row.Get(a.field).type != ValueType::kNull) AddCount(g, i, 1);
        break;
      case AggFunc::kRate:
        AddCount(g, i, 1);
        break;
      case AggFunc::kCountDistinct:
        AddDistinct(g, i, row.Get(a.field));
        break;
      case AggFunc::kSum:
      case AggFunc::kAvg:
      case AggFunc::kMin:
      case AggFunc::kMax:
      case AggFunc::kQuantile:
        AddNumber(g, i, row.Get(a.field));
        break;
    }
  }
  return CheckMemory();
}

int64_t StatsAggregator::SketchQuantileInt(const AggState& s, double q) {
  // min and max are exact as integers (beyond 2^53 the sketch's doubles are not).
  uint64_t rank = QuantileSketch::Rank(q, s.sketch->count());
  if (rank == 1) return s.imin;
  if (rank == s.sketch->count()) return s.imax;
  return std::clamp(s.sketch->QuantileInt(q), s.imin, s.imax);
}

std::vector<QueryRecord> StatsAggregator::Finish() {
  if (groups_.empty() && pipe_->by.empty()) groups_.emplace_back().states.resize(aggs_.size());
  std::vector<Group*> order;
  order.reserve(groups_.size());
  for (Group& g : groups_) order.push_back(&g);
  // Keys that compare equal but differ (200 vs 200.0 vs true...) are ordered by type, then
  // bytes, so the order never depends on the order groups were created in (worker threads).
  std::sort(order.begin(), order.end(), [](const Group* a, const Group* b) {
    for (size_t i = 0; i < a->key.size(); ++i) {
      int c = CompareValues(a->key[i].view(), b->key[i].view());
      if (c != 0) return c < 0;
    }
    for (size_t i = 0; i < a->key.size(); ++i) {
      if (a->key[i].type != b->key[i].type) return a->key[i].type < b->key[i].type;
    }
    return EncodeKey(a->key) < EncodeKey(b->key);
  });
  int64_t bucket = 0;
  for (const GroupKey& k : pipe_->by) {
    if (k.bucket_ns > 0) bucket = k.bucket_ns;
  }
  double window_sec = 1;
  if (bucket > 0) {
    window_sec = bucket / 1e9;
  } else if (window_.from_ns && window_.to_ns) {
    window_sec = (*window_.to_ns - *window_.from_ns) / 1e9;
  } else if (max_ts_ > min_ts_) {
    window_sec = (max_ts_ - min_ts_) / 1e9;
  }
  if (window_sec <= 0) window_sec = 1;

  std::vector<QueryRecord> out;
  out.reserve(order.size());
  for (Group* g : order) {
    QueryRecord r;
    for (size_t i = 0; i < pipe_->by.size(); ++i) {
      r.cols.emplace_back(pipe_->by[i].field, std::move(g->key[i]));
    }
    for (size_t i = 0; i < aggs_.size(); ++i) {
      const Aggregate& a = *aggs_[i];
      AggState& s = g->states[i];
      OwnedValue v;
      switch (a.func) {
        case AggFunc::kCount:
          v = OwnedValue::Int(static_cast<int64_t>(s.count));
          break;
        case AggFunc::kRate:
          v = OwnedValue::Float(s.count / window_sec);
          break;
        case AggFunc::kCountDistinct:
          v = OwnedValue::Int(static_cast<int64_t>(s.distinct.size()));
          break;
        case AggFunc::kSum:
          if (s.count == 0) break;
          v = s.all_int && !s.isum_overflow ? OwnedValue::Int(s.isum)
                                            : OwnedValue::Float(static_cast<double>(s.sum));
          break;
        case AggFunc::kAvg:
          if (s.count) v = OwnedValue::Float(static_cast<double>(s.sum / s.count));
          break;
        case AggFunc::kMin:
        case AggFunc::kMax:
          if (s.count == 0) break;
          if (s.all_int) {
            v = OwnedValue::Int(a.func == AggFunc::kMin ? s.imin : s.imax);
          } else {
            v = OwnedValue::Float(a.func == AggFunc::kMin ? s.min : s.max);
          }
          break;
        case AggFunc::kQuantile:
          if (s.count == 0) break;
          if (s.sketch) {
            v = s.all_int ? OwnedValue::Int(SketchQuantileInt(s, a.q))
                          : OwnedValue::Float(s.sketch->Quantile(a.q));
            break;
          }
          if (s.all_int) {
            v = OwnedValue::Int(NearestRank(s.ivalues, a.q));
            break;
          }
          // Mixed integers and floats: one ordering over doubles, as the result is a float.
          ReserveValues(s.values, s.values.size() + s.ivalues.size());
          for (int64_t x : s.ivalues) s.values.push_back(static_cast<double>(x));
          s.ivalues.clear();
          v = OwnedValue::Float(NearestRank(s.values, a.q));
          break;
      }
      r.cols.emplace_back(a.name, std::move(v));
    }
    out.push_back(std::move(r));
  }
  if (pipe_->kind == PipeKind::kTop) {
    std::stable_sort(out.begin(), out.end(), [](const QueryRecord& a, const QueryRecord& b) {
      return a.cols.back().second.i > b.cols.back().second.i;
    });
    if (out.size() > pipe_->limit) out.resize(pipe_->limit);
  }
  return out;
}

}  // namespace vigia
