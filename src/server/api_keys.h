// ApiKeys: the optional bearer-token check of ingest and read endpoints. Keys come from the
// environment (VIGIA_API_KEYS, comma separated) and/or a file (auth.api_keys_file, one key a
// line, '#' comments); never from the repository. With no key configured, auth is off.
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

  // OK when auth is off or `authorization` is "Bearer <a configured key>"; the comparison
  // takes the same time wherever the first differing byte is (no timing oracle).
  Status Check(std::string_view authorization) const;

 private:
  std::vector<std::string> keys_;
};

// Compares without an early exit; the time depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace vigia
