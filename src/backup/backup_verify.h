// VerifyBackup: proves that a backup restores — and writes down the proof. It restores the
// backup into a temporary directory (every blob authenticated, every file's size and XXH3-128
// checked against the manifest), runs the store check on the restored parts (every chunk and
// bloom checksum, every chunk decoded), opens the copy with the store (WAL replayed), counts
// the events per partition and kind with the query engine and compares them with the
// manifest, and runs a sample query. The temporary copy is removed afterwards.
//
// The result is a VerifyReport an auditor can keep: which backup, from which repository,
// when, with which vigia, each check with its outcome and details, and the duration, as JSON
// and as Markdown. WriteEvidence stores both; the Markdown ends with the BLAKE2b-512 of the
// JSON file (`b2sum` prints the same) and a MAC of it under the repository key (so whoever
// holds the key can show the JSON was not edited).
//
// Thread-safety: one verification per repository at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backup/backup_repository.h"
#include "common/status.h"

namespace vigia {

struct VerifyCheck {
  std::string name;  // "restore", "store_check", "open", "event_counts", "sample_query"
  bool ok = false;
  std::string detail;
};

struct VerifyReport {
  std::string backup_id;
  std::string repository;
  std::string vigia_version;  // of the verifier
  std::string backup_vigia_version;
  int64_t backup_created_ns = 0;
  int64_t verified_ns = 0;
  double duration_sec = 0;
  uint64_t files = 0;
  uint64_t bytes = 0;
  uint64_t events = 0;
  std::vector<VerifyCheck> checks;
  bool ok() const {
    for (const VerifyCheck& c : checks) {
      if (!c.ok) return false;
    }
    return !checks.empty();
  }
  std::string ToJson() const;
  // `json_b2` and `mac`: the hash and MAC lines of WriteEvidence ("" to omit).
  std::string ToMarkdown(const std::string& json_b2, const std::string& mac) const;
};

// Verifies backup `id` of `repo`, restoring into a new directory under `tmp_parent`. Errors
// of a check are in the report (ok() false); the Result fails only when the verification
// could not run at all (no such backup, temp dir not writable).
Result<VerifyReport> VerifyBackup(BackupRepository* repo, const std::string& id,
                                  const std::string& tmp_parent);

// Writes <dir>/verify-<id>-<time>.json and .md; returns the JSON path.
Result<std::string> WriteEvidence(const BackupRepository& repo, const VerifyReport& report,
                                  const std::string& dir);

}  // namespace vigia
