// libFuzzer target: any byte string as a POST /v1/events body. The decoder must never crash,
// and its counts must be consistent with what it appended and reported. Inputs that start
// with a gzip or zstd magic number also go through Decompress (capped) first, so the
// inflaters see hostile streams too. The body is also decoded with a projection (one of a
// few field sets, chosen by the input's size; field_projection.h), which must accept and
// reject the same lines with the same reasons and give the projected fields the same values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "event/event_json.h"
#include "ingest/decompress.h"
#include "ingest/ndjson/ndjson_decoder.h"
#include "ingest/normalize/field_projection.h"

namespace {

vigia::DecoderOptions FuzzOptions() {
  vigia::DecoderOptions o;
  o.limits.max_line_bytes = 1 << 16;
  o.limits.max_fields = 64;
  o.limits.max_depth = 8;
  o.limits.max_reported_errors = 4;
  return o;
}

// What queries read: canonical fields and their dependencies, aliases that lose, raw values,
// flattened and error-object names, derived fields, nothing but ts.
const std::vector<std::vector<std::string>> kProjections = {
    {"level"},
    {"msg", "status"},
    {"error.type", "exception.tipo", "error.foo"},
    {"meta.a", "message", "status_raw"},
    {"route", "method", "outcome"},
    {},
    {"details.x", "user_id", "perf_class", "_msg"},
    {"a", "a.b", "extra", "kind_raw", "ts_raw"},
};

struct Projected {
  vigia::FieldProjection projection;
  vigia::NdjsonDecoder decoder;
  explicit Projected(const std::vector<std::string>& fields)
      : projection(fields, FuzzOptions().derivers), decoder(FuzzOptions(), &projection) {}
};

bool SameValue(const vigia::Value* a, const vigia::Value* b) {
  if (a == nullptr || b == nullptr) return a == b;
  return a->type == b->type && *a == *b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static vigia::NdjsonDecoder* decoder = new vigia::NdjsonDecoder(FuzzOptions());
  static std::vector<Projected*>* projected = [] {
    auto* v = new std::vector<Projected*>();
    for (const auto& fields : kProjections) v->push_back(new Projected(fields));
    return v;
  }();
  // Copy so that ASan sees reads past the body (the decoder must not rely on padding it
  // does not own).
  std::string body(reinterpret_cast<const char*>(data), size);
  const bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  const bool zstd = size >= 4 && data[0] == 0x28 && data[1] == 0xb5 && data[2] == 0x2f;
  if (gzip || zstd) {
    constexpr size_t kCap = 1 << 20;
    std::string inflated;
    vigia::Status st =
        vigia::Decompress(gzip ? vigia::ContentEncoding::kGzip : vigia::ContentEncoding::kZstd,
                          body, kCap, &inflated);
    if (inflated.size() > kCap || inflated.capacity() > kCap) abort();
    if (!st.ok()) return 0;
    body = std::move(inflated);
  }
  vigia::EventBatch batch;
  vigia::DecodeResult r = decoder->Decode(body, 1, &batch);
  if (r.accepted != batch.size() || r.errors.size() > 4 || r.errors.size() > r.rejected) abort();
  std::string json;
  for (const auto& e : batch.events()) vigia::AppendEventJson(batch, e, &json);

  const size_t which = body.size() % kProjections.size();
  vigia::EventBatch pbatch;
  vigia::DecodeResult p = (*projected)[which]->decoder.Decode(body, 1, &pbatch);
  if (p.accepted != r.accepted || p.rejected != r.rejected || p.records != r.records ||
      p.errors.size() != r.errors.size() || pbatch.size() != batch.size()) {
    abort();
  }
  for (size_t i = 0; i < r.errors.size(); ++i) {
    if (p.errors[i].line != r.errors[i].line || p.errors[i].error != r.errors[i].error) abort();
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto& e = batch.events()[i];
    const auto& pe = pbatch.events()[i];
    if (e.ts_ns != pe.ts_ns) abort();
    for (const std::string& f : kProjections[which]) {
      const std::string name = f == "_msg" ? "msg" : f;
      if (!SameValue(batch.Find(e, name), pbatch.Find(pe, name))) abort();
    }
  }
  return 0;
}
