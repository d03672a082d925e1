// Reading a store directory the way a backup needs it: opened without flushes, merges or
// retention (so reading never changes a checkpoint or a restored copy), the events counted
// per partition and kind through the query engine, a sample query, and a checkpoint of an
// offline data directory.
//
// Thread-safety: functions over their own Store instance; thread-safe for distinct dirs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backup/backup_manifest.h"
#include "common/env.h"
#include "common/status.h"
#include "store/store.h"

namespace vigia {

// Opens `dir` as a store that never writes a part, merges or drops anything.
Result<std::unique_ptr<Store>> OpenStoreForReading(const std::string& dir, Env* env);

// Events per (partition, kind) of the store in `dir` (sorted), and their total.
Result<std::vector<BackupEventCount>> CountStoreEvents(Store* store, uint64_t* total);

// Runs `vql` on the store; returns the number of rows of the answer.
Result<uint64_t> RunSampleQuery(Store* store, const std::string& vql);

}  // namespace vigia
