// RequireApiKey: the shared guard of protected routes. Sets a 401 JSON error (with a
// WWW-Authenticate challenge) and returns false when the request lacks a valid key.
//
// Thread-safety: thread-safe.
#pragma once

#include "server/api_keys.h"
#include "server/http_message.h"

namespace vigia {

bool RequireApiKey(const ApiKeys& keys, const HttpRequest& req, HttpResponse* resp);

}  // namespace vigia
