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
  // Columns in part column order, grouped by name (first appearance order).
  std::vector<std::pair<std::string_view, std::vector<const ColumnVector*>>> fields;
  // Every decoded column in part column order (for building output rows).
  std::vector<const ColumnVector*> all;

  void Add(const ColumnVector* c) {
    all.push_back(c);
    for (auto& f : fields) {
      if (f.first == c->name) {
        f.second.push_back(c);
        return;
      }
    }
    fields.emplace_back(c->name, std::vector<const ColumnVector*>{c});
  }
  // The typed columns of `name` (nullptr when the block has none).
  const std::vector<const ColumnVector*>* Find(std::string_view name) const {
    for (const auto& f : fields) {
      if (f.first == name) return &f.second;
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
