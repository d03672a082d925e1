// SentryEventToJson: one Sentry event payload (an envelope's event item, or the body of the
// legacy store endpoint) as a vigia event in the native JSON spelling, which the ingest
// front end then canonicalizes like any line (aliases, limits, derivers: the error
// fingerprint). docs/errors.md has the mapping; in short:
//
//   event_id, timestamp, level, platform, logger     → event_id, ts, level, platform, logger
//   exception.values[last]: type, value               → error.type, error.message
//   its stacktrace.frames (or the event's stacktrace) → error.stack, written the way the
//                                                        platform prints a trace (Python,
//                                                        Java, V8, Dart; others V8-style),
//                                                        newest frame where that format
//                                                        puts it, so the fingerprinter
//                                                        (errors/stack_frame.h) reads it;
//                                                        the top in-app frame → error.function,
//                                                        error.file, error.line
//   message / logentry.formatted                      → msg (else "type: value")
//   release, environment, server_name                 → version, env, host
//   user.id (else username, email, ip_address)        → user_id; user.ip_address → ip
//   tags (object or [k, v] pairs)                     → tags.<k>; tags.service → service
//   breadcrumbs (the last limits::kMaxSentryBreadcrumbs) → breadcrumbs (JSON text)
//   request.url, request.method, User-Agent header    → url, method, ua
//   transaction                                       → route
//   contexts.trace.trace_id / span_id                 → trace_id, span_id
//   contexts.os / runtime / browser names             → os, runtime, browser
//   extra                                             → sentry_extra.<k> (values as text)
//   fingerprint (without "{{ default }}")             → fingerprint (the client's own wins)
//   sdk.name/version, the DSN's project id            → sdk, sentry_project
// Every event is kind=error (a Sentry event is an issue occurrence, captureMessage too);
// service = tags.service, else contexts.app.app_name, else "sentry-<project_id>".
//
// Broken frames (not objects, no function nor file) are skipped and counted in
// error.frames_skipped; the event is kept. Errors: InvalidArgument when the payload is not
// a JSON object.
//
// Thread-safety: SentryEventMapper is externally synchronized (it reuses a parser); one per
// thread.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace vigia::sentry {

class SentryEventMapper {
 public:
  // Writes the vigia JSON object of `payload` into `out` (replacing it) and its event_id
  // into `event_id` (empty when it has none).
  Status Map(std::string_view payload, std::string_view project_id, std::string* out,
             std::string* event_id);

 private:
  simdjson::dom::parser parser_;
};

}  // namespace vigia::sentry
