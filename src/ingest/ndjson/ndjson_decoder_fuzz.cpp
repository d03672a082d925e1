// libFuzzer target: any byte string as a POST /v1/events body. The decoder must never crash,
// and its counts must be consistent with what it appended and reported. Inputs that start
// with a gzip or zstd magic number also go through Decompress (capped) first, so the
// inflaters see hostile streams too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "event/event_json.h"
#include "ingest/decompress.h"
#include "ingest/ndjson/ndjson_decoder.h"

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
  return 0;
}
