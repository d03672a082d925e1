// ApiKeys: the legacy API keys, from the environment (VIGIA_API_KEYS, comma separated) and/or
// a file (auth.api_keys_file, one key a line, '#' comments); never from the repository. Each
// authenticates as an admin of every tenant (auth_check.h): what any key could do before
// tenants and roles. Keys with a tenant and a role are the KeyStore's (auth/key_store.h).
//
// Thread-safety: immutable after Load(); Check() is thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace vigia {

class ApiKeys {
 public:
  // `env_value` is VIGIA_API_KEYS (empty when unset); `file` may be empty.
  static Result<ApiKeys> Load(std::string_view env_value, const std::string& file);

  bool enabled() const { return !keys_.empty(); }
  size_t size() const { return keys_.size(); }

  // Whether `key` is one of the configured keys; every key is compared, each in a time
  // that does not depend on where the first differing byte is (no timing oracle).
  bool Matches(std::string_view key) const;

 private:
  std::vector<std::string> keys_;
};

// Compares without an early exit; the time depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace vigia
