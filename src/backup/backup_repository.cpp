#include "backup/backup_repository.h"

#include <simdjson.h>
#include <sodium.h>
#include <xxhash.h>

#include <algorithm>

#include "backup/blob_codec.h"
#include "common/env.h"
#include "common/hex.h"
#include "common/json_writer.h"
#include "common/limits.h"

namespace vigia {
namespace {

constexpr std::string_view kHeaderObject = "vigia-backup.json";
constexpr std::string_view kManifestsPrefix = "manifests/";
constexpr std::string_view kBlobsPrefix = "blobs/";
constexpr std::string_view kKeyCheckName = "key-check";
constexpr std::string_view kKeyCheckText = "vigia backup repository key check";
constexpr int kRepositoryFormat = 1;

struct Header {
  std::string kdf = "none";
  std::string salt;  // raw bytes
  uint64_t ops_limit = 0;
  uint64_t mem_limit = 0;
  std::string key_check;  // raw encoded object
};

std::string HeaderJson(const Header& h) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject()
      .KV("format", kRepositoryFormat)
      .KV("kdf", h.kdf)
      .KV("salt", hex::Encode(h.salt))
      .KV("ops_limit", h.ops_limit)
      .KV("mem_limit", h.mem_limit)
      .KV("key_check", hex::Encode(h.key_check))
      .EndObject();
  out.push_back('\n');
  return out;
}

Result<Header> ParseHeader(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  Header h;
  int64_t format = 0;
  std::string_view kdf, salt, check;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS ||
      root["format"].get_int64().get(format) != simdjson::SUCCESS ||
      root["kdf"].get_string().get(kdf) != simdjson::SUCCESS ||
      root["salt"].get_string().get(salt) != simdjson::SUCCESS ||
      root["ops_limit"].get_uint64().get(h.ops_limit) != simdjson::SUCCESS ||
      root["mem_limit"].get_uint64().get(h.mem_limit) != simdjson::SUCCESS ||
      root["key_check"].get_string().get(check) != simdjson::SUCCESS) {
    return Status::Corruption("backup repository header (vigia-backup.json) is malformed");
  }
  if (format != kRepositoryFormat) {
    return Status::Corruption("backup repository format " + std::to_string(format) +
                              " is not supported (this vigia reads format " +
                              std::to_string(kRepositoryFormat) + ")");
  }
  h.kdf = kdf;
  if (!hex::Decode(salt, hex::Case::kEither, &h.salt) ||
      !hex::Decode(check, hex::Case::kEither, &h.key_check)) {
    return Status::Corruption(
        "backup repository header (vigia-backup.json): salt or key_check is not hex");
  }
  return h;
}

Result<BackupKey> KeyFor(const Header& h, const BackupKeySource& src) {
  if (h.kdf == "argon2id") {
    if (src.passphrase.empty()) {
      return Status::InvalidArgument(
          "this backup repository is protected by a passphrase (--passphrase-file or "
          "VIGIA_BACKUP_PASSPHRASE), not a key file");
    }
    return BackupKey::FromPassphrase(src.passphrase, h.salt, h.ops_limit,
                                     static_cast<size_t>(h.mem_limit));
  }
  if (h.kdf != "none") return Status::Corruption("backup repository: unknown kdf " + h.kdf);
  if (src.key_file.empty()) {
    return Status::InvalidArgument(
        "this backup repository is protected by a key file (--key-file)");
  }
  return BackupKey::FromKeyFile(src.key_file);
}

}  // namespace

Result<std::unique_ptr<BackupRepository>> BackupRepository::Open(
    std::unique_ptr<BackupTarget> target, const BackupKeySource& src, bool create) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  if (src.key_file.empty() == src.passphrase.empty()) {
    return Status::InvalidArgument("give exactly one of a key file or a passphrase");
  }
  const std::string header_name(kHeaderObject);
  VIGIA_ASSIGN_OR_RETURN(bool exists, target->Exists(header_name));
  if (!exists) {
    if (!create) {
      return Status::NotFound("no backup repository in " + target->Describe() +
                              " (vigia-backup.json missing)");
    }
    Header h;
    if (!src.passphrase.empty()) {
      h.kdf = "argon2id";
      h.salt.resize(crypto_pwhash_SALTBYTES);
      randombytes_buf(h.salt.data(), h.salt.size());
      h.ops_limit = limits::kBackupKdfOpsLimit;
      h.mem_limit = limits::kBackupKdfMemLimit;
    }
    VIGIA_ASSIGN_OR_RETURN(BackupKey key, KeyFor(h, src));
    VIGIA_ASSIGN_OR_RETURN(h.key_check, EncodeBlobToString(key, kKeyCheckName, kKeyCheckText));
    VIGIA_RETURN_IF_ERROR(target->WriteObject(header_name, HeaderJson(h)));
    return std::unique_ptr<BackupRepository>(new BackupRepository(std::move(target), key));
  }
  VIGIA_ASSIGN_OR_RETURN(std::string json, target->ReadObject(header_name));
  VIGIA_ASSIGN_OR_RETURN(Header h, ParseHeader(json));
  VIGIA_ASSIGN_OR_RETURN(BackupKey key, KeyFor(h, src));
  auto check = DecodeBlobFromString(key, kKeyCheckName, h.key_check);
  if (!check.ok() || *check != kKeyCheckText) {
    return Status(StatusCode::kUnauthenticated,
                  "wrong backup key or passphrase for " + target->Describe());
  }
  return std::unique_ptr<BackupRepository>(new BackupRepository(std::move(target), key));
}

Result<std::vector<std::string>> BackupRepository::ListBackups() {
  VIGIA_ASSIGN_OR_RETURN(auto ids, target_->List(std::string(kManifestsPrefix)));
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<BackupManifest> BackupRepository::ReadManifest(const std::string& id) {
  const std::string name = std::string(kManifestsPrefix) + id;
  auto enc = target_->ReadObject(name);
  if (!enc.ok()) {
    if (enc.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("no backup " + id + " in " + target_->Describe());
    }
    return enc.status();
  }
  VIGIA_ASSIGN_OR_RETURN(std::string json, DecodeBlobFromString(key_, name, *enc));
  VIGIA_ASSIGN_OR_RETURN(BackupManifest m, BackupManifest::Parse(json));
  if (m.id != id) return Status::Corruption("manifest " + name + " names backup " + m.id);
  return m;
}

Status BackupRepository::WriteManifest(const BackupManifest& m) {
  const std::string name = std::string(kManifestsPrefix) + m.id;
  VIGIA_ASSIGN_OR_RETURN(std::string enc, EncodeBlobToString(key_, name, m.ToJson()));
  return target_->WriteObject(name, enc);
}

Status BackupRepository::DeleteManifest(const std::string& id) {
  return target_->Delete(std::string(kManifestsPrefix) + id);
}

std::string BackupRepository::BlobObject(const std::string& blob) {
  return std::string(kBlobsPrefix) + blob.substr(0, 2) + "/" + blob;
}

Result<std::vector<std::string>> BackupRepository::ListBlobs() {
  std::vector<std::string> out;
  VIGIA_ASSIGN_OR_RETURN(auto dirs, target_->List(std::string(kBlobsPrefix)));
  for (const std::string& d : dirs) {
    VIGIA_ASSIGN_OR_RETURN(auto names, target_->List(std::string(kBlobsPrefix) + d + "/"));
    for (std::string& n : names) out.push_back(std::move(n));
  }
  return out;
}

Result<bool> BackupRepository::HasBlob(const std::string& blob) {
  return target_->Exists(BlobObject(blob));
}

Result<uint64_t> BackupRepository::PutBlob(
    const std::string& blob, const std::function<Result<size_t>(char*, size_t)>& read) {
  const std::string name = BlobObject(blob);
  VIGIA_ASSIGN_OR_RETURN(auto w, target_->Create(name));
  uint64_t stored = 0;
  VIGIA_RETURN_IF_ERROR(EncodeBlob(key_, name, read, w.get(), &stored));
  VIGIA_RETURN_IF_ERROR(w->Commit());
  return stored;
}

Status BackupRepository::GetBlob(const std::string& blob,
                                 const std::function<Status(std::string_view)>& sink) {
  const std::string name = BlobObject(blob);
  auto r = target_->Open(name);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("blob " + blob + " is missing from " + target_->Describe());
    }
    return r.status();
  }
  return DecodeBlob(key_, name, r->get(), sink);
}

Status BackupRepository::DeleteBlob(const std::string& blob) {
  return target_->Delete(BlobObject(blob));
}

Result<uint64_t> BackupRepository::BlobStoredBytes(const std::string& blob) {
  return target_->Size(BlobObject(blob));
}

std::string BackupRepository::Xxh3Hex(std::string_view data) {
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, XXH3_128bits(data.data(), data.size()));
  return hex::Encode(std::span<const uint8_t>(c.digest));
}

Result<FileDigest> BackupRepository::DigestFile(const std::string& path) const {
  VIGIA_ASSIGN_OR_RETURN(auto f, Env::Default()->NewRandomAccessFile(path));
  XXH3_state_t* xs = XXH3_createState();
  if (xs == nullptr) return Status::ResourceExhausted("xxhash: out of memory");
  XXH3_128bits_reset(xs);
  crypto_generichash_state gs;
  crypto_generichash_init(&gs, key_.naming_key().data(), BackupKey::kBytes, 32);
  std::vector<char> buf(limits::kCheckpointCopyBufferBytes);
  FileDigest d;
  Status st;
  for (;;) {
    auto n = f->Read(d.size, buf.size(), buf.data());
    if (!n.ok()) {
      st = n.status();
      break;
    }
    if (*n == 0) break;
    XXH3_128bits_update(xs, buf.data(), *n);
    crypto_generichash_update(&gs, reinterpret_cast<const unsigned char*>(buf.data()), *n);
    d.size += *n;
  }
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, XXH3_128bits_digest(xs));
  XXH3_freeState(xs);
  VIGIA_RETURN_IF_ERROR(st);
  d.xxh3 = hex::Encode(std::span<const uint8_t>(c.digest));
  unsigned char h[32];
  crypto_generichash_final(&gs, h, sizeof h);
  d.blob = hex::Encode(std::span<const uint8_t>(h));
  return d;
}

Status BackupRepository::CheckHeader() {
  VIGIA_ASSIGN_OR_RETURN(bool there, target_->Exists(std::string(kHeaderObject)));
  if (!there) {
    return Status::Unavailable("backup target " + target_->Describe() +
                               " no longer holds the repository (vigia-backup.json missing: "
                               "unmounted or moved?)");
  }
  return Status::Ok();
}

}  // namespace vigia
