// Minimal JSON text helpers of the SDK (the SDK cannot use the server's writer): string
// escaping and number formatting that never produce invalid JSON (NaN/Inf become null,
// invalid UTF-8 bytes become U+FFFD).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigia::sdk::internal {

void json_append_string(std::string& out, std::string_view s);  // with quotes
void json_append_int(std::string& out, int64_t v);
void json_append_double(std::string& out, double v);

}  // namespace vigia::sdk::internal
