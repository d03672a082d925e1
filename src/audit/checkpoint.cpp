#include "audit/checkpoint.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cstdlib>

#include "audit/audit_file_names.h"
#include "audit/json_field.h"
#include "common/hex.h"
#include "common/json_writer.h"

namespace vigia::audit {

std::string CheckpointSignedBytes(const Checkpoint& c) {
  return "vigia-audit-checkpoint-v1\n" + c.tenant + "\n" + std::to_string(c.seq) + "\n" +
         HashHex(c.hash) + "\n" + std::to_string(c.ts_ns);
}

std::string CheckpointJson(const Checkpoint& c) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.KV("tenant", c.tenant);
  w.KV("seq", c.seq);
  w.KV("hash", HashHex(c.hash));
  w.KV("ts", c.ts_ns);
  w.KV("sig", c.sig_hex);
  w.EndObject();
  return out;
}

bool ParseCheckpointJson(std::string_view line, Checkpoint* out) {
  std::string tenant, seq, hash, ts, sig;
  if (!FindJsonField(line, "tenant", &tenant) || !FindJsonField(line, "seq", &seq) ||
      !FindJsonField(line, "hash", &hash) || !FindJsonField(line, "ts", &ts) ||
      !FindJsonField(line, "sig", &sig)) {
    return false;
  }
  out->tenant = std::move(tenant);
  out->seq = std::strtoull(seq.c_str(), nullptr, 10);
  out->ts_ns = std::strtoll(ts.c_str(), nullptr, 10);
  out->sig_hex = std::move(sig);
  return out->seq > 0 && ParseHashHex(hash, &out->hash);
}

bool VerifyCheckpoint(const Checkpoint& c, std::string_view public_key_hex) {
  std::string pk, sig;
  if (!hex::Decode(public_key_hex, hex::Case::kEither, &pk) ||
      pk.size() != crypto_sign_PUBLICKEYBYTES)
    return false;
  if (!hex::Decode(c.sig_hex, hex::Case::kEither, &sig) || sig.size() != crypto_sign_BYTES)
    return false;
  std::string msg = CheckpointSignedBytes(c);
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.data()),
                                     reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                                     reinterpret_cast<const unsigned char*>(pk.data())) == 0;
}

Result<SigningKey> SigningKey::LoadOrCreate(Env* env, const std::string& dir) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialize");
  std::string key_path = dir + "/" + std::string(kSigningKeyFile);
  std::string pub_path = dir + "/" + std::string(kPublicKeyFile);
  SigningKey k;
  if (env->FileExists(key_path)) {
    Result<std::string> text = env->ReadFileToString(key_path);
    if (!text.ok()) return text.status();
    std::string hex = *text;
    while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' ')) hex.pop_back();
    if (!hex::Decode(hex, hex::Case::kEither, &k.secret_) ||
        k.secret_.size() != crypto_sign_SECRETKEYBYTES) {
      return Status::Corruption(key_path + ": not an Ed25519 secret key (128 hex digits)");
    }
  } else {
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    k.secret_.assign(reinterpret_cast<char*>(sk), sizeof sk);
    sodium_memzero(sk, sizeof sk);
    // Written to a temporary name and renamed, so a crash never leaves half a key.
    std::string tmp = key_path + ".tmp";
    {
      VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, env->NewWritableFile(tmp));
      ::chmod(tmp.c_str(), 0600);
      VIGIA_RETURN_IF_ERROR(f->Append(hex::Encode(k.secret_) + "\n"));
      VIGIA_RETURN_IF_ERROR(f->Sync());
      VIGIA_RETURN_IF_ERROR(f->Close());
    }
    VIGIA_RETURN_IF_ERROR(env->RenameFile(tmp, key_path));
    VIGIA_RETURN_IF_ERROR(env->SyncDir(dir));
  }
  // libsodium's secret key ends with the public key.
  k.public_hex_ = hex::Encode(
      std::string_view(k.secret_).substr(crypto_sign_SECRETKEYBYTES - crypto_sign_PUBLICKEYBYTES));
  Result<std::string> pub = env->FileExists(pub_path) ? env->ReadFileToString(pub_path)
                                                      : Result<std::string>(std::string());
  if (!pub.ok() || pub->substr(0, 64) != k.public_hex_) {
    VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, env->NewWritableFile(pub_path));
    VIGIA_RETURN_IF_ERROR(f->Append(k.public_hex_ + "\n"));
    VIGIA_RETURN_IF_ERROR(f->Sync());
    VIGIA_RETURN_IF_ERROR(f->Close());
  }
  return k;
}

Result<std::string> SigningKey::ReadPublicKey(Env* env, const std::string& dir) {
  std::string path = dir + "/" + std::string(kPublicKeyFile);
  Result<std::string> text = env->ReadFileToString(path);
  if (!text.ok()) return text.status();
  std::string hex = text->substr(0, 64);
  std::string bytes;
  if (!hex::Decode(hex, hex::Case::kEither, &bytes) || bytes.size() != 32) {
    return Status::Corruption(path + ": not an Ed25519 public key (64 hex digits)");
  }
  return hex;
}

void SigningKey::Sign(Checkpoint* c) const {
  std::string msg = CheckpointSignedBytes(*c);
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                       reinterpret_cast<const unsigned char*>(secret_.data()));
  c->sig_hex = hex::Encode(std::string_view(reinterpret_cast<char*>(sig), sizeof sig));
}

}  // namespace vigia::audit
