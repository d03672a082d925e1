// BackupKey: the secret that encrypts a backup repository, from a key file (32 random bytes,
// raw or as 64 hex digits) or from a passphrase stretched with Argon2id (salt and cost kept in
// the repository's header, backup_repository.h). Independent subkeys are derived from it
// with libsodium's crypto_kdf (BLAKE2b): one encrypts blobs and manifests (XChaCha20-Poly1305
// secretstream, blob_codec.h), one names blobs (a keyed BLAKE2b of their content, so a blob
// name reveals nothing about the content to whoever can list the target), one authenticates
// evidence reports.
//
// Thread-safety: immutable after construction; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace vigia {

class BackupKey {
 public:
  static constexpr size_t kBytes = 32;
  using Bytes = std::array<unsigned char, kBytes>;

  // Parses a key file's contents: 32 bytes, or 64 hex digits (surrounding whitespace ignored).
  static Result<BackupKey> FromKeyFileContents(std::string_view contents);
  static Result<BackupKey> FromKeyFile(const std::string& path);
  // Argon2id(passphrase, salt). REQUIRES: salt.size() == crypto_pwhash_SALTBYTES.
  static Result<BackupKey> FromPassphrase(std::string_view passphrase, std::string_view salt,
                                          uint64_t ops_limit, size_t mem_limit);
  // A new random key as 64 hex digits and a newline (what `vigia backup keygen` writes).
  static std::string GenerateKeyFileContents();

  const Bytes& encryption_key() const { return enc_; }
  const Bytes& naming_key() const { return name_; }
  const Bytes& report_key() const { return report_; }

 private:
  explicit BackupKey(const Bytes& master);
  Bytes enc_{}, name_{}, report_{};
};

}  // namespace vigia
