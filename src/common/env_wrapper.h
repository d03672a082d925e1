// EnvWrapper: an Env that forwards every call to another one (as LevelDB's EnvWrapper), for
// Envs that change one or two behaviours — a fake clock, a hook before a rename — and keep
// the rest real. Derive from it and override only what changes.
//
// Thread-safety: as the target Env's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"

namespace vigia {

class EnvWrapper : public Env {
 public:
  // REQUIRES: target outlives this object.
  explicit EnvWrapper(Env* target) : target_(target) {}

  Env* target() const { return target_; }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p) override {
    return target_->NewWritableFile(p);
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& p) override {
    return target_->NewAppendableFile(p);
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    return target_->NewRandomAccessFile(p);
  }
  Result<std::string> ReadFileToString(const std::string& p) override {
    return target_->ReadFileToString(p);
  }
  bool FileExists(const std::string& p) override { return target_->FileExists(p); }
  Result<uint64_t> GetFileSize(const std::string& p) override { return target_->GetFileSize(p); }
  Result<std::vector<std::string>> ListDir(const std::string& d) override {
    return target_->ListDir(d);
  }
  Status CreateDir(const std::string& d) override { return target_->CreateDir(d); }
  Status RemoveFile(const std::string& p) override { return target_->RemoveFile(p); }
  Status RemoveDirRecursive(const std::string& d) override {
    return target_->RemoveDirRecursive(d);
  }
  Status RenameFile(const std::string& f, const std::string& t) override {
    return target_->RenameFile(f, t);
  }
  Status TruncateFile(const std::string& p, uint64_t size) override {
    return target_->TruncateFile(p, size);
  }
  Status SyncDir(const std::string& d) override { return target_->SyncDir(d); }
  Result<DiskSpace> GetDiskSpace(const std::string& p) override { return target_->GetDiskSpace(p); }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& p,
                                             std::string_view contents) override {
    return target_->LockFile(p, contents);
  }
  int64_t NowNanos() override { return target_->NowNanos(); }
  int64_t MonotonicNanos() override { return target_->MonotonicNanos(); }

 private:
  Env* const target_;
};

}  // namespace vigia
