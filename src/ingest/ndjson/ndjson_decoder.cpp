#include "ingest/ndjson/ndjson_decoder.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "ingest/normalize/normalizer.h"

namespace vigia {
namespace {

// Typical events carry 10-20 fields. The first batch reserves this many per event; later ones
// reserve what the previous batch used (see Impl::fields_per_event).
constexpr size_t kFieldsPerEventGuess = 16;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

NormalizerOptions ToNormalizerOptions(const DecoderOptions& d, const FieldProjection* projection) {
  NormalizerOptions o;
  o.projection = projection;
  o.max_fields = d.limits.max_fields;
  o.max_depth = d.limits.max_depth;
  o.max_field_name_bytes = d.limits.max_field_name_bytes;
  o.derivers = d.derivers;
  return o;
}

}  // namespace

struct NdjsonDecoder::Impl {
  Impl(const DecoderOptions& o, const FieldProjection* projection)
      : limits(o.limits), normalizer(ToNormalizerOptions(o, projection)) {}

  IngestLimits limits;
  Normalizer normalizer;

  // Fields per event the next batch reserves: the previous batch's average plus one. A batch's
  // field vector that outgrows its reservation doubles (a copy of the whole array, and half of
  // the new capacity idle while the batch sits in the memtable, counted in its memory).
  size_t fields_per_event = kFieldsPerEventGuess;
  // Bytes per line of the previous body (0: none yet), to size the next batch without
  // counting its lines first.
  size_t line_bytes = 0;

  // Per Decode call.
  const IngestRequest* req = nullptr;
  std::string_view body;
  int64_t receive_ts = 0;
  EventBatch* out = nullptr;
  DecodeResult* result = nullptr;

  void Reject(uint64_t line, std::string reason) {
    result->Reject(line, std::move(reason), limits.max_reported_errors);
  }

  void DecodeOne(uint64_t line_no, std::string_view line) {
    if (line.size() > limits.max_line_bytes) {
      Reject(line_no, "line longer than " + std::to_string(limits.max_line_bytes) + " bytes");
      return;
    }
    // The rest of the body is readable, so lines not at its very end need no copy to get
    // simdjson's padding.
    const size_t readable = static_cast<size_t>(body.data() + body.size() - line.data());
    Status st = readable >= line.size() + Normalizer::kPadding
                    ? normalizer.NormalizePadded(line, readable, receive_ts, out)
                    : normalizer.Normalize(line, receive_ts, out);
    if (st.ok()) {
      ++result->accepted;
    } else {
      Reject(line_no, st.message());
    }
  }

  void DecodeLines(size_t pos) {
    const char* data = body.data();
    const size_t size = body.size();
    uint64_t line_no = 0;
    while (pos < size) {
      IngestCheckpoint(*req, ++line_no);
      const char* nl = static_cast<const char*>(std::memchr(data + pos, '\n', size - pos));
      const size_t end = nl ? static_cast<size_t>(nl - data) : size;
      std::string_view line(data + pos, end - pos);
      pos = end + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      size_t first = 0;
      while (first < line.size() && IsBlank(line[first])) ++first;
      if (first == line.size()) continue;  // blank line
      DecodeOne(line_no, line);
    }
    result->records = line_no;
  }

  // Finds the end of the array element starting at `pos`: the index of the ',' or ']' that
  // ends it at nesting level 0, or body.size() when the body ends first.
  size_t ElementEnd(size_t pos) const {
    int depth = 0;
    const char* data = body.data();
    for (size_t i = pos; i < body.size(); ++i) {
      switch (data[i]) {
        case '"': {
          // Jump to the closing quote: the next '"' not escaped by an odd run of '\\'.
          size_t from = i + 1;
          while (true) {
            const char* q =
                static_cast<const char*>(std::memchr(data + from, '"', body.size() - from));
            if (q == nullptr) return body.size();
            size_t at = static_cast<size_t>(q - data);
            size_t backslashes = 0;
            while (at - backslashes > i + 1 && data[at - backslashes - 1] == '\\') ++backslashes;
            from = at + 1;
            if (backslashes % 2 == 0) break;
          }
          i = from - 1;
          break;
        }
        case '{':
        case '[':
          ++depth;
          break;
        case '}':
        case ']':
          if (depth == 0) return i;
          --depth;
          break;
        case ',':
          if (depth == 0) return i;
          break;
        default:
          break;
      }
    }
    return body.size();
  }

  // A JSON array body: each element is validated and normalized on its own, so one bad
  // element costs only itself.
  void DecodeArray(size_t pos) {
    ++pos;  // '['
    uint64_t elem = 0;
    const size_t size = body.size();
    while (true) {
      while (pos < size && IsBlank(body[pos])) ++pos;
      if (pos >= size) {
        Reject(elem + 1, "invalid JSON: array body not terminated by ']'");
        return;
      }
      if (body[pos] == ']') {
        ++pos;
        while (pos < size && IsBlank(body[pos])) ++pos;
        if (pos < size) Reject(elem + 1, "invalid JSON: content after the array");
        return;
      }
      IngestCheckpoint(*req, ++elem);
      const size_t end = ElementEnd(pos);
      if (end >= size) {
        Reject(elem, "invalid JSON: array body not terminated by ']'");
        return;
      }
      std::string_view text = body.substr(pos, end - pos);
      while (!text.empty() && IsBlank(text.back())) text.remove_suffix(1);
      if (text.empty()) {
        Reject(elem, "invalid JSON: empty array element");
      } else {
        DecodeOne(elem, text);
      }
      // ']' ends the array (seen again at the top of the loop); ',' and a stray '}' at
      // level 0 are consumed so the scan always advances.
      pos = body[end] == ']' ? end : end + 1;
    }
  }
};

NdjsonDecoder::NdjsonDecoder(DecoderOptions options) : NdjsonDecoder(std::move(options), nullptr) {}

NdjsonDecoder::NdjsonDecoder(DecoderOptions options, const FieldProjection* projection)
    : impl_(std::make_unique<Impl>(options, projection)) {}

NdjsonDecoder::NdjsonDecoder(IngestLimits limits)
    : NdjsonDecoder([&] {
        DecoderOptions o;
        o.limits = limits;
        return o;
      }()) {}

NdjsonDecoder::~NdjsonDecoder() = default;

DecodeResult NdjsonDecoder::Decode(std::string_view body, int64_t receive_ts_ns, EventBatch* out) {
  IngestRequest req;
  req.body = body;
  req.receive_ts_ns = receive_ts_ns;
  return Decode(req, out);
}

DecodeResult NdjsonDecoder::Decode(const IngestRequest& req, EventBatch* out) {
  const std::string_view body = req.body;
  const int64_t receive_ts_ns = req.receive_ts_ns;
  impl_->normalizer.canonicalizer().SetAdmission(req.admission);
  DecodeResult result;
  Impl& d = *impl_;
  d.req = &req;
  d.body = body;
  d.receive_ts = receive_ts_ns;
  d.out = out;
  d.result = &result;
  size_t pos = 0;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;  // UTF-8 BOM from Windows tools
  // Every event is at most one line: a pass of memchr counts them to size the batch. A batch
  // that has room already is one refilled over and over (`vigia query --file`'s): when a
  // body like the last ones (by the bytes per line seen so far) fits, it is not counted (that
  // second pass over every byte was ~3 % of the query's time), and when counted it gets an
  // eighth more room, so the next ones fit; should an estimate fall short, the arrays grow.
  // A fresh batch (ingest's) is counted and sized exactly.
  const bool refilled = out->spare_events() > 0;
  const size_t estimate = d.line_bytes == 0 ? 0 : body.size() / d.line_bytes + 16;
  size_t lines = 1;
  if (refilled && estimate > 0 && estimate <= out->spare_events() &&
      estimate * d.fields_per_event <= out->spare_fields()) {
    lines = estimate;
  } else {
    for (const char* p = body.data();
         (p = static_cast<const char*>(std::memchr(p, '\n', body.data() + body.size() - p))) !=
         nullptr;
         ++p) {
      ++lines;
    }
    if (refilled) lines += lines / 8;
  }
  // A JSON array body is often one line: guess from its size (~350-byte events) instead.
  lines = std::max(lines, body.size() / 512);
  const size_t events_before = out->size();
  const size_t fields_before = out->total_fields();
  out->Reserve(lines, lines * d.fields_per_event);
  size_t first = pos;
  while (first < body.size() && IsBlank(body[first])) ++first;
  if (first < body.size() && body[first] == '[') {
    d.DecodeArray(first);
  } else {
    d.DecodeLines(pos);
  }
  if (result.records > 0) d.line_bytes = std::max<size_t>(1, body.size() / result.records);
  if (const size_t events = out->size() - events_before; events > 0) {
    d.fields_per_event = (out->total_fields() - fields_before + events - 1) / events + 1;
  }
  d.result = nullptr;
  d.out = nullptr;
  d.req = nullptr;
  return result;
}

}  // namespace vigia
