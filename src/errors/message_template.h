// TemplateMessage: an error message with its variable parts replaced by placeholders, so two
// occurrences of the same failure with different values read the same:
//   "user 42 not found (id=7f0c2a4e-...)"  →  "user <num> not found (id=<uuid>)"
// Replaced, in this order of precedence at each position: UUIDs <uuid>, e-mail addresses
// <email>, IPv4 addresses (with an optional :port) <ip>, IPv6 addresses <ip>, 0x-prefixed
// hex and bare hex runs of 8+ characters holding a digit <hex>, quoted strings ('...',
// "...", `...`) <str>, numbers (signed, decimal, with exponent) <num>. Whitespace runs
// collapse to one space; only the first line counts (a multi-line message's tail is usually
// a dump).
//
// Thread-safety: pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace vigia::errors {

// REQUIRES: nothing; the result is at most ~message.size() bytes (bounded by the input).
std::string TemplateMessage(std::string_view message);

}  // namespace vigia::errors
