#include "backup/backup_restore.h"

#include <sodium.h>
#include <xxhash.h>

#include <cstdio>
#include <set>

#include "backup/backup_file_names.h"
#include "common/env.h"
#include "common/hex.h"
#include "common/json_writer.h"
#include "common/time_format.h"
#include "store/data_dir_lock.h"
#include "store/format/file_names.h"

namespace vigia {
namespace {

std::string ParentOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

Status RestoreFile(BackupRepository* repo, const BackupFileEntry& f, const std::string& path) {
  Env* env = Env::Default();
  VIGIA_ASSIGN_OR_RETURN(auto out, env->NewWritableFile(path));
  XXH3_state_t* xs = XXH3_createState();
  if (xs == nullptr) return Status::ResourceExhausted("xxhash: out of memory");
  XXH3_128bits_reset(xs);
  uint64_t size = 0;
  Status st = repo->GetBlob(f.blob, [&](std::string_view d) -> Status {
    size += d.size();
    if (size > f.size)
      return Status::Corruption("file " + f.path + ": longer than the manifest says");
    XXH3_128bits_update(xs, d.data(), d.size());
    return out->Append(d);
  });
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, XXH3_128bits_digest(xs));
  XXH3_freeState(xs);
  if (!st.ok()) {
    (void)out->Close();
    return st;
  }
  if (size != f.size) {
    return Status::Corruption("file " + f.path + ": " + std::to_string(size) +
                              " bytes restored, the manifest says " + std::to_string(f.size));
  }
  const std::string got = hex::Encode(std::span<const uint8_t>(c.digest));
  if (got != f.xxh3) {
    return Status::Corruption("file " + f.path + " (blob " + f.blob + "): content hash " + got +
                              " differs from the manifest's " + f.xxh3);
  }
  VIGIA_RETURN_IF_ERROR(out->Sync());
  return out->Close();
}

}  // namespace

Status RestoreBackup(BackupRepository* repo, const BackupManifest& manifest,
                     const std::string& new_dir, bool force) {
  Env* env = Env::Default();
  bool existed = false;
  std::unique_ptr<DataDirLock> lock;  // held until the old directory is gone (force)
  if (env->FileExists(new_dir)) {
    auto names = env->ListDir(new_dir);
    if (!names.ok()) return names.status();
    if (!names->empty()) {
      if (!force) {
        return Status::AlreadyExists(
            "restore target " + new_dir +
            " is not empty: restore into a new or empty directory, or replace this data "
            "directory with --force (its server stopped)");
      }
      if (!env->FileExists(JoinPath(new_dir, file_names::kWalDir)) &&
          !env->FileExists(JoinPath(new_dir, file_names::kPartsDir))) {
        return Status::InvalidArgument(
            "restore target " + new_dir + " is not empty and is not a vigia data directory (no " +
            std::string(file_names::kWalDir) + "/ or " + std::string(file_names::kPartsDir) +
            "/): --force only replaces a data directory");
      }
      VIGIA_ASSIGN_OR_RETURN(lock, DataDirLock::Acquire(env, new_dir, "vigia backup restore"));
    }
    existed = true;
  }
  char rnd[9];
  std::snprintf(rnd, sizeof rnd, "%08x", randombytes_random());
  std::string base = new_dir;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  const std::string tmp = base + ".restoring-" + rnd;
  VIGIA_RETURN_IF_ERROR(env->CreateDir(tmp));
  Status st;
  std::set<std::string> dirs{tmp};
  for (const BackupFileEntry& f : manifest.files) {
    if (f.path.empty() || f.path.front() == '/' || f.path.find("..") != std::string::npos) {
      st = Status::Corruption("manifest names a path outside the data directory: " + f.path);
      break;
    }
    const std::string path = JoinPath(tmp, f.path);
    const std::string parent = ParentOf(path);
    if (dirs.insert(parent).second) {
      st = env->CreateDir(parent);
      if (!st.ok()) break;
    }
    st = RestoreFile(repo, f, path);
    if (!st.ok()) break;
  }
  // The store creates these at open; a backup of an empty store may name no file in them.
  for (std::string_view d : {file_names::kPartsDir, file_names::kWalDir}) {
    if (st.ok()) st = env->CreateDir(JoinPath(tmp, d));
    if (st.ok()) dirs.insert(JoinPath(tmp, d));
  }
  if (st.ok()) {
    // Read by the server's backup module at its next start: the restore becomes an audit
    // event in the restored store itself.
    std::string marker;
    JsonWriter w(&marker);
    w.BeginObject()
        .KV("backup_id", manifest.id)
        .KV("repository", repo->target()->Describe())
        .KV("restored_at", FormatRfc3339(env->NowNanos(), 0))
        .KV("events", manifest.events)
        .KV("replaced_existing_directory", lock != nullptr)
        .EndObject();
    st = WriteFileAtomic(env, JoinPath(tmp, backup_file_names::kRestoredMarker), marker);
  }
  for (auto it = dirs.rbegin(); st.ok() && it != dirs.rend(); ++it) st = env->SyncDir(*it);
  if (st.ok() && lock != nullptr) {
    // Replace a data directory: aside, then the copy into its place, then delete the old.
    const std::string aside = base + ".replaced-" + rnd;
    st = env->RenameFile(new_dir, aside);
    if (st.ok()) {
      st = env->RenameFile(tmp, new_dir);
      if (!st.ok()) {
        Status back = env->RenameFile(aside, new_dir);
        if (!back.ok()) {
          st = Status(st.code(), st.message() + "; and putting the old data directory back " +
                                     "failed too (" + back.ToString() + "): it is " + aside);
        }
      }
    }
    if (st.ok()) st = env->SyncDir(ParentOf(base));
    if (st.ok()) {
      lock.reset();
      Status rm = env->RemoveDirRecursive(aside);
      if (!rm.ok()) {
        return Status(rm.code(), "restored into " + new_dir + ", but the replaced directory " +
                                     aside + " could not be deleted: " + rm.message());
      }
      return Status::Ok();
    }
  } else {
    if (st.ok() && existed) st = env->RemoveDirRecursive(new_dir);
    if (st.ok()) st = env->RenameFile(tmp, new_dir);
    if (st.ok()) st = env->SyncDir(ParentOf(base));
  }
  if (!st.ok()) {
    (void)env->RemoveDirRecursive(tmp);
    return st;
  }
  return Status::Ok();
}

}  // namespace vigia
