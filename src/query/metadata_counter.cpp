#include "query/metadata_counter.h"

#include <algorithm>
#include <utility>

#include "query/query_record.h"
#include "query/stats_aggregator.h"

namespace vigia {
namespace {

// Time read anywhere but in top-level `_time` ranges (those are the plan's range).
bool ReadsTimeBeyondRange(const Filter& f) {
  if (f.kind == FilterKind::kTime) return false;
  if (f.kind == FilterKind::kAnd) {
    for (const auto& c : f.children) {
      if (c->kind != FilterKind::kTime && FilterReadsTime(*c)) return true;
    }
    return false;
  }
  return FilterReadsTime(f);
}

// The values every row of a set of rows shares, as the row matcher reads them.
class SharedRow final : public RowAccessor {
 public:
  SharedRow(const std::vector<std::string>& names, int64_t ts)
      : names_(names), values_(names.size()), ts_(ts) {}
  Value Get(std::string_view field) const override {
    // Only top-level time ranges reach here, and every row of the block is inside them.
    if (IsTimeField(field)) return Value::Int(ts_);
    const std::string name = NormalizeField(std::string(field));
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return values_[i];
    }
    return Value::Null();
  }
  void Set(size_t slot, Value v) { values_[slot] = v; }
  const Value& at(size_t slot) const { return values_[slot]; }

 private:
  const std::vector<std::string>& names_;
  std::vector<Value> values_;
  int64_t ts_;
};

}  // namespace

MetadataCounter::MetadataCounter(FilterMatcher matcher, std::vector<ColumnStats::CountKey> keys,
                                 std::vector<std::string> fields, const QueryPlan& plan)
    : matcher_(std::move(matcher)),
      keys_(std::move(keys)),
      fields_(std::move(fields)),
      min_ts_(plan.min_ts),
      max_ts_(plan.max_ts) {
  for (const ColumnStats::CountKey& k : keys_) {
    if (k.bucket_ns > 0) {
      key_slot_.push_back(-1);
      continue;
    }
    const auto it = std::find(fields_.begin(), fields_.end(), k.field);
    key_slot_.push_back(static_cast<int>(it - fields_.begin()));
  }
}

Result<std::optional<MetadataCounter>> MetadataCounter::Create(const Query& q,
                                                               const QueryPlan& plan,
                                                               const ColumnStats& stats,
                                                               int64_t now_ns) {
  std::vector<ColumnStats::CountKey> keys;
  if (!stats.CountsByValueCounts(&keys) || ReadsTimeBeyondRange(*q.filter)) {
    return std::optional<MetadataCounter>();
  }
  std::vector<std::string> fields;
  CollectFilterFields(*q.filter, &fields);
  for (const ColumnStats::CountKey& k : keys) {
    if (k.bucket_ns == 0 && std::find(fields.begin(), fields.end(), k.field) == fields.end()) {
      fields.push_back(k.field);
    }
  }
  VIGIA_ASSIGN_OR_RETURN(FilterMatcher m, FilterMatcher::Compile(*q.filter, now_ns));
  return std::optional<MetadataCounter>(
      MetadataCounter(std::move(m), std::move(keys), std::move(fields), plan));
}

Result<bool> MetadataCounter::Count(const PartBlockReader& reader, size_t block, ColumnStats* stats,
                                    uint64_t* matched) const {
  const PartMeta& meta = reader.reader().meta();
  const BlockMeta& b = meta.blocks[block];
  if (b.min_ts < min_ts_ || b.max_ts >= max_ts_) return false;
  for (const ColumnStats::CountKey& k : keys_) {
    if (k.bucket_ns > 0 && StatsAggregator::Bucket(b.min_ts, k.bucket_ns) !=
                               StatsAggregator::Bucket(b.max_ts, k.bucket_ns)) {
      return false;
    }
  }
  SharedRow row(fields_, b.min_ts);
  const ChunkMeta* varying = nullptr;
  size_t varying_slot = 0;
  for (size_t i = 0; i < fields_.size(); ++i) {
    size_t n = 0;
    const ChunkMeta* c = reader.FieldChunk(block, fields_[i], &n);
    if (n == 0) continue;  // absent from the block: null on every row
    // Other types, or a field in several types (a JSON null is a chunk of its own), have no
    // value counts to go by.
    if (n > 1 || meta.columns[c->column].type != ColumnType::kString || c->value_counts.empty()) {
      return false;
    }
    if (c->value_counts.size() == 1 && c->values == b.num_rows) {
      row.Set(i, Value::String(c->value_counts[0].value));
      continue;
    }
    if (varying != nullptr) return false;  // two varying fields: their rows' pairs are unknown
    varying = c;
    varying_slot = i;
  }

  *matched = 0;
  auto add = [&](uint64_t rows) -> Status {
    if (rows == 0 || !matcher_.Matches(row)) return Status::Ok();
    std::vector<OwnedValue> key;
    key.reserve(keys_.size());
    for (size_t k = 0; k < keys_.size(); ++k) {
      key.push_back(key_slot_[k] < 0
                        ? OwnedValue::Int(StatsAggregator::Bucket(b.min_ts, keys_[k].bucket_ns))
                        : OwnedValue::From(row.at(static_cast<size_t>(key_slot_[k]))));
    }
    *matched += rows;
    return stats->AddCount(std::move(key), rows);
  };
  if (varying == nullptr) {
    VIGIA_RETURN_IF_ERROR(add(b.num_rows));
    return true;
  }
  for (const ChunkValueCount& v : varying->value_counts) {
    row.Set(varying_slot, Value::String(v.value));
    VIGIA_RETURN_IF_ERROR(add(v.count));
  }
  row.Set(varying_slot, Value::Null());
  VIGIA_RETURN_IF_ERROR(add(b.num_rows - varying->values));
  return true;
}

}  // namespace vigia
