#include "server/storage_backend.h"

#include <string>

namespace vigia {

std::span<const StorageBackendKind> StorageBackendKinds() {
  static constexpr StorageBackendKind kKinds[] = {
      {"embedded", &OpenEmbeddedStorage},
      {"clickhouse", &OpenClickHouseStorage},
  };
  return kKinds;
}

Result<const StorageBackendKind*> FindStorageBackend(std::string_view name) {
  std::string names;
  for (const StorageBackendKind& k : StorageBackendKinds()) {
    if (k.name == name) return &k;
    names += (names.empty() ? "" : ", ") + std::string(k.name);
  }
  return Status::InvalidArgument("expected one of " + names + "; got \"" + std::string(name) +
                                 "\"");
}

}  // namespace vigia
