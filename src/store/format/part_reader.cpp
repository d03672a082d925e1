#include "store/format/part_reader.h"

#include <algorithm>

#include <xxhash.h>

#include "store/format/bloom.h"
#include "store/format/codec_zstd.h"
#include "store/format/column_codec.h"
#include "store/format/file_names.h"

namespace vigia {
namespace {

Result<std::unique_ptr<RandomAccessFile>> OpenPartFile(Env* env, const std::string& dir,
                                                       std::string_view name,
                                                       uint64_t expected_size) {
  const std::string path = JoinPath(dir, name);
  if (!env->FileExists(path)) {
    return Status::Corruption("part " + dir + ": missing file " + std::string(name));
  }
  VIGIA_ASSIGN_OR_RETURN(auto f, env->NewRandomAccessFile(path));
  if (f->Size() != expected_size) {
    return Status::Corruption("part " + dir + ": " + std::string(name) + " has " +
                              std::to_string(f->Size()) + " bytes, metadata says " +
                              std::to_string(expected_size) + " (truncated or overwritten)");
  }
  return f;
}

bool IsNumericColumn(ColumnType t) { return t == ColumnType::kInt || t == ColumnType::kFloat; }

bool RangeOverlaps(const ChunkMeta& c, ColumnType t, double lo, double hi) {
  if (!c.has_minmax) return true;
  double mn = t == ColumnType::kInt ? static_cast<double>(c.min_int) : c.min_float;
  double mx = t == ColumnType::kInt ? static_cast<double>(c.max_int) : c.max_float;
  return !(mx < lo || mn > hi);
}

// Copies the rows flagged in `keep` (count of them: n) of `c`.
void Gather(ColumnVector* c, const std::vector<uint8_t>& keep, size_t n) {
  auto gather = [&](auto& v) {
    if (v.empty()) return;
    std::remove_reference_t<decltype(v)> out;
    out.reserve(n);
    for (size_t i = 0; i < keep.size(); ++i) {
      if (keep[i]) out.push_back(v[i]);
    }
    v.swap(out);
  };
  gather(c->present);
  gather(c->ints);
  gather(c->floats);
  gather(c->strings);
  gather(c->codes);  // the dictionary itself is shared by all rows
}

}  // namespace

Result<std::shared_ptr<PartReader>> PartReader::Open(Env* env, const std::string& dir,
                                                     std::shared_ptr<DegradedParts> degraded) {
  std::shared_ptr<PartReader> r(new PartReader());
  r->env_ = env ? env : Env::Default();
  r->dir_ = dir;
  r->degraded_ = std::move(degraded);
  const std::string meta_path = JoinPath(dir, file_names::kPartMetaFile);
  if (!r->env_->FileExists(meta_path)) {
    return Status::Corruption("part " + dir + ": missing file " +
                              std::string(file_names::kPartMetaFile));
  }
  VIGIA_ASSIGN_OR_RETURN(std::string meta, r->env_->ReadFileToString(meta_path));
  r->meta_size_ = meta.size();
  VIGIA_ASSIGN_OR_RETURN(r->meta_, DecodePartMeta(meta, dir));
  VIGIA_ASSIGN_OR_RETURN(
      r->data_, OpenPartFile(r->env_, dir, file_names::kPartDataFile, r->meta_.data_bytes));
  VIGIA_ASSIGN_OR_RETURN(
      r->bloom_, OpenPartFile(r->env_, dir, file_names::kPartBloomFile, r->meta_.bloom_bytes));
  for (uint32_t i = 1; i < r->meta_.columns.size(); ++i) {
    r->by_name_[r->meta_.columns[i].name].push_back(i);
  }
  return r;
}

Status PartReader::Corrupt(size_t block, uint32_t column, std::string_view why) const {
  return Degrade(Status::Corruption("part " + dir_ + " column " + meta_.columns[column].name +
                                    " block " + std::to_string(block) + ": " + std::string(why)));
}

Status PartReader::Degrade(Status st) const {
  if (!corrupt_.exchange(true) && degraded_ != nullptr) degraded_->Add(dir_, st.ToString());
  return st;
}

Result<std::string_view> PartReader::ReadStoredChunk(size_t block, const ChunkMeta& chunk,
                                                     std::string* stored,
                                                     uint64_t* bytes_read) const {
  if (stored->size() < chunk.size) stored->resize(chunk.size);
  Result<size_t> got = data_->Read(chunk.offset, chunk.size, stored->data());
  if (!got.ok()) {
    return Degrade(Status(got.status().code(), "part " + dir_ + ": " + got.status().message()));
  }
  const size_t n = *got;
  if (bytes_read) *bytes_read += n;
  if (n != chunk.size) return Corrupt(block, chunk.column, "chunk truncated");
  const std::string_view bytes(stored->data(), chunk.size);
  if (XXH64(bytes.data(), bytes.size(), 0) != chunk.checksum) {
    return Corrupt(block, chunk.column, "chunk checksum mismatch");
  }
  return bytes;
}

Status PartReader::ReadChunk(size_t block, const ChunkMeta& chunk, ColumnBatch* storage,
                             ColumnVector* out, uint64_t* bytes_read) const {
  // The stored bytes, and the unframed bytes of a non-string chunk, are gone once the chunk is
  // decoded: per-thread buffers, so that a cold scan does not map and fault fresh memory for
  // them chunk after chunk (the heap's trims give freed pages back, common/heap_tuning.h).
  thread_local std::string stored_scratch, raw_scratch;
  VIGIA_ASSIGN_OR_RETURN(const std::string_view bytes,
                         ReadStoredChunk(block, chunk, &stored_scratch, bytes_read));
  const ColumnMeta& cm = meta_.columns[chunk.column];
  // String values are views into the decompressed bytes, which the batch keeps; other types
  // are decoded copies, so their bytes go now (a cached int chunk would otherwise hold its
  // data twice).
  const bool keep_raw = cm.type == ColumnType::kString;
  std::unique_ptr<std::string> kept;
  if (keep_raw && !storage->spare_buffers.empty()) {
    kept = std::move(storage->spare_buffers.back());
    storage->spare_buffers.pop_back();
    kept->clear();
  } else if (keep_raw) {
    kept = std::make_unique<std::string>();
  }
  std::string* raw = keep_raw ? kept.get() : &raw_scratch;
  out->name = cm.name;
  const bool decoded = DecodeColumnChunk(bytes, cm.type, meta_.blocks[block].num_rows, raw,
                                         storage->arena.get(), out);
  ReleaseLargeScratch(&stored_scratch);
  ReleaseLargeScratch(&raw_scratch);
  if (!decoded) return Corrupt(block, chunk.column, "chunk does not decode");
  size_t present = out->present.size();
  if (!out->all_present) {
    present = 0;
    for (uint8_t p : out->present) present += p;
  }
  if (present != chunk.values) return Corrupt(block, chunk.column, "value count mismatch");
  if (keep_raw) storage->buffers.push_back(std::move(kept));
  return Status::Ok();
}

Status PartReader::ReadChunkRows(size_t block, const ChunkMeta& chunk,
                                 std::span<const uint32_t> rows, ColumnBatch* storage,
                                 ColumnVector* out, uint64_t* bytes_read) const {
  thread_local std::string stored_scratch, raw_scratch;
  VIGIA_ASSIGN_OR_RETURN(const std::string_view bytes,
                         ReadStoredChunk(block, chunk, &stored_scratch, bytes_read));
  const ColumnMeta& cm = meta_.columns[chunk.column];
  // The few string values picked are copied into a buffer the batch keeps; the unframed
  // bytes stay in per-thread scratch (a recycled chunk holding a whole unframed UUID column
  // for two ids would fault in fresh pages whenever the pool runs dry).
  const bool strings = cm.type == ColumnType::kString;
  std::unique_ptr<std::string> text;
  if (strings && !storage->spare_buffers.empty()) {
    text = std::move(storage->spare_buffers.back());
    storage->spare_buffers.pop_back();
  } else if (strings) {
    text = std::make_unique<std::string>();
  }
  std::string unused;  // non-string chunks copy no text
  out->name = cm.name;
  size_t present = 0;
  const bool decoded =
      DecodeColumnChunkRows(bytes, cm.type, meta_.blocks[block].num_rows, rows, &raw_scratch,
                            strings ? text.get() : &unused, out, &present);
  if (strings) storage->buffers.push_back(std::move(text));
  ReleaseLargeScratch(&stored_scratch);
  ReleaseLargeScratch(&raw_scratch);
  if (!decoded) return Corrupt(block, chunk.column, "chunk does not decode");
  if (present != chunk.values) return Corrupt(block, chunk.column, "value count mismatch");
  return Status::Ok();
}

Status PartReader::ReadBloom(size_t block, const ChunkMeta& chunk, std::string* filter,
                             uint64_t* bytes_read) const {
  filter->clear();
  if (chunk.bloom_size == 0) return Status::Ok();
  filter->resize(chunk.bloom_size);
  Result<size_t> got = bloom_->Read(chunk.bloom_offset, chunk.bloom_size, filter->data());
  if (!got.ok()) {
    return Degrade(Status(got.status().code(), "part " + dir_ + ": " + got.status().message()));
  }
  const size_t n = *got;
  if (bytes_read) *bytes_read += n;
  if (n != chunk.bloom_size) return Corrupt(block, chunk.column, "bloom filter truncated");
  if (XXH64(filter->data(), filter->size(), 0) != chunk.bloom_checksum) {
    return Corrupt(block, chunk.column, "bloom filter checksum mismatch");
  }
  return Status::Ok();
}

Result<bool> PartReader::ChunkMayMatch(const ColumnMeta& cm, const ChunkMeta& c,
                                       const ChunkProbe& probe, const BloomLookup& bloom_has) {
  if (cm.type == ColumnType::kNull) return false;
  auto all_tokens = [&](const auto& tokens) -> Result<bool> {
    for (const auto& t : tokens) {
      VIGIA_ASSIGN_OR_RETURN(bool may, bloom_has(BloomTokenHash(t)));
      if (!may) return false;
    }
    return true;
  };
  switch (probe.op) {
    case ChunkProbe::Op::kValues:
      for (const ScanValue& v : probe.values) {
        if (IsNumericColumn(cm.type) &&
            (v.type == ValueType::kInt || v.type == ValueType::kFloat)) {
          double d = v.type == ValueType::kInt ? static_cast<double>(v.i) : v.f;
          if (RangeOverlaps(c, cm.type, d, d)) return true;
        } else if (cm.type == ColumnType::kBool && v.type == ValueType::kBool) {
          return true;
        } else if (cm.type == ColumnType::kString && v.type == ValueType::kString) {
          if (!c.value_counts.empty()) {  // every value of the chunk is known (format v2)
            for (const ChunkValueCount& vc : c.value_counts) {
              if (vc.value == v.s) return true;
            }
            continue;
          }
          if (c.bloom_size == 0 || cm.bloom == BloomKind::kNone) return true;
          bool may = true;
          if (cm.bloom == BloomKind::kValues) {
            VIGIA_ASSIGN_OR_RETURN(may, bloom_has(BloomValueHash(v.s)));
          } else {
            std::vector<std::string_view> tokens;
            ForEachToken(v.s, [&](std::string_view t) { tokens.push_back(t); });
            VIGIA_ASSIGN_OR_RETURN(may, all_tokens(tokens));
          }
          if (may) return true;
        }
      }
      return false;
    case ChunkProbe::Op::kRange:
      if (IsNumericColumn(cm.type)) return RangeOverlaps(c, cm.type, probe.lo, probe.hi);
      return probe.range_includes_text;
    case ChunkProbe::Op::kTokens:
      if (cm.type != ColumnType::kString) return false;
      if (cm.bloom != BloomKind::kTokens || c.bloom_size == 0) return true;
      return all_tokens(probe.tokens);
  }
  return true;
}

Result<bool> PartReader::BlockMayMatch(size_t block, const ScanPredicate& p, bool* used_bloom,
                                       uint64_t* bytes_read) const {
  auto it = by_name_.find(p.column);
  if (it == by_name_.end()) return false;
  const BlockMeta& b = meta_.blocks[block];
  ChunkProbe probe;
  switch (p.op) {
    case ScanPredicate::Op::kEquals:
    case ScanPredicate::Op::kIn:
      probe.op = ChunkProbe::Op::kValues;
      probe.values = p.values;
      break;
    case ScanPredicate::Op::kRange:
      probe.op = ChunkProbe::Op::kRange;
      probe.lo = p.lo;
      probe.hi = p.hi;
      break;
    case ScanPredicate::Op::kToken:
      probe.op = ChunkProbe::Op::kTokens;
      probe.tokens = std::span<const std::string>(&p.token, 1);
      break;
  }
  for (uint32_t col : it->second) {
    const ChunkMeta* c = b.FindChunk(col);
    if (c == nullptr) continue;
    std::string filter;
    bool filter_loaded = false;
    auto bloom_has = [&](uint64_t hash) -> Result<bool> {
      if (!filter_loaded) {
        VIGIA_RETURN_IF_ERROR(ReadBloom(block, *c, &filter, bytes_read));
        filter_loaded = true;
      }
      *used_bloom = true;
      return BloomMayContain(filter, hash);
    };
    VIGIA_ASSIGN_OR_RETURN(bool may, ChunkMayMatch(meta_.columns[col], *c, probe, bloom_has));
    if (may) return true;
  }
  return false;
}

Status PartReader::Scan(const ScanSpec& spec, const std::function<Status(ColumnBatch&)>& sink,
                        ScanStats* stats) const {
  ScanStats local;
  Status result;
  for (size_t bi = 0; bi < meta_.blocks.size() && result.ok(); ++bi) {
    const BlockMeta& b = meta_.blocks[bi];
    ++local.blocks_total;
    if (b.max_ts < spec.min_ts || b.min_ts >= spec.max_ts) {
      ++local.blocks_skipped_time;
      continue;
    }
    bool skip = false, by_bloom = false;
    for (const ScanPredicate& p : spec.predicates) {
      bool used_bloom = false;
      auto may = BlockMayMatch(bi, p, &used_bloom, &local.bytes_read);
      if (!may.ok()) {
        result = may.status();
        break;
      }
      if (!*may) {
        skip = true;
        by_bloom = used_bloom;
        break;
      }
    }
    if (!result.ok()) break;
    if (skip) {
      ++(by_bloom ? local.blocks_skipped_bloom : local.blocks_skipped_index);
      continue;
    }
    ++local.blocks_read;
    local.rows_scanned += b.num_rows;

    ColumnBatch batch;
    batch.part = dir_;
    batch.block = bi;
    std::vector<ColumnVector> decoded(meta_.columns.size());
    std::vector<uint8_t> have(meta_.columns.size(), 0);
    auto decode = [&](const ChunkMeta& c) -> Status {
      if (have[c.column]) return Status::Ok();
      VIGIA_RETURN_IF_ERROR(ReadChunk(bi, c, &batch, &decoded[c.column], &local.bytes_read));
      have[c.column] = 1;
      return Status::Ok();
    };
    if (Status s = decode(b.chunks[0]); !s.ok()) {
      result = s;
      break;
    }
    std::vector<uint8_t> keep(b.num_rows, 1);
    size_t kept = b.num_rows;
    if (spec.filter_rows) {
      const auto& ts = decoded[0].ints;
      for (uint32_t r = 0; r < b.num_rows; ++r)
        keep[r] = ts[r] >= spec.min_ts && ts[r] < spec.max_ts;
      for (const ScanPredicate& p : spec.predicates) {
        std::vector<uint8_t> any(b.num_rows, 0);
        auto it = by_name_.find(p.column);
        if (it != by_name_.end()) {
          for (uint32_t col : it->second) {
            const ChunkMeta* c = b.FindChunk(col);
            if (c == nullptr) continue;
            if (Status s = decode(*c); !s.ok()) return s;
            const ColumnVector& cv = decoded[col];
            for (uint32_t r = 0; r < b.num_rows; ++r) {
              if (keep[r] && !any[r] && cv.IsPresent(r) && p.Matches(cv.Get(r))) any[r] = 1;
            }
          }
        }
        for (uint32_t r = 0; r < b.num_rows; ++r) keep[r] &= any[r];
      }
      kept = 0;
      for (uint8_t k : keep) kept += k;
      if (kept == 0) continue;
    }
    // Materialize the requested columns.
    std::vector<uint32_t> wanted;
    if (spec.all_columns) {
      for (size_t k = 1; k < b.chunks.size(); ++k) wanted.push_back(b.chunks[k].column);
    } else {
      for (const std::string& name : spec.columns) {
        auto it = by_name_.find(name);
        if (it == by_name_.end()) continue;
        for (uint32_t col : it->second) {
          if (b.FindChunk(col) != nullptr) wanted.push_back(col);
        }
      }
    }
    for (uint32_t col : wanted) {
      if (Status s = decode(*b.FindChunk(col)); !s.ok()) return s;
    }
    batch.num_rows = kept;
    batch.ts = std::move(decoded[0].ints);
    if (kept != b.num_rows) {
      std::vector<int64_t> ts;
      ts.reserve(kept);
      for (uint32_t r = 0; r < b.num_rows; ++r) {
        if (keep[r]) ts.push_back(batch.ts[r]);
      }
      batch.ts.swap(ts);
    }
    for (uint32_t col : wanted) {
      if (!have[col]) continue;  // listed twice
      have[col] = 0;
      ColumnVector& cv = decoded[col];
      if (kept != b.num_rows) Gather(&cv, keep, kept);
      batch.columns.push_back(std::move(cv));
    }
    local.rows_returned += kept;
    result = sink(batch);
  }
  if (stats) stats->Add(local);
  return result;
}

Status PartReader::ReadBlockEvents(size_t block, EventBatch* out) const {
  if (block >= meta_.blocks.size()) {
    return Status::InvalidArgument("part " + dir_ + ": no block " + std::to_string(block));
  }
  const BlockMeta& b = meta_.blocks[block];
  ColumnBatch storage;
  std::vector<ColumnVector> cols(b.chunks.size());
  for (size_t k = 0; k < b.chunks.size(); ++k) {
    VIGIA_RETURN_IF_ERROR(ReadChunk(block, b.chunks[k], &storage, &cols[k], nullptr));
  }
  std::vector<std::string_view> names(b.chunks.size());
  for (size_t k = 1; k < b.chunks.size(); ++k) names[k] = out->arena().Copy(cols[k].name);
  // Exact sizes: a merge holds one such block per input, and a field array grown by doubling
  // would hold up to twice its fields (issue 20's peak-memory profile).
  size_t fields = 0;
  for (size_t k = 1; k < cols.size(); ++k) {
    fields +=
        cols[k].all_present
            ? cols[k].size()
            : static_cast<size_t>(std::count(cols[k].present.begin(), cols[k].present.end(), 1));
  }
  out->Reserve(b.num_rows, fields);
  for (uint32_t r = 0; r < b.num_rows; ++r) {
    out->BeginEvent(cols[0].ints[r]);
    for (size_t k = 1; k < cols.size(); ++k) {
      const ColumnVector& c = cols[k];
      if (!c.IsPresent(r)) continue;
      Value v = c.Get(r);
      if (v.type == ValueType::kString) v.s = out->arena().Copy(v.s);
      out->AddField(names[k], v);
    }
  }
  return Status::Ok();
}

Result<EventBatch> PartReader::ReadAllEvents() const {
  EventBatch out;
  for (size_t b = 0; b < meta_.blocks.size(); ++b) VIGIA_RETURN_IF_ERROR(ReadBlockEvents(b, &out));
  return out;
}

}  // namespace vigia
