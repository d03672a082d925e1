// KeyStore: the API keys of a data directory (<data_dir>/auth/api_keys.tsv,
// auth_file_names.h). Each key has an id, a tenant (or every tenant, for admin keys), a role,
// its creation, expiry and revocation times and an optional name. Only the SHA-256 of a key
// is stored; the key itself is returned once, by Create, and never again (not by List, not
// in any error message). A key's 256 random bits make a fast hash enough: there is nothing
// to brute-force, unlike a password.
//
// A key reads "vk_<id>_<secret>": <id> is 16 hex digits (public: it names the key in lists,
// logs and audit events, and finds its record without comparing against every key), <secret>
// is 64 hex digits from libsodium's CSPRNG. Verify compares the hash in constant time
// (sodium_memcmp), so timing reveals nothing about the secret.
//
// Used by the server (Verify on every request; Create/Revoke from the admin API) and by
// `vigia keys` offline on a stopped server's data directory. Every change rewrites the file
// atomically (temp file, fsync, rename, fsync of the directory).
//
// Thread-safety: thread-safe; Verify and List take a shared lock, Create and Revoke an
// exclusive one (they also write the file).
#pragma once

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "common/env.h"
#include "common/status.h"

namespace vigia {

struct ApiKeyRecord {
  std::string id;      // 16 hex digits
  std::string tenant;  // empty for admin keys (every tenant)
  Role role = Role::kRead;
  int64_t created_ns = 0;
  int64_t expires_ns = 0;  // 0 = never
  int64_t revoked_ns = 0;  // 0 = not revoked
  std::string name;        // free text for humans (no tabs or newlines)
  std::string hash_hex;    // SHA-256 of the whole key, hex

  // The principal this key authenticates as.
  Principal ToPrincipal() const;
  // "active", "expired" or "revoked" at `now_ns`.
  std::string_view StateAt(int64_t now_ns) const;
};

struct NewApiKey {
  ApiKeyRecord record;
  std::string key;  // the whole key, shown once
};

class KeyStore {
 public:
  // Loads <data_dir>/auth/api_keys.tsv; an absent file is an empty store (the file is made by
  // the first Create). A file that does not parse is an error (never an empty store: that
  // would turn auth off). REQUIRES: env outlives the store.
  static Result<std::unique_ptr<KeyStore>> Open(Env* env, const std::string& data_dir);

  // A new key. `tenant` is required for ingest and read keys (ValidTenantName) and must be
  // empty for admin keys; `ttl_ns` 0 = never expires.
  Result<NewApiKey> Create(std::string_view tenant, Role role, int64_t ttl_ns,
                           std::string_view name);
  // Marks key `id` revoked from now on (NotFound when unknown; revoking twice is OK).
  Status Revoke(std::string_view id);
  // Every key, revoked and expired ones too, in creation order (no key, only hashes).
  std::vector<ApiKeyRecord> List() const;
  // Keys neither revoked nor expired at now.
  size_t ActiveCount() const;
  // No key was ever stored (revoked and expired keys count: the server stays closed).
  bool empty() const;

  // The record of `key` when it is a stored, unrevoked, unexpired key; Unauthenticated
  // otherwise ("invalid API key", "API key revoked", "API key expired").
  Result<ApiKeyRecord> Verify(std::string_view key) const;

  const std::string& path() const { return path_; }

 private:
  KeyStore(Env* env, std::string dir, std::string path)
      : env_(env), dir_(std::move(dir)), path_(std::move(path)) {}
  // Writes `records` to the file (atomically). REQUIRES: mu_ held exclusively.
  Status Save(const std::vector<ApiKeyRecord>& records);

  Env* const env_;
  const std::string dir_;
  const std::string path_;
  mutable std::shared_mutex mu_;
  std::vector<ApiKeyRecord> records_;
};

// The records of a keys file's text (its first line the auth_files::kKeysHeader, then one
// tab-separated record a line; empty lines skipped). Corruption naming the line ("line 3:
// bad hash") for anything else: a damaged file must never load as fewer keys.
Result<std::vector<ApiKeyRecord>> ParseKeysFile(std::string_view text);

// Parses "30d", "12h", "90m", "45s" (also "1w") into nanoseconds; for --expires.
Result<int64_t> ParseKeyTtl(std::string_view text);

}  // namespace vigia
