// libFuzzer target: any byte string as a syslog stream (framing, RFC 5424 and RFC 3164
// parsers, JSON messages). Also feeds the same bytes through the framer in small reads, as a
// TCP connection sees them. Must never crash; counts must match what was appended.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "event/event_json.h"
#include "ingest/syslog/syslog_decoder.h"
#include "ingest/syslog/syslog_framer.h"
#include "ingest/syslog/syslog_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static vigia::SyslogDecoder* decoder = [] {
    vigia::DecoderOptions o;
    o.limits.max_line_bytes = 1 << 12;
    o.limits.max_fields = 64;
    o.limits.max_depth = 8;
    o.limits.max_reported_errors = 4;
    return new vigia::SyslogDecoder(o);
  }();
  std::string body(reinterpret_cast<const char*>(data), size);
  vigia::IngestRequest req;
  req.body = body;
  req.receive_ts_ns = 1'700'000'000'000'000'000;
  vigia::EventBatch batch;
  vigia::DecodeResult r = decoder->Decode(req, &batch);
  if (r.accepted != batch.size() || r.errors.size() > 4 || r.errors.size() > r.rejected) abort();
  std::string json;
  for (const auto& e : batch.events()) vigia::AppendEventJson(batch, e, &json);

  // The framer over 7-byte reads with a buffer, as the TCP listener drives it.
  vigia::SyslogFramerState state;
  std::string buf;
  size_t fed = 0;
  while (fed < size || !buf.empty()) {
    const bool at_end = fed >= size;
    if (!at_end) {
      size_t n = std::min<size_t>(7, size - fed);
      buf.append(body, fed, n);
      fed += n;
    }
    size_t pos = 0;
    while (pos < buf.size()) {
      std::string_view frame;
      size_t used = 0;
      auto res = vigia::NextSyslogFrame(std::string_view(buf).substr(pos), 64, at_end, &state,
                                        &frame, &used);
      if (res == vigia::SyslogFrameResult::kIncomplete) break;
      if (used == 0 || used > buf.size() - pos || frame.size() > 64) abort();
      if (res == vigia::SyslogFrameResult::kFrame) {
        vigia::SyslogMessage m;
        (void)vigia::ParseSyslogMessage(frame, 0, &m);
      }
      pos += used;
    }
    buf.erase(0, pos);
    if (at_end) {
      if (!buf.empty()) abort();  // at the end every byte is consumed
      break;
    }
  }
  return 0;
}
