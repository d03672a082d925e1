// DataDirLock: one writer per data directory. The server takes it at start, before it opens
// anything in the directory, and holds it until it stops; every offline command that writes a
// data directory (vigia keys create|revoke, erase --data, backup create --data, backup restore
// --force) takes it too, so an offline write never races a running server (or another
// command) and a second server on the same directory refuses to start.
//
// The lock is an exclusive flock on <data_dir>/LOCK (file_names::kLockFile), which holds
// "<pid> <program>" of the holder. The OS drops a flock when its process dies, so a LOCK
// file left by a crash (or restored from anywhere) never blocks; the file is never deleted
// (deleting it would let two processes lock two different files). Readers (vigia query
// --data, store check, backup verify) do not lock: they only read immutable parts and the
// WAL.
//
// Thread-safety: Acquire is thread-safe; the lock object is immutable. Two locks of the same
// directory in one process exclude each other too (flock is per open file).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/status.h"

namespace vigia {

class DataDirLock {
 public:
  // Creates data_dir when missing and locks it for `program` (what the error shows another
  // would-be writer, e.g. "vigia serve"). Unavailable with "data directory DIR is in use by
  // pid N (program)" when another process or lock holds it.
  static Result<std::unique_ptr<DataDirLock>> Acquire(Env* env, const std::string& data_dir,
                                                      std::string_view program);

  const std::string& data_dir() const { return data_dir_; }

 private:
  DataDirLock(std::string data_dir, std::unique_ptr<FileLock> lock)
      : data_dir_(std::move(data_dir)), lock_(std::move(lock)) {}

  const std::string data_dir_;
  const std::unique_ptr<FileLock> lock_;
};

}  // namespace vigia
