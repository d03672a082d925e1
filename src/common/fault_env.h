// FaultEnv: an Env wrapper for tests that injects the failures real disks and crashes cause.
//
//  - FailWriteAt(n) / FailSyncAt(n) / FailRenameAt(n): the n-th (1-based, counted from
//    the call) WritableFile::Append / Sync / RenameFile returns IOError; a failed Append
//    first writes half of its data, as a torn write does.
//  - CrashAt... / SetCrashed(true): from then on every mutating operation fails, as if the
//    process had died (tests then reopen on the base Env).
//  - SetReadOnly(true): every mutating operation fails (a full or read-only disk).
//  - SetSyncDelayMicros(us): every file Sync sleeps first (a slow disk), so tests can
//    force concurrent writers to pile up behind an fsync.
//  - SetFreeDiskBytes(n): GetDiskSpace reports n bytes free (a filling disk) until
//    ClearFreeDiskBytes(); the total is the base Env's.
//  - DropUnsyncedData(): truncates every file written through this Env to the size it had
//    at its last successful Sync — what a power loss leaves behind.
//
// Counters (writes(), syncs(), renames()) let a test sweep "fail at every step".
//
// Thread-safety: thread-safe; files created through it may be used as the Env contract
// allows (one writer per file, Sync concurrent with Append).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/env.h"

namespace vigia {

class FaultEnv final : public Env {
 public:
  // REQUIRES: base outlives this object.
  explicit FaultEnv(Env* base);
  ~FaultEnv() override;

  // 0 disables. Counted relative to the operations done so far.
  void FailWriteAt(uint64_t nth);
  void FailSyncAt(uint64_t nth);
  void FailRenameAt(uint64_t nth);
  // The n-th write (torn: half written) or sync "crashes": it and everything after fails.
  void CrashAtWrite(uint64_t nth);
  void CrashAtSync(uint64_t nth);
  void SetCrashed(bool crashed);
  void SetReadOnly(bool read_only);
  void SetSyncDelayMicros(int64_t us) { sync_delay_us_ = us; }
  void SetFreeDiskBytes(uint64_t n) { free_disk_bytes_ = static_cast<int64_t>(n); }
  void ClearFreeDiskBytes() { free_disk_bytes_ = -1; }
  bool crashed() const { return crashed_.load(); }

  // Truncates every tracked file to its last synced size. Call after the owner of the
  // files is gone (or crashed), as the OS would after a power loss.
  Status DropUnsyncedData();

  uint64_t writes() const { return writes_.load(); }
  uint64_t syncs() const { return syncs_.load(); }
  uint64_t renames() const { return renames_.load(); }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Result<std::string> ReadFileToString(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  Result<uint64_t> GetFileSize(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status CreateDir(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveDirRecursive(const std::string& dir) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status SyncDir(const std::string& dir) override;
  Result<DiskSpace> GetDiskSpace(const std::string& path) override;
  int64_t NowNanos() override;
  int64_t MonotonicNanos() override;

 private:
  friend class FaultWritableFile;

  // What the injected-failure checks decide for one operation.
  enum class Verdict { kOk, kFail, kTornAndCrash };
  Verdict OnWrite();
  Verdict OnSync();
  Status CheckMutable(const std::string& what) const;
  void RecordSynced(const std::string& path, uint64_t size);
  void RecordCreated(const std::string& path, uint64_t size);

  Env* base_;
  std::atomic<uint64_t> writes_{0};
  std::atomic<uint64_t> syncs_{0};
  std::atomic<uint64_t> renames_{0};
  std::atomic<uint64_t> fail_write_at_{0};
  std::atomic<uint64_t> fail_sync_at_{0};
  std::atomic<uint64_t> fail_rename_at_{0};
  std::atomic<uint64_t> crash_write_at_{0};
  std::atomic<uint64_t> crash_sync_at_{0};
  std::atomic<bool> crashed_{false};
  std::atomic<bool> read_only_{false};
  std::atomic<int64_t> sync_delay_us_{0};
  std::atomic<int64_t> free_disk_bytes_{-1};  // < 0: the base Env's

  std::mutex mu_;
  std::map<std::string, uint64_t> synced_size_;  // guarded by mu_
};

}  // namespace vigia
