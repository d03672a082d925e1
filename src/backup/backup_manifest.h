// BackupManifest: what one backup holds — every file of the data directory with its size, its
// content hash (XXH3-128) and the blob that stores it, plus what is needed to trust and use
// it later: the vigia version and format versions that wrote it, the WAL sequence it covers,
// and the event counts per partition and kind (a restore is checked against them). Stored
// encrypted as the object manifests/<id> (blob_codec.h); its presence is what makes a backup
// exist (written last).
//
// Thread-safety: a value type, externally synchronized.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace vigia {

struct BackupFileEntry {
  std::string path;  // relative to the data directory, '/'-separated
  uint64_t size = 0;
  std::string xxh3;  // XXH3-128 of the content, 32 hex digits (canonical, big-endian)
  std::string blob;  // name of the blob (keyed BLAKE2b-256 of the content, 64 hex digits)
};

struct BackupEventCount {
  std::string partition;  // the partition's directory name: YYYYMMDD[.<tenant>]
  std::string kind;       // "" when the events have no kind
  uint64_t events = 0;
  bool operator==(const BackupEventCount&) const = default;
};

struct BackupManifest {
  static constexpr int kFormat = 1;
  std::string id;  // "20261202T170000Z-ab12": UTC creation time, then 4 random hex digits
  int64_t created_ns = 0;
  std::string vigia_version;
  uint32_t part_format_version = 0;
  uint32_t wal_format_version = 0;
  std::string source;  // "data:/var/lib/vigia" or "server:/var/lib/vigia"
  std::string parent;  // the newest backup of the repository when this one was made, or ""
  uint64_t wal_seq = 0;
  uint64_t events = 0;
  std::vector<BackupFileEntry> files;
  std::vector<BackupEventCount> counts;
  // What this backup added to the repository (the rest were blobs already there).
  uint64_t bytes = 0;  // sum of the files' sizes
  uint64_t new_blobs = 0;
  uint64_t new_blob_bytes = 0;  // stored (compressed, encrypted) bytes of the new blobs
  uint64_t reused_blobs = 0;
  double duration_sec = 0;

  std::string ToJson() const;
  static Result<BackupManifest> Parse(std::string_view json);
};

}  // namespace vigia
