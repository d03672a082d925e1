// RestoreBackup: writes the files of one backup into a new data directory, atomically.
//
// The files go to a sibling directory "<new_dir>.restoring-<random>"; every file's content
// is authenticated while it is decrypted (blob_codec.h) and then checked against the
// manifest's size and XXH3-128; files and directories are fsynced; only then is the sibling
// renamed to new_dir. Any failure removes the sibling: new_dir is either absent (or still
// empty) or complete, never half restored.
//
// Thread-safety: one restore per new_dir at a time.
#pragma once

#include <string>

#include "backup/backup_manifest.h"
#include "backup/backup_repository.h"
#include "common/status.h"

namespace vigia {

// REQUIRES: new_dir does not exist or is an empty directory (else AlreadyExists).
Status RestoreBackup(BackupRepository* repo, const BackupManifest& manifest,
                     const std::string& new_dir);

}  // namespace vigia
