#include "store/format/part_writer.h"

#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>

#include "common/limits.h"
#include "common/same_bytes.h"
#include "store/format/column_codec.h"
#include "store/format/file_names.h"

namespace vigia {
namespace {

// WritePartFromRows: distinct services (kinds) found by a linear scan before a hash map.
constexpr size_t kLinearIds = 16;

// Each distinct value of a string chunk with its row count (ChunkMeta::value_counts), or
// nothing when the chunk has too many or too long values.
void CountValues(std::span<const std::string_view> strings, std::vector<ChunkValueCount>* out) {
  out->clear();
  // Rows are sorted by (service, kind, ts), so equal values come in runs: the last hit is
  // tried first, and the scan stops at the first value over the limits.
  size_t last = 0;
  for (std::string_view s : strings) {
    if (!out->empty() && SameBytes((*out)[last].value, s)) {
      ++(*out)[last].count;
      continue;
    }
    size_t i = 0;
    while (i < out->size() && !SameBytes((*out)[i].value, s)) ++i;
    if (i == out->size()) {
      if (out->size() == limits::kChunkValueCountsMax ||
          s.size() > limits::kChunkValueCountMaxBytes) {
        out->clear();
        return;
      }
      out->push_back({std::string(s), 0});
    }
    ++(*out)[i].count;
    last = i;
  }
}

}  // namespace

RowKey RowKeyOf(int64_t ts, std::span<const Field> fields) {
  RowKey k;
  k.ts = ts;
  bool have_service = false, have_kind = false;
  for (const Field& f : fields) {
    // Length first: most names differ in it, and normalized events put kind first and
    // service among the first canonical fields, so the loop usually stops early.
    if (f.name.size() == 7 && !have_service && f.name == "service") {
      if (f.value.type == ValueType::kString) k.service = f.value.s;
      have_service = true;
    } else if (f.name.size() == 4 && !have_kind && f.name == "kind") {
      if (f.value.type == ValueType::kString) k.kind = f.value.s;
      have_kind = true;
    }
    if (have_service && have_kind) break;
  }
  return k;
}

int CompareRowKeys(const RowKey& a, const RowKey& b) {
  // Most compares (the merge heap, the writer's order check) meet equal services and kinds:
  // an inline equality test before the ordering compare.
  if (!SameBytes(a.service, b.service)) return a.service.compare(b.service);
  if (!SameBytes(a.kind, b.kind)) return a.kind.compare(b.kind);
  return a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0;
}

BloomKind BloomKindFor(std::string_view name, ColumnType type) {
  if (type != ColumnType::kString) return BloomKind::kNone;
  if (name == "msg" || name.starts_with("error.")) return BloomKind::kTokens;
  static constexpr std::string_view kIds[] = {"request_id", "trace_id", "span_id",   "user_id",
                                              "session_id", "ip",       "entity_id", "fingerprint"};
  for (std::string_view id : kIds) {
    if (name == id) return BloomKind::kValues;
  }
  return BloomKind::kNone;
}

PartWriter::PartWriter(std::string tmp_dir, PartWriterOptions options)
    : tmp_dir_(std::move(tmp_dir)),
      opt_(std::move(options)),
      env_(opt_.env ? opt_.env : Env::Default()) {
  meta_.wal_seq = opt_.wal_seq;
  meta_.replaces = opt_.replaces;
  meta_.format_version = opt_.format_version;
  if (opt_.block_rows == 0) opt_.block_rows = 1;
  // Column 0 is the timestamp. It is kept out of by_name_ so that a dynamic field that
  // happens to be called "_time" gets a column of its own instead of colliding with it.
  ColumnMeta ts;
  ts.name = std::string(kTimeColumn);
  ts.type = ColumnType::kInt;
  meta_.columns.push_back(std::move(ts));
  fill_->builders.emplace_back();
  if (opt_.encode_threads > 1) helper_ = std::make_unique<EncodeHelper>();
}

Result<std::unique_ptr<PartWriter>> PartWriter::Create(std::string tmp_dir,
                                                       PartWriterOptions options) {
  std::unique_ptr<PartWriter> w(new PartWriter(std::move(tmp_dir), std::move(options)));
  Env* env = w->env_;
  if (env->FileExists(w->tmp_dir_)) VIGIA_RETURN_IF_ERROR(env->RemoveDirRecursive(w->tmp_dir_));
  VIGIA_RETURN_IF_ERROR(env->CreateDir(w->tmp_dir_));
  VIGIA_ASSIGN_OR_RETURN(w->data_,
                         env->NewWritableFile(JoinPath(w->tmp_dir_, file_names::kPartDataFile)));
  VIGIA_ASSIGN_OR_RETURN(w->bloom_,
                         env->NewWritableFile(JoinPath(w->tmp_dir_, file_names::kPartBloomFile)));
  return w;
}

// The block buffers finished writers left for the next one (RecycleBlocks).
struct PartWriter::BlockStash {
  std::mutex mu;
  std::vector<BlockRows> blocks;  // guarded by mu; at most two, cleared
  std::chrono::steady_clock::time_point last_use{};
};

PartWriter::BlockStash& PartWriter::Stash() {
  static auto* s = new BlockStash;  // never destroyed: writers may outlive static destruction
  return *s;
}

void PartWriter::AdoptRecycledBlocks() {
  BlockStash& st = Stash();
  std::lock_guard<std::mutex> l(st.mu);
  st.last_use = std::chrono::steady_clock::now();
  for (BlockRows& b : blocks_) {
    if (st.blocks.empty()) break;
    // Builders beyond this writer's columns stay empty until its columns reach them.
    const size_t columns = b.builders.size();
    b = std::move(st.blocks.back());
    st.blocks.pop_back();
    if (b.builders.size() < columns) b.builders.resize(columns);
  }
}

void PartWriter::RecycleBlocks() {
  BlockStash& st = Stash();
  for (BlockRows& b : blocks_) {
    if (b.ts.capacity() == 0) continue;  // never filled: a columnar writer's, or unused
    b.Clear();
    std::lock_guard<std::mutex> l(st.mu);
    st.last_use = std::chrono::steady_clock::now();
    if (st.blocks.size() < 2) st.blocks.push_back(std::move(b));
  }
}

bool PartWriter::ReleaseIdleBlockBuffers() {
  BlockStash& st = Stash();
  std::vector<BlockRows> freed;  // destroyed after the lock is released
  std::lock_guard<std::mutex> l(st.mu);
  if (st.blocks.empty() || std::chrono::steady_clock::now() - st.last_use <
                               std::chrono::milliseconds(limits::kBatchPoolIdleReleaseMs)) {
    return false;
  }
  freed.swap(st.blocks);
  return true;
}

PartWriter::~PartWriter() {
  // First: a task still running reads the blocks and buffers below.
  helper_.reset();
  RecycleBlocks();
  if (finished_) return;
  if (data_) data_->Close().ok();
  if (bloom_) bloom_->Close().ok();
  // Best effort: a leftover tmp- directory is also removed at the next open.
  env_->RemoveDirRecursive(tmp_dir_).ok();
}

uint32_t PartWriter::ResolveColumn(std::string_view name, ColumnType type) {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) {
    std::array<int32_t, 5> none;
    none.fill(-1);
    it = by_name_.emplace(std::string(name), none).first;
  }
  int32_t& idx = it->second[static_cast<size_t>(type)];
  if (idx < 0) {
    idx = static_cast<int32_t>(meta_.columns.size());
    ColumnMeta c;
    c.name = it->first;
    c.type = type;
    c.bloom = BloomKindFor(name, type);
    meta_.columns.push_back(std::move(c));
    if (fill_->builders.size() < meta_.columns.size()) fill_->builders.emplace_back();
  }
  return static_cast<uint32_t>(idx);
}

uint32_t PartWriter::ResolveColumnAt(size_t position, std::string_view name, ColumnType type) {
  if (position < predicted_.size()) {
    const Predicted& p = predicted_[position];
    if (p.type == type && SameBytes(p.name, name)) return p.col;
  }
  const uint32_t col = ResolveColumn(name, type);
  if (position >= predicted_.size()) predicted_.resize(position + 1);
  predicted_[position] = {by_name_.find(name)->first, type, col};
  return col;
}

Status PartWriter::Add(int64_t ts, std::span<const Field> fields) {
  return AddWithKey(RowKeyOf(ts, fields), fields);
}

Status PartWriter::AddWithKey(const RowKey& key, std::span<const Field> fields) {
  if (!failed_.ok()) return failed_;
  if (in_block_) {
    failed_ = Status::InvalidArgument("part writer: Add inside BeginBlock/EndBlock");
    return failed_;
  }
  const int64_t ts = key.ts;
  if (have_last_key_) {
    // Rows arrive sorted, so service and kind mostly equal the previous row's: two short
    // byte compares, and the full three-way compare only when one of them changed.
    const bool same_service = SameBytes(key.service, last_service_);
    const bool same_kind = same_service && SameBytes(key.kind, last_kind_);
    const bool in_order =
        same_kind ? ts >= last_ts_
                  : CompareRowKeys(key, RowKey{last_service_, last_kind_, last_ts_}) >= 0;
    if (!in_order) {
      failed_ = Status::InvalidArgument("part writer: rows not in (service, kind, ts) order");
      return failed_;
    }
    if (!same_service) last_service_.assign(key.service);
    if (!same_kind) last_kind_.assign(key.kind);
  } else {
    last_service_.assign(key.service);
    last_kind_.assign(key.kind);
    AdoptRecycledBlocks();
  }
  last_ts_ = ts;
  have_last_key_ = true;

  BlockRows& block = *fill_;
  const uint32_t row = block.rows;
  block.ts.push_back(ts);
  size_t position = 0;
  for (const Field& f : fields) {
    const ColumnType type = ColumnTypeOf(f.value.type);
    const uint32_t col = ResolveColumnAt(position++, f.name, type);
    ColumnBuilder& b = block.builders[col];
    if (!b.rows.empty() && b.rows.back() == row) {
      // A repeated name breaks the event.h invariant; keeping the first value (and counting
      // the rest) beats failing the whole flush of a memtable over one bad event.
      ++dropped_duplicate_fields_;
      continue;
    }
    if (b.rows.empty()) block.touched.push_back(col);
    b.rows.push_back(row);
    switch (type) {
      case ColumnType::kNull:
        break;
      case ColumnType::kBool:
        b.ints.push_back(f.value.b ? 1 : 0);
        break;
      case ColumnType::kInt:
        b.ints.push_back(f.value.i);
        break;
      case ColumnType::kFloat:
        b.floats.push_back(f.value.f);
        break;
      case ColumnType::kString:
        b.strings.push_back(block.arena.Copy(f.value.s));
        break;
    }
  }
  ++block.rows;
  if (++rows_since_yield_ == limits::kPartWriterYieldRows) {
    rows_since_yield_ = 0;
    if (opt_.yield_point) opt_.yield_point();
  }
  if (block.rows >= opt_.block_rows) {
    Status s = FlushBlock();
    if (!s.ok()) failed_ = s;
    return s;
  }
  return Status::Ok();
}

void PartWriter::StartBlock(std::span<const int64_t> ts) {
  block_ = BlockMeta();
  block_.first_row = meta_.rows;
  block_.num_rows = static_cast<uint32_t>(ts.size());
  block_.min_ts = *std::min_element(ts.begin(), ts.end());
  block_.max_ts = *std::max_element(ts.begin(), ts.end());
  // Reused across blocks (capacity kept): fresh multi-MiB buffers per block page-fault.
  block_data_.clear();
  block_blooms_.clear();
  all_rows_.resize(ts.size());
  for (uint32_t i = 0; i < ts.size(); ++i) all_rows_[i] = i;
  ColumnChunkInput ts_in;
  ts_in.type = ColumnType::kInt;
  ts_in.num_rows = block_.num_rows;
  ts_in.rows = all_rows_;
  ts_in.ints = ts;
  EncodeChunk(0, ts_in);
}

namespace {

// Version 3 added the bit-packed int modes; a writer of an older version (tests that write
// the parts an older vigia left) keeps to the varint ones.
IntModes IntModesFor(uint32_t format_version) {
  return format_version >= 3 ? IntModes::kWithPacked : IntModes::kVarintOnly;
}

// Encodes one chunk: appends its stored bytes to *data and its bloom filter (if any) to
// *blooms. The ChunkMeta's offsets are left 0 for the caller, who places the chunk. Sets
// *has_bloom when a filter was written. Touches nothing else, so both threads of a writer
// can run it at once.
ChunkMeta EncodeChunkInto(uint32_t col, BloomKind bloom, const ColumnChunkInput& in,
                          const PartWriterOptions& opt, uint32_t format_version,
                          std::string* data_out, std::string* blooms, bool* has_bloom) {
  std::string& data = *data_out;
  ChunkMeta c;
  c.column = col;
  c.values = static_cast<uint32_t>(in.rows.size());
  ColumnChunkSummary sum;
  const size_t before = data.size();
  EncodeColumnChunk(in, opt.zstd_level, IntModesFor(format_version), &data, &sum);
  c.size = static_cast<uint32_t>(data.size() - before);
  c.checksum = XXH64(data.data() + before, c.size, 0);
  c.encoding = sum.encoding;
  c.has_minmax = sum.has_minmax;
  c.min_int = sum.min_int;
  c.max_int = sum.max_int;
  c.min_float = sum.min_float;
  c.max_float = sum.max_float;
  if (in.type == ColumnType::kString && format_version >= 2) {
    CountValues(in.strings, &c.value_counts);
  }
  *has_bloom = false;
  if (bloom != BloomKind::kNone) {
    BloomBuilder bb;
    for (std::string_view s : in.strings) {
      if (bloom == BloomKind::kValues) {
        bb.AddHash(BloomValueHash(s));
      } else {
        ForEachToken(s, [&](std::string_view t) { bb.AddHash(BloomTokenHash(t)); });
      }
    }
    if (!bb.empty()) {
      std::string filter = bb.Finish(bloom == BloomKind::kValues ? opt.bloom_value_bits_per_key
                                                                 : opt.bloom_bits_per_key);
      c.bloom_size = static_cast<uint32_t>(filter.size());
      c.bloom_checksum = XXH64(filter.data(), filter.size(), 0);
      *blooms += filter;
      *has_bloom = true;
    }
  }
  return c;
}

}  // namespace

void PartWriter::EncodeChunk(uint32_t col, const ColumnChunkInput& in) {
  if (opt_.yield_point) opt_.yield_point();
  const uint64_t data_base = meta_.data_bytes + block_data_.size();
  const uint64_t bloom_base = meta_.bloom_bytes + block_blooms_.size();
  bool has_bloom = false;
  ChunkMeta c = EncodeChunkInto(col, meta_.columns[col].bloom, in, opt_, meta_.format_version,
                                &block_data_, &block_blooms_, &has_bloom);
  AddChunkMeta(std::move(c), has_bloom, data_base, bloom_base);
}

void PartWriter::AddChunkMeta(ChunkMeta c, bool has_bloom, uint64_t data_base,
                              uint64_t bloom_base) {
  c.offset = data_base;
  if (has_bloom) c.bloom_offset = bloom_base;
  ColumnMeta& cm = meta_.columns[c.column];
  cm.values += c.values;
  cm.stored_bytes += c.size;
  if (has_bloom) cm.bloom_bytes += c.bloom_size;
  block_.chunks.push_back(std::move(c));
}

Status PartWriter::FinishBlock() {
  VIGIA_RETURN_IF_ERROR(data_->Append(block_data_));
  if (!block_blooms_.empty()) VIGIA_RETURN_IF_ERROR(bloom_->Append(block_blooms_));
  meta_.data_bytes += block_data_.size();
  meta_.bloom_bytes += block_blooms_.size();
  if (meta_.blocks.empty()) {
    meta_.min_ts = block_.min_ts;
    meta_.max_ts = block_.max_ts;
  } else {
    meta_.min_ts = std::min(meta_.min_ts, block_.min_ts);
    meta_.max_ts = std::max(meta_.max_ts, block_.max_ts);
  }
  meta_.rows += block_.num_rows;
  meta_.blocks.push_back(std::move(block_));
  block_ = BlockMeta();
  return Status::Ok();
}

void PartWriter::BlockRows::Clear() {
  for (uint32_t col : touched) {
    ColumnBuilder& b = builders[col];
    b.rows.clear();
    b.ints.clear();
    b.floats.clear();
    b.strings.clear();
  }
  touched.clear();
  rows = 0;
  ts.clear();
  arena.Reset();
}

ColumnChunkInput PartWriter::InputOf(const BlockRows& b, uint32_t col, ColumnType type) const {
  ColumnChunkInput in;
  in.type = type;
  in.num_rows = b.rows;
  if (col == 0) {  // the _time column
    in.rows = std::span<const uint32_t>(all_rows_.data(), b.rows);
    in.ints = b.ts;
    return in;
  }
  const ColumnBuilder& cb = b.builders[col];
  in.rows = cb.rows;
  in.ints = cb.ints;
  in.floats = cb.floats;
  in.strings = cb.strings;
  return in;
}

Status PartWriter::FlushBlock() {
  if (helper_) return FlushBlockOnTwoThreads();
  BlockRows& b = *fill_;
  if (b.rows == 0) return Status::Ok();
  StartBlock(b.ts);
  std::sort(b.touched.begin(), b.touched.end());
  for (uint32_t col : b.touched) EncodeChunk(col, InputOf(b, col, meta_.columns[col].type));
  VIGIA_RETURN_IF_ERROR(FinishBlock());
  b.Clear();
  return Status::Ok();
}

Status PartWriter::FlushBlockOnTwoThreads() {
  VIGIA_RETURN_IF_ERROR(WriteEncodedBlock());
  BlockRows& b = *fill_;
  if (b.rows == 0) return Status::Ok();
  std::sort(b.touched.begin(), b.touched.end());
  tasks_.resize(b.touched.size() + 1);
  auto plan = [&](ChunkTask& t, uint32_t col, uint64_t values) {
    const ColumnMeta& cm = meta_.columns[col];
    t.col = col;
    t.type = cm.type;
    t.bloom = cm.bloom;
    // Strings cost most to encode (dictionary, zstd), blooms more still.
    t.weight = values * (cm.type != ColumnType::kString ? 1 : cm.bloom == BloomKind::kNone ? 4 : 8);
  };
  plan(tasks_[0], 0, b.rows);
  for (size_t i = 0; i < b.touched.size(); ++i) {
    plan(tasks_[i + 1], b.touched[i], b.builders[b.touched[i]].rows.size());
  }
  task_order_.resize(tasks_.size());
  for (uint32_t i = 0; i < task_order_.size(); ++i) task_order_[i] = i;
  std::stable_sort(task_order_.begin(), task_order_.end(),
                   [&](uint32_t x, uint32_t y) { return tasks_[x].weight > tasks_[y].weight; });
  if (all_rows_.size() < b.rows) {
    const size_t from = all_rows_.size();
    all_rows_.resize(b.rows);
    for (size_t i = from; i < all_rows_.size(); ++i) all_rows_[i] = static_cast<uint32_t>(i);
  }
  encoding_ = fill_;
  fill_ = fill_ == &blocks_[0] ? &blocks_[1] : &blocks_[0];
  if (fill_->builders.size() < meta_.columns.size()) fill_->builders.resize(meta_.columns.size());
  helper_->Start(tasks_.size(), [this](size_t i) { EncodeTask(task_order_[i]); });
  return Status::Ok();
}

void PartWriter::EncodeTask(size_t task) {
  if (opt_.yield_point) opt_.yield_point();
  ChunkTask& t = tasks_[task];
  t.data.clear();
  t.blooms.clear();
  t.meta = EncodeChunkInto(t.col, t.bloom, InputOf(*encoding_, t.col, t.type), opt_,
                           meta_.format_version, &t.data, &t.blooms, &t.has_bloom);
}

Status PartWriter::WriteEncodedBlock() {
  if (encoding_ == nullptr) return Status::Ok();
  helper_->Finish();
  BlockRows& b = *encoding_;
  block_ = BlockMeta();
  block_.first_row = meta_.rows;
  block_.num_rows = b.rows;
  block_.min_ts = *std::min_element(b.ts.begin(), b.ts.end());
  block_.max_ts = *std::max_element(b.ts.begin(), b.ts.end());
  block_data_.clear();
  block_blooms_.clear();
  for (ChunkTask& t : tasks_) {
    const uint64_t data_base = meta_.data_bytes + block_data_.size();
    const uint64_t bloom_base = meta_.bloom_bytes + block_blooms_.size();
    block_data_ += t.data;
    block_blooms_ += t.blooms;
    AddChunkMeta(std::move(t.meta), t.has_bloom, data_base, bloom_base);
  }
  b.Clear();
  encoding_ = nullptr;
  return FinishBlock();
}

Status PartWriter::BeginBlock(std::span<const int64_t> ts) {
  if (!failed_.ok()) return failed_;
  if (fill_->rows != 0 || in_block_ || ts.empty() || ts.size() > opt_.block_rows) {
    failed_ = Status::InvalidArgument(
        "part writer: BeginBlock needs 1..block_rows rows and no block being filled");
    return failed_;
  }
  // A block of rows still being encoded goes first.
  if (Status s = WriteEncodedBlock(); !s.ok()) {
    failed_ = s;
    return s;
  }
  StartBlock(ts);
  in_block_ = true;
  return Status::Ok();
}

Status PartWriter::AddChunk(std::string_view name, ColumnType type, const ColumnChunkInput& in) {
  if (!failed_.ok()) return failed_;
  const uint32_t col = ResolveColumn(name, type);
  if (!in_block_ || in.type != type || in.num_rows != block_.num_rows || in.rows.empty() ||
      col <= block_.chunks.back().column) {
    failed_ = Status::InvalidArgument(
        "part writer: AddChunk outside a block, empty, or out of "
        "column order (" +
        std::string(name) + ")");
    return failed_;
  }
  EncodeChunk(col, in);
  return Status::Ok();
}

Status PartWriter::EndBlock() {
  if (!failed_.ok()) return failed_;
  if (!in_block_) {
    failed_ = Status::InvalidArgument("part writer: EndBlock without BeginBlock");
    return failed_;
  }
  in_block_ = false;
  Status s = FinishBlock();
  if (!s.ok()) failed_ = s;
  return s;
}

Result<PartMeta> PartWriter::Finish(const std::string& final_dir) {
  if (!failed_.ok()) return failed_;
  if (in_block_) return Status::InvalidArgument("part writer: Finish inside BeginBlock/EndBlock");
  if (rows() == 0) return Status::InvalidArgument("part writer: no rows");
  auto fail = [&](Status s) {
    failed_ = s;
    return s;
  };
  if (Status s = FlushBlock(); !s.ok()) return fail(s);
  if (Status s = WriteEncodedBlock(); !s.ok()) return fail(s);
  helper_.reset();  // the helper thread ends here, not after the fsyncs
  std::string meta = EncodePartMeta(meta_);
  for (WritableFile* f : {data_.get(), bloom_.get()}) {
    if (Status s = f->Sync(); !s.ok()) return fail(s);
    if (Status s = f->Close(); !s.ok()) return fail(s);
  }
  {
    auto mf = env_->NewWritableFile(JoinPath(tmp_dir_, file_names::kPartMetaFile));
    if (!mf.ok()) return fail(mf.status());
    if (Status s = (*mf)->Append(meta); !s.ok()) return fail(s);
    if (Status s = (*mf)->Sync(); !s.ok()) return fail(s);
    if (Status s = (*mf)->Close(); !s.ok()) return fail(s);
  }
  // The directory entries of the three files must be durable before the rename publishes
  // the part.
  if (Status s = env_->SyncDir(tmp_dir_); !s.ok()) return fail(s);
  if (Status s = env_->RenameFile(tmp_dir_, final_dir); !s.ok()) return fail(s);
  finished_ = true;
  const size_t slash = final_dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    VIGIA_RETURN_IF_ERROR(env_->SyncDir(final_dir.substr(0, slash)));
  }
  return meta_;
}

Result<PartMeta> WritePartFromRows(std::vector<RowRef> rows, const std::string& tmp_dir,
                                   const std::string& final_dir, PartWriterOptions options) {
  if (rows.empty()) return Status::InvalidArgument("part writer: no rows");
  // Sorting hundreds of thousands of rows by (service, kind, ts) with string compares costs
  // more than writing them: rank the few distinct service and kind values once, then sort
  // integer keys (the row index breaks ties, which keeps the sort stable).
  struct Keyed {
    uint32_t service;
    uint32_t kind;
    int64_t ts;
    uint32_t row;
  };
  std::vector<Keyed> keyed(rows.size());
  // A handful of services and kinds: the previous row's value or a short linear scan with
  // inline compares finds the id without hashing; the map takes over past kLinearIds values.
  struct Ids {
    std::vector<std::string_view> names;
    std::unordered_map<std::string_view, uint32_t> map;
    uint32_t last = UINT32_MAX;
    uint32_t Of(std::string_view v) {
      if (last != UINT32_MAX && SameBytes(names[last], v)) return last;
      if (names.size() <= kLinearIds) {
        for (uint32_t i = 0; i < names.size(); ++i) {
          if (SameBytes(names[i], v)) return last = i;
        }
        if (names.size() == kLinearIds) {
          for (uint32_t i = 0; i < names.size(); ++i) map.emplace(names[i], i);
        }
      } else if (auto it = map.find(v); it != map.end()) {
        return last = it->second;
      }
      const auto id = static_cast<uint32_t>(names.size());
      names.push_back(v);
      if (names.size() > kLinearIds) map.emplace(v, id);
      return last = id;
    }
  };
  Ids services, kinds;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& e = rows[i].batch->events()[rows[i].event];
    RowKey k = RowKeyOf(e.ts_ns, rows[i].batch->fields(e));
    keyed[i] = {services.Of(k.service), kinds.Of(k.kind), e.ts_ns, static_cast<uint32_t>(i)};
  }
  // Sorts the names; returns each id's rank (the sort key) and fills `sorted` (rank -> name).
  auto ranks = [](const std::vector<std::string_view>& names,
                  std::vector<std::string_view>* sorted) {
    std::vector<uint32_t> order(names.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return names[a] < names[b]; });
    std::vector<uint32_t> rank(names.size());
    sorted->resize(names.size());
    for (uint32_t r = 0; r < order.size(); ++r) {
      rank[order[r]] = r;
      (*sorted)[r] = names[order[r]];
    }
    return rank;
  };
  std::vector<std::string_view> service_by_rank, kind_by_rank;
  const std::vector<uint32_t> service_rank = ranks(services.names, &service_by_rank);
  const std::vector<uint32_t> kind_rank = ranks(kinds.names, &kind_by_rank);
  for (Keyed& k : keyed) {
    k.service = service_rank[k.service];
    k.kind = kind_rank[k.kind];
  }
  std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    if (a.service != b.service) return a.service < b.service;
    if (a.kind != b.kind) return a.kind < b.kind;
    if (a.ts != b.ts) return a.ts < b.ts;
    return a.row < b.row;
  });
  VIGIA_ASSIGN_OR_RETURN(auto writer, PartWriter::Create(tmp_dir, std::move(options)));
  // Sorted order hops between the events of each service and kind across the batches, so
  // every row's fields (~18 x 40 bytes) and string bytes are cache misses the hardware
  // prefetcher cannot foresee (most of AddWithKey's time waited on them: perf, issue 20
  // round six). Fetched ahead in three steps, each using what the previous one brought in:
  // the event entry kPrefetchRows rows ahead, the fields half as far, the strings a quarter.
  constexpr size_t kPrefetchRows = 16;
  const size_t n = keyed.size();
  for (size_t i = 0; i < n; ++i) {
    if (i + kPrefetchRows < n) {
      const RowRef& ahead = rows[keyed[i + kPrefetchRows].row];
      __builtin_prefetch(&ahead.batch->events()[ahead.event]);
    }
    if (i + kPrefetchRows / 2 < n) {
      const RowRef& ahead = rows[keyed[i + kPrefetchRows / 2].row];
      const std::span<const Field> f = ahead.batch->fields(ahead.batch->events()[ahead.event]);
      const char* p = reinterpret_cast<const char*>(f.data());
      const char* end = reinterpret_cast<const char*>(f.data() + f.size());
      for (; p < end; p += 64) __builtin_prefetch(p);
    }
    if (i + kPrefetchRows / 4 < n) {
      const RowRef& ahead = rows[keyed[i + kPrefetchRows / 4].row];
      for (const Field& f : ahead.batch->fields(ahead.batch->events()[ahead.event])) {
        if (f.value.type == ValueType::kString) __builtin_prefetch(f.value.s.data());
      }
    }
    const Keyed& k = keyed[i];
    const RowRef& r = rows[k.row];
    const auto& e = r.batch->events()[r.event];
    // The key the sort used (its strings are the first row's copy of each value: equal bytes).
    const RowKey key{service_by_rank[k.service], kind_by_rank[k.kind], k.ts};
    VIGIA_RETURN_IF_ERROR(writer->AddWithKey(key, r.batch->fields(e)));
  }
  return writer->Finish(final_dir);
}

Result<PartMeta> WritePartFromBatches(std::span<const EventBatch* const> batches,
                                      const std::string& tmp_dir, const std::string& final_dir,
                                      PartWriterOptions options) {
  std::vector<RowRef> rows;
  for (const EventBatch* b : batches) {
    for (uint32_t i = 0; i < b->size(); ++i) rows.push_back({b, i});
  }
  return WritePartFromRows(std::move(rows), tmp_dir, final_dir, std::move(options));
}

}  // namespace vigia
