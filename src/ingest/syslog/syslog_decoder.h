// SyslogDecoder: the syslog front end — a stream of syslog messages (what the UDP and TCP
// listeners of the syslog module batch up, or a TCP stream as sent) into canonical events,
// one per message, each accepted or refused on its own (record number = message number).
//
// Framing: NextSyslogFrame (syslog_framer.h), octet counting or LF per message, auto-detected.
// Parsing: ParseSyslogMessage (syslog_message.h), RFC 5424 or RFC 3164. Mapping:
//   TIMESTAMP → ts (else the receive time)     severity → level (and syslog.severity, named)
//   HOSTNAME → host                            facility → syslog.facility (named: local0)
//   APP-NAME / TAG → service                   PROCID / [PID] → syslog.procid
//   MSGID → syslog.msgid                       MSG → msg
//   STRUCTURED-DATA [id@pen name="v"] → field id.name (the @enterprise number dropped)
// A MSG that is a JSON object, or "@cee:" and a JSON object (CEE/lumberjack, what rsyslog's
// mmjsonparse reads), is the event itself: its members are fed first, so what the
// application wrote (level, service, ts, msg) wins over the syslog header, which fills only
// what the JSON lacks.
//
// Thread-safety: externally synchronized; use one per thread.
#pragma once

#include <memory>
#include <string_view>

#include "event/event.h"
#include "ingest/ingest_decoder.h"

namespace vigia {

class SyslogDecoder final : public IngestDecoder {
 public:
  explicit SyslogDecoder(DecoderOptions options = {});
  ~SyslogDecoder() override;

  std::string_view protocol() const override { return "syslog"; }
  DecodeResult Decode(const IngestRequest& req, EventBatch* out) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigia
