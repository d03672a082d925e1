// Every on-disk file and directory name of the embedded store, in one place.
//
//   <data_dir>/wal/                    write-ahead log segments
//   <data_dir>/wal/<seq:020>.wal       one segment; <seq> = sequence of its first record
//   <data_dir>/.write_probe            created and removed by Store::Health() to check
//                                      that the data directory is writable
//   <data_dir>/parts/                  columnar parts, one directory per partition:
//   <data_dir>/parts/<YYYYMMDD>[.<tenant>]/            (tenant escaped, see partition_key.h)
//   <data_dir>/parts/<partition>/part-<seq:016x>/      an immutable part:
//        meta.bin   metadata + block index (docs/storage-format.md)
//        data.bin   column chunks
//        bloom.bin  bloom filters
//   <data_dir>/parts/<partition>/tmp-<seq:016x>/       a part being written (deleted at open)
//   <data_dir>/parts/<partition>.dropped               a partition being deleted by retention
//   <data_dir>/LOCK                    flock'ed by the process that writes the directory (the
//                                      server, or an offline command: data_dir_lock.h); holds
//                                      "<pid> <program>"; never backed up
//   <data_dir>/.checkpoint-<n>/        a checkpoint being taken (Store::Checkpoint); any
//                                      left by a crash is deleted at open
//
// Subsystems with files of their own in the data directory (audit ledger, alert state, key
// store) keep their names in their own headers. A backup (src/backup) copies every file of
// the data directory except those IsTransientDataFile() names, so their files are backed up
// without the backup knowing them.
//
// Subsystems above the store keep their own names header, listed here:
//   <data_dir>/alerts/          alerting state, silences, notification outbox
//                               (src/alerting/alerting_names.h)
//   <data_dir>/auth/            the API key store (src/auth/auth_file_names.h)
//   <data_dir>/audit/           the audit ledger: hash chains, checkpoints, signing key
//                               (src/audit/audit_file_names.h)
//   <data_dir>/errors/          the error-group table (src/errors/error_file_names.h)
//   <data_dir>/clickhouse/      the outbox WAL of storage.backend = "clickhouse"
//                               (src/clickhouse/clickhouse_file_names.h)
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "common/ascii.h"
#include "common/env.h"

namespace vigia::file_names {

inline constexpr std::string_view kWalDir = "wal";
inline constexpr std::string_view kWalSuffix = ".wal";
inline constexpr std::string_view kWriteProbe = ".write_probe";
inline constexpr std::string_view kLockFile = "LOCK";
// Digits of the zero-padded sequence number in a segment name: sorts lexicographically.
inline constexpr size_t kWalSeqDigits = 20;

inline std::string WalDir(std::string_view data_dir) { return JoinPath(data_dir, kWalDir); }

inline std::string WalSegmentName(uint64_t first_seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020" PRIu64, first_seq);
  return std::string(buf) + std::string(kWalSuffix);
}

// The first sequence number encoded in a segment file name; nullopt for other files.
inline std::optional<uint64_t> ParseWalSegmentName(std::string_view name) {
  if (name.size() != kWalSeqDigits + kWalSuffix.size()) return std::nullopt;
  if (name.substr(kWalSeqDigits) != kWalSuffix) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < kWalSeqDigits; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

inline std::string WriteProbePath(std::string_view data_dir) {
  return JoinPath(data_dir, kWriteProbe);
}

inline std::string LockFilePath(std::string_view data_dir) { return JoinPath(data_dir, kLockFile); }

// --- columnar parts (partition_set.h, part_writer.h) ---------------------------------
inline constexpr std::string_view kPartsDir = "parts";
inline constexpr std::string_view kPartMetaFile = "meta.bin";
inline constexpr std::string_view kPartDataFile = "data.bin";
inline constexpr std::string_view kPartBloomFile = "bloom.bin";
inline constexpr std::string_view kPartDirPrefix = "part-";
inline constexpr std::string_view kPartTmpDirPrefix = "tmp-";
inline constexpr std::string_view kDroppedPartitionSuffix = ".dropped";

inline std::string PartsDir(std::string_view data_dir) { return JoinPath(data_dir, kPartsDir); }

// "part-00000000000000a3" (or "tmp-..."): hex sequence, zero-padded so names sort by age.
inline std::string PartDirName(uint64_t seq, bool tmp = false) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, seq);
  return std::string(tmp ? kPartTmpDirPrefix : kPartDirPrefix) + buf;
}

// The sequence of a part directory name ("part-<16 hex>"); nullopt for anything else.
inline std::optional<uint64_t> ParsePartDirName(std::string_view name) {
  if (name.size() != kPartDirPrefix.size() + 16 ||
      name.substr(0, kPartDirPrefix.size()) != kPartDirPrefix) {
    return std::nullopt;
  }
  uint64_t v = 0;
  for (char c : name.substr(kPartDirPrefix.size())) {
    int d = ascii::LowerHexValue(c);
    if (d < 0) return std::nullopt;
    v = v << 4 | static_cast<uint64_t>(d);
  }
  return v;
}

// --- checkpoints (Store::Checkpoint) and backups ----------------------------------------
inline constexpr std::string_view kCheckpointDirPrefix = ".checkpoint-";

// True for a name (one path component) that is never part of a backup: the write probe,
// the lock file, checkpoints in progress, parts being written (tmp-*), partitions being dropped,
// and any temp file whose name ends in ".tmp" (WriteFileAtomic's temp names).
inline bool IsTransientDataFile(std::string_view name) {
  auto starts = [&](std::string_view p) { return name.substr(0, p.size()) == p; };
  auto ends = [&](std::string_view s) {
    return name.size() >= s.size() && name.substr(name.size() - s.size()) == s;
  };
  return name == kWriteProbe || name == kLockFile || starts(kCheckpointDirPrefix) ||
         starts(kPartTmpDirPrefix) || ends(kDroppedPartitionSuffix) || ends(".tmp");
}

}  // namespace vigia::file_names
