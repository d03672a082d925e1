#include "server/storage_backend.h"

#include <string>

#include "alerting/alerting_names.h"
#include "server/cluster_tail.h"

namespace vigia {

std::unique_ptr<AlertStateStore> StorageBackend::MakeAlertStateStore(
    Env* env, const std::string& alerts_dir) {
  return std::make_unique<FileAlertStateStore>(env,
                                               JoinPath(alerts_dir, alerting_names::kStateFile));
}

std::unique_ptr<SilenceStore> StorageBackend::MakeSilenceStore(Env* env,
                                                               const std::string& alerts_dir) {
  return std::make_unique<FileSilenceStore>(env,
                                            JoinPath(alerts_dir, alerting_names::kSilencesFile));
}

std::unique_ptr<audit::ClusterLedgerStore> StorageBackend::MakeClusterLedgerStore() {
  return nullptr;
}

std::unique_ptr<ClusterTailSource> StorageBackend::MakeClusterTailSource() { return nullptr; }

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
