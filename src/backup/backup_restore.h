// RestoreBackup: writes the files of one backup into a new data directory, atomically.
//
// The files go to a sibling directory "<new_dir>.restoring-<random>"; every file's content
// is authenticated while it is decrypted (blob_codec.h) and then checked against the
// manifest's size and XXH3-128; files and directories are fsynced; only then is the sibling
// renamed to new_dir. Any failure removes the sibling: new_dir is either absent (or still
// empty) or complete, never half restored.
//
// With `force`, a non-empty new_dir that is a vigia data directory (it has wal/ or parts/) is
// replaced: its lock (store/data_dir_lock.h) is taken for the whole restore — so a running
// server refuses the restore ("data directory DIR is in use by pid N") and no server can
// start on it meanwhile — the restored copy is built beside it as above, the old directory is
// renamed aside ("<new_dir>.replaced-<random>"), the copy renamed into its place, and only
// then is the old one deleted; if the second rename fails the old directory is put back.
//
// Thread-safety: one restore per new_dir at a time.
#pragma once

#include <string>

#include "backup/backup_manifest.h"
#include "backup/backup_repository.h"
#include "common/status.h"

namespace vigia {

// new_dir must not exist or be empty (else AlreadyExists), unless `force` (above).
Status RestoreBackup(BackupRepository* repo, const BackupManifest& manifest,
                     const std::string& new_dir, bool force = false);

}  // namespace vigia
