#include "store/format/part_meta.h"

#include <xxhash.h>

#include <cstring>

#include "common/limits.h"
#include "store/format/codec_bytes.h"

namespace vigia {
namespace {

constexpr uint32_t kMetaMagic = 0x54504756;  // "VGPT" little-endian
// Structural caps that a valid file never reaches; they keep a corrupt count from turning
// into a giant allocation.
constexpr uint64_t kMaxMetaColumns = 1u << 20;
constexpr uint64_t kMaxMetaBlocks = 1u << 24;

uint64_t Bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}
double FromBits(uint64_t b) {
  double d;
  std::memcpy(&d, &b, 8);
  return d;
}

}  // namespace

std::string EncodePartMeta(const PartMeta& m) {
  std::string out;
  ByteWriter w(&out);
  w.PutFixed32(kMetaMagic);
  w.PutFixed32(m.format_version);
  w.PutVarint(m.rows);
  w.PutSignedVarint(m.min_ts);
  w.PutSignedVarint(m.max_ts);
  w.PutVarint(m.wal_seq);
  w.PutVarint(m.data_bytes);
  w.PutVarint(m.bloom_bytes);
  w.PutVarint(m.replaces.size());
  for (const auto& r : m.replaces) w.PutString(r);
  w.PutVarint(m.columns.size());
  for (const ColumnMeta& c : m.columns) {
    w.PutString(c.name);
    w.PutU8(static_cast<uint8_t>(c.type));
    w.PutU8(static_cast<uint8_t>(c.bloom));
    w.PutVarint(c.values);
    w.PutVarint(c.stored_bytes);
    w.PutVarint(c.bloom_bytes);
  }
  w.PutVarint(m.blocks.size());
  for (const BlockMeta& b : m.blocks) {
    w.PutVarint(b.first_row);
    w.PutVarint(b.num_rows);
    w.PutSignedVarint(b.min_ts);
    w.PutSignedVarint(b.max_ts);
    w.PutVarint(b.chunks.size());
    for (const ChunkMeta& c : b.chunks) {
      w.PutVarint(c.column);
      w.PutVarint(c.values);
      w.PutU8(c.encoding);
      w.PutVarint(c.offset);
      w.PutVarint(c.size);
      w.PutFixed64(c.checksum);
      w.PutU8(c.has_minmax ? 1 : 0);
      if (c.has_minmax) {
        if (m.columns[c.column].type == ColumnType::kFloat) {
          w.PutFixed64(Bits(c.min_float));
          w.PutFixed64(Bits(c.max_float));
        } else {
          w.PutSignedVarint(c.min_int);
          w.PutSignedVarint(c.max_int);
        }
      }
      w.PutVarint(c.bloom_size);
      if (c.bloom_size > 0) {
        w.PutVarint(c.bloom_offset);
        w.PutFixed64(c.bloom_checksum);
      }
      if (m.format_version >= 2) {
        w.PutVarint(c.value_counts.size());
        for (const ChunkValueCount& v : c.value_counts) {
          w.PutString(v.value);
          w.PutVarint(v.count);
        }
      }
    }
  }
  w.PutFixed64(XXH64(out.data(), out.size(), 0));
  return out;
}

Result<PartMeta> DecodePartMeta(std::string_view data, std::string_view what) {
  auto bad = [&](std::string_view why) {
    return Status::Corruption("part " + std::string(what) + " metadata: " + std::string(why));
  };
  if (data.size() < 16) return bad("truncated");
  ByteReader tail(data.substr(data.size() - 8));
  uint64_t sum;
  tail.GetFixed64(&sum);
  if (XXH64(data.data(), data.size() - 8, 0) != sum) return bad("checksum mismatch");
  ByteReader r(data.substr(0, data.size() - 8));
  PartMeta m;
  uint32_t magic;
  if (!r.GetFixed32(&magic) || magic != kMetaMagic) return bad("bad magic");
  if (!r.GetFixed32(&m.format_version)) return bad("truncated");
  if (m.format_version < kPartFormatVersionOldest || m.format_version > kPartFormatVersion) {
    return bad("unsupported format version " + std::to_string(m.format_version));
  }
  uint64_t n;
  if (!r.GetVarint(&m.rows) || !r.GetSignedVarint(&m.min_ts) || !r.GetSignedVarint(&m.max_ts) ||
      !r.GetVarint(&m.wal_seq) || !r.GetVarint(&m.data_bytes) || !r.GetVarint(&m.bloom_bytes) ||
      !r.GetVarint(&n) || n > kMaxMetaColumns) {
    return bad("truncated header");
  }
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view s;
    if (!r.GetString(&s)) return bad("truncated replaces list");
    m.replaces.emplace_back(s);
  }
  if (!r.GetVarint(&n) || n == 0 || n > kMaxMetaColumns) return bad("bad column count");
  m.columns.resize(n);
  for (ColumnMeta& c : m.columns) {
    std::string_view name;
    uint8_t type, bloom;
    if (!r.GetString(&name) || !r.GetU8(&type) || !r.GetU8(&bloom) || !r.GetVarint(&c.values) ||
        !r.GetVarint(&c.stored_bytes) || !r.GetVarint(&c.bloom_bytes)) {
      return bad("truncated column list");
    }
    if (type > static_cast<uint8_t>(ColumnType::kString) ||
        bloom > static_cast<uint8_t>(BloomKind::kValues)) {
      return bad("bad column type");
    }
    c.name = std::string(name);
    c.type = static_cast<ColumnType>(type);
    c.bloom = static_cast<BloomKind>(bloom);
  }
  if (m.columns[0].name != kTimeColumn || m.columns[0].type != ColumnType::kInt) {
    return bad("column 0 is not _time");
  }
  if (!r.GetVarint(&n) || n > kMaxMetaBlocks) return bad("bad block count");
  m.blocks.resize(n);
  uint64_t next_row = 0;
  for (BlockMeta& b : m.blocks) {
    uint64_t num_rows, chunks;
    if (!r.GetVarint(&b.first_row) || !r.GetVarint(&num_rows) || !r.GetSignedVarint(&b.min_ts) ||
        !r.GetSignedVarint(&b.max_ts) || !r.GetVarint(&chunks)) {
      return bad("truncated block index");
    }
    if (b.first_row != next_row || num_rows == 0 || num_rows > UINT32_MAX ||
        chunks > m.columns.size() || chunks == 0) {
      return bad("inconsistent block index");
    }
    b.num_rows = static_cast<uint32_t>(num_rows);
    next_row += num_rows;
    b.chunks.resize(chunks);
    int64_t prev_col = -1;
    for (ChunkMeta& c : b.chunks) {
      uint64_t col, values, offset, size, bloom_size;
      uint8_t has_minmax;
      if (!r.GetVarint(&col) || !r.GetVarint(&values) || !r.GetU8(&c.encoding) ||
          !r.GetVarint(&offset) || !r.GetVarint(&size) || !r.GetFixed64(&c.checksum) ||
          !r.GetU8(&has_minmax)) {
        return bad("truncated chunk index");
      }
      if (col >= m.columns.size() || static_cast<int64_t>(col) <= prev_col || values > num_rows ||
          values == 0 || size > UINT32_MAX || offset + size > m.data_bytes || has_minmax > 1) {
        return bad("inconsistent chunk index");
      }
      prev_col = static_cast<int64_t>(col);
      c.column = static_cast<uint32_t>(col);
      c.values = static_cast<uint32_t>(values);
      c.offset = offset;
      c.size = static_cast<uint32_t>(size);
      c.has_minmax = has_minmax != 0;
      if (c.has_minmax) {
        if (m.columns[col].type == ColumnType::kFloat) {
          uint64_t a, b2;
          if (!r.GetFixed64(&a) || !r.GetFixed64(&b2)) return bad("truncated chunk index");
          c.min_float = FromBits(a);
          c.max_float = FromBits(b2);
        } else if (!r.GetSignedVarint(&c.min_int) || !r.GetSignedVarint(&c.max_int)) {
          return bad("truncated chunk index");
        }
      }
      if (!r.GetVarint(&bloom_size) || bloom_size > UINT32_MAX) return bad("bad bloom size");
      c.bloom_size = static_cast<uint32_t>(bloom_size);
      if (bloom_size > 0) {
        if (!r.GetVarint(&c.bloom_offset) || !r.GetFixed64(&c.bloom_checksum) ||
            c.bloom_offset + bloom_size > m.bloom_bytes) {
          return bad("bad bloom index");
        }
      }
      if (m.format_version >= 2) {
        uint64_t nv;
        if (!r.GetVarint(&nv)) return bad("truncated value counts");
        if (nv > limits::kChunkValueCountsMax ||
            (nv > 0 && m.columns[col].type != ColumnType::kString)) {
          return bad("bad value counts");
        }
        uint64_t sum = 0;
        c.value_counts.resize(nv);
        for (ChunkValueCount& v : c.value_counts) {
          std::string_view s;
          uint64_t count;
          if (!r.GetString(&s) || !r.GetVarint(&count)) return bad("truncated value counts");
          if (count == 0 || count > values || s.size() > limits::kChunkValueCountMaxBytes) {
            return bad("bad value counts");
          }
          v.value.assign(s);
          v.count = static_cast<uint32_t>(count);
          sum += count;
        }
        if (nv > 0 && sum != values) return bad("value counts do not add up to the chunk");
      }
    }
    if (b.chunks[0].column != 0 || b.chunks[0].values != b.num_rows) {
      return bad("block without a full _time chunk");
    }
  }
  if (next_row != m.rows) return bad("row count does not match blocks");
  if (!r.empty()) return bad("trailing bytes");
  return m;
}

}  // namespace vigia
