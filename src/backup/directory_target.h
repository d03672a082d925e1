// DirectoryTarget: a BackupTarget in a local or mounted directory (a second disk, NFS). An
// object "a/b" is the file <root>/a/b; Create writes <root>/a/b.partial-<random> and Commit
// fsyncs it, renames it into place and fsyncs the directory, so a crash or a full disk during
// a backup leaves at most a .partial file (ignored by List, removed by the next prune)
// and never a truncated object.
//
// Thread-safety: thread-safe (the file system serializes; names of partial files are
// unique).
#pragma once

#include <string>

#include "backup/backup_target.h"
#include "common/env.h"

namespace vigia {

class DirectoryTarget final : public BackupTarget {
 public:
  // REQUIRES: env outlives the target. The root is created when missing.
  static Result<std::unique_ptr<DirectoryTarget>> Open(Env* env, const std::string& root);

  std::string Describe() const override { return "dir:" + root_; }
  Result<std::unique_ptr<ObjectWriter>> Create(const std::string& name) override;
  Result<std::unique_ptr<ObjectReader>> Open(const std::string& name) override;
  Result<bool> Exists(const std::string& name) override;
  Result<uint64_t> Size(const std::string& name) override;
  Result<std::vector<std::string>> List(const std::string& prefix) override;
  Status Delete(const std::string& name) override;

  // Removes leftovers of interrupted writes (".partial-" files) under `prefix`.
  Status RemovePartials(const std::string& prefix);

 private:
  DirectoryTarget(Env* env, std::string root) : env_(env), root_(std::move(root)) {}
  // Object names never climb out of the root.
  Result<std::string> PathOf(const std::string& name) const;

  Env* env_;
  std::string root_;
};

}  // namespace vigia
