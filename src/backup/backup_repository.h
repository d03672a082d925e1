// BackupRepository: a BackupTarget seen as a repository of backups sharing one pool of
// content-addressed blobs, all encrypted under one BackupKey:
//
//   vigia-backup.json        header: format, key derivation (none | argon2id + salt + cost),
//                            and a key check (a known text encrypted under the key), so a
//                            wrong key or passphrase is refused before anything is read
//   manifests/<id>           one encrypted BackupManifest per backup
//   blobs/<2 hex>/<64 hex>   one encrypted, compressed file content per blob; the name is a
//                            keyed BLAKE2b-256 of the plaintext, so identical content is
//                            stored once across every backup of the repository
//
// Incremental by construction: a backup uploads only blobs the repository lacks, and a
// restore needs only its manifest and the blobs it names. Prune deletes manifests, then only
// blobs no remaining manifest names.
//
// Thread-safety: not thread-safe; one command (or one scheduled task) at a time per
// repository.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backup/backup_key.h"
#include "backup/backup_manifest.h"
#include "backup/backup_target.h"
#include "common/status.h"

namespace vigia {

// How the repository's key is obtained: exactly one of the two.
struct BackupKeySource {
  std::string key_file;    // path of a key file (BackupKey::FromKeyFile)
  std::string passphrase;  // stretched with Argon2id (salt in the header)
};

// The content digests of one file: what the manifest records and the blob name.
struct FileDigest {
  uint64_t size = 0;
  std::string xxh3;  // 32 hex digits
  std::string blob;  // 64 hex digits
};

class BackupRepository {
 public:
  // Opens the repository in `target`, creating its header when the target holds none and
  // `create` is true (NotFound otherwise). A wrong key fails with kUnauthenticated.
  static Result<std::unique_ptr<BackupRepository>> Open(std::unique_ptr<BackupTarget> target,
                                                        const BackupKeySource& key, bool create);

  BackupTarget* target() { return target_.get(); }
  const BackupKey& key() const { return key_; }

  // Backup ids, oldest first (ids sort by creation time).
  // OK while the target still holds this repository's header: a target directory that
  // vanished or an unmounted mount point (an empty directory under it) is refused rather
  // than filled with a repository nothing can restore from.
  Status CheckHeader();
  Result<std::vector<std::string>> ListBackups();
  Result<BackupManifest> ReadManifest(const std::string& id);
  // The commit point of a backup: written after every blob it names.
  Status WriteManifest(const BackupManifest& m);
  Status DeleteManifest(const std::string& id);

  Result<std::vector<std::string>> ListBlobs();
  Result<bool> HasBlob(const std::string& blob);
  // Stores the content read from `read` as blob `blob`; returns the stored bytes.
  Result<uint64_t> PutBlob(const std::string& blob,
                           const std::function<Result<size_t>(char*, size_t)>& read);
  Status GetBlob(const std::string& blob, const std::function<Status(std::string_view)>& sink);
  Status DeleteBlob(const std::string& blob);
  Result<uint64_t> BlobStoredBytes(const std::string& blob);

  // Size, XXH3-128 and blob name of a local file's content.
  Result<FileDigest> DigestFile(const std::string& path) const;
  // XXH3-128 of `data` in the manifest's notation.
  static std::string Xxh3Hex(std::string_view data);

 private:
  BackupRepository(std::unique_ptr<BackupTarget> target, BackupKey key)
      : target_(std::move(target)), key_(std::move(key)) {}
  static std::string BlobObject(const std::string& blob);

  std::unique_ptr<BackupTarget> target_;
  BackupKey key_;
};

}  // namespace vigia
