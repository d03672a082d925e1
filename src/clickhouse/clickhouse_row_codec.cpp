#include "clickhouse/clickhouse_row_codec.h"

#include <charconv>
#include <cstring>
#include <unordered_map>

#include "clickhouse/clickhouse_schema.h"

namespace vigia::clickhouse {
namespace {

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

template <typename T>
void PutFixed(T v, std::string* out) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));  // little-endian hosts only (x86-64, arm64)
  out->append(buf, sizeof(T));
}

void PutString(std::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s);
}

bool HasColumnType(const Value& v, ColumnType t) {
  switch (t) {
    case ColumnType::kString:
      return v.type == ValueType::kString;
    case ColumnType::kInt:
      return v.type == ValueType::kInt;
    case ColumnType::kFloat:
      return v.type == ValueType::kFloat;
    case ColumnType::kBool:
      return v.type == ValueType::kBool;
  }
  return false;
}

std::string ValueText(const Value& v) {
  switch (v.type) {
    case ValueType::kNull:
      return "";
    case ValueType::kBool:
      return v.b ? "1" : "0";
    case ValueType::kInt:
      return std::to_string(v.i);
    case ValueType::kFloat: {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof(buf), v.f);
      return std::string(buf, r.ptr);
    }
    case ValueType::kString:
      return std::string(v.s);
  }
  return "";
}

const std::unordered_map<std::string_view, int>& ColumnIndex() {
  static const auto* m = [] {
    auto* idx = new std::unordered_map<std::string_view, int>();
    auto cols = CanonicalColumns();
    for (size_t i = 0; i < cols.size(); ++i) (*idx)[cols[i].field] = static_cast<int>(i);
    return idx;
  }();
  return *m;
}

// A bounds-checked reader over the pending bytes.
struct Reader {
  std::string_view buf;
  size_t pos;
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= buf.size()) return false;
      auto b = static_cast<uint8_t>(buf[pos++]);
      *v |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  template <typename T>
  bool Fixed(T* v) {
    if (buf.size() - pos < sizeof(T)) return false;
    std::memcpy(v, buf.data() + pos, sizeof(T));
    pos += sizeof(T);
    return true;
  }
  bool String(std::string_view* s) {
    uint64_t n = 0;
    if (!Varint(&n) || buf.size() - pos < n) return false;
    *s = buf.substr(pos, n);
    pos += n;
    return true;
  }
};

}  // namespace

std::string InsertColumnList() {
  std::string s = "(ts, seq";
  for (const CanonicalColumn& c : CanonicalColumns()) s += ", " + SchemaOptions::Quoted(c.field);
  s += ", x.key, x.type, x.value)";
  return s;
}

void EncodeRows(const EventBatch& batch, uint64_t first_seq, std::string* out) {
  std::vector<uint64_t> seqs(batch.size());
  for (size_t i = 0; i < seqs.size(); ++i) seqs[i] = first_seq + i;
  EncodeRows(batch, seqs, out);
}

void EncodeRows(const EventBatch& batch, std::span<const uint64_t> seqs, std::string* out) {
  const auto& index = ColumnIndex();
  const size_t ncols = CanonicalColumns().size();
  std::vector<const Value*> slots(ncols);
  std::vector<const Field*> extra;
  size_t row = 0;
  for (const EventBatch::EventRef& e : batch.events()) {
    const uint64_t seq = seqs[row++];
    if (seq == kSkipRow) continue;
    std::fill(slots.begin(), slots.end(), nullptr);
    extra.clear();
    for (const Field& f : batch.fields(e)) {
      auto it = index.find(f.name);
      if (it != index.end() && HasColumnType(f.value, CanonicalColumns()[it->second].type)) {
        slots[it->second] = &f.value;
      } else {
        extra.push_back(&f);
      }
    }
    PutFixed<int64_t>(e.ts_ns, out);
    PutFixed<uint64_t>(seq, out);
    for (size_t i = 0; i < ncols; ++i) {
      const Value* v = slots[i];
      if (v == nullptr) {
        out->push_back(1);  // NULL
        continue;
      }
      out->push_back(0);
      switch (CanonicalColumns()[i].type) {
        case ColumnType::kString:
          PutString(v->s, out);
          break;
        case ColumnType::kInt:
          PutFixed<int64_t>(v->i, out);
          break;
        case ColumnType::kFloat:
          PutFixed<double>(v->f, out);
          break;
        case ColumnType::kBool:
          out->push_back(v->b ? 1 : 0);
          break;
      }
    }
    PutVarint(extra.size(), out);
    for (const Field* f : extra) PutString(f->name, out);
    PutVarint(extra.size(), out);
    for (const Field* f : extra) out->push_back(static_cast<char>(f->value.type));
    PutVarint(extra.size(), out);
    for (const Field* f : extra) PutString(ValueText(f->value), out);
  }
}

RowDecoder::RowDecoder(std::vector<int> columns, size_t events_per_batch,
                       std::function<Status(std::shared_ptr<EventBatch>)> on_batch)
    : columns_(std::move(columns)),
      events_per_batch_(events_per_batch),
      on_batch_(std::move(on_batch)),
      batch_(std::make_shared<EventBatch>()) {}

std::string RowDecoder::SelectList(const std::vector<int>& columns) {
  std::string s = "ts, seq";
  for (int i : columns) s += ", " + SchemaOptions::Quoted(CanonicalColumns()[i].field);
  s += ", x.key, x.type, x.value";
  return s;
}

bool RowDecoder::ParseRow(size_t* pos, Status* error) {
  Reader r{pending_, *pos};
  int64_t ts = 0;
  uint64_t seq = 0;
  if (!r.Fixed(&ts) || !r.Fixed(&seq)) return false;
  EventBatch& b = *batch_;
  b.BeginEvent(ts);
  auto fail = [&] {
    b.AbortEvent();
    return false;
  };
  for (int ci : columns_) {
    const CanonicalColumn& c = CanonicalColumns()[ci];
    uint8_t is_null = 0;
    if (!r.Fixed(&is_null)) return fail();
    if (is_null) continue;
    switch (c.type) {
      case ColumnType::kString: {
        std::string_view s;
        if (!r.String(&s)) return fail();
        b.AddField(c.field, Value::String(b.arena().Copy(s)));
        break;
      }
      case ColumnType::kInt: {
        int64_t v = 0;
        if (!r.Fixed(&v)) return fail();
        b.AddField(c.field, Value::Int(v));
        break;
      }
      case ColumnType::kFloat: {
        double v = 0;
        if (!r.Fixed(&v)) return fail();
        b.AddField(c.field, Value::Float(v));
        break;
      }
      case ColumnType::kBool: {
        uint8_t v = 0;
        if (!r.Fixed(&v)) return fail();
        b.AddField(c.field, Value::Bool(v != 0));
        break;
      }
    }
  }
  uint64_t nk = 0, nt = 0, nv = 0;
  std::vector<std::string_view> keys, values;
  if (!r.Varint(&nk)) return fail();
  for (uint64_t i = 0; i < nk; ++i) {
    std::string_view s;
    if (!r.String(&s)) return fail();
    keys.push_back(s);
  }
  if (!r.Varint(&nt)) return fail();
  size_t types_at = r.pos;
  if (r.buf.size() - r.pos < nt) return fail();
  r.pos += nt;
  if (!r.Varint(&nv)) return fail();
  for (uint64_t i = 0; i < nv; ++i) {
    std::string_view s;
    if (!r.String(&s)) return fail();
    values.push_back(s);
  }
  if (nk != nt || nk != nv) {
    *error = Status::Corruption("clickhouse row: x.key/x.type/x.value lengths differ");
    return fail();
  }
  for (uint64_t i = 0; i < nk; ++i) {
    auto type = static_cast<uint8_t>(pending_[types_at + i]);
    std::string_view name = b.arena().Copy(keys[i]);
    std::string_view text = values[i];
    Value v;
    switch (type) {
      case static_cast<uint8_t>(ValueType::kNull):
        v = Value::Null();
        break;
      case static_cast<uint8_t>(ValueType::kBool):
        v = Value::Bool(text == "1");
        break;
      case static_cast<uint8_t>(ValueType::kInt): {
        int64_t x = 0;
        std::from_chars(text.data(), text.data() + text.size(), x);
        v = Value::Int(x);
        break;
      }
      case static_cast<uint8_t>(ValueType::kFloat): {
        double x = 0;
        std::from_chars(text.data(), text.data() + text.size(), x);
        v = Value::Float(x);
        break;
      }
      case static_cast<uint8_t>(ValueType::kString):
        v = Value::String(b.arena().Copy(text));
        break;
      default:
        *error = Status::Corruption("clickhouse row: unknown value type " + std::to_string(type));
        return fail();
    }
    b.AddField(name, v);
  }
  *pos = r.pos;
  ++rows_;
  if (keep_ && !keep_(ts, seq)) {
    b.AbortEvent();
    // Nothing points into an empty batch's arena: a long run of left-out rows reuses it.
    if (b.empty()) b.arena().Reset();
  }
  return true;
}

Status RowDecoder::Feed(std::string_view data) {
  pending_.append(data);
  size_t pos = 0;
  Status error = Status::Ok();
  while (pos < pending_.size()) {
    if (!ParseRow(&pos, &error)) break;
    if (batch_->size() >= events_per_batch_) {
      VIGIA_RETURN_IF_ERROR(on_batch_(std::move(batch_)));
      batch_ = std::make_shared<EventBatch>();
    }
  }
  VIGIA_RETURN_IF_ERROR(error);
  pending_.erase(0, pos);
  return Status::Ok();
}

Status RowDecoder::Finish() {
  if (!pending_.empty()) {
    return Status::Corruption("clickhouse answer ended inside a row (" +
                              std::to_string(pending_.size()) + " bytes left)");
  }
  if (!batch_->empty()) VIGIA_RETURN_IF_ERROR(on_batch_(std::move(batch_)));
  batch_ = std::make_shared<EventBatch>();
  return Status::Ok();
}

}  // namespace vigia::clickhouse
