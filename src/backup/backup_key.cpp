#include "backup/backup_key.h"

#include <sodium.h>

#include "common/env.h"
#include "common/hex.h"

namespace vigia {
namespace {

// crypto_kdf context: 8 bytes naming what the subkeys are for.
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES] = {'v', 'i', 'g', 'i', 'a', 'b', 'k', '1'};
enum SubkeyId : uint64_t { kEncryption = 1, kNaming = 2, kReport = 3 };

}  // namespace

BackupKey::BackupKey(const Bytes& master) {
  crypto_kdf_derive_from_key(enc_.data(), kBytes, kEncryption, kKdfContext, master.data());
  crypto_kdf_derive_from_key(name_.data(), kBytes, kNaming, kKdfContext, master.data());
  crypto_kdf_derive_from_key(report_.data(), kBytes, kReport, kKdfContext, master.data());
}

Result<BackupKey> BackupKey::FromKeyFileContents(std::string_view contents) {
  Bytes master{};
  if (contents.size() == kBytes) {
    std::copy(contents.begin(), contents.end(), master.begin());
    return BackupKey(master);
  }
  std::string_view hex = contents;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!hex.empty() && space(hex.front())) hex.remove_prefix(1);
  while (!hex.empty() && space(hex.back())) hex.remove_suffix(1);
  if (!hex::DecodeInto(hex, hex::Case::kEither, master)) {  // 64 digits, or not a key
    sodium_memzero(master.data(), master.size());
    return Status::InvalidArgument("a backup key file holds 32 bytes or 64 hex digits");
  }
  BackupKey key(master);
  sodium_memzero(master.data(), master.size());
  return key;
}

Result<BackupKey> BackupKey::FromKeyFile(const std::string& path) {
  auto contents = Env::Default()->ReadFileToString(path);
  if (!contents.ok()) {
    return Status(contents.status().code(), "backup key file: " + contents.status().message());
  }
  auto key = FromKeyFileContents(*contents);
  sodium_memzero(contents->data(), contents->size());
  return key;
}

Result<BackupKey> BackupKey::FromPassphrase(std::string_view passphrase, std::string_view salt,
                                            uint64_t ops_limit, size_t mem_limit) {
  if (passphrase.empty()) return Status::InvalidArgument("empty backup passphrase");
  if (salt.size() != crypto_pwhash_SALTBYTES) {
    return Status::Corruption("backup repository: bad passphrase salt");
  }
  Bytes master{};
  if (crypto_pwhash(master.data(), kBytes, passphrase.data(), passphrase.size(),
                    reinterpret_cast<const unsigned char*>(salt.data()), ops_limit, mem_limit,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::ResourceExhausted("Argon2id: not enough memory for the key derivation");
  }
  BackupKey key(master);
  sodium_memzero(master.data(), master.size());
  return key;
}

std::string BackupKey::GenerateKeyFileContents() {
  Bytes k{};
  randombytes_buf(k.data(), k.size());
  std::string out = hex::Encode(k);
  sodium_memzero(k.data(), k.size());
  return out + "\n";
}

}  // namespace vigia
