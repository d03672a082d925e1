// SentryDecoder: the IngestDecoder of Sentry's ingest API, so applications instrumented with
// a Sentry SDK (sentry-python in a FastAPI app, sentry_flutter, @sentry/node, sentry-java)
// send to vigia by changing only their DSN (server/route_sentry.h has the routes and the DSN
// key authentication; docs/errors.md the setup). The request's target says which endpoint
// and project it came to: "envelope:<project_id>" (POST /api/{id}/envelope/, an envelope of
// items, sentry_envelope.h) or "store:<project_id>" (the legacy POST /api/{id}/store/, one
// event as the body). Each event item is one record, mapped by SentryEventMapper
// (sentry_event.h) to a vigia error event and canonicalized like a native line; items of
// other types (sessions, client reports, transactions, attachments) are skipped uncounted.
// A malformed envelope sets DecodeResult::undecodable; DecodeResult::reply is Sentry's
// answer, {"id":"<event_id>"}.
//
// Thread-safety: externally synchronized; use one per thread.
#pragma once

#include <memory>
#include <string_view>

#include "ingest/ingest_decoder.h"

namespace vigia {

class SentryDecoder final : public IngestDecoder {
 public:
  explicit SentryDecoder(DecoderOptions options = {});
  ~SentryDecoder() override;

  std::string_view protocol() const override { return "sentry"; }
  DecodeResult Decode(const IngestRequest& req, EventBatch* out) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigia
