// ASCII text helpers for the parsers of protocol text (HTTP headers and media types, content
// encodings, VQL keywords, level and kind names, syslog headers, stack frames): character
// classes, case-insensitive comparison and trimming.
// Locale-free on purpose: protocol tokens are ASCII, and std::tolower depends on the C
// locale.
//
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace vigia::ascii {

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }

constexpr bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// The value of hex digit `c` in either case, or -1 when `c` is not one.
constexpr int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The value of lowercase hex digit `c`, or -1 (uppercase too): for canonical names and hashes
// the product writes in lowercase, where another spelling is another, invalid name.
constexpr int LowerHexValue(char c) { return c >= 'A' && c <= 'F' ? -1 : HexValue(c); }

constexpr char ToLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// a == b, ignoring the case of ASCII letters.
constexpr bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

// `s` equals `lower` ignoring the case of `s`'s ASCII letters (one side folded: cheaper when
// comparing against literals). REQUIRES: `lower` has no uppercase ASCII letter.
constexpr bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (ToLower(s[i]) != lower[i]) return false;
  }
  return true;
}

// `s` without leading and trailing spaces and tabs.
constexpr std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace vigia::ascii
