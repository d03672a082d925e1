// libFuzzer target: any byte string as a POST /v1/events body. The decoder must never crash,
// and its counts must be consistent with what it appended and reported.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "event/event_json.h"
#include "ingest/ndjson_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static vigia::NdjsonDecoder* decoder = [] {
    vigia::DecodeLimits lim;
    lim.max_line_bytes = 1 << 16;
    lim.max_fields = 64;
    lim.max_depth = 8;
    lim.max_reported_errors = 4;
    return new vigia::NdjsonDecoder(lim);
  }();
  // Copy so that ASan sees reads past the body (the decoder must not rely on padding it
  // does not own).
  std::string body(reinterpret_cast<const char*>(data), size);
  vigia::EventBatch batch;
  vigia::DecodeResult r = decoder->Decode(body, 1, &batch);
  if (r.accepted != batch.size() || r.errors.size() > 4 || r.errors.size() > r.rejected) abort();
  std::string json;
  for (const auto& e : batch.events()) vigia::AppendEventJson(batch, e, &json);
  return 0;
}
