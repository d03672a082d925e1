// FaultEnv: failure injection around a base Env (see fault_env.h).
#include "common/fault_env.h"

#include <chrono>
#include <thread>

namespace vigia {

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultEnv* env, std::string path, std::unique_ptr<WritableFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)), size_(base_->Size()) {}

  Status Append(std::string_view data) override {
    Status st = AppendInner(data);
    size_.store(base_->Size(), std::memory_order_release);
    return st;
  }

  Status AppendInner(std::string_view data) {
    switch (env_->OnWrite()) {
      case FaultEnv::Verdict::kOk:
        return base_->Append(data);
      case FaultEnv::Verdict::kFail:
        // A torn write: the first half reached the file, then the device failed.
        (void)base_->Append(data.substr(0, data.size() / 2));
        return Status::IOError("injected write failure: " + path_);
      case FaultEnv::Verdict::kTornAndCrash:
        (void)base_->Append(data.substr(0, data.size() / 2));
        return Status::IOError("injected crash at write: " + path_);
    }
    return Status::Internal("unreachable");
  }

  Status Sync() override {
    // Size before syncing: a concurrent Append may grow the file, and only what was there
    // when the sync started is known to be durable.
    uint64_t size = size_.load(std::memory_order_acquire);
    if (env_->OnSync() != FaultEnv::Verdict::kOk) {
      return Status::IOError("injected sync failure: " + path_);
    }
    VIGIA_RETURN_IF_ERROR(base_->Sync());
    env_->RecordSynced(path_, size);
    return Status::Ok();
  }

  Status Close() override { return base_->Close(); }
  uint64_t Size() const override { return size_.load(std::memory_order_acquire); }

 private:
  FaultEnv* env_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
  // Mirror of base_->Size() that Sync may read while Append runs on another thread.
  std::atomic<uint64_t> size_;
};

FaultEnv::FaultEnv(Env* base) : base_(base) {}
FaultEnv::~FaultEnv() = default;

void FaultEnv::FailWriteAt(uint64_t nth) { fail_write_at_ = nth ? writes_.load() + nth : 0; }
void FaultEnv::FailSyncAt(uint64_t nth) { fail_sync_at_ = nth ? syncs_.load() + nth : 0; }
void FaultEnv::FailRenameAt(uint64_t nth) { fail_rename_at_ = nth ? renames_.load() + nth : 0; }
void FaultEnv::CrashAtWrite(uint64_t nth) { crash_write_at_ = nth ? writes_.load() + nth : 0; }
void FaultEnv::CrashAtSync(uint64_t nth) { crash_sync_at_ = nth ? syncs_.load() + nth : 0; }
void FaultEnv::SetCrashed(bool crashed) { crashed_ = crashed; }
void FaultEnv::SetReadOnly(bool read_only) { read_only_ = read_only; }

FaultEnv::Verdict FaultEnv::OnWrite() {
  uint64_t n = ++writes_;
  if (crashed_ || read_only_) return Verdict::kFail;
  if (n == crash_write_at_) {
    crashed_ = true;
    return Verdict::kTornAndCrash;
  }
  if (n == fail_write_at_) return Verdict::kFail;
  return Verdict::kOk;
}

FaultEnv::Verdict FaultEnv::OnSync() {
  if (int64_t us = sync_delay_us_.load(); us > 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(us));
  }
  uint64_t n = ++syncs_;
  if (crashed_ || read_only_) return Verdict::kFail;
  if (n == crash_sync_at_) {
    crashed_ = true;
    return Verdict::kFail;
  }
  if (n == fail_sync_at_) return Verdict::kFail;
  return Verdict::kOk;
}

Status FaultEnv::CheckMutable(const std::string& what) const {
  if (crashed_) return Status::IOError("injected crash: " + what);
  if (read_only_) return Status::IOError("injected read-only filesystem: " + what);
  return Status::Ok();
}

void FaultEnv::RecordSynced(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t& s = synced_size_[path];
  if (size > s) s = size;
}

void FaultEnv::RecordCreated(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  synced_size_[path] = size;
}

Status FaultEnv::DropUnsyncedData() {
  std::map<std::string, uint64_t> sizes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sizes = synced_size_;
  }
  for (const auto& [path, size] : sizes) {
    if (!base_->FileExists(path)) continue;
    auto cur = base_->GetFileSize(path);
    if (!cur.ok()) return cur.status();
    if (*cur > size) VIGIA_RETURN_IF_ERROR(base_->TruncateFile(path, size));
  }
  return Status::Ok();
}

Result<std::unique_ptr<WritableFile>> FaultEnv::NewWritableFile(const std::string& path) {
  VIGIA_RETURN_IF_ERROR(CheckMutable("create " + path));
  VIGIA_ASSIGN_OR_RETURN(auto f, base_->NewWritableFile(path));
  RecordCreated(path, 0);
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, path, std::move(f)));
}

Result<std::unique_ptr<WritableFile>> FaultEnv::NewAppendableFile(const std::string& path) {
  VIGIA_RETURN_IF_ERROR(CheckMutable("open for append " + path));
  VIGIA_ASSIGN_OR_RETURN(auto f, base_->NewAppendableFile(path));
  // What was in the file before we touched it is treated as durable.
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!synced_size_.count(path)) synced_size_[path] = f->Size();
  }
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, path, std::move(f)));
}

Result<std::unique_ptr<RandomAccessFile>> FaultEnv::NewRandomAccessFile(const std::string& path) {
  return base_->NewRandomAccessFile(path);
}
Result<std::string> FaultEnv::ReadFileToString(const std::string& path) {
  return base_->ReadFileToString(path);
}
bool FaultEnv::FileExists(const std::string& path) { return base_->FileExists(path); }
Result<uint64_t> FaultEnv::GetFileSize(const std::string& path) { return base_->GetFileSize(path); }
Result<std::vector<std::string>> FaultEnv::ListDir(const std::string& dir) {
  return base_->ListDir(dir);
}

Status FaultEnv::CreateDir(const std::string& dir) {
  VIGIA_RETURN_IF_ERROR(CheckMutable("mkdir " + dir));
  return base_->CreateDir(dir);
}

Status FaultEnv::RemoveFile(const std::string& path) {
  VIGIA_RETURN_IF_ERROR(CheckMutable("unlink " + path));
  {
    std::lock_guard<std::mutex> lock(mu_);
    synced_size_.erase(path);
  }
  return base_->RemoveFile(path);
}

Status FaultEnv::RemoveDirRecursive(const std::string& dir) {
  VIGIA_RETURN_IF_ERROR(CheckMutable("rm -r " + dir));
  return base_->RemoveDirRecursive(dir);
}

Status FaultEnv::RenameFile(const std::string& from, const std::string& to) {
  uint64_t n = ++renames_;
  VIGIA_RETURN_IF_ERROR(CheckMutable("rename " + from));
  if (n == fail_rename_at_) return Status::IOError("injected rename failure: " + from);
  VIGIA_RETURN_IF_ERROR(base_->RenameFile(from, to));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = synced_size_.find(from);
  if (it != synced_size_.end()) {
    synced_size_[to] = it->second;
    synced_size_.erase(it);
  }
  return Status::Ok();
}

Status FaultEnv::TruncateFile(const std::string& path, uint64_t size) {
  VIGIA_RETURN_IF_ERROR(CheckMutable("truncate " + path));
  VIGIA_RETURN_IF_ERROR(base_->TruncateFile(path, size));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = synced_size_.find(path);
  if (it != synced_size_.end() && it->second > size) it->second = size;
  return Status::Ok();
}

Status FaultEnv::SyncDir(const std::string& dir) {
  if (OnSync() != Verdict::kOk) return Status::IOError("injected dir sync failure: " + dir);
  return base_->SyncDir(dir);
}

Result<DiskSpace> FaultEnv::GetDiskSpace(const std::string& path) {
  VIGIA_ASSIGN_OR_RETURN(DiskSpace d, base_->GetDiskSpace(path));
  const int64_t injected = free_disk_bytes_.load();
  if (injected >= 0) d.free_bytes = static_cast<uint64_t>(injected);
  return d;
}

int64_t FaultEnv::NowNanos() { return base_->NowNanos(); }
int64_t FaultEnv::MonotonicNanos() { return base_->MonotonicNanos(); }

}  // namespace vigia
