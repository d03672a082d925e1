#include "server/auth_check.h"

#include "common/ascii.h"

namespace vigia {
namespace {

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Standard or URL-safe base64, padding optional; false when `in` is not base64.
bool Base64Decode(std::string_view in, std::string* out) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = Base64Value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

}  // namespace

std::string KeyFromAuthorization(std::string_view authorization) {
  authorization = ascii::TrimSpaces(authorization);
  size_t space = authorization.find(' ');
  if (space == std::string_view::npos) return {};
  std::string_view scheme = authorization.substr(0, space);
  std::string_view cred = ascii::TrimSpaces(authorization.substr(space + 1));
  if (ascii::EqualsIgnoreCase(scheme, "Bearer")) return std::string(cred);
  std::string plain;
  if (ascii::EqualsIgnoreCase(scheme, "Basic")) {
    if (!Base64Decode(cred, &plain)) return {};
    size_t colon = plain.find(':');
    return colon == std::string::npos ? std::string() : plain.substr(colon + 1);
  }
  if (ascii::EqualsIgnoreCase(scheme, "ApiKey")) {
    if (Base64Decode(cred, &plain) && plain.find(':') != std::string::npos) {
      return plain.substr(plain.find(':') + 1);
    }
    return std::string(cred);
  }
  return {};
}

std::string SentryKeyOf(const HttpRequest& req) {
  std::string_view header = ascii::TrimSpaces(req.Header("X-Sentry-Auth"));
  if (header.size() >= 7 && ascii::EqualsIgnoreCase(header.substr(0, 7), "Sentry ")) {
    header.remove_prefix(7);
  }
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view pair = ascii::TrimSpaces(header.substr(0, comma));
    if (pair.substr(0, 11) == "sentry_key=") return std::string(ascii::TrimSpaces(pair.substr(11)));
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  if (req.path.substr(0, 5) == "/api/") return std::string(req.QueryParam("sentry_key"));
  return {};
}

Principal OpenModePrincipal() {
  Principal p;
  p.key_id = "open";
  p.role = Role::kAdmin;
  p.all_tenants = true;
  p.authenticated = true;
  return p;
}

bool RequestAuthenticator::open() const {
  return !legacy_->enabled() && (store_ == nullptr || store_->empty());
}

Result<Principal> RequestAuthenticator::Authenticate(const HttpRequest& req) const {
  std::string_view authorization = req.Header("Authorization");
  if (authorization.empty()) {
    if (std::string key = SentryKeyOf(req); !key.empty()) return Authenticate("Bearer " + key);
  }
  return Authenticate(authorization);
}

Result<Principal> RequestAuthenticator::Authenticate(std::string_view authorization) const {
  if (open()) return OpenModePrincipal();
  if (authorization.empty()) {
    return Status::Unauthenticated("missing \"Authorization: Bearer <key>\" header");
  }
  std::string presented = KeyFromAuthorization(authorization);
  std::string_view key = presented;
  if (key.empty() || key.find_first_of(" \t") != std::string_view::npos) {
    return Status::Unauthenticated(
        "malformed Authorization header (expected \"Bearer <key>\", Basic with the key as the "
        "password, or \"ApiKey <key>\")");
  }
  if (store_ != nullptr && key.substr(0, 3) == "vk_") {
    VIGIA_ASSIGN_OR_RETURN(ApiKeyRecord r, store_->Verify(key));
    return r.ToPrincipal();
  }
  if (legacy_->Matches(key)) {
    Principal p = OpenModePrincipal();
    p.key_id = "legacy";
    return p;
  }
  return Status::Unauthenticated("invalid API key");
}

}  // namespace vigia
