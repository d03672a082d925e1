// ClockEnv: an Env for tests that forwards everything to a base Env except the wall clock,
// which the test sets and moves (retention decides by wall-clock day).
//
// Thread-safety: thread-safe (the clock is atomic; the rest is the base Env's contract).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/env.h"

namespace vigia::testing {

class ClockEnv final : public Env {
 public:
  // REQUIRES: base outlives this object.
  ClockEnv(Env* base, int64_t now_ns) : base_(base), now_ns_(now_ns) {}

  void SetNow(int64_t now_ns) { now_ns_.store(now_ns); }
  void Advance(int64_t ns) { now_ns_.fetch_add(ns); }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p) override {
    return base_->NewWritableFile(p);
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& p) override {
    return base_->NewAppendableFile(p);
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    return base_->NewRandomAccessFile(p);
  }
  Result<std::string> ReadFileToString(const std::string& p) override {
    return base_->ReadFileToString(p);
  }
  bool FileExists(const std::string& p) override { return base_->FileExists(p); }
  Result<uint64_t> GetFileSize(const std::string& p) override { return base_->GetFileSize(p); }
  Result<std::vector<std::string>> ListDir(const std::string& d) override {
    return base_->ListDir(d);
  }
  Status CreateDir(const std::string& d) override { return base_->CreateDir(d); }
  Status RemoveFile(const std::string& p) override { return base_->RemoveFile(p); }
  Status RemoveDirRecursive(const std::string& d) override { return base_->RemoveDirRecursive(d); }
  Status RenameFile(const std::string& f, const std::string& t) override {
    return base_->RenameFile(f, t);
  }
  Status TruncateFile(const std::string& p, uint64_t size) override {
    return base_->TruncateFile(p, size);
  }
  Status SyncDir(const std::string& d) override { return base_->SyncDir(d); }
  int64_t NowNanos() override { return now_ns_.load(); }
  int64_t MonotonicNanos() override { return base_->MonotonicNanos(); }

 private:
  Env* const base_;
  std::atomic<int64_t> now_ns_;
};

}  // namespace vigia::testing
