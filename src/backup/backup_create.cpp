#include "backup/backup_create.h"

#include <sodium.h>

#include <cstdio>
#include <set>

#include "backup/backup_store_reader.h"
#include "common/logger.h"
#include "store/format/file_names.h"
#include "store/format/part_meta.h"
#include "store/store_checkpoint.h"
#include "store/wal/wal_format.h"

#ifndef VIGIA_VERSION
#error "VIGIA_VERSION must be defined by the build"
#endif

namespace vigia {
namespace {

// Copies every file of `dir` (relative `rel`) that a backup takes, except the store's own
// directories at the top, into `dest`; appends the relative paths to *files.
Status CopyOtherFiles(Env* env, const std::string& root, const std::string& rel,
                      const std::string& dest, std::vector<std::string>* files) {
  const std::string dir = rel.empty() ? root : JoinPath(root, rel);
  VIGIA_ASSIGN_OR_RETURN(auto names, env->ListDir(dir));
  for (const std::string& name : names) {
    if (file_names::IsTransientDataFile(name)) continue;
    if (rel.empty() && (name == file_names::kPartsDir || name == file_names::kWalDir)) continue;
    const std::string child_rel = rel.empty() ? name : JoinPath(rel, name);
    const std::string path = JoinPath(root, child_rel);
    // A directory lists; a file does not (ListDir fails on it).
    auto sub = env->ListDir(path);
    if (sub.ok()) {
      VIGIA_RETURN_IF_ERROR(CopyOtherFiles(env, root, child_rel, dest, files));
      continue;
    }
    if (!env->FileExists(path)) continue;  // removed meanwhile
    const std::string to = JoinPath(dest, child_rel);
    auto slash = to.rfind('/');
    VIGIA_RETURN_IF_ERROR(env->CreateDir(to.substr(0, slash)));
    VIGIA_ASSIGN_OR_RETURN(uint64_t size, env->GetFileSize(path));
    VIGIA_RETURN_IF_ERROR(CopyFilePrefix(env, path, to, size));
    files->push_back(child_rel);
  }
  return Status::Ok();
}

Result<BackupManifest> BackupFromCheckpoint(BackupRepository* repo, const StoreCheckpoint& cp,
                                            std::vector<std::string> other_files, Env* env,
                                            BackupManifest m) {
  m.wal_seq = cp.wal_seq;
  {
    VIGIA_ASSIGN_OR_RETURN(auto store, OpenStoreForReading(cp.dir, env));
    VIGIA_ASSIGN_OR_RETURN(m.counts, CountStoreEvents(store.get(), &m.events));
    VIGIA_RETURN_IF_ERROR(store->Close());
  }
  std::vector<std::string> files = cp.files;
  for (std::string& f : other_files) files.push_back(std::move(f));
  std::set<std::string> stored_now;
  for (const std::string& rel : files) {
    const std::string path = JoinPath(cp.dir, rel);
    VIGIA_ASSIGN_OR_RETURN(FileDigest d, repo->DigestFile(path));
    m.files.push_back({rel, d.size, d.xxh3, d.blob});
    m.bytes += d.size;
    VIGIA_ASSIGN_OR_RETURN(bool have, repo->HasBlob(d.blob));
    if (have || stored_now.count(d.blob)) {
      ++m.reused_blobs;
      continue;
    }
    VIGIA_ASSIGN_OR_RETURN(auto f, env->NewRandomAccessFile(path));
    uint64_t off = 0;
    VIGIA_ASSIGN_OR_RETURN(uint64_t stored,
                           repo->PutBlob(d.blob, [&](char* buf, size_t n) -> Result<size_t> {
                             VIGIA_ASSIGN_OR_RETURN(size_t got, f->Read(off, n, buf));
                             off += got;
                             return got;
                           }));
    if (off != d.size) {
      return Status::Internal("backup: " + rel + " changed size while being backed up");
    }
    stored_now.insert(d.blob);
    ++m.new_blobs;
    m.new_blob_bytes += stored;
  }
  return m;
}

}  // namespace

std::string NewBackupId(int64_t now_ns) {
  const time_t secs = static_cast<time_t>(now_ns / 1'000'000'000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ-%04x", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                randombytes_uniform(0x10000));
  return buf;
}

Result<BackupManifest> CreateBackup(BackupRepository* repo, const BackupSource& source, Env* env) {
  VIGIA_RETURN_IF_ERROR(repo->CheckHeader());
  const int64_t start_mono = env->MonotonicNanos();
  BackupManifest m;
  m.created_ns = env->NowNanos();
  m.id = NewBackupId(m.created_ns);
  m.vigia_version = VIGIA_VERSION;
  m.part_format_version = kPartFormatVersion;
  m.wal_format_version = wal::kWalFormatVersion;
  m.source = (source.store ? "server:" : "data:") + source.data_dir;
  VIGIA_ASSIGN_OR_RETURN(auto ids, repo->ListBackups());
  if (!ids.empty()) m.parent = ids.back();
  if (!env->FileExists(source.data_dir)) {
    return Status::NotFound("no data directory " + source.data_dir);
  }

  const std::string cp_dir =
      JoinPath(source.data_dir, std::string(file_names::kCheckpointDirPrefix) + m.id);
  Result<BackupManifest> result = Status::Internal("unreached");
  {
    Result<StoreCheckpoint> cp = Status::Internal("unreached");
    if (source.store != nullptr) {
      cp = source.store->Checkpoint(cp_dir);
    } else {
      auto store = OpenStoreForReading(source.data_dir, env);
      if (!store.ok()) return store.status();
      cp = (*store)->Checkpoint(cp_dir);
      Status c = (*store)->Close();
      if (cp.ok() && !c.ok()) cp = c;
    }
    std::vector<std::string> others;
    Status st = cp.ok() ? CopyOtherFiles(env, source.data_dir, "", cp_dir, &others) : cp.status();
    result = st.ok() ? BackupFromCheckpoint(repo, *cp, std::move(others), env, std::move(m)) : st;
  }
  Status rm = env->RemoveDirRecursive(cp_dir);
  if (!rm.ok())
    logger::Warn("backup: could not remove the checkpoint",
                 {{"dir", cp_dir}, {"error", rm.ToString()}});
  if (!result.ok()) return result.status();
  result->duration_sec = static_cast<double>(env->MonotonicNanos() - start_mono) / 1e9;
  VIGIA_RETURN_IF_ERROR(repo->WriteManifest(*result));
  return result;
}

}  // namespace vigia
