// The format of every object a backup stores (blobs and manifests): the plaintext is
// compressed with zstd, then encrypted and authenticated with libsodium's XChaCha20-Poly1305
// secretstream under the backup's encryption key, bound to the object's name:
//
//   8 bytes   magic "VGBLOB01"
//   24 bytes  secretstream header (random nonce)
//   messages  u32 LE length + ciphertext (<= kBackupMessageBytes of zstd output + 17-byte
//             tag); the object's name is each message's associated data, the last message
//             carries TAG_FINAL
//
// A wrong key, a modified or missing byte, a truncated object, bytes after the final
// message, or an object renamed onto another name fail the decode with kCorruption; no
// plaintext of a failing message is ever handed out.
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "backup/backup_key.h"
#include "backup/backup_target.h"
#include "common/status.h"

namespace vigia {

// Reads the plaintext from `read` (returns 0 at the end) and writes the encoded object to
// `out` (not committed). *stored_bytes = bytes written.
Status EncodeBlob(const BackupKey& key, std::string_view name,
                  const std::function<Result<size_t>(char*, size_t)>& read, ObjectWriter* out,
                  uint64_t* stored_bytes);

// Decodes the object `name` from `in`, handing the plaintext to `sink` in order.
Status DecodeBlob(const BackupKey& key, std::string_view name, ObjectReader* in,
                  const std::function<Status(std::string_view)>& sink);

// Whole-buffer forms, for manifests and the repository's key check.
Result<std::string> EncodeBlobToString(const BackupKey& key, std::string_view name,
                                       std::string_view plaintext);
Result<std::string> DecodeBlobFromString(const BackupKey& key, std::string_view name,
                                         std::string_view encoded);

}  // namespace vigia
