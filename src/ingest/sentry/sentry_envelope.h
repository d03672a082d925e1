// ParseEnvelope: the framing of a Sentry envelope (POST /api/{project_id}/envelope/), as the
// SDKs write it (https://develop.sentry.dev/sdk/data-model/envelopes/):
//
//   {"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","dsn":"...","sent_at":"..."}\n  header
//   {"type":"event","length":41,"content_type":"application/json"}\n              item header
//   {"message":"hello","level":"info", ...}\n                                     payload
//   {"type":"attachment","length":10,"filename":"a.txt"}\n ...                     more items
//
// An item header's `length` is the payload's exact byte count (the payload may then hold
// newlines); without it the payload runs to the next newline. Only the framing is checked
// here; the event payloads are read by sentry_event.h.
//
// Errors: InvalidArgument naming the item for a malformed envelope (a header that is not a
// JSON object, an item without a type, a length past the end, more than
// limits::kMaxSentryEnvelopeItems items); ResourceExhausted for an event item over
// limits::kMaxSentryEventBytes (the route answers 413).
//
// Thread-safety: pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace vigia::sentry {

struct EnvelopeItem {
  std::string type;          // "event", "transaction", "session", "attachment", ...
  std::string_view payload;  // a view into the body
};

struct Envelope {
  std::string event_id;  // from the envelope header; may be empty
  std::vector<EnvelopeItem> items;
};

Status ParseEnvelope(std::string_view body, Envelope* out);

// Whether items of `type` carry an error event vigia stores ("event"; Sentry's legacy
// "error" spelling too).
bool IsEventItem(std::string_view type);

}  // namespace vigia::sentry
