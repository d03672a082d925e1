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

// Per byte: kDigit, kMaybe (may end a secret key or start an anchor: = : @ e A g s r - b B)
// or 0.
constexpr uint8_t kDigit = 1, kMaybe = 2;
constexpr std::array<uint8_t, 256> kByteClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = kDigit;
  for (char c : std::string_view("=:@eAgsr-bB")) t[static_cast<uint8_t>(c)] = kMaybe;
  return t;
}();

}  // namespace

bool MayHoldSecret(std::string_view v, bool emails) {
  const char* p = v.data();
  const size_t n = v.size();
  auto at = [&](size_t i, std::string_view lit) { return v.substr(i, lit.size()) == lit; };
  auto at_lower = [&](size_t i, std::string_view lower) {
    if (i + lower.size() > n) return false;
    for (size_t k = 0; k < lower.size(); ++k) {
      char c = p[i + k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != lower[k]) return false;
    }
    return true;
  };
  int digits = 0;
  bool scheme = false;  // "://" seen: a later '@' may end a connection string's password
  for (size_t i = 0; i < n; ++i) {
    // Most bytes of a log value are neither digits nor the first byte of an anchor: one
    // table load and a well-predicted branch each.
    const uint8_t k = kByteClass[static_cast<uint8_t>(p[i])];
    if (k == 0) continue;
    if (k == kDigit) {
      if (++digits >= 11) return true;  // card (13+), CPF (11), CNPJ (14), phone (11)
      continue;
    }
    const char c = p[i];
    const char next = i + 1 < n ? p[i + 1] : '\0';
    switch (c) {
      case ':':  // key: value; scheme://user:pass@
        if (next == '/' && at(i, "://")) scheme = true;
        [[fallthrough]];
      case '=':  // key=value, URL parameters
        if (SecretKeyBefore(p, i)) return true;
        break;
      case '@':  // e-mail (opt-in), scheme://user:pass@host
        if (emails || scheme) return true;
        break;
      // The letters are frequent: the next byte is tested before the whole anchor.
      case 'e':
        if (next == 'y' && at(i, "eyJ")) return true;
        break;
      case 'A':
        if ((next == 'K' || next == 'S' || next == 'I') &&
            (at(i, "AKIA") || at(i, "ASIA") || at(i, "AIza"))) {
          return true;
        }
        break;
      case 'g':
        if (next == 'h' && i + 3 < n && p[i + 3] == '_') return true;
        if (next == 'i' && at(i, "github_pat_")) return true;
        break;
      case 's':
      case 'r':
        if (next == 'k' && at(i + 1, "k_")) return true;
        break;
      case '-':
        if (next == '-' && at(i, "-----")) return true;
        break;
      case 'b':
      case 'B':
        if (((next | 0x20) == 'e' && at_lower(i, "bearer")) ||
            ((next | 0x20) == 'a' && at_lower(i, "basic"))) {
          return true;
        }
        break;
      default:
        break;
    }
  }
  return false;
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
