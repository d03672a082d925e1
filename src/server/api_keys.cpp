#include "server/api_keys.h"

#include "common/env.h"

namespace vigia {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

void AddKeys(std::string_view text, char sep, std::vector<std::string>* keys) {
  while (!text.empty()) {
    size_t pos = text.find(sep);
    std::string_view item = text.substr(0, pos);
    text = pos == std::string_view::npos ? std::string_view() : text.substr(pos + 1);
    item = Trim(item);
    if (item.empty() || item.front() == '#') continue;
    keys->emplace_back(item);
  }
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  volatile unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = diff | static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

Result<ApiKeys> ApiKeys::Load(std::string_view env_value, const std::string& file) {
  ApiKeys k;
  AddKeys(env_value, ',', &k.keys_);
  if (!file.empty()) {
    Result<std::string> text = Env::Default()->ReadFileToString(file);
    if (!text.ok()) {
      return Status::InvalidArgument("auth.api_keys_file: " + text.status().ToString());
    }
    size_t before = k.keys_.size();
    AddKeys(*text, '\n', &k.keys_);
    if (k.keys_.size() == before) {
      // An empty key file would silently turn auth off: refuse to start instead.
      return Status::InvalidArgument("auth.api_keys_file " + file + ": no key in the file");
    }
  }
  return k;
}

Status ApiKeys::Check(std::string_view authorization) const {
  if (keys_.empty()) return Status::Ok();
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() ||
      authorization.substr(0, kBearer.size()) != kBearer) {
    return Status::Unauthenticated("missing \"Authorization: Bearer <key>\" header");
  }
  std::string_view given = Trim(authorization.substr(kBearer.size()));
  bool match = false;
  // Every key is compared (no early exit) so timing does not reveal which one matched.
  for (const std::string& key : keys_) match |= ConstantTimeEquals(given, key);
  if (!match) return Status::Unauthenticated("invalid API key");
  return Status::Ok();
}

}  // namespace vigia
