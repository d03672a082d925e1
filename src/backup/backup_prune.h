// PruneBackups: applies a retention policy to the backups of a repository, then deletes the
// blobs no remaining backup names.
//
// Kept: the newest `keep_last` backups; the newest backup of each of the newest `keep_daily`
// UTC days, `keep_weekly` weeks (Monday to Sunday) and `keep_monthly` months that have one;
// and, when max_age_days > 0, every backup younger than that. The newest backup is always
// kept. Manifests go first, then unreferenced blobs, so a crash in between only leaves blobs
// for the next prune. Prune must not run while a backup is being written to the same
// repository (that backup's blobs are not named by any manifest yet): the CLI and the
// scheduled module run one operation at a time.
//
// Thread-safety: one prune per repository at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backup/backup_repository.h"
#include "common/status.h"

namespace vigia {

struct BackupRetention {
  int keep_last = 0;
  int keep_daily = 0;
  int keep_weekly = 0;
  int keep_monthly = 0;
  int max_age_days = 0;
  bool any() const {
    return keep_last > 0 || keep_daily > 0 || keep_weekly > 0 || keep_monthly > 0 ||
           max_age_days > 0;
  }
};

struct PruneResult {
  std::vector<std::string> kept;
  std::vector<std::string> deleted;
  uint64_t blobs_deleted = 0;
  uint64_t blob_bytes_freed = 0;
};

// Which of `ids` (backup ids, any order; their creation times in created_ns) the policy
// keeps. REQUIRES: policy.any().
std::vector<std::string> BackupsToKeep(const std::vector<std::string>& ids,
                                       const std::vector<int64_t>& created_ns,
                                       const BackupRetention& policy, int64_t now_ns);

// InvalidArgument when the policy keeps nothing explicitly (policy.any() false).
Result<PruneResult> PruneBackups(BackupRepository* repo, const BackupRetention& policy,
                                 int64_t now_ns);

}  // namespace vigia
