#include "backup/directory_target.h"

#include <sodium.h>

#include <cstdio>

namespace vigia {
namespace {

constexpr std::string_view kPartialMarker = ".partial-";

std::string DirOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

class DirObjectWriter final : public ObjectWriter {
 public:
  DirObjectWriter(Env* env, std::string final_path, std::string tmp_path,
                  std::unique_ptr<WritableFile> f)
      : env_(env), final_(std::move(final_path)), tmp_(std::move(tmp_path)), f_(std::move(f)) {}
  ~DirObjectWriter() override {
    if (committed_) return;
    if (f_) (void)f_->Close();
    (void)env_->RemoveFile(tmp_);
  }
  Status Append(std::string_view data) override { return f_->Append(data); }
  Status Commit() override {
    VIGIA_RETURN_IF_ERROR(f_->Sync());
    VIGIA_RETURN_IF_ERROR(f_->Close());
    f_.reset();
    VIGIA_RETURN_IF_ERROR(env_->RenameFile(tmp_, final_));
    committed_ = true;
    return env_->SyncDir(DirOf(final_));
  }

 private:
  Env* env_;
  std::string final_, tmp_;
  std::unique_ptr<WritableFile> f_;
  bool committed_ = false;
};

class DirObjectReader final : public ObjectReader {
 public:
  explicit DirObjectReader(std::unique_ptr<RandomAccessFile> f) : f_(std::move(f)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    VIGIA_ASSIGN_OR_RETURN(size_t got, f_->Read(off_, n, buf));
    off_ += got;
    return got;
  }

 private:
  std::unique_ptr<RandomAccessFile> f_;
  uint64_t off_ = 0;
};

}  // namespace

Result<std::unique_ptr<DirectoryTarget>> DirectoryTarget::Open(Env* env, const std::string& root) {
  VIGIA_RETURN_IF_ERROR(env->CreateDir(root));
  return std::unique_ptr<DirectoryTarget>(new DirectoryTarget(env, root));
}

Result<std::string> DirectoryTarget::PathOf(const std::string& name) const {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos) {
    return Status::InvalidArgument("bad object name: " + name);
  }
  return JoinPath(root_, name);
}

Result<std::unique_ptr<ObjectWriter>> DirectoryTarget::Create(const std::string& name) {
  VIGIA_ASSIGN_OR_RETURN(std::string path, PathOf(name));
  VIGIA_RETURN_IF_ERROR(env_->CreateDir(DirOf(path)));
  char rnd[17];
  std::snprintf(rnd, sizeof rnd, "%08x%08x", randombytes_random(), randombytes_random());
  std::string tmp = path + std::string(kPartialMarker) + rnd;
  VIGIA_ASSIGN_OR_RETURN(auto f, env_->NewWritableFile(tmp));
  return std::unique_ptr<ObjectWriter>(
      std::make_unique<DirObjectWriter>(env_, std::move(path), std::move(tmp), std::move(f)));
}

Result<std::unique_ptr<ObjectReader>> DirectoryTarget::Open(const std::string& name) {
  VIGIA_ASSIGN_OR_RETURN(std::string path, PathOf(name));
  if (!env_->FileExists(path)) return Status::NotFound("no object " + name + " in " + root_);
  VIGIA_ASSIGN_OR_RETURN(auto f, env_->NewRandomAccessFile(path));
  return std::unique_ptr<ObjectReader>(std::make_unique<DirObjectReader>(std::move(f)));
}

Result<bool> DirectoryTarget::Exists(const std::string& name) {
  VIGIA_ASSIGN_OR_RETURN(std::string path, PathOf(name));
  return env_->FileExists(path);
}

Result<uint64_t> DirectoryTarget::Size(const std::string& name) {
  VIGIA_ASSIGN_OR_RETURN(std::string path, PathOf(name));
  return env_->GetFileSize(path);
}

Result<std::vector<std::string>> DirectoryTarget::List(const std::string& prefix) {
  const std::string dir = prefix.empty() ? root_ : JoinPath(root_, prefix);
  if (!env_->FileExists(dir)) return std::vector<std::string>();
  VIGIA_ASSIGN_OR_RETURN(auto names, env_->ListDir(dir));
  std::vector<std::string> out;
  for (std::string& n : names) {
    if (n.find(kPartialMarker) == std::string::npos) out.push_back(std::move(n));
  }
  return out;
}

Status DirectoryTarget::Delete(const std::string& name) {
  VIGIA_ASSIGN_OR_RETURN(std::string path, PathOf(name));
  if (!env_->FileExists(path)) return Status::Ok();
  return env_->RemoveFile(path);
}

Status DirectoryTarget::RemovePartials(const std::string& prefix) {
  const std::string dir = prefix.empty() ? root_ : JoinPath(root_, prefix);
  if (!env_->FileExists(dir)) return Status::Ok();
  VIGIA_ASSIGN_OR_RETURN(auto names, env_->ListDir(dir));
  for (const std::string& n : names) {
    if (n.find(kPartialMarker) != std::string::npos) {
      VIGIA_RETURN_IF_ERROR(env_->RemoveFile(JoinPath(dir, n)));
    }
  }
  return Status::Ok();
}

}  // namespace vigia
