#include "redactor.h"

#include <array>
#include <cctype>

namespace vigia::sdk::internal {
namespace {

constexpr std::array<std::string_view, 15> kSecretWords = {
    "password",      "passwd",      "pwd",    "secret",     "token",
    "authorization", "api_key",     "apikey", "api-key",    "cookie",
    "credential",    "private_key", "senha",  "access_key", "client_secret"};

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool contains_ci(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && lower(hay[i + j]) == needle[j]) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

bool token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '~' || c == '+' || c == '/' || c == '=';
}
bool b64url(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

// Length of a JWT starting at s[i] ("eyJ" + 3 base64url segments), 0 if none.
size_t jwt_len(std::string_view s, size_t i) {
  if (s.substr(i, 3) != "eyJ") return 0;
  size_t p = i, seg = 0, seglen = 0;
  while (p < s.size()) {
    if (b64url(s[p])) {
      ++seglen;
    } else if (s[p] == '.' && seglen >= 4 && seg < 2) {
      ++seg;
      seglen = 0;
    } else {
      break;
    }
    ++p;
  }
  return seg == 2 && seglen >= 4 ? p - i : 0;
}

// HTTP authentication schemes that precede a credential.
bool is_auth_scheme(std::string_view w) {
  for (std::string_view scheme : {"bearer", "basic", "digest", "token", "negotiate"}) {
    if (w.size() == scheme.size() && contains_ci(w, scheme)) return true;
  }
  return false;
}

}  // namespace

bool is_secret_key(std::string_view key) {
  for (auto w : kSecretWords)
    if (contains_ci(key, w)) return true;
  return false;
}

bool redact_string(std::string_view s, std::string* out) {
  std::string r;
  bool changed = false;
  size_t i = 0, copied = 0;
  auto flush_to = [&](size_t pos) { r.append(s.substr(copied, pos - copied)); };
  while (i < s.size()) {
    char c = s[i];
    // "Bearer <token>" (any case).
    if ((c == 'B' || c == 'b') && i + 7 < s.size() && contains_ci(s.substr(i, 7), "bearer ")) {
      size_t p = i + 7;
      while (p < s.size() && s[p] == ' ') ++p;
      size_t q = p;
      while (q < s.size() && token_char(s[q])) ++q;
      if (q - p >= 8) {
        flush_to(p);
        r.append(kRedacted);
        copied = i = q;
        changed = true;
        continue;
      }
    }
    if (c == 'e') {
      size_t n = jwt_len(s, i);
      if (n) {
        flush_to(i);
        r.append(kRedacted);
        copied = i = i + n;
        changed = true;
        continue;
      }
    }
    // key=value or key: value (optionally quoted) where key names a secret.
    if (c == '=' || c == ':') {
      size_t ke = i;
      if (ke > 0 && s[ke - 1] == '"') --ke;
      size_t kb = ke;
      while (kb > 0 && (std::isalnum(static_cast<unsigned char>(s[kb - 1])) || s[kb - 1] == '_' ||
                        s[kb - 1] == '-'))
        --kb;
      if (ke > kb && is_secret_key(s.substr(kb, ke - kb))) {
        size_t p = i + 1;
        while (p < s.size() && s[p] == ' ') ++p;
        bool quoted = p < s.size() && (s[p] == '"' || s[p] == '\'');
        char qc = quoted ? s[p] : 0;
        if (quoted) ++p;
        size_t q = p;
        if (quoted) {
          while (q < s.size() && s[q] != qc) ++q;
        } else {
          while (q < s.size() && s[q] != ' ' && s[q] != '&' && s[q] != ',' && s[q] != ';' &&
                 s[q] != '}')
            ++q;
          // "Authorization: Bearer <token>": the credential is the scheme and what follows it
          // (redacting the scheme alone would leave the token in the clear).
          if (is_auth_scheme(s.substr(p, q - p))) {
            size_t t = q;
            while (t < s.size() && s[t] == ' ') ++t;
            size_t u = t;
            while (u < s.size() && token_char(s[u])) ++u;
            if (u > t) q = u;
          }
        }
        if (q > p && !(q - p == kRedacted.size() && s.substr(p, q - p) == kRedacted)) {
          flush_to(p);
          r.append(kRedacted);
          copied = i = q;
          changed = true;
          continue;
        }
      }
    }
    ++i;
  }
  if (!changed) return false;
  flush_to(s.size());
  *out = std::move(r);
  return true;
}

}  // namespace vigia::sdk::internal
