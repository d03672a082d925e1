#include "backup/backup_manifest.h"

#include <simdjson.h>

#include "common/json_writer.h"
#include "common/time_format.h"

namespace vigia {

std::string BackupManifest::ToJson() const {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject()
      .KV("format", kFormat)
      .KV("id", id)
      .KV("created", FormatRfc3339(created_ns, 0))
      .KV("created_ns", created_ns)
      .KV("vigia_version", vigia_version)
      .KV("part_format_version", uint64_t{part_format_version})
      .KV("wal_format_version", uint64_t{wal_format_version})
      .KV("source", source)
      .KV("parent", parent)
      .KV("wal_seq", wal_seq)
      .KV("events", events)
      .KV("bytes", bytes)
      .KV("new_blobs", new_blobs)
      .KV("new_blob_bytes", new_blob_bytes)
      .KV("reused_blobs", reused_blobs)
      .KV("duration_sec", duration_sec);
  w.Key("counts").BeginArray();
  for (const BackupEventCount& c : counts) {
    w.BeginObject()
        .KV("partition", c.partition)
        .KV("kind", c.kind)
        .KV("events", c.events)
        .EndObject();
  }
  w.EndArray();
  w.Key("files").BeginArray();
  for (const BackupFileEntry& f : files) {
    w.BeginObject()
        .KV("path", f.path)
        .KV("size", f.size)
        .KV("xxh3", f.xxh3)
        .KV("blob", f.blob)
        .EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

Result<BackupManifest> BackupManifest::Parse(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
    return Status::Corruption("backup manifest: not JSON");
  }
  BackupManifest m;
  bool ok = true;
  auto str = [&](simdjson::dom::element e, const char* k, std::string* out) {
    std::string_view v;
    if (e[k].get_string().get(v) != simdjson::SUCCESS) {
      ok = false;
      return;
    }
    out->assign(v);
  };
  auto u64 = [&](simdjson::dom::element e, const char* k, uint64_t* out) {
    if (e[k].get_uint64().get(*out) != simdjson::SUCCESS) ok = false;
  };
  int64_t format = 0;
  if (root["format"].get_int64().get(format) != simdjson::SUCCESS || format != kFormat) {
    return Status::Corruption("backup manifest: unsupported format (this vigia reads format " +
                              std::to_string(kFormat) + ")");
  }
  str(root, "id", &m.id);
  if (root["created_ns"].get_int64().get(m.created_ns) != simdjson::SUCCESS) ok = false;
  str(root, "vigia_version", &m.vigia_version);
  uint64_t v = 0;
  u64(root, "part_format_version", &v);
  m.part_format_version = static_cast<uint32_t>(v);
  u64(root, "wal_format_version", &v);
  m.wal_format_version = static_cast<uint32_t>(v);
  str(root, "source", &m.source);
  str(root, "parent", &m.parent);
  u64(root, "wal_seq", &m.wal_seq);
  u64(root, "events", &m.events);
  u64(root, "bytes", &m.bytes);
  u64(root, "new_blobs", &m.new_blobs);
  u64(root, "new_blob_bytes", &m.new_blob_bytes);
  u64(root, "reused_blobs", &m.reused_blobs);
  if (root["duration_sec"].get_double().get(m.duration_sec) != simdjson::SUCCESS) ok = false;
  simdjson::dom::array arr;
  if (root["counts"].get_array().get(arr) == simdjson::SUCCESS) {
    for (simdjson::dom::element e : arr) {
      BackupEventCount c;
      str(e, "partition", &c.partition);
      str(e, "kind", &c.kind);
      u64(e, "events", &c.events);
      m.counts.push_back(std::move(c));
    }
  } else {
    ok = false;
  }
  if (root["files"].get_array().get(arr) == simdjson::SUCCESS) {
    for (simdjson::dom::element e : arr) {
      BackupFileEntry f;
      str(e, "path", &f.path);
      u64(e, "size", &f.size);
      str(e, "xxh3", &f.xxh3);
      str(e, "blob", &f.blob);
      m.files.push_back(std::move(f));
    }
  } else {
    ok = false;
  }
  if (!ok) return Status::Corruption("backup manifest: missing or mistyped fields");
  return m;
}

}  // namespace vigia
