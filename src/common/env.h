// Env: the filesystem and clocks vigia uses, behind one small interface so that crash and
// fault-injection tests can substitute their own (see store tests' FaultEnv).
//
// Thread-safety: Env methods are thread-safe. A WritableFile / RandomAccessFile object is
// externally synchronized (one writer at a time), except RandomAccessFile::Read, which is
// thread-safe (pread), and WritableFile::Sync, which may run concurrently with Append (so a
// background thread can fsync a WAL segment while writers keep appending).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace vigia {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Bytes in the file (including what was there when opened for append).
  virtual uint64_t Size() const = 0;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into scratch; returns the bytes read (short at EOF).
  virtual Result<size_t> Read(uint64_t offset, size_t n, char* scratch) const = 0;
  virtual uint64_t Size() const = 0;
};

// An exclusive advisory lock on a file (flock), held until the object is destroyed. The OS
// drops it when the process dies, so a stale lock file never blocks anyone.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

// Space on the file system holding a path (statvfs): what an unprivileged writer can use.
struct DiskSpace {
  uint64_t free_bytes = 0;   // available to a non-root writer (f_bavail)
  uint64_t total_bytes = 0;  // the file system's size
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide real environment (POSIX files, system clocks).
  static Env* Default();

  // Creates or truncates `path` for writing.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens `path` for appending, creating it when missing.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  virtual Result<std::string> ReadFileToString(const std::string& path) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  virtual Result<uint64_t> GetFileSize(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, without "." and "..", sorted.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  virtual Status CreateDir(const std::string& dir) = 0;  // mkdir -p
  virtual Status RemoveFile(const std::string& path) = 0;
  virtual Status RemoveDirRecursive(const std::string& dir) = 0;  // rm -rf
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;
  // fsyncs a directory so that renames and creations inside it are durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // The free and total space of the file system holding `path` (statvfs by default: every
  // Env reads real files somewhere; FaultEnv can pretend the disk is fuller).
  virtual Result<DiskSpace> GetDiskSpace(const std::string& path);
  // Takes an exclusive lock on `path` (created when missing) without waiting and then
  // replaces the file's content with `contents` (who holds it). Unavailable when another
  // holder has it — another process, or another lock object of this process — with the
  // file's current content as the message. flock by default: every Env locks real files.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path,
                                                     std::string_view contents);

  // Wall-clock time, ns since the Unix epoch.
  virtual int64_t NowNanos() = 0;
  // Monotonic time, ns from an arbitrary origin; for durations and timeouts.
  virtual int64_t MonotonicNanos() = 0;
};

// Writes `data` to `path` atomically: temp file, fsync, rename, fsync of the directory.
Status WriteFileAtomic(Env* env, const std::string& path, std::string_view data);

// Joins two path components with exactly one '/'.
std::string JoinPath(std::string_view a, std::string_view b);

}  // namespace vigia
