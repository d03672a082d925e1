#include "store/format/column_codec.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "store/format/codec_bytes.h"
#include "store/format/codec_delta.h"
#include "store/format/codec_dict.h"
#include "store/format/codec_float.h"
#include "store/format/codec_uuid.h"
#include "store/format/codec_zstd.h"

namespace vigia {

std::string_view ColumnTypeName(ColumnType t) {
  switch (t) {
    case ColumnType::kNull:
      return "null";
    case ColumnType::kBool:
      return "bool";
    case ColumnType::kInt:
      return "int";
    case ColumnType::kFloat:
      return "float";
    case ColumnType::kString:
      return "string";
  }
  return "unknown";
}

namespace {

constexpr uint8_t kAllPresent = 0;
constexpr uint8_t kPresenceBitmap = 1;

void PutBitmap(ByteWriter* w, uint32_t n, const std::vector<uint8_t>& bits) {
  std::string bytes((n + 7) / 8, '\0');
  for (uint32_t i = 0; i < n; ++i) {
    if (bits[i]) bytes[i / 8] = static_cast<char>(bytes[i / 8] | (1 << (i % 8)));
  }
  w->PutBytes(bytes);
}

// kBitBytes[b]: the 8 bytes (0 or 1, least significant bit first) of bitmap byte b, as
// GetBitmap writes them: one 8-byte copy per bitmap byte instead of a shift per row.
struct BitBytes {
  uint8_t bytes[256][8];
};
constexpr BitBytes MakeBitBytes() {
  BitBytes t{};
  for (int b = 0; b < 256; ++b) {
    for (int i = 0; i < 8; ++i) t.bytes[b][i] = static_cast<uint8_t>((b >> i) & 1);
  }
  return t;
}
constexpr BitBytes kBitBytes = MakeBitBytes();

bool GetBitmap(ByteReader* r, uint32_t n, std::vector<uint8_t>* bits) {
  std::string_view bytes;
  if (!r->GetBytes((n + 7) / 8, &bytes)) return false;
  bits->resize(n);
  uint8_t* out = bits->data();
  const uint32_t whole = n / 8;
  for (uint32_t k = 0; k < whole; ++k) {
    std::memcpy(out + 8 * k, kBitBytes.bytes[static_cast<uint8_t>(bytes[k])], 8);
  }
  for (uint32_t i = whole * 8; i < n; ++i) {
    out[i] = (static_cast<uint8_t>(bytes[i / 8]) >> (i % 8)) & 1;
  }
  return true;
}

// Decodes the `n` values of a chunk (compacted: present rows only) with decode(vector*), which
// appends them, into `dense`: one slot per row, `empty` where absent. A chunk whose rows all
// have the field decodes straight into `dense`; otherwise the compact values go through a
// per-thread buffer, so that a cold scan does not fault in fresh memory for them per chunk.
template <typename T, typename Decode>
bool DecodeSpread(uint32_t num_rows, const std::vector<uint8_t>& present, size_t n, T empty,
                  std::vector<T>* dense, Decode decode) {
  dense->clear();
  if (n == num_rows) return decode(dense);
  thread_local std::vector<T> compact;
  compact.clear();
  const bool ok = decode(&compact) && compact.size() == n;
  if (ok) {
    // Branch-free spread (presence is data, not a predictable pattern): every row reads the
    // next compact value, which the padding keeps in bounds, and keeps it only if present.
    compact.push_back(empty);
    dense->resize(num_rows);
    T* d = dense->data();
    const T* c = compact.data();
    const uint8_t* p = present.data();
    size_t k = 0;
    for (uint32_t i = 0; i < num_rows; ++i) {
      d[i] = p[i] ? c[k] : empty;
      k += p[i];
    }
  }
  ReleaseLargeScratch(&compact);
  return ok;
}

void EncodeStrings(std::span<const std::string_view> values, std::string* raw, uint8_t* enc) {
  ByteWriter w(raw);
  // Dictionary when there are at most half as many distinct values as values: indexes then
  // cost 1-2 bytes against the full string.
  const size_t max_entries = std::min(kMaxDictEntries, std::max<size_t>(1, values.size() / 2));
  const size_t mark = raw->size();
  w.PutU8(static_cast<uint8_t>(StringEncoding::kDict));
  if (EncodeDict(values, max_entries, raw)) {
    *enc = static_cast<uint8_t>(StringEncoding::kDict);
    return;
  }
  raw->resize(mark);
  if (IsHexShaped(values)) {
    w.PutU8(static_cast<uint8_t>(StringEncoding::kHex));
    EncodeHexIds(values, raw);
    *enc = static_cast<uint8_t>(StringEncoding::kHex);
    return;
  }
  // Raw: all lengths first, then all bytes, so zstd sees the text contiguously.
  w.PutU8(static_cast<uint8_t>(StringEncoding::kRaw));
  for (std::string_view v : values) w.PutVarint(v.size());
  for (std::string_view v : values) w.PutBytes(v);
  *enc = static_cast<uint8_t>(StringEncoding::kRaw);
}

bool DecodeStrings(ByteReader* r, size_t n, Arena* arena, std::vector<std::string_view>* out) {
  uint8_t enc;
  if (!r->GetU8(&enc)) return false;
  switch (static_cast<StringEncoding>(enc)) {
    case StringEncoding::kDict:
      return DecodeDict(r, n, out);
    case StringEncoding::kHex:
      return DecodeHexIds(r, n, arena, out);
    case StringEncoding::kRaw: {
      std::vector<uint64_t> lens(n);
      for (auto& l : lens) {
        if (!r->GetVarint(&l)) return false;
      }
      out->reserve(out->size() + n);
      for (uint64_t l : lens) {
        std::string_view s;
        if (!r->GetBytes(static_cast<size_t>(l), &s)) return false;
        out->push_back(s);
      }
      return true;
    }
  }
  return false;
}

}  // namespace

void EncodeColumnChunk(const ColumnChunkInput& in, int zstd_level, IntModes int_modes,
                       std::string* out, ColumnChunkSummary* summary) {
  // Per-thread and reused across chunks (a fresh buffer per chunk page-faults).
  thread_local std::string raw;
  raw.clear();
  ByteWriter w(&raw);
  const size_t n = in.rows.size();
  if (n == in.num_rows) {
    w.PutU8(kAllPresent);
  } else {
    w.PutU8(kPresenceBitmap);
    std::vector<uint8_t> bits(in.num_rows, 0);
    for (uint32_t r : in.rows) bits[r] = 1;
    PutBitmap(&w, in.num_rows, bits);
  }
  *summary = ColumnChunkSummary{};
  bool packed = false;
  switch (in.type) {
    case ColumnType::kNull:
      break;
    case ColumnType::kBool: {
      std::vector<uint8_t> bits(in.ints.begin(), in.ints.end());
      PutBitmap(&w, static_cast<uint32_t>(n), bits);
      break;
    }
    case ColumnType::kInt: {
      const IntEncoding enc = EncodeInts(in.ints, &raw, int_modes);
      summary->encoding = static_cast<uint8_t>(enc);
      packed = IsPackedIntEncoding(enc);
      summary->has_minmax = true;
      summary->min_int = summary->max_int = in.ints[0];
      for (int64_t v : in.ints) {
        summary->min_int = std::min(summary->min_int, v);
        summary->max_int = std::max(summary->max_int, v);
      }
      break;
    }
    case ColumnType::kFloat: {
      IntEncoding mantissas = IntEncoding::kConstant;
      const FloatEncoding enc = EncodeFloats(in.floats, &raw, int_modes, &mantissas);
      summary->encoding = static_cast<uint8_t>(enc);
      packed = enc == FloatEncoding::kDecimal && IsPackedIntEncoding(mantissas);
      for (double v : in.floats) {
        if (std::isnan(v)) continue;
        if (!summary->has_minmax) {
          summary->min_float = summary->max_float = v;
          summary->has_minmax = true;
        }
        summary->min_float = std::min(summary->min_float, v);
        summary->max_float = std::max(summary->max_float, v);
      }
      break;
    }
    case ColumnType::kString:
      EncodeStrings(in.strings, &raw, &summary->encoding);
      break;
  }
  FrameBlock(raw, zstd_level, out, packed ? kZstdMinSavingPacked : kZstdMinSaving);
  if (raw.capacity() > (16u << 20)) std::string().swap(raw);  // do not keep a huge one
}

bool DecodeColumnChunk(std::string_view stored, ColumnType type, uint32_t num_rows,
                       std::string* raw, Arena* arena, ColumnVector* out) {
  if (!UnframeBlock(stored, raw)) return false;
  ByteReader r(*raw);
  uint8_t presence;
  if (!r.GetU8(&presence)) return false;
  out->type = type;
  out->all_present = presence == kAllPresent;
  if (presence == kAllPresent) {
    out->present.assign(num_rows, 1);
  } else if (presence != kPresenceBitmap || !GetBitmap(&r, num_rows, &out->present)) {
    return false;
  }
  // Every row of an all-present chunk: no need to count them.
  size_t n = num_rows;
  if (!out->all_present) {
    n = 0;
    for (uint8_t p : out->present) n += p;
  }
  const std::vector<uint8_t>& present = out->present;
  switch (type) {
    case ColumnType::kNull:
      break;
    case ColumnType::kBool:
      if (!DecodeSpread(num_rows, present, n, int64_t{0}, &out->ints, [&](std::vector<int64_t>* v) {
            std::vector<uint8_t> bits;
            if (!GetBitmap(&r, static_cast<uint32_t>(n), &bits)) return false;
            v->insert(v->end(), bits.begin(), bits.end());
            return true;
          })) {
        return false;
      }
      break;
    case ColumnType::kInt:
      if (!DecodeSpread(num_rows, present, n, int64_t{0}, &out->ints,
                        [&](std::vector<int64_t>* v) { return DecodeInts(&r, n, v); })) {
        return false;
      }
      break;
    case ColumnType::kFloat:
      if (!DecodeSpread(num_rows, present, n, 0.0, &out->floats,
                        [&](std::vector<double>* v) { return DecodeFloats(&r, n, v); })) {
        return false;
      }
      break;
    case ColumnType::kString: {
      // Dictionary chunks stay in dictionary form (column_vector.h): codes, not views.
      ByteReader peek = r;
      uint8_t enc;
      if (peek.GetU8(&enc) && enc == static_cast<uint8_t>(StringEncoding::kDict)) {
        if (!DecodeSpread(num_rows, present, n, uint16_t{0}, &out->codes,
                          [&](std::vector<uint16_t>* v) {
                            return DecodeDictCodes(&peek, n, &out->dict, v);
                          })) {
          return false;
        }
        r = peek;
        out->dictionary = true;
        out->strings.clear();
        break;
      }
      if (!DecodeSpread(
              num_rows, present, n, std::string_view(), &out->strings,
              [&](std::vector<std::string_view>* v) { return DecodeStrings(&r, n, arena, v); })) {
        return false;
      }
      out->dictionary = false;
      break;
    }
    default:
      return false;
  }
  return r.empty();  // trailing garbage means the chunk is not what was written
}

namespace {

// kBitCount[b]: the bits set in byte b (a table: the x86-64 baseline has no popcnt, and
// __builtin_popcount is then a libgcc call).
struct BitCounts {
  uint8_t n[256];
};
constexpr BitCounts MakeBitCounts() {
  BitCounts t{};
  for (int b = 0; b < 256; ++b) {
    for (int i = 0; i < 8; ++i) t.n[b] = static_cast<uint8_t>(t.n[b] + ((b >> i) & 1));
  }
  return t;
}
constexpr BitCounts kBitCount = MakeBitCounts();

// The i-th compact value of the chunk for each wanted row: the present ones' positions among
// the chunk's values (ascending, as the rows are), and whether each wanted row is present.
struct Selection {
  std::vector<uint32_t> at;      // compact index of each present wanted row
  std::vector<uint8_t> present;  // per wanted row
};

// Picks values[sel.at[...]] into one slot per wanted row (`empty` where absent).
template <typename T>
void PickSelected(const Selection& sel, const std::vector<T>& values, T empty,
                  std::vector<T>* out) {
  out->assign(sel.present.size(), empty);
  for (size_t i = 0, k = 0; i < sel.present.size(); ++i) {
    if (sel.present[i]) (*out)[i] = values[sel.at[k++]];
  }
}

}  // namespace

bool DecodeColumnChunkRows(std::string_view stored, ColumnType type, uint32_t num_rows,
                           std::span<const uint32_t> rows, std::string* scratch, std::string* text,
                           ColumnVector* out, size_t* present_count) {
  std::string_view raw;
  if (!UnframeBlockView(stored, scratch, &raw)) return false;
  ByteReader r(raw);
  uint8_t presence;
  if (!r.GetU8(&presence)) return false;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] >= num_rows || (i > 0 && rows[i] <= rows[i - 1])) return false;
  }
  Selection sel;
  sel.present.assign(rows.size(), 1);
  size_t n = num_rows;
  if (presence == kAllPresent) {
    sel.at.assign(rows.begin(), rows.end());
  } else {
    // Ranks from the bitmap's bytes (popcounts), without expanding it to a byte per row.
    std::string_view bitmap;
    if (presence != kPresenceBitmap || !r.GetBytes((num_rows + 7) / 8, &bitmap)) return false;
    const auto* bm = reinterpret_cast<const uint8_t*>(bitmap.data());
    // Bits of rows below `row` within its byte (bits past num_rows never count).
    auto low_bits = [&](uint32_t row) {
      return static_cast<size_t>(kBitCount.n[bm[row / 8] & ((1u << (row % 8)) - 1)]);
    };
    n = 0;  // present rows in the bytes before `byte`
    size_t byte = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      const uint32_t row = rows[i];
      for (; byte < row / 8; ++byte) n += kBitCount.n[bm[byte]];
      sel.present[i] = (bm[row / 8] >> (row % 8)) & 1;
      if (sel.present[i]) sel.at.push_back(static_cast<uint32_t>(n + low_bits(row)));
    }
    for (; byte < num_rows / 8; ++byte) n += kBitCount.n[bm[byte]];
    if (num_rows % 8 != 0) n += low_bits(num_rows);
  }
  *present_count = n;
  out->type = type;
  out->present = sel.present;
  out->all_present = sel.at.size() == rows.size();
  out->ints.clear();
  out->floats.clear();
  out->strings.clear();
  out->dict.clear();
  out->codes.clear();
  out->dictionary = false;
  switch (type) {
    case ColumnType::kNull:
      break;
    case ColumnType::kBool: {
      std::string_view bits;
      if (!r.GetBytes((n + 7) / 8, &bits)) return false;
      out->ints.assign(rows.size(), 0);
      for (size_t i = 0, k = 0; i < rows.size(); ++i) {
        if (!sel.present[i]) continue;
        const uint32_t v = sel.at[k++];
        out->ints[i] = (static_cast<uint8_t>(bits[v / 8]) >> (v % 8)) & 1;
      }
      break;
    }
    case ColumnType::kInt: {
      // Every value is decoded (deltas need their predecessors), into per-thread scratch.
      thread_local std::vector<int64_t> values;
      values.clear();
      const bool ok = DecodeInts(&r, n, &values) && values.size() == n;
      if (ok) PickSelected(sel, values, int64_t{0}, &out->ints);
      ReleaseLargeScratch(&values);
      if (!ok) return false;
      break;
    }
    case ColumnType::kFloat: {
      thread_local std::vector<double> values;
      values.clear();
      const bool ok = DecodeFloats(&r, n, &values) && values.size() == n;
      if (ok) PickSelected(sel, values, 0.0, &out->floats);
      ReleaseLargeScratch(&values);
      if (!ok) return false;
      break;
    }
    case ColumnType::kString: {
      uint8_t enc;
      if (!r.GetU8(&enc)) return false;
      std::vector<std::string_view> picked;  // the present wanted rows' values
      if (enc == static_cast<uint8_t>(StringEncoding::kDict)) {
        // The codes are checked (and cost 1-2 bytes a value); no view per value.
        thread_local std::vector<std::string_view> entries;
        thread_local std::vector<uint16_t> codes;
        codes.clear();
        const bool ok = DecodeDictCodes(&r, n, &entries, &codes);
        if (ok) {
          for (uint32_t k : sel.at) picked.push_back(entries[codes[k]]);
        }
        ReleaseLargeScratch(&codes);
        if (!ok) return false;
      } else if (enc == static_cast<uint8_t>(StringEncoding::kHex)) {
        // Only the wanted ids are expanded (a UUID column's full decode is most of a block's).
        // Into per-thread memory: they are copied below.
        thread_local Arena ids;
        ids.Reset();
        if (!DecodeHexIdsAt(&r, n, sel.at, &ids, &picked)) return false;
      } else if (enc == static_cast<uint8_t>(StringEncoding::kRaw)) {
        // Every length is read and the bytes must add up, as in a full decode; only the
        // wanted values are viewed.
        thread_local std::vector<uint64_t> lens;
        lens.resize(n);
        bool ok = r.GetVarints(n, lens.data());
        uint64_t total = 0;
        const uint64_t left = r.remaining();
        for (size_t v = 0, k = 0; ok && v < n; ++v) {
          if (lens[v] > left - total) {
            ok = false;
            break;
          }
          if (k < sel.at.size() && sel.at[k] == v) {
            picked.push_back(std::string_view(r.position() + total, lens[v]));
            ++k;
          }
          total += lens[v];
        }
        std::string_view bytes;
        ok = ok && r.GetBytes(static_cast<size_t>(total), &bytes);
        ReleaseLargeScratch(&lens);
        if (!ok) return false;
      } else {
        return false;
      }
      // Copied out of the unframed bytes (scratch, or the caller's stored bytes).
      size_t len = 0;
      for (std::string_view v : picked) len += v.size();
      text->clear();
      text->reserve(len);  // no reallocation below: the views stay valid
      out->strings.assign(rows.size(), std::string_view());
      for (size_t i = 0, k = 0; i < rows.size(); ++i) {
        if (!sel.present[i]) continue;
        const size_t at = text->size();
        text->append(picked[k]);
        out->strings[i] = std::string_view(text->data() + at, picked[k].size());
        ++k;
      }
      break;
    }
  }
  return r.empty();
}

}  // namespace vigia
