#include "redact/detectors.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "common/ascii.h"

namespace vigia::redact {
namespace {

std::string Digits(std::string_view s) {
  std::string d;
  for (char c : s) {
    if (c >= '0' && c <= '9') d.push_back(c);
  }
  return d;
}

bool AllSame(const std::string& d) { return d.find_first_not_of(d[0]) == std::string::npos; }

// The secret names of key=value pairs in free text and of URL query parameters.
constexpr char kSecretWords[] =
    "password|passwd|pwd|senha|secret|client_secret|token|access_token|refresh_token|id_token|"
    "api[_-]?key|apikey|auth_token|session_token|reset|reset_token|private_key|signature";

}  // namespace

namespace {

// True when the bytes of p before `end` end with one of the secret words of kv_secret and
// url_secret_param (kSecretWords, plus url_secret_param's key/sig/code), ASCII case-
// insensitively: the words' suffixes (client_secret ends with secret, every *_token with
// token, api_key/apikey/api-key/private_key with key). RE2's (?i) also folds the non-ASCII
// ſ (s) and K (Kelvin, k): a non-ASCII byte among the bytes a word could span answers true.
bool EndsWithSecretWord(const char* p, size_t end) {
  static constexpr std::string_view kWords[] = {"password",  "passwd", "pwd", "senha",
                                                "secret",    "token",  "key", "reset",
                                                "signature", "sig",    "code"};
  constexpr size_t kLongest = 9;  // "signature"
  // Every word ends with one of d a t n y e g, letters without a non-ASCII case variant (RE2
  // folds only k and s beyond ASCII): any other last byte answers at once.
  if (end == 0) return false;
  switch (ascii::ToLower(p[end - 1])) {
    case 'd':
    case 'a':
    case 't':
    case 'n':
    case 'y':
    case 'e':
    case 'g':
      break;
    default:
      return false;
  }
  for (std::string_view w : kWords) {
    if (w.size() > end) continue;
    const char* s = p + end - w.size();
    size_t k = 0;
    while (k < w.size() && ascii::ToLower(s[k]) == w[k]) ++k;
    if (k == w.size()) return true;
  }
  // A non-ASCII byte among the bytes a word could span (3 per character at most).
  size_t i = end > 3 * kLongest ? end - 3 * kLongest : 0;
  uint64_t high = 0;
  for (; i + 8 <= end; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    high |= w;
  }
  for (; i < end; ++i) high |= static_cast<uint8_t>(p[i]);
  return (high & 0x8080808080808080ull) != 0;
}

// Whether the '=' or ':' at p[i] can end the key of a kv_secret or url_secret_param match:
// the regexes put a secret word, an optional quote and optional spaces before it.
bool SecretKeyBefore(const char* p, size_t i) {
  while (i > 0 && (p[i - 1] == ' ' || (p[i - 1] >= '\t' && p[i - 1] <= '\r'))) --i;
  if (i > 0 && (p[i - 1] == '"' || p[i - 1] == '\'')) --i;
  return EndsWithSecretWord(p, i);
}

}  // namespace

namespace {

// The byte at p[i] (of a value of n bytes) in the scan: true when the value may hold a
// secret because of it. `scheme`: "://" was seen (a later '@' may end a connection string's
// password). Most bytes of a log value are none of these: the vector pass of MayHoldSecret
// calls this only where a byte and the next one can start what it looks for.
bool CheckByte(const char* p, size_t n, size_t i, bool emails, bool* scheme) {
  const std::string_view v(p, n);
  auto at = [&](size_t j, std::string_view lit) { return v.substr(j, lit.size()) == lit; };
  auto at_lower = [&](size_t j, std::string_view lower) {
    if (j + lower.size() > n) return false;
    for (size_t k = 0; k < lower.size(); ++k) {
      char c = p[j + k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != lower[k]) return false;
    }
    return true;
  };
  const char next = i + 1 < n ? p[i + 1] : '\0';
  switch (p[i]) {
    case ':':  // key: value; scheme://user:pass@
      if (next == '/' && at(i, "://")) *scheme = true;
      [[fallthrough]];
    case '=':  // key=value, URL parameters
      return SecretKeyBefore(p, i);
    case '@':  // e-mail (opt-in), scheme://user:pass@host
      return emails || *scheme;
    case 'e':
      return next == 'y' && at(i, "eyJ");
    case 'A':
      return (next == 'K' || next == 'S' || next == 'I') &&
             (at(i, "AKIA") || at(i, "ASIA") || at(i, "AIza"));
    case 'g':
      return (next == 'h' && i + 3 < n && p[i + 3] == '_') || (next == 'i' && at(i, "github_pat_"));
    case 's':
    case 'r':
      return next == 'k' && at(i + 1, "k_");
    case '-':
      return next == '-' && at(i, "-----");
    case 'b':
    case 'B':
      return ((next | 0x20) == 'e' && at_lower(i, "bearer")) ||
             ((next | 0x20) == 'a' && at_lower(i, "basic"));
    default:
      return false;
  }
}

// Per byte: kDigit, kMaybe (CheckByte may answer true: = : @ e A g s r - b B) or 0.
constexpr uint8_t kDigit = 1, kMaybe = 2;
constexpr std::array<uint8_t, 256> kByteClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = kDigit;
  for (char c : std::string_view("=:@eAgsr-bB")) t[static_cast<uint8_t>(c)] = kMaybe;
  return t;
}();

// Sixteen bytes as one value (GCC/Clang vector extensions: SSE2 on x86-64, NEON on arm64);
// a comparison gives 0xff in the bytes where it holds, 0 elsewhere.
using Bytes16 = uint8_t __attribute__((vector_size(16)));
Bytes16 Load16(const char* p) {
  Bytes16 v;
  std::memcpy(&v, p, 16);
  return v;
}
Bytes16 Eq(Bytes16 v, char c) { return reinterpret_cast<Bytes16>(v == static_cast<uint8_t>(c)); }

}  // namespace

bool MayHoldSecretScalar(std::string_view v, bool emails) {
  const char* p = v.data();
  const size_t n = v.size();
  int digits = 0;
  bool scheme = false;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t k = kByteClass[static_cast<uint8_t>(p[i])];
    if (k == 0) continue;
    if (k == kDigit) {
      if (++digits >= 11) return true;  // card (13+), CPF (11), CNPJ (14), phone (11)
      continue;
    }
    if (CheckByte(p, n, i, emails, &scheme)) return true;
  }
  return false;
}

namespace {

// One block of MayHoldSecret: the sixteen bytes at q (p + base, or a zero-padded copy of the
// last bytes) and the byte after each. A byte goes to CheckByte only when it and the next
// one can start what CheckByte looks for — ':' '=' '@' 'A' '-' alone, the other anchors by
// their first two bytes (ey, gh gi, sk rk, b or B then e E a A) — so the frequent letters
// e s r b g rarely leave the vector pass; candidates in order, so "://" is seen before a
// later '@'. Digits are counted sixteen at a time. Zero bytes are neither.
[[gnu::always_inline]] inline bool ScanBlock(const char* q, const char* p, size_t n, size_t base,
                                             bool emails, int* digits, bool* scheme) {
  const Bytes16 a = Load16(q);
  const Bytes16 b = Load16(q + 1);
  const Bytes16 al = a | 0x20, bl = b | 0x20;
  // 'A' and '-' are rare enough in log text to go alone.
  Bytes16 cand = Eq(a, ':') | Eq(a, '=') | Eq(a, '@') | Eq(a, 'A') | Eq(a, '-');
  cand |= Eq(a, 'e') & Eq(b, 'y');
  cand |= Eq(a, 'g') & (Eq(b, 'h') | Eq(b, 'i'));
  cand |= (Eq(a, 's') | Eq(a, 'r')) & Eq(b, 'k');
  cand |= Eq(al, 'b') & (Eq(bl, 'e') | Eq(bl, 'a'));
  const Bytes16 digit = reinterpret_cast<Bytes16>(static_cast<Bytes16>(a - '0') < 10);
  uint64_t d[2], c[2];
  std::memcpy(d, &digit, 16);
  std::memcpy(c, &cand, 16);
  constexpr uint64_t kLow = 0x0101010101010101ull;  // one bit per byte
  // The number of 1-bytes: their sum lands in the top byte (no popcnt instruction in the
  // x86-64 baseline; __builtin_popcountll would be a libgcc call).
  *digits += static_cast<int>((((d[0] & kLow) * kLow) >> 56) + (((d[1] & kLow) * kLow) >> 56));
  if (*digits >= 11) return true;  // card (13+), CPF (11), CNPJ (14), phone (11)
  if (((c[0] | c[1]) & kLow) == 0) return false;  // most blocks
  for (int h = 0; h < 2; ++h) {
    for (uint64_t m = c[h] & kLow; m != 0; m &= m - 1) {
      const size_t j =
          base + 8 * static_cast<size_t>(h) + static_cast<size_t>(__builtin_ctzll(m)) / 8;
      if (CheckByte(p, n, j, emails, scheme)) return true;
    }
  }
  return false;
}

}  // namespace

bool MayHoldSecret(std::string_view v, bool emails) {
  const char* p = v.data();
  const size_t n = v.size();
  int digits = 0;
  bool scheme = false;
  size_t i = 0;
  // Whole blocks while the byte after them is readable, then the last 1-16 bytes from a
  // zero-padded copy (a zero byte is no candidate, as past the end in CheckByte), copied
  // with fixed-size moves: two overlapping words cover 4-16 bytes.
  for (; i + 17 <= n; i += 16) {
    if (ScanBlock(p + i, p, n, i, emails, &digits, &scheme)) return true;
  }
  const size_t r = n - i;
  if (r == 0) return false;
  char tail[32] = {};
  const char* s = p + i;
  if (r >= 8) {
    std::memcpy(tail, s, 8);
    std::memcpy(tail + r - 8, s + r - 8, 8);
  } else if (r >= 4) {
    std::memcpy(tail, s, 4);
    std::memcpy(tail + r - 4, s + r - 4, 4);
  } else {
    tail[0] = s[0];
    tail[r / 2] = s[r / 2];
    tail[r - 1] = s[r - 1];
  }
  return ScanBlock(tail, p, n, i, emails, &digits, &scheme);
}

bool LuhnValid(std::string_view s) {
  std::string d = Digits(s);
  if (d.size() < 13 || d.size() > 19 || AllSame(d)) return false;
  // Issuer prefixes and lengths of cards in use (Visa 16/19, Mastercard 2/5 16, Amex 15,
  // Diners 14, Discover/Elo/Hipercard 6 16): a random build number or order id of another
  // shape is not a card even when its Luhn digit happens to fit (1 in 10).
  size_t n = d.size();
  bool shape = (d[0] == '4' && (n == 16 || n == 19)) || ((d[0] == '5' || d[0] == '2') && n == 16) ||
               (d[0] == '3' && (n == 15 || n == 14)) || (d[0] == '6' && n == 16);
  if (!shape) return false;
  int sum = 0;
  bool dbl = false;
  for (size_t i = d.size(); i-- > 0;) {
    int v = d[i] - '0';
    if (dbl) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
    sum += v;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

bool CpfValid(std::string_view s) {
  std::string d = Digits(s);
  if (d.size() != 11 || AllSame(d)) return false;
  for (int check = 9; check <= 10; ++check) {
    int sum = 0;
    for (int i = 0; i < check; ++i) sum += (d[i] - '0') * (check + 1 - i);
    int r = sum * 10 % 11;
    if (r == 10) r = 0;
    if (r != d[check] - '0') return false;
  }
  return true;
}

bool CnpjValid(std::string_view s) {
  std::string d = Digits(s);
  if (d.size() != 14 || AllSame(d)) return false;
  static constexpr int kW1[] = {5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2};
  static constexpr int kW2[] = {6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2};
  for (int check = 12; check <= 13; ++check) {
    const int* w = check == 12 ? kW1 : kW2;
    int sum = 0;
    for (int i = 0; i < check; ++i) sum += (d[i] - '0') * w[i];
    int r = sum % 11;
    int want = r < 2 ? 0 : 11 - r;
    if (want != d[check] - '0') return false;
  }
  return true;
}

const std::vector<Detector>& BuiltinDetectors() {
  static const std::vector<Detector> kAll = {
      {"url_secret_param",
       std::string(R"((?i)[?&](?:)") + kSecretWords + R"(|key|sig|code)=([^&\s#"']{3,}))", 1},
      // password=hunter2, "token": "abc", reset: xyz (seed 002's greps), in free text.
      {"kv_secret",
       std::string(R"((?i)\b(?:)") + kSecretWords + R"()["']?\s*[=:]\s*["']?([^\s"'&,;<>]{3,}))",
       1},
      {"bearer", R"((?i)\b(?:bearer|basic)\s+([A-Za-z0-9\-._~+/]{8,}=*))", 1},
      {"jwt", R"(\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{8,})", 0},
      {"aws_key", R"(\b(?:AKIA|ASIA)[0-9A-Z]{16}\b)", 0},
      {"gcp_key", R"(\bAIza[0-9A-Za-z_-]{35})", 0},
      {"github_token", R"(\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}))", 0},
      {"stripe_key", R"(\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,})", 0},
      {"private_key",
       R"((?s)-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$))", 0},
      {"conn_string_password", R"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/\s@]+:([^@\s/]+)@)", 1},
      {"card_number", R"(\b(?:\d[ -]?){12,18}\d\b)", 0, LuhnValid},
      {"cpf", R"(\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b)", 0, CpfValid},
      {"cnpj", R"(\b\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}\b)", 0, CnpjValid},
      {"email", R"(\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b)", 0, nullptr, true},
      {"phone", R"((?:\+55\s?)?\(?\b\d{2}\)?\s?9\d{4}-?\d{4}\b)", 0, nullptr, true},
  };
  return kAll;
}

}  // namespace vigia::redact
