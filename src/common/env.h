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

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide real environment (POSIX files, system clocks).
  static Env* Default();

  // Creates or truncates `path` for writing.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens `path` for appending, creating it when missing.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) = 0;
  virtual Result<std::string> ReadFileToString(const std::string& path) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  virtual Result<uint64_t> GetFileSize(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, without "." and "..", sorted.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  virtual Status CreateDir(const std::string& dir) = 0;           // mkdir -p
  virtual Status RemoveFile(const std::string& path) = 0;
  virtual Status RemoveDirRecursive(const std::string& dir) = 0;  // rm -rf
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;
  // fsyncs a directory so that renames and creations inside it are durable.
  virtual Status SyncDir(const std::string& dir) = 0;

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
