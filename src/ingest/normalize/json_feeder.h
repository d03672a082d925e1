// FeedJsonValue / FeedJsonMembers: hand a simdjson DOM value to a Canonicalizer, member by
// member, for front ends that parse JSON themselves and add fields of their own to the same
// event (the Elasticsearch _bulk documents, syslog messages that are JSON). Strings are
// passed as views into the parser: the DOM must stay valid until EndEvent.
//
// Thread-safety: stateless functions; the canonicalizer is the caller's.
#pragma once

#include <simdjson.h>

#include <string_view>

#include "ingest/normalize/canonicalizer.h"

namespace vigia {

// Feeds `el` under `key` (an object is flattened by the canonicalizer, an array kept as JSON
// text; array elements have an empty key). False once the canonicalizer refused the event.
bool FeedJsonValue(Canonicalizer& c, std::string_view key, simdjson::dom::element el);

// Feeds the members of `object` as top-level members of the current event.
bool FeedJsonMembers(Canonicalizer& c, simdjson::dom::object object);

}  // namespace vigia
