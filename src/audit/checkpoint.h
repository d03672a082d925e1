// Checkpoint: a signed statement "tenant T's chain had N records and record N's hash was H
// at time ts", one JSON object per line of checkpoints.ndjson (docs/storage-format.md):
//
//   {"tenant":"acme","seq":1200,"hash":"<64 hex>","ts":<ns>,"sig":"<128 hex>"}
//
// sig is Ed25519 (libsodium) over the bytes "vigia-audit-checkpoint-v1\n<tenant>\n<seq>\n
// <hash hex>\n<ts>", with the server's signing key. A checkpoint lets someone holding only
// the public key prove that nothing at or before record N was edited, deleted, inserted or
// reordered since, and that no record up to N was cut off the end (truncation).
//
// SigningKey: the server's Ed25519 key pair, made on first start (audit/signing.key, mode
// 0600; the public half in signing.pub).
//
// Thread-safety: value types and pure functions; a SigningKey is immutable after Load and
// safe to share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "audit/ledger_record.h"
#include "common/env.h"
#include "common/status.h"

namespace vigia::audit {

struct Checkpoint {
  std::string tenant;
  uint64_t seq = 0;
  Hash hash{};
  int64_t ts_ns = 0;
  std::string sig_hex;
};

std::string CheckpointSignedBytes(const Checkpoint& c);
std::string CheckpointJson(const Checkpoint& c);  // no trailing newline
// False for lines that are not a well-formed checkpoint.
bool ParseCheckpointJson(std::string_view line, Checkpoint* out);
// Checks c.sig_hex against a 64-hex-digit Ed25519 public key.
bool VerifyCheckpoint(const Checkpoint& c, std::string_view public_key_hex);

class SigningKey {
 public:
  // Reads <dir>/signing.key, or makes a new pair and writes signing.key and signing.pub.
  static Result<SigningKey> LoadOrCreate(Env* env, const std::string& dir);
  // Reads <dir>/signing.pub (the verifier's fallback when no key is given).
  static Result<std::string> ReadPublicKey(Env* env, const std::string& dir);

  // Fills c->sig_hex.
  void Sign(Checkpoint* c) const;
  const std::string& public_key_hex() const { return public_hex_; }

 private:
  std::string secret_;  // 64 bytes (libsodium's seed ‖ public key)
  std::string public_hex_;
};

}  // namespace vigia::audit
