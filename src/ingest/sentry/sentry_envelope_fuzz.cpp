// libFuzzer target: arbitrary bytes as a Sentry envelope body (framing, item lengths,
// event payloads) and as a legacy store body, through the full decoder (envelope parser,
// event mapper, JSON front end, canonicalizer). Must never crash, hang or read out of
// bounds; every event item is accepted or rejected.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/sentry/sentry_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static vigia::SentryDecoder* decoder = new vigia::SentryDecoder();
  std::string_view body(reinterpret_cast<const char*>(data), size);
  for (std::string_view target : {"envelope:1", "store:1"}) {
    vigia::EventBatch batch;
    vigia::IngestRequest req;
    req.body = body;
    req.receive_ts_ns = 1'700'000'000'000'000'000;
    req.target = target;
    vigia::DecodeResult r = decoder->Decode(req, &batch);
    if (r.accepted != batch.size()) __builtin_trap();
  }
  return 0;
}
