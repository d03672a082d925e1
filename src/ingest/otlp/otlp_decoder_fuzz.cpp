// libFuzzer target: any byte string as a POST /v1/logs body. The first byte picks the
// encoding the route would pick from Content-Type (even: application/x-protobuf, odd:
// application/json), the rest is the body, so one target covers both of OTLP's readers
// (otlp_protobuf_reader over ingest/protowire, otlp_json_reader over simdjson).
// The decoder must never crash; its counts must match what it appended, an undecodable body
// must have appended nothing, and the OTLP answer must be buildable from the result.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "event/event_json.h"
#include "ingest/otlp/otlp_decoder.h"
#include "ingest/otlp/otlp_response.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static vigia::OtlpDecoder* decoder = [] {
    vigia::DecoderOptions o;
    o.limits.max_line_bytes = 1 << 16;
    o.limits.max_fields = 64;
    o.limits.max_depth = 8;
    o.limits.max_reported_errors = 4;
    return new vigia::OtlpDecoder(o);
  }();
  if (size == 0) return 0;
  const bool protobuf = (data[0] & 1) == 0;
  // Copy so that ASan sees reads past the body.
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  vigia::IngestRequest req;
  req.body = body;
  req.content_type = protobuf ? "application/x-protobuf" : "application/json";
  req.receive_ts_ns = 1;
  req.tenant = vigia::TenantBinding::FromEvents();
  vigia::EventBatch batch;
  vigia::DecodeResult r = decoder->Decode(req, &batch);
  if (r.accepted != batch.size() || r.errors.size() > 4 || r.errors.size() > r.rejected) abort();
  if (!r.undecodable.empty() && r.accepted != 0) abort();
  std::string answer = vigia::otlp::ExportLogsResponse(r, protobuf);
  std::string json;
  for (const auto& e : batch.events()) vigia::AppendEventJson(batch, e, &json);
  return 0;
}
