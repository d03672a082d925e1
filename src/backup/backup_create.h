// CreateBackup: one backup of a data directory into a BackupRepository.
//
// 1. A consistent checkpoint (Store::Checkpoint) in <data_dir>/.checkpoint-<id>/: the parts
//    served now hard-linked, the WAL copied up to its last written record — from the running
//    server's Store (source.store) or, for a stopped server, from a Store opened on the
//    directory without flushes, merges or retention.
// 2. Every other file of the data directory (other subsystems' state: the audit ledger,
//    alert state, a key store, ... whatever they add) is copied into the checkpoint too, so
//    the backup reads a frozen copy. The rule: every regular file under the data directory
//    except the store's own parts/ and wal/ (taken by the checkpoint) and the transient names
//    of file_names::IsTransientDataFile (write probe, checkpoints, tmp-*, *.dropped, *.tmp).
//    In name order (ListDir sorts), which the audit ledger relies on: audit/chained.pos is
//    copied before audit/t-*/ledger.bin, so the copied position never names records the
//    copied ledgers lack (the chainer may go on meanwhile; tests: audit_backup_test).
// 3. The events are counted per partition and kind on the checkpoint (the query engine).
// 4. Each file is digested (XXH3-128 + keyed BLAKE2b name); only blobs the repository lacks
//    are compressed, encrypted and uploaded (incremental: parts are immutable, so an
//    unchanged part costs nothing).
// 5. The manifest is written last: a backup interrupted before that does not exist (its
//    blobs are reused by the next backup or removed by prune).
// The checkpoint directory is removed in every case.
//
// Thread-safety: one CreateBackup per repository at a time; the Store may be ingesting.
#pragma once

#include <string>

#include "backup/backup_manifest.h"
#include "backup/backup_repository.h"
#include "common/env.h"
#include "common/status.h"
#include "store/store.h"

namespace vigia {

struct BackupSource {
  std::string data_dir;
  // The running server's store over data_dir; nullptr = the directory is not in use and is
  // opened here.
  Store* store = nullptr;
};

// A new backup id for time `now_ns`: "YYYYMMDDTHHMMSSZ-xxxx" (sorts by time).
std::string NewBackupId(int64_t now_ns);

// REQUIRES: env is Env::Default() or wraps the same file system as data_dir.
Result<BackupManifest> CreateBackup(BackupRepository* repo, const BackupSource& source, Env* env);

}  // namespace vigia
