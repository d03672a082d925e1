// BlockView: one decoded block of a part as the columnar engine's filter and aggregation
// kernels see it — the timestamps plus, per field name, the typed column vectors present in
// the block (a field stored with several types has several; in any row at most one of them
// is present). BlockRowAccessor reads one row of it by field name with exactly the
// semantics of EventRowAccessor (time fields, `_msg`, JSON nulls read as null), for the
// filters and aggregates that have no column kernel.
//
// Thread-safety: value types over immutable columns; a view is used by one thread at a time.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "query/query_record.h"
#include "store/format/column_vector.h"

namespace vigia {

struct BlockView {
  size_t num_rows = 0;
  const int64_t* ts = nullptr;
  // Every decoded column in part column order (for building output rows).
  std::vector<const ColumnVector*> all;

  // Removes every column for another block (num_rows and ts are left to the caller),
  // keeping the memory of the per-field lists: a query rebuilds a view for every block it
  // reads (twice for a windowed stats block), and a new list per field per block was ~5 % of
  // a warm needle query's server CPU in malloc/free.
  void ClearColumns() {
    all.clear();
    for (size_t i = 0; i < num_fields_; ++i) fields_[i].second.clear();
    num_fields_ = 0;
  }
  void Add(const ColumnVector* c) {
    all.push_back(c);
    for (size_t i = 0; i < num_fields_; ++i) {
      if (fields_[i].first == c->name) {
        fields_[i].second.push_back(c);
        return;
      }
    }
    if (num_fields_ == fields_.size()) fields_.emplace_back();
    auto& f = fields_[num_fields_++];
    f.first = c->name;
    f.second.push_back(c);
  }
  // Distinct field names in the view.
  size_t num_fields() const { return num_fields_; }
  // The typed columns of `name` (nullptr when the block has none).
  const std::vector<const ColumnVector*>* Find(std::string_view name) const {
    for (size_t i = 0; i < num_fields_; ++i) {
      if (fields_[i].first == name) return &fields_[i].second;
    }
    return nullptr;
  }
  // The row's value of the field (Null when absent or JSON null).
  Value Get(const std::vector<const ColumnVector*>* cols, size_t row) const {
    if (cols == nullptr) return Value::Null();
    for (const ColumnVector* c : *cols) {
      if (c->IsPresent(row)) return c->Get(row);
    }
    return Value::Null();
  }

 private:
  // Columns grouped by name (first appearance order); entries past num_fields_ are kept
  // empty for reuse.
  std::vector<std::pair<std::string_view, std::vector<const ColumnVector*>>> fields_;
  size_t num_fields_ = 0;
};

class BlockRowAccessor final : public RowAccessor {
 public:
  BlockRowAccessor(const BlockView& block, size_t row) : block_(block), row_(row) {}
  void set_row(size_t row) { row_ = row; }
  Value Get(std::string_view field) const override {
    if (IsTimeField(field)) return Value::Int(block_.ts[row_]);
    if (field == "_msg") field = "msg";
    return block_.Get(block_.Find(field), row_);
  }

 private:
  const BlockView& block_;
  size_t row_;
};

}  // namespace vigia
