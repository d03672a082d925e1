#include "auth/key_store.h"

#include <sodium.h>
#include <sys/stat.h>

#include <charconv>
#include <mutex>

#include "auth/auth_file_names.h"
#include "common/ascii.h"

namespace vigia {
namespace {

constexpr std::string_view kKeyPrefix = "vk_";
constexpr size_t kIdBytes = 8;       // 16 hex digits
constexpr size_t kSecretBytes = 32;  // 64 hex digits: 256 bits

std::string Hex(const unsigned char* data, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

std::string RandomHex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  return Hex(buf.data(), buf.size());
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return Hex(digest, sizeof(digest));
}

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (ascii::LowerHexValue(c) < 0) return false;
  }
  return true;
}

bool ParseInt(std::string_view s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::vector<std::string_view> Split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    size_t pos = line.find(sep);
    out.push_back(line.substr(0, pos));
    if (pos == std::string_view::npos) return out;
    line.remove_prefix(pos + 1);
  }
}

// id tenant role created expires revoked hash name
constexpr size_t kColumns = 8;

Result<ApiKeyRecord> ParseLine(std::string_view line) {
  std::vector<std::string_view> col = Split(line, '\t');
  if (col.size() != kColumns) return Status::Corruption("expected 8 tab-separated columns");
  ApiKeyRecord r;
  r.id = col[0];
  r.tenant = col[1];
  std::optional<Role> role = ParseRole(col[2]);
  if (r.id.size() != kIdBytes * 2 || !IsHex(r.id)) return Status::Corruption("bad key id");
  if (!role) return Status::Corruption("bad role");
  r.role = *role;
  if ((r.role == Role::kAdmin) != r.tenant.empty() ||
      (!r.tenant.empty() && !ValidTenantName(r.tenant))) {
    return Status::Corruption("bad tenant for the role");
  }
  if (!ParseInt(col[3], &r.created_ns) || !ParseInt(col[4], &r.expires_ns) ||
      !ParseInt(col[5], &r.revoked_ns)) {
    return Status::Corruption("bad time");
  }
  r.hash_hex = col[6];
  if (r.hash_hex.size() != crypto_hash_sha256_BYTES * 2 || !IsHex(r.hash_hex)) {
    return Status::Corruption("bad hash");
  }
  r.name = col[7];
  return r;
}

bool ValidName(std::string_view name) {
  if (name.size() > 200) return false;
  for (char c : name) {
    if (c == '\t' || c == '\n' || c == '\r') return false;
  }
  return true;
}

}  // namespace

Principal ApiKeyRecord::ToPrincipal() const {
  Principal p;
  p.key_id = id;
  p.role = role;
  p.all_tenants = role == Role::kAdmin;
  p.tenant = tenant;
  p.authenticated = true;
  return p;
}

std::string_view ApiKeyRecord::StateAt(int64_t now_ns) const {
  if (revoked_ns != 0 && revoked_ns <= now_ns) return "revoked";
  if (expires_ns != 0 && expires_ns <= now_ns) return "expired";
  return "active";
}

Result<std::unique_ptr<KeyStore>> KeyStore::Open(Env* env, const std::string& data_dir) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialize");
  std::string dir = data_dir + "/" + std::string(auth_files::kAuthDir);
  std::string path = dir + "/" + std::string(auth_files::kKeysFile);
  std::unique_ptr<KeyStore> ks(new KeyStore(env, dir, path));
  if (!env->FileExists(path)) return ks;
  VIGIA_ASSIGN_OR_RETURN(std::string text, env->ReadFileToString(path));
  Result<std::vector<ApiKeyRecord>> records = ParseKeysFile(text);
  if (!records.ok()) return Status::Corruption(path + ": " + records.status().message());
  ks->records_ = std::move(*records);
  return ks;
}

Result<std::vector<ApiKeyRecord>> ParseKeysFile(std::string_view text) {
  std::vector<std::string_view> lines = Split(text, '\n');
  if (lines.empty() || lines[0] != auth_files::kKeysHeader) {
    return Status::Corruption("not a vigia keys file (first line must be \"" +
                              std::string(auth_files::kKeysHeader) + "\")");
  }
  std::vector<ApiKeyRecord> records;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    Result<ApiKeyRecord> r = ParseLine(lines[i]);
    if (!r.ok()) {
      return Status::Corruption("line " + std::to_string(i + 1) + ": " + r.status().message());
    }
    records.push_back(std::move(*r));
  }
  return records;
}

Status KeyStore::Save(const std::vector<ApiKeyRecord>& records) {
  std::string text(auth_files::kKeysHeader);
  text += "\n";
  for (const ApiKeyRecord& r : records) {
    text += r.id + "\t" + r.tenant + "\t" + std::string(RoleName(r.role)) + "\t" +
            std::to_string(r.created_ns) + "\t" + std::to_string(r.expires_ns) + "\t" +
            std::to_string(r.revoked_ns) + "\t" + r.hash_hex + "\t" + r.name + "\n";
  }
  VIGIA_RETURN_IF_ERROR(env_->CreateDir(dir_));
  std::string tmp = path_ + std::string(auth_files::kTempSuffix);
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, env_->NewWritableFile(tmp));
  // Only hashes are in the file, but nobody else needs to read it (Env has no mode
  // parameter: the file is made with the default umask, narrowed here before any byte).
  ::chmod(tmp.c_str(), 0600);
  VIGIA_RETURN_IF_ERROR(f->Append(text));
  VIGIA_RETURN_IF_ERROR(f->Sync());
  VIGIA_RETURN_IF_ERROR(f->Close());
  VIGIA_RETURN_IF_ERROR(env_->RenameFile(tmp, path_));
  return env_->SyncDir(dir_);
}

Result<NewApiKey> KeyStore::Create(std::string_view tenant, Role role, int64_t ttl_ns,
                                   std::string_view name) {
  if (role == Role::kAdmin && !tenant.empty()) {
    return Status::InvalidArgument("an admin key sees every tenant: give no tenant");
  }
  if (role != Role::kAdmin && !ValidTenantName(tenant)) {
    return Status::InvalidArgument("an " + std::string(RoleName(role)) +
                                   " key needs a tenant of 1-64 characters [A-Za-z0-9_-]");
  }
  if (ttl_ns < 0) return Status::InvalidArgument("the expiry must be in the future");
  if (!ValidName(name)) {
    return Status::InvalidArgument("a key name has at most 200 characters, no tabs or newlines");
  }
  NewApiKey out;
  ApiKeyRecord& r = out.record;
  r.tenant = tenant;
  r.role = role;
  r.created_ns = env_->NowNanos();
  r.expires_ns = ttl_ns == 0 ? 0 : r.created_ns + ttl_ns;
  r.name = name;
  std::unique_lock lock(mu_);
  do {
    r.id = RandomHex(kIdBytes);
  } while ([&] {
    for (const ApiKeyRecord& o : records_) {
      if (o.id == r.id) return true;
    }
    return false;
  }());
  out.key = std::string(kKeyPrefix) + r.id + "_" + RandomHex(kSecretBytes);
  r.hash_hex = Sha256Hex(out.key);
  std::vector<ApiKeyRecord> next = records_;
  next.push_back(r);
  VIGIA_RETURN_IF_ERROR(Save(next));
  records_ = std::move(next);
  return out;
}

Status KeyStore::Revoke(std::string_view id) {
  std::unique_lock lock(mu_);
  std::vector<ApiKeyRecord> next = records_;
  for (ApiKeyRecord& r : next) {
    if (r.id != id) continue;
    if (r.revoked_ns != 0) return Status::Ok();
    r.revoked_ns = env_->NowNanos();
    VIGIA_RETURN_IF_ERROR(Save(next));
    records_ = std::move(next);
    return Status::Ok();
  }
  return Status::NotFound("no API key with id " + std::string(id));
}

std::vector<ApiKeyRecord> KeyStore::List() const {
  std::shared_lock lock(mu_);
  return records_;
}

size_t KeyStore::ActiveCount() const {
  int64_t now = env_->NowNanos();
  std::shared_lock lock(mu_);
  size_t n = 0;
  for (const ApiKeyRecord& r : records_) n += r.StateAt(now) == "active";
  return n;
}

bool KeyStore::empty() const {
  std::shared_lock lock(mu_);
  return records_.empty();
}

Result<ApiKeyRecord> KeyStore::Verify(std::string_view key) const {
  constexpr size_t kLength = kKeyPrefix.size() + kIdBytes * 2 + 1 + kSecretBytes * 2;
  if (key.size() != kLength || key.substr(0, kKeyPrefix.size()) != kKeyPrefix ||
      key[kKeyPrefix.size() + kIdBytes * 2] != '_') {
    return Status::Unauthenticated("invalid API key");
  }
  std::string_view id = key.substr(kKeyPrefix.size(), kIdBytes * 2);
  std::string hash = Sha256Hex(key);
  int64_t now = env_->NowNanos();
  std::shared_lock lock(mu_);
  for (const ApiKeyRecord& r : records_) {
    if (r.id != id) continue;
    if (sodium_memcmp(r.hash_hex.data(), hash.data(), hash.size()) != 0) break;
    std::string_view state = r.StateAt(now);
    if (state == "revoked") return Status::Unauthenticated("API key revoked");
    if (state == "expired") return Status::Unauthenticated("API key expired");
    return r;
  }
  return Status::Unauthenticated("invalid API key");
}

Result<int64_t> ParseKeyTtl(std::string_view text) {
  if (text.size() < 2) return Status::InvalidArgument("expected a duration like 30d, 12h, 90m");
  int64_t n = 0;
  if (!ParseInt(text.substr(0, text.size() - 1), &n) || n <= 0 || n > 100000) {
    return Status::InvalidArgument("expected a duration like 30d, 12h, 90m, got \"" +
                                   std::string(text) + "\"");
  }
  int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    case 'w':
      unit = 7 * 86400;
      break;
    default:
      return Status::InvalidArgument("a duration ends in s, m, h, d or w, got \"" +
                                     std::string(text) + "\"");
  }
  return n * unit * 1'000'000'000;
}

}  // namespace vigia
