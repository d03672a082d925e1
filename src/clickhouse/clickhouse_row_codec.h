// Events ⇄ ClickHouse RowBinary rows of the events table (clickhouse_schema.h). RowBinary is
// ClickHouse's plainest binary format (little-endian integers and floats, LEB128-prefixed
// strings, a null byte before Nullable values, arrays as a count then the elements): exact for
// every value (no float printing, no UTF-8 checks) and cheap on both sides.
//
// A field whose value has its canonical column's type goes to the column; every other field
// (dynamic names, a canonical name with another type, a null value) goes to `x` as (name,
// ValueType, value text — ints in decimal, floats in shortest round-trip form, bools 0/1).
// Decoding gives back the same fields with the same types and values; typed columns come first
// in the table's order, then the `x` fields in the order they were written.
//
// Thread-safety: RowEncoder and RowDecoder are externally synchronized; the free functions are
// pure.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "event/event.h"

namespace vigia::clickhouse {

// The column list of an INSERT of EncodeRows' output: "(ts, seq, `tenant`, ..., x.key, ...)".
std::string InsertColumnList();

// Appends one RowBinary row per event of `batch`; the i-th event gets seq `first_seq + i`.
void EncodeRows(const EventBatch& batch, uint64_t first_seq, std::string* out);

// A `seqs` entry that leaves its event out (a row ClickHouse already has).
inline constexpr uint64_t kSkipRow = ~uint64_t{0};

// Appends one row per event of `batch` with seq `seqs[i]`, leaving out the events whose seq
// is kSkipRow. REQUIRES: seqs.size() == batch.size().
void EncodeRows(const EventBatch& batch, std::span<const uint64_t> seqs, std::string* out);

// Reads RowBinary rows of `SELECT <SelectList(columns)>` back into events.
class RowDecoder {
 public:
  // `columns`: indexes into CanonicalColumns() of the typed columns the SELECT names, in
  // order; `events_per_batch` events are handed out at a time.
  RowDecoder(std::vector<int> columns, size_t events_per_batch,
             std::function<Status(std::shared_ptr<EventBatch>)> on_batch);

  // The SELECT list: "ts, seq, <columns>, x.key, x.type, x.value".
  static std::string SelectList(const std::vector<int>& columns);

  // Rows for which `keep(ts, seq)` is false are read and left out of the batches (a cluster
  // tail's de-duplication by its (ts, seq) cursor). Called once per row, in answer order.
  void set_row_filter(std::function<bool(int64_t ts, uint64_t seq)> keep) {
    keep_ = std::move(keep);
  }

  // Feeds the next bytes of the answer (rows may be split anywhere); full batches go to
  // on_batch. Corruption when the bytes are not rows of this layout.
  Status Feed(std::string_view data);
  // Hands out the last batch; Corruption when the answer ended inside a row.
  Status Finish();

  // Rows read, including those the row filter left out.
  uint64_t rows() const { return rows_; }

 private:
  // Parses one row at `*pos` into the current batch; false (nothing added) when the
  // buffer ends first.
  bool ParseRow(size_t* pos, Status* error);

  std::vector<int> columns_;
  size_t events_per_batch_;
  std::function<Status(std::shared_ptr<EventBatch>)> on_batch_;
  std::function<bool(int64_t, uint64_t)> keep_;
  std::string pending_;
  std::shared_ptr<EventBatch> batch_;
  uint64_t rows_ = 0;
};

}  // namespace vigia::clickhouse
