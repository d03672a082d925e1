#include "errors/message_template.h"

#include <cstddef>

#include "common/ascii.h"

namespace vigia::errors {
namespace {

using ascii::IsDigit;
using ascii::IsHexDigit;
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsWordChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '_'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool IsEmailLocal(char c) { return IsWordChar(c) || c == '.' || c == '+' || c == '-' || c == '%'; }
bool IsHostChar(char c) { return IsWordChar(c) || c == '-' || c == '.'; }

// Length of a run of `n` hex digits at s[i], or 0.
bool HexRun(std::string_view s, size_t i, size_t n) {
  if (i + n > s.size()) return false;
  for (size_t k = 0; k < n; ++k) {
    if (!IsHexDigit(s[i + k])) return false;
  }
  return true;
}

// 8-4-4-4-12 hex digits.
size_t MatchUuid(std::string_view s, size_t i) {
  static constexpr size_t kGroups[] = {8, 4, 4, 4, 12};
  size_t p = i;
  for (size_t g = 0; g < 5; ++g) {
    if (!HexRun(s, p, kGroups[g])) return 0;
    p += kGroups[g];
    if (g < 4) {
      if (p >= s.size() || s[p] != '-') return 0;
      ++p;
    }
  }
  if (p < s.size() && IsWordChar(s[p])) return 0;
  return p - i;
}

// local@domain.tld, starting at a word boundary.
size_t MatchEmail(std::string_view s, size_t i) {
  size_t p = i;
  while (p < s.size() && IsEmailLocal(s[p])) ++p;
  if (p == i || p >= s.size() || s[p] != '@') return 0;
  size_t host = ++p;
  bool dot = false;
  while (p < s.size() && IsHostChar(s[p])) {
    if (s[p] == '.') dot = true;
    ++p;
  }
  while (p > host && s[p - 1] == '.') --p;  // a sentence's full stop is not the domain's
  if (!dot || p == host) return 0;
  return p - i;
}

// a.b.c.d with 1-3 digits each, an optional :port.
size_t MatchIpv4(std::string_view s, size_t i) {
  size_t p = i;
  for (int part = 0; part < 4; ++part) {
    size_t d = p;
    while (p < s.size() && IsDigit(s[p]) && p - d < 3) ++p;
    if (p == d) return 0;
    if (part < 3) {
      if (p >= s.size() || s[p] != '.') return 0;
      ++p;
    }
  }
  if (p < s.size() && (IsDigit(s[p]) || (s[p] == '.' && p + 1 < s.size() && IsDigit(s[p + 1]))))
    return 0;
  if (p + 1 < s.size() && s[p] == ':' && IsDigit(s[p + 1])) {
    ++p;
    while (p < s.size() && IsDigit(s[p])) ++p;
  }
  return p - i;
}

// At least two colons and hex groups: fe80::1, 2001:db8:0:0:1:0:0:1.
size_t MatchIpv6(std::string_view s, size_t i) {
  size_t p = i;
  int colons = 0, groups = 0;
  while (p < s.size()) {
    size_t d = p;
    while (p < s.size() && IsHexDigit(s[p]) && p - d < 4) ++p;
    if (p > d) ++groups;
    if (p < s.size() && s[p] == ':') {
      ++colons;
      ++p;
      continue;
    }
    break;
  }
  if (colons < 2 || groups < 2) return 0;
  if (p < s.size() && IsWordChar(s[p])) return 0;
  while (p > i && s[p - 1] == ':' && !(p >= 2 && s[p - 2] == ':')) --p;
  return p - i;
}

// [fe80::1] or [fe80::1]:8080, as URLs and socket addresses write IPv6.
size_t MatchBracketedIpv6(std::string_view s, size_t i) {
  size_t n = MatchIpv6(s, i + 1);
  size_t p = i + 1 + n;
  if (n == 0 || p >= s.size() || s[p] != ']') return 0;
  ++p;
  if (p + 1 < s.size() && s[p] == ':' && IsDigit(s[p + 1])) {
    ++p;
    while (p < s.size() && IsDigit(s[p])) ++p;
  }
  return p - i;
}

// 0x1f..., or a run of 8+ hex digits holding at least one digit and one letter or being
// long (a hash, a pointer, a git sha) — pure words such as "deadbeef" stay words.
size_t MatchHex(std::string_view s, size_t i) {
  if (i + 2 < s.size() && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
      IsHexDigit(s[i + 2])) {
    size_t p = i + 2;
    while (p < s.size() && IsHexDigit(s[p])) ++p;
    if (p < s.size() && IsWordChar(s[p])) return 0;
    return p - i;
  }
  size_t p = i;
  bool digit = false, letter = false;
  while (p < s.size() && IsHexDigit(s[p])) {
    if (IsDigit(s[p]))
      digit = true;
    else
      letter = true;
    ++p;
  }
  if (p - i < 8 || (p < s.size() && IsWordChar(s[p]))) return 0;
  if (!digit || (!letter && p - i < 16)) return 0;  // a plain long number is a number
  return p - i;
}

// A quoted string; the quote must close on the same line within a bounded distance.
size_t MatchQuoted(std::string_view s, size_t i) {
  char q = s[i];
  if (q != '\'' && q != '"' && q != '`') return 0;
  // An apostrophe inside a word ("can't") opens nothing.
  if (q == '\'' && i > 0 && IsAlpha(s[i - 1])) return 0;
  for (size_t p = i + 1; p < s.size() && p - i < 512; ++p) {
    if (s[p] == '\\') {
      ++p;
      continue;
    }
    if (s[p] == '\n') return 0;
    if (s[p] == q) return p + 1 - i;
  }
  return 0;
}

// -12, 3.5, 1e9, 42ms (the unit stays: "<num>ms").
size_t MatchNumber(std::string_view s, size_t i) {
  size_t p = i;
  if (s[p] == '-' || s[p] == '+') {
    if (p + 1 >= s.size() || !IsDigit(s[p + 1])) return 0;
    if (i > 0 && (IsWordChar(s[i - 1]))) return 0;  // "a-1" is a name, keep the dash
    ++p;
  }
  if (p >= s.size() || !IsDigit(s[p])) return 0;
  while (p < s.size() && (IsDigit(s[p]) || s[p] == '_' || s[p] == ',')) {
    if ((s[p] == '_' || s[p] == ',') && (p + 1 >= s.size() || !IsDigit(s[p + 1]))) break;
    ++p;
  }
  if (p + 1 < s.size() && s[p] == '.' && IsDigit(s[p + 1])) {
    ++p;
    while (p < s.size() && IsDigit(s[p])) ++p;
  }
  if (p + 1 < s.size() && (s[p] == 'e' || s[p] == 'E') &&
      (IsDigit(s[p + 1]) ||
       ((s[p + 1] == '-' || s[p + 1] == '+') && p + 2 < s.size() && IsDigit(s[p + 2])))) {
    p += 2;
    while (p < s.size() && IsDigit(s[p])) ++p;
  }
  return p - i;
}

}  // namespace

std::string TemplateMessage(std::string_view message) {
  size_t eol = message.find('\n');
  if (eol != std::string_view::npos) message = message.substr(0, eol);
  std::string out;
  out.reserve(message.size());
  size_t i = 0;
  while (i < message.size() && IsSpace(message[i])) ++i;
  while (i < message.size()) {
    char c = message[i];
    if (IsSpace(c)) {
      while (i < message.size() && IsSpace(message[i])) ++i;
      if (i < message.size()) out += ' ';
      continue;
    }
    bool boundary = i == 0 || !IsWordChar(message[i - 1]);
    size_t n = 0;
    if (boundary && (n = MatchUuid(message, i)) > 0) {
      out += "<uuid>";
    } else if (boundary && IsEmailLocal(c) && (n = MatchEmail(message, i)) > 0) {
      out += "<email>";
    } else if (boundary && IsDigit(c) && (n = MatchIpv4(message, i)) > 0) {
      out += "<ip>";
    } else if (c == '[' && (n = MatchBracketedIpv6(message, i)) > 0) {
      out += "<ip>";
    } else if (boundary && IsHexDigit(c) && (n = MatchIpv6(message, i)) > 0) {
      out += "<ip>";
    } else if (boundary && IsHexDigit(c) && (n = MatchHex(message, i)) > 0) {
      out += "<hex>";
    } else if ((n = MatchQuoted(message, i)) > 0) {
      out += "<str>";
    } else if ((IsDigit(c) || c == '-' || c == '+') && (n = MatchNumber(message, i)) > 0) {
      out += "<num>";
    } else {
      // A word: copied whole, so the matchers above only start at word boundaries (the
      // digits of "user42" still become "user<num>" below, via the digit rule).
      if (IsWordChar(c) && !IsDigit(c)) {
        size_t p = i;
        while (p < message.size() && IsWordChar(message[p]) && !IsDigit(message[p])) ++p;
        out.append(message.substr(i, p - i));
        i = p;
        continue;
      }
      out += c;
      n = 1;
    }
    i += n;
  }
  return out;
}

}  // namespace vigia::errors
