// `vigia keys create|list|revoke --data DIR`: the API keys of a data directory, offline (the
// server stopped, or before its first start; a running server is managed through its admin
// API, /v1/admin/keys, which writes the same file). `create` prints the new key once, on
// stdout; only its hash is stored (auth/key_store.h). Exit code 0, 1 on a refused argument,
// 2 when the key file cannot be read or written — or when a server (or another command)
// holds the data directory's lock (store/data_dir_lock.h): create and revoke write the key
// file and need the server stopped; a running server has /v1/admin/keys.
#include <cstdio>
#include <memory>
#include <string>

#include "auth/key_store.h"
#include "cli/commands.h"
#include "common/env.h"
#include "common/time_format.h"
#include "store/data_dir_lock.h"

namespace vigia::cli {
namespace {

struct KeysArgs {
  std::string data_dir = "./data";
  std::string tenant;
  std::string role;
  std::string expires;
  std::string name;
  std::string id;
};

// The data directory's lock for a command that writes the key file; nullptr (message
// printed, exit code 2) when a server or another command holds it.
std::unique_ptr<DataDirLock> LockForWriting(const KeysArgs& a, const char* what, int* exit_code) {
  auto lock = DataDirLock::Acquire(Env::Default(), a.data_dir, std::string("vigia keys ") + what);
  if (!lock.ok()) {
    std::fprintf(stderr, "vigia keys %s: %s\n", what, lock.status().message().c_str());
    *exit_code = 2;
    return nullptr;
  }
  return std::move(*lock);
}

std::unique_ptr<KeyStore> OpenStore(const KeysArgs& a, int* exit_code) {
  Result<std::unique_ptr<KeyStore>> ks = KeyStore::Open(Env::Default(), a.data_dir);
  if (!ks.ok()) {
    std::fprintf(stderr, "vigia keys: %s\n", ks.status().ToString().c_str());
    *exit_code = 2;
    return nullptr;
  }
  return std::move(*ks);
}

void Create(const KeysArgs& a, int* exit_code) {
  std::optional<Role> role = ParseRole(a.role);
  if (!role) {
    std::fprintf(stderr, "vigia keys create: --role must be ingest, read or admin\n");
    *exit_code = 1;
    return;
  }
  int64_t ttl = 0;
  if (!a.expires.empty()) {
    Result<int64_t> t = ParseKeyTtl(a.expires);
    if (!t.ok()) {
      std::fprintf(stderr, "vigia keys create: --expires: %s\n", t.status().message().c_str());
      *exit_code = 1;
      return;
    }
    ttl = *t;
  }
  std::unique_ptr<DataDirLock> lock = LockForWriting(a, "create", exit_code);
  if (!lock) return;
  std::unique_ptr<KeyStore> ks = OpenStore(a, exit_code);
  if (!ks) return;
  Result<NewApiKey> k = ks->Create(a.tenant, *role, ttl, a.name);
  if (!k.ok()) {
    std::fprintf(stderr, "vigia keys create: %s\n", k.status().message().c_str());
    *exit_code = k.status().code() == StatusCode::kInvalidArgument ? 1 : 2;
    return;
  }
  std::fprintf(stderr, "created key %s (role %s, tenant %s%s%s); it is shown only now:\n",
               k->record.id.c_str(), std::string(RoleName(k->record.role)).c_str(),
               k->record.tenant.empty() ? "*" : k->record.tenant.c_str(),
               k->record.expires_ns ? ", expires " : "",
               k->record.expires_ns ? FormatRfc3339(k->record.expires_ns, 0).c_str() : "");
  std::printf("%s\n", k->key.c_str());
  *exit_code = 0;
}

void List(const KeysArgs& a, int* exit_code) {
  std::unique_ptr<KeyStore> ks = OpenStore(a, exit_code);
  if (!ks) return;
  int64_t now = Env::Default()->NowNanos();
  std::printf("%-16s  %-8s  %-6s  %-7s  %-20s  %-20s  %s\n", "ID", "TENANT", "ROLE", "STATE",
              "CREATED", "EXPIRES", "NAME");
  for (const ApiKeyRecord& r : ks->List()) {
    std::printf("%-16s  %-8s  %-6s  %-7s  %-20s  %-20s  %s\n", r.id.c_str(),
                r.tenant.empty() ? "*" : r.tenant.c_str(), std::string(RoleName(r.role)).c_str(),
                std::string(r.StateAt(now)).c_str(), FormatRfc3339(r.created_ns, 0).c_str(),
                r.expires_ns ? FormatRfc3339(r.expires_ns, 0).c_str() : "never", r.name.c_str());
  }
  *exit_code = 0;
}

void Revoke(const KeysArgs& a, int* exit_code) {
  std::unique_ptr<DataDirLock> lock = LockForWriting(a, "revoke", exit_code);
  if (!lock) return;
  std::unique_ptr<KeyStore> ks = OpenStore(a, exit_code);
  if (!ks) return;
  Status st = ks->Revoke(a.id);
  if (!st.ok()) {
    std::fprintf(stderr, "vigia keys revoke: %s\n", st.message().c_str());
    *exit_code = st.code() == StatusCode::kNotFound ? 1 : 2;
    return;
  }
  std::fprintf(stderr, "revoked key %s\n", a.id.c_str());
  *exit_code = 0;
}

}  // namespace

void RegisterKeysCommand(CLI::App& app, int* exit_code) {
  CLI::App* keys =
      app.add_subcommand("keys",
                         "Create, list and revoke API keys of a data directory (offline; a running "
                         "server: POST/GET/DELETE /v1/admin/keys)");
  keys->require_subcommand(1);
  auto args = std::make_shared<KeysArgs>();

  CLI::App* create = keys->add_subcommand("create", "Create a key and print it (once)");
  create->add_option("--data", args->data_dir, "Data directory")->capture_default_str();
  create->add_option("--role", args->role, "ingest, read or admin")->required();
  create->add_option("--tenant", args->tenant, "The key's tenant (ingest and read keys)");
  create->add_option("--expires", args->expires, "Lifetime: 30d, 12h, 90m, 1w (default never)");
  create->add_option("--name", args->name, "A name for humans");
  create->callback([args, exit_code] { Create(*args, exit_code); });

  CLI::App* list = keys->add_subcommand("list", "List the keys (ids, never the keys)");
  list->add_option("--data", args->data_dir, "Data directory")->capture_default_str();
  list->callback([args, exit_code] { List(*args, exit_code); });

  CLI::App* revoke = keys->add_subcommand("revoke", "Revoke a key by id");
  revoke->add_option("--data", args->data_dir, "Data directory")->capture_default_str();
  revoke->add_option("id", args->id, "The key's id (vigia keys list)")->required();
  revoke->callback([args, exit_code] { Revoke(*args, exit_code); });
}

}  // namespace vigia::cli
