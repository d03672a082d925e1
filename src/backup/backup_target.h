// BackupTarget: where backups are kept — a flat namespace of named objects ("manifests/<id>",
// "blobs/ab/<hash>") that are written once, read sequentially, listed by prefix and deleted.
// That is all a backup needs, and it is what an object store offers, so an S3-compatible
// target (multipart upload behind ObjectWriter, GET behind ObjectReader, ListObjectsV2,
// DeleteObject) fits the same interface. Today there is one implementation, DirectoryTarget
// (a local or mounted directory: a second disk, NFS).
//
// Objects appear atomically: a reader sees the whole object or none (ObjectWriter::Commit is
// the publish point; an object whose writer is destroyed without Commit never appears).
//
// Thread-safety: a BackupTarget is thread-safe; ObjectWriter and ObjectReader are used by one
// thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace vigia {

class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;  // without Commit: the object does not appear
  virtual Status Append(std::string_view data) = 0;
  // Makes the object durable and visible under its name (replacing an older one).
  virtual Status Commit() = 0;
};

class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  // Reads up to n bytes; 0 at the end of the object.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
};

class BackupTarget {
 public:
  virtual ~BackupTarget() = default;

  // For messages and the manifest ("dir:/mnt/backup").
  virtual std::string Describe() const = 0;

  virtual Result<std::unique_ptr<ObjectWriter>> Create(const std::string& name) = 0;
  // NotFound when there is no such object.
  virtual Result<std::unique_ptr<ObjectReader>> Open(const std::string& name) = 0;
  virtual Result<bool> Exists(const std::string& name) = 0;
  virtual Result<uint64_t> Size(const std::string& name) = 0;
  // Names of the objects directly under `prefix` (a "folder" ending in '/'), without it.
  virtual Result<std::vector<std::string>> List(const std::string& prefix) = 0;
  // OK when there is no such object.
  virtual Status Delete(const std::string& name) = 0;

  // Convenience over Create/Open for small objects.
  Status WriteObject(const std::string& name, std::string_view data);
  Result<std::string> ReadObject(const std::string& name);
};

// The target named by `spec`: a directory path or file:///path. Other schemes (s3://) are
// InvalidArgument until their implementation exists.
Result<std::unique_ptr<BackupTarget>> OpenBackupTarget(const std::string& spec);

}  // namespace vigia
