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

bool ApiKeys::Matches(std::string_view key) const {
  bool match = false;
  for (const std::string& k : keys_) match |= ConstantTimeEquals(key, k);
  return match;
}

}  // namespace vigia
