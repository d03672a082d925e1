// libFuzzer target: any byte string as a POST /loki/api/v1/push body. The first byte picks
// what the route would do with it: 0 mod 3 JSON, 1 mod 3 an uncompressed PushRequest, 2 mod
// 3 a snappy block uncompressed (bounded) then decoded as a PushRequest — the path of every
// real protobuf push. Covers the JSON reader, the protobuf reader, the label-set parser
// ({a="b",…}) and the snappy framing. Never crash; counts must match what was appended and
// an undecodable body must have appended nothing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "event/event_json.h"
#include "ingest/loki/loki_decoder.h"
#include "ingest/loki/loki_snappy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static vigia::LokiDecoder* decoder = [] {
    vigia::DecoderOptions o;
    o.limits.max_line_bytes = 1 << 16;
    o.limits.max_fields = 64;
    o.limits.max_depth = 8;
    o.limits.max_reported_errors = 4;
    return new vigia::LokiDecoder(o);
  }();
  if (size == 0) return 0;
  const int mode = data[0] % 3;
  // Copy so that ASan sees reads past the body.
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string uncompressed;
  if (mode == 2) {
    if (!vigia::loki::SnappyUncompress(body, 1 << 20, &uncompressed).ok()) return 0;
    body.swap(uncompressed);
  }
  vigia::IngestRequest req;
  req.body = body;
  req.content_type = mode == 0 ? "application/json" : "application/x-protobuf";
  req.receive_ts_ns = 1;
  req.tenant = vigia::TenantBinding::FromEvents();
  vigia::EventBatch batch;
  vigia::DecodeResult r = decoder->Decode(req, &batch);
  if (r.accepted != batch.size() || r.errors.size() > 4 || r.errors.size() > r.rejected) abort();
  if (!r.undecodable.empty() && r.accepted != 0) abort();
  std::string json;
  for (const auto& e : batch.events()) vigia::AppendEventJson(batch, e, &json);
  return 0;
}
