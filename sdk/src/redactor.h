// Redactor: client-side masking of secrets before an event leaves the process (seed 004:
// "never log secrets"). A field whose key names a secret (password, token, secret,
// authorization, api_key, cookie, senha, ...) has its whole value replaced; inside any string
// (messages included) "Bearer <token>", JWT-looking values (eyJ….….…) and "key=value" /
// "key: value" pairs with a secret key are masked.
//
// Thread-safety: stateless; all functions are thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace vigia::sdk::internal {

inline constexpr std::string_view kRedacted = "[REDACTED]";

bool is_secret_key(std::string_view key);
// Returns true and fills out when s contains something to mask; false (out untouched) else.
bool redact_string(std::string_view s, std::string* out);

}  // namespace vigia::sdk::internal
