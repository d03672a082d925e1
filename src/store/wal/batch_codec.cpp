// Batch codec implementation (format in batch_codec.h).
#include "store/wal/batch_codec.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace vigia::batch_codec {
namespace {

enum Tag : uint8_t { kNull = 0, kFalse = 1, kTrue = 2, kInt = 3, kFloat = 4, kString = 5 };
constexpr int kTagBits = 3;
constexpr size_t kMaxVarint = 10;
// Largest per-thread encode buffer kept between calls (bigger ones are freed next call).
constexpr size_t kMaxRetainedScratch = 16u << 20;

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// Writes through a raw cursor into a growable buffer that is never zero-filled (unlike
// std::string::resize); Reserve() before each bounded write keeps the hot loop free of
// per-byte size checks.
class Writer {
 public:
  explicit Writer(std::unique_ptr<char[]>* buf, size_t* cap) : buf_(buf), cap_(cap) {}

  void Reserve(size_t n) {
    if (*cap_ - pos_ < n) Grow(pos_ + n);
  }
  char* Cursor() { return buf_->get() + pos_; }
  size_t pos() const { return pos_; }
  const char* data() const { return buf_->get(); }
  // REQUIRES: Reserve() covered these writes.
  void Byte(uint8_t b) { (*buf_)[pos_++] = static_cast<char>(b); }
  void Varint(uint64_t v) {
    char* p = Cursor();
    char* start = p;
    while (v >= 0x80) {
      *p++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p++ = static_cast<char>(v);
    pos_ += static_cast<size_t>(p - start);
  }
  void Bytes(const void* data, size_t n) {
    if (n) std::memcpy(Cursor(), data, n);
    pos_ += n;
  }
  void PatchU32(size_t at, uint32_t v) {
    unsigned char b[4] = {static_cast<unsigned char>(v), static_cast<unsigned char>(v >> 8),
                          static_cast<unsigned char>(v >> 16), static_cast<unsigned char>(v >> 24)};
    std::memcpy(buf_->get() + at, b, 4);
  }

 private:
  void Grow(size_t min) {
    size_t cap = std::max<size_t>({min, *cap_ * 2, 64 << 10});
    std::unique_ptr<char[]> bigger(new char[cap]);
    if (pos_) std::memcpy(bigger.get(), buf_->get(), pos_);
    *buf_ = std::move(bigger);
    *cap_ = cap;
  }

  std::unique_ptr<char[]>* buf_;
  size_t* cap_;
  size_t pos_ = 0;
};

// Per-thread encoder scratch: the name table of the batch being encoded.
struct NameTable {
  std::vector<std::string_view> names;
  std::unordered_map<std::string_view, uint32_t> index;
  // predicted[j] = name index used at field position j in the previous event; events of
  // one batch usually share their layout, so this hits far more often than it misses.
  std::vector<uint32_t> predicted;

  void Clear() {
    names.clear();
    index.clear();
    predicted.clear();
  }

  uint32_t Lookup(size_t position, std::string_view name) {
    if (position < predicted.size()) {
      std::string_view guess = names[predicted[position]];
      if (guess.size() == name.size() &&
          (guess.data() == name.data() ||
           std::memcmp(guess.data(), name.data(), name.size()) == 0)) {
        return predicted[position];
      }
    }
    uint32_t idx;
    auto [it, inserted] = index.try_emplace(name, static_cast<uint32_t>(names.size()));
    if (inserted) names.push_back(name);
    idx = it->second;
    if (position < predicted.size()) {
      predicted[position] = idx;
    } else {
      predicted.resize(position + 1, idx);
    }
    return idx;
  }
};

class Reader {
 public:
  Reader(const char* begin, const char* end) : p_(begin), end_(end) {}
  bool Varint(uint64_t* v) {
    if (p_ < end_ && static_cast<uint8_t>(*p_) < 0x80) {
      *v = static_cast<uint8_t>(*p_++);
      return true;
    }
    uint64_t result = 0;
    for (int shift = 0; shift < 64 && p_ < end_; shift += 7) {
      uint64_t byte = static_cast<uint8_t>(*p_++);
      if (shift == 63 && byte > 1) return false;  // would overflow 64 bits
      result |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  bool Fixed64(uint64_t* v) {
    if (end_ - p_ < 8) return false;
    std::memcpy(v, p_, 8);
    p_ += 8;
    return true;
  }
  bool Bytes(size_t n, std::string_view* out) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    *out = {p_, n};
    p_ += n;
    return true;
  }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  const char* pos() const { return p_; }

 private:
  const char* p_;
  const char* end_;
};

Status Bad(const char* what) { return Status::Corruption(std::string("event batch: ") + what); }

// The per-thread scratch of EncodeEvents (one set whatever the instantiation).
thread_local NameTable tls_names;
thread_local std::unique_ptr<char[]> tls_buf;
thread_local size_t tls_cap = 0;
// tls_offsets[k] = byte offset of the k-th encoded event (EncodeToScratchWithOffsets).
thread_local std::vector<uint32_t> tls_offsets;

// Encodes `events` (all of the batch, or a selection of them) of `batch`.
template <typename Events>
std::string_view EncodeEvents(const EventBatch& batch, const Events& events, size_t num_events,
                              size_t total_fields) {
  static_assert(sizeof(double) == 8);
  NameTable& names = tls_names;
  std::unique_ptr<char[]>& buf = tls_buf;
  size_t& cap = tls_cap;
  names.Clear();
  // A buffer grown by one huge batch is not kept for the thread's lifetime.
  if (cap > kMaxRetainedScratch) {
    buf.reset();
    cap = 0;
  }

  Writer w(&buf, &cap);
  const size_t start = 0;
  w.Reserve(1 + 4 + 2 * kMaxVarint);
  w.Byte(kVersion);
  size_t names_offset_at = w.pos();
  w.Bytes("\0\0\0\0", 4);
  w.Varint(num_events);
  w.Varint(total_fields);

  std::vector<uint32_t>& offsets = tls_offsets;
  offsets.resize(num_events);
  uint32_t* next_offset = offsets.data();
  int64_t prev_ts = 0;
  for (const EventBatch::EventRef& e : events) {
    w.Reserve(2 * kMaxVarint);
    *next_offset++ = static_cast<uint32_t>(w.pos() - start);
    // Deltas wrap (two's complement) for extreme timestamps; decoding wraps back.
    w.Varint(ZigZag(
        static_cast<int64_t>(static_cast<uint64_t>(e.ts_ns) - static_cast<uint64_t>(prev_ts))));
    prev_ts = e.ts_ns;
    w.Varint(e.num_fields);
    size_t position = 0;
    for (const Field& f : batch.fields(e)) {
      uint64_t key = static_cast<uint64_t>(names.Lookup(position++, f.name)) << kTagBits;
      const Value& v = f.value;
      switch (v.type) {
        case ValueType::kNull:
          w.Reserve(kMaxVarint);
          w.Varint(key | kNull);
          break;
        case ValueType::kBool:
          w.Reserve(kMaxVarint);
          w.Varint(key | (v.b ? kTrue : kFalse));
          break;
        case ValueType::kInt:
          w.Reserve(2 * kMaxVarint);
          w.Varint(key | kInt);
          w.Varint(ZigZag(v.i));
          break;
        case ValueType::kFloat:
          w.Reserve(kMaxVarint + 8);
          w.Varint(key | kFloat);
          w.Bytes(&v.f, 8);
          break;
        case ValueType::kString:
          w.Reserve(2 * kMaxVarint + v.s.size());
          w.Varint(key | kString);
          w.Varint(v.s.size());
          w.Bytes(v.s.data(), v.s.size());
          break;
      }
    }
  }

  w.PatchU32(names_offset_at, static_cast<uint32_t>(w.pos() - start));
  w.Reserve(kMaxVarint);
  w.Varint(names.names.size());
  for (std::string_view n : names.names) {
    w.Reserve(kMaxVarint + n.size());
    w.Varint(n.size());
    w.Bytes(n.data(), n.size());
  }
  return {w.data(), w.pos()};
}

}  // namespace

std::string_view EncodeToScratch(const EventBatch& batch) {
  return EncodeEvents(batch, batch.events(), batch.size(), batch.total_fields());
}

std::string_view EncodeToScratch(const EventBatch& batch,
                                 std::span<const EventBatch::EventRef> events) {
  size_t fields = 0;
  for (const EventBatch::EventRef& e : events) fields += e.num_fields;
  return EncodeEvents(batch, events, events.size(), fields);
}

EncodedEvents EncodeToScratchWithOffsets(const EventBatch& batch) {
  std::string_view bytes = EncodeToScratch(batch);
  return {bytes, tls_offsets};
}

Status CutEvents(const EncodedEvents& src, std::span<const uint32_t> picks, std::string* out,
                 std::vector<uint32_t>* offsets) {
  const std::string_view in = src.bytes;
  if (in.size() < 5 || static_cast<uint8_t>(in[0]) != kVersion) return Bad("not a batch");
  const auto* b = reinterpret_cast<const unsigned char*>(in.data() + 1);
  const uint32_t names_offset =
      b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
  if (names_offset < 5 || names_offset > in.size()) return Bad("name table offset out of range");
  const std::span<const uint32_t> at = src.event_offsets;
  // Where event k ends: the next one's start, the last one's the name table.
  auto end_of = [&](size_t k) { return k + 1 < at.size() ? at[k + 1] : names_offset; };
  // Pass 1: each picked event's timestamp (the deltas of every event up to the last pick
  // summed: one varint per event, no field read) and its field count.
  struct Pick {
    int64_t ts;
    const char* rest;  // the event's bytes after its timestamp delta
    size_t rest_size;
    uint64_t fields;
  };
  std::vector<Pick> picked;
  picked.reserve(picks.size());
  uint64_t total_fields = 0;
  int64_t ts = 0;
  size_t k = 0;
  for (uint32_t p : picks) {
    if (p >= at.size() || (!picked.empty() && p <= picks[picked.size() - 1])) {
      return Bad("picks out of range or not ascending");
    }
    for (; k <= p; ++k) {
      if (at[k] < 5 || at[k] >= end_of(k) || end_of(k) > names_offset) {
        return Bad("event offset out of range");
      }
      Reader r(in.data() + at[k], in.data() + end_of(k));
      uint64_t delta;
      if (!r.Varint(&delta)) return Bad("truncated event header");
      ts = static_cast<int64_t>(static_cast<uint64_t>(ts) + static_cast<uint64_t>(UnZigZag(delta)));
      if (k == p) {
        const char* rest = r.pos();
        uint64_t nf;
        if (!r.Varint(&nf)) return Bad("truncated event header");
        picked.push_back({ts, rest, r.remaining() + static_cast<size_t>(r.pos() - rest), nf});
        total_fields += nf;
      }
    }
  }
  // Pass 2: header, the events, the name table.
  const size_t base = out->size();
  char head[1 + 4 + 2 * kMaxVarint];
  char* h = head;
  auto varint = [](char* p, uint64_t v) {
    while (v >= 0x80) {
      *p++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p++ = static_cast<char>(v);
    return p;
  };
  *h++ = static_cast<char>(kVersion);
  h += 4;  // names_offset, patched below
  h = varint(h, picked.size());
  h = varint(h, total_fields);
  out->append(head, static_cast<size_t>(h - head));
  if (offsets != nullptr) offsets->clear();
  int64_t prev_ts = 0;
  for (const Pick& p : picked) {
    if (offsets != nullptr) offsets->push_back(static_cast<uint32_t>(out->size() - base));
    char delta[kMaxVarint];
    const char* d_end = varint(delta, ZigZag(static_cast<int64_t>(static_cast<uint64_t>(p.ts) -
                                                                  static_cast<uint64_t>(prev_ts))));
    prev_ts = p.ts;
    out->append(delta, static_cast<size_t>(d_end - delta));
    out->append(p.rest, p.rest_size);
  }
  const uint64_t new_names_offset = out->size() - base;
  if (new_names_offset > UINT32_MAX) return Bad("cut batch over 4 GiB");
  const auto n = static_cast<uint32_t>(new_names_offset);
  const char patch[4] = {static_cast<char>(n), static_cast<char>(n >> 8),
                         static_cast<char>(n >> 16), static_cast<char>(n >> 24)};
  out->replace(base + 1, 4, patch, 4);
  out->append(in.substr(names_offset));
  return Status::Ok();
}

void Encode(const EventBatch& batch, std::string* out) {
  std::string_view enc = EncodeToScratch(batch);
  out->append(enc.data(), enc.size());
}

std::optional<uint64_t> EventCount(std::string_view encoded) {
  if (encoded.size() < 5 || static_cast<uint8_t>(encoded[0]) != kVersion) return std::nullopt;
  const auto* b = reinterpret_cast<const unsigned char*>(encoded.data() + 1);
  const uint32_t names_offset =
      b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
  if (names_offset < 5 || names_offset > encoded.size()) return std::nullopt;
  Reader r(encoded.data() + 5, encoded.data() + names_offset);
  uint64_t n;
  if (!r.Varint(&n)) return std::nullopt;
  return n;
}

Status Decode(std::string_view data, EventBatch* out) {
  if (!out->empty() || out->total_fields() != 0) {
    return Status::Internal("batch_codec::Decode: output batch is not empty");
  }
  if (data.size() < 5) return Bad("too short");
  if (static_cast<uint8_t>(data[0]) != kVersion) return Bad("unknown version");
  uint32_t names_offset;
  {
    const auto* b = reinterpret_cast<const unsigned char*>(data.data() + 1);
    names_offset = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
  }
  if (names_offset < 5 || names_offset > data.size()) return Bad("name table offset out of range");

  // One copy of the whole payload; every string below points into it.
  char* copy = out->arena().Allocate(data.size());
  std::memcpy(copy, data.data(), data.size());

  Reader nr(copy + names_offset, copy + data.size());
  uint64_t num_names;
  if (!nr.Varint(&num_names)) return Bad("truncated name table");
  if (num_names > nr.remaining()) return Bad("name count exceeds data");
  std::vector<std::string_view> names(num_names);
  for (auto& n : names) {
    uint64_t len;
    if (!nr.Varint(&len) || !nr.Bytes(len, &n)) return Bad("truncated field name");
  }
  if (nr.remaining() != 0) return Bad("trailing bytes after name table");

  Reader r(copy + 5, copy + names_offset);
  uint64_t num_events;
  uint64_t total_fields;
  if (!r.Varint(&num_events) || !r.Varint(&total_fields)) return Bad("truncated header");
  // Every event takes at least 2 bytes and every field at least 1: bounds the reservations
  // below by the input size, so a lying header cannot make us allocate gigabytes.
  if (num_events > r.remaining() / 2 || total_fields > r.remaining()) {
    return Bad("counts exceed data");
  }
  out->Reserve(num_events, total_fields);

  int64_t ts = 0;
  uint64_t fields_seen = 0;
  for (uint64_t ev = 0; ev < num_events; ++ev) {
    uint64_t delta;
    uint64_t nf;
    if (!r.Varint(&delta) || !r.Varint(&nf)) return Bad("truncated event header");
    if (nf > total_fields - fields_seen) return Bad("more fields than declared");
    fields_seen += nf;
    ts = static_cast<int64_t>(static_cast<uint64_t>(ts) + static_cast<uint64_t>(UnZigZag(delta)));
    out->BeginEvent(ts);
    for (uint64_t fi = 0; fi < nf; ++fi) {
      uint64_t key;
      if (!r.Varint(&key)) return Bad("truncated field");
      uint64_t idx = key >> kTagBits;
      if (idx >= names.size()) return Bad("field name index out of range");
      Value v;
      switch (key & ((1u << kTagBits) - 1)) {
        case kNull:
          break;
        case kFalse:
          v = Value::Bool(false);
          break;
        case kTrue:
          v = Value::Bool(true);
          break;
        case kInt: {
          uint64_t z;
          if (!r.Varint(&z)) return Bad("truncated int");
          v = Value::Int(UnZigZag(z));
          break;
        }
        case kFloat: {
          uint64_t bits;
          if (!r.Fixed64(&bits)) return Bad("truncated float");
          double d;
          std::memcpy(&d, &bits, 8);
          v = Value::Float(d);
          break;
        }
        case kString: {
          uint64_t len;
          std::string_view s;
          if (!r.Varint(&len) || !r.Bytes(len, &s)) return Bad("truncated string");
          v = Value::String(s);
          break;
        }
        default:
          return Bad("unknown value tag");
      }
      out->AddField(names[idx], v);
    }
  }
  if (fields_seen != total_fields) return Bad("field count mismatch");
  if (r.remaining() != 0) return Bad("trailing bytes after events");
  return Status::Ok();
}

}  // namespace vigia::batch_codec
