// Request IDs: every response carries X-Request-ID. A client's own ID is kept when it is
// sane (so a request can be followed across the client's and vigia's logs); anything else
// is replaced by a fresh UUIDv7 (time-ordered, so IDs sort by arrival).
//
// Thread-safety: thread-safe (the generator uses thread-local state).
#pragma once

#include <string>
#include <string_view>

namespace vigia {

// True when `id` is 1..kMaxRequestIdBytes characters of [A-Za-z0-9._:-].
bool IsSaneRequestId(std::string_view id);

// A new RFC 9562 UUIDv7 in canonical 8-4-4-4-12 lowercase hex form.
std::string NewUuidV7();

// The ID to use for a request whose X-Request-ID header is `client_id` (empty when absent).
std::string ChooseRequestId(std::string_view client_id);

}  // namespace vigia
