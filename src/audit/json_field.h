// FindJsonField: the value of one top-level key of a JSON object line that vigia wrote
// itself (event/event_json.h, JsonWriter): a string's unescaped contents or a number's text.
// Not a general JSON parser: it relies on the writer's escaping (control characters as
// \u00XX, everything else verbatim), which is what ledger payloads, checkpoints and exports
// hold. A key's text inside a string value never matches, since the writer escapes the
// quotes around it.
//
// Thread-safety: pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace vigia::audit {

// False when the key is absent or its value is not a string or an integer.
bool FindJsonField(std::string_view line, std::string_view key, std::string* out);

}  // namespace vigia::audit
