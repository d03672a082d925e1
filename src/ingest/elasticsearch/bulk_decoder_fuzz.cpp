// libFuzzer target: any byte string as a POST /_bulk body. The decoder must never crash; its
// counts must match what it appended, and its reply must hold one item per counted record.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "event/event_json.h"
#include "ingest/elasticsearch/bulk_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static vigia::BulkDecoder* decoder = [] {
    vigia::DecoderOptions o;
    o.limits.max_line_bytes = 1 << 16;
    o.limits.max_fields = 64;
    o.limits.max_depth = 8;
    o.limits.max_reported_errors = 4;
    o.service_by_target = {{"a*", "svc"}};
    return new vigia::BulkDecoder(o);
  }();
  // Copy so that ASan sees reads past the body.
  std::string body(reinterpret_cast<const char*>(data), size);
  vigia::IngestRequest req;
  req.body = body;
  req.receive_ts_ns = 1;
  req.target = "abc";
  vigia::EventBatch batch;
  vigia::DecodeResult r = decoder->Decode(req, &batch);
  if (r.accepted != batch.size() || r.errors.size() > 4 || r.errors.size() > r.rejected) abort();
  // Items are objects in an array: count the "status": members.
  size_t statuses = 0;
  for (size_t at = r.reply.find("\"status\":"); at != std::string::npos;
       at = r.reply.find("\"status\":", at + 1)) {
    ++statuses;
  }
  if (r.reply.empty() || r.reply.front() != '[' || r.reply.back() != ']') abort();
  if (statuses < r.accepted + r.rejected) abort();
  std::string json;
  for (const auto& e : batch.events()) vigia::AppendEventJson(batch, e, &json);
  return 0;
}
