// `vigia backup ...`: backups of a data directory into an encrypted, incremental repository
// (src/backup; docs/backup.md).
//   keygen  --out FILE                         a new random key file (mode 0600)
//   create  (--data DIR | --server URL) --to TARGET
//   list    --from TARGET
//   verify  --from TARGET [--id ID] [--report-dir DIR] [--tmp DIR]
//   restore --from TARGET [--id ID] --data NEW_DIR [--force]
//   prune   --from TARGET [--keep-last N] [--keep-daily N] [--keep-weekly N]
//           [--keep-monthly N] [--max-age-days N]
// The key: --key-file FILE, or --passphrase-file FILE, or $VIGIA_BACKUP_PASSPHRASE. Without
// --id, verify and restore take the newest backup. With --server the running server makes
// the backup itself (POST /v1/admin/backups) into its configured [backup] target.
// create --data and restore --force take the data directory's lock (store/data_dir_lock.h):
// refused while a server (or another command) uses the directory.
// Exit codes: 0 done (verify: passed), 1 verify failed, 2 the command could not run.
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "backup/backup_create.h"
#include "backup/backup_prune.h"
#include "backup/backup_restore.h"
#include "backup/backup_verify.h"
#include "cli/commands.h"
#include "cli/server_backend.h"
#include "common/env.h"
#include "common/json_writer.h"
#include "common/time_format.h"
#include "store/data_dir_lock.h"

namespace vigia::cli {
namespace {

struct BackupArgs {
  std::string data_dir;
  std::string server;
  std::string api_key;
  std::string target;
  std::string key_file;
  std::string passphrase_file;
  std::string id;
  std::string report_dir = ".";
  std::string tmp_dir;
  std::string out;
  bool force = false;
  BackupRetention retention;
};

void AddKeyOptions(CLI::App* cmd, BackupArgs* a) {
  cmd->add_option("--key-file", a->key_file, "Key file (32 bytes or 64 hex digits)");
  cmd->add_option("--passphrase-file", a->passphrase_file,
                  "File holding the passphrase (default $VIGIA_BACKUP_PASSPHRASE)");
}

Result<BackupKeySource> KeySource(const BackupArgs& a) {
  BackupKeySource k;
  k.key_file = a.key_file;
  if (!a.passphrase_file.empty()) {
    VIGIA_ASSIGN_OR_RETURN(k.passphrase, Env::Default()->ReadFileToString(a.passphrase_file));
    while (!k.passphrase.empty() && (k.passphrase.back() == '\n' || k.passphrase.back() == '\r')) {
      k.passphrase.pop_back();
    }
  } else if (const char* p = std::getenv("VIGIA_BACKUP_PASSPHRASE"); p && k.key_file.empty()) {
    k.passphrase = p;
  }
  if (k.key_file.empty() && k.passphrase.empty()) {
    return Status::InvalidArgument(
        "no backup key: give --key-file, --passphrase-file or $VIGIA_BACKUP_PASSPHRASE");
  }
  return k;
}

Result<std::unique_ptr<BackupRepository>> OpenRepo(const BackupArgs& a, bool create) {
  VIGIA_ASSIGN_OR_RETURN(BackupKeySource key, KeySource(a));
  VIGIA_ASSIGN_OR_RETURN(auto target, OpenBackupTarget(a.target));
  return BackupRepository::Open(std::move(target), key, create);
}

Result<std::string> ChooseId(BackupRepository* repo, const std::string& id) {
  if (!id.empty()) return id;
  VIGIA_ASSIGN_OR_RETURN(auto ids, repo->ListBackups());
  if (ids.empty()) return Status::NotFound("the repository holds no backup");
  return ids.back();
}

std::string Mb(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

// Runs `fn`; prints its error and sets exit code 2 on failure.
void Run(const char* what, int* exit_code, const std::function<Result<int>()>& fn) {
  Result<int> r = fn();
  if (!r.ok()) {
    std::fprintf(stderr, "vigia backup %s: %s\n", what, r.status().ToString().c_str());
    *exit_code = 2;
    return;
  }
  *exit_code = *r;
}

Result<int> DoCreate(const BackupArgs& a) {
  if (a.data_dir.empty() == a.server.empty()) {
    return Status::InvalidArgument("give exactly one of --data DIR or --server URL");
  }
  if (!a.server.empty()) {
    std::string body;
    JsonWriter w(&body);
    w.BeginObject();
    if (!a.target.empty()) w.KV("target", a.target);
    w.EndObject();
    VIGIA_ASSIGN_OR_RETURN(std::string answer,
                           HttpRequest(a.server, a.api_key, "POST", "/v1/admin/backups", body));
    std::printf("%s\n", answer.c_str());
    return 0;
  }
  if (a.target.empty()) return Status::InvalidArgument("--to TARGET is required with --data");
  if (!Env::Default()->FileExists(a.data_dir)) {
    return Status::NotFound("no data directory " + a.data_dir);
  }
  // A running server backs itself up (--server): its store is consistent only through it.
  VIGIA_ASSIGN_OR_RETURN(auto lock,
                         DataDirLock::Acquire(Env::Default(), a.data_dir, "vigia backup create"));
  VIGIA_ASSIGN_OR_RETURN(auto repo, OpenRepo(a, true));
  VIGIA_ASSIGN_OR_RETURN(
      BackupManifest m,
      CreateBackup(repo.get(), BackupSource{a.data_dir, nullptr}, Env::Default()));
  std::printf(
      "backup %s: %llu events, %zu files, %s; %llu new blobs (%s stored), %llu reused; %.2f s "
      "(%.1f MB/s)\n",
      m.id.c_str(), static_cast<unsigned long long>(m.events), m.files.size(), Mb(m.bytes).c_str(),
      static_cast<unsigned long long>(m.new_blobs), Mb(m.new_blob_bytes).c_str(),
      static_cast<unsigned long long>(m.reused_blobs), m.duration_sec,
      m.duration_sec > 0 ? static_cast<double>(m.bytes) / 1e6 / m.duration_sec : 0.0);
  return 0;
}

Result<int> DoList(const BackupArgs& a) {
  VIGIA_ASSIGN_OR_RETURN(auto repo, OpenRepo(a, false));
  VIGIA_ASSIGN_OR_RETURN(auto ids, repo->ListBackups());
  std::printf("%-24s %-20s %12s %7s %12s %12s  %s\n", "ID", "CREATED", "EVENTS", "FILES", "SIZE",
              "ADDED", "VIGIA");
  for (const std::string& id : ids) {
    VIGIA_ASSIGN_OR_RETURN(BackupManifest m, repo->ReadManifest(id));
    std::printf("%-24s %-20s %12llu %7zu %12s %12s  %s\n", id.c_str(),
                FormatRfc3339(m.created_ns, 0).c_str(), static_cast<unsigned long long>(m.events),
                m.files.size(), Mb(m.bytes).c_str(), Mb(m.new_blob_bytes).c_str(),
                m.vigia_version.c_str());
  }
  return 0;
}

Result<int> DoVerify(const BackupArgs& a) {
  VIGIA_ASSIGN_OR_RETURN(auto repo, OpenRepo(a, false));
  VIGIA_ASSIGN_OR_RETURN(std::string id, ChooseId(repo.get(), a.id));
  std::string tmp = a.tmp_dir;
  if (tmp.empty()) {
    const char* t = std::getenv("TMPDIR");
    tmp = t && *t ? t : "/tmp";
  }
  VIGIA_ASSIGN_OR_RETURN(VerifyReport r, VerifyBackup(repo.get(), id, tmp));
  VIGIA_ASSIGN_OR_RETURN(std::string path, WriteEvidence(*repo, r, a.report_dir));
  for (const VerifyCheck& c : r.checks) {
    std::printf("%-13s %-6s %s\n", c.name.c_str(), c.ok ? "ok" : "FAILED", c.detail.c_str());
  }
  std::printf("backup %s: verification %s in %.2f s; evidence: %s (and .md)\n", id.c_str(),
              r.ok() ? "passed" : "FAILED", r.duration_sec, path.c_str());
  return r.ok() ? 0 : 1;
}

Result<int> DoRestore(const BackupArgs& a) {
  VIGIA_ASSIGN_OR_RETURN(auto repo, OpenRepo(a, false));
  VIGIA_ASSIGN_OR_RETURN(std::string id, ChooseId(repo.get(), a.id));
  VIGIA_ASSIGN_OR_RETURN(BackupManifest m, repo->ReadManifest(id));
  const int64_t t0 = Env::Default()->MonotonicNanos();
  VIGIA_RETURN_IF_ERROR(RestoreBackup(repo.get(), m, a.data_dir, a.force));
  const double sec = static_cast<double>(Env::Default()->MonotonicNanos() - t0) / 1e9;
  std::printf("restored backup %s (%llu events, %zu files, %s) into %s in %.2f s (%.1f MB/s)\n",
              id.c_str(), static_cast<unsigned long long>(m.events), m.files.size(),
              Mb(m.bytes).c_str(), a.data_dir.c_str(), sec,
              sec > 0 ? static_cast<double>(m.bytes) / 1e6 / sec : 0.0);
  return 0;
}

Result<int> DoPrune(const BackupArgs& a) {
  VIGIA_ASSIGN_OR_RETURN(auto repo, OpenRepo(a, false));
  VIGIA_ASSIGN_OR_RETURN(PruneResult r,
                         PruneBackups(repo.get(), a.retention, Env::Default()->NowNanos()));
  for (const std::string& id : r.deleted) std::printf("deleted %s\n", id.c_str());
  std::printf("kept %zu backups, deleted %zu; %llu blobs removed (%s freed)\n", r.kept.size(),
              r.deleted.size(), static_cast<unsigned long long>(r.blobs_deleted),
              Mb(r.blob_bytes_freed).c_str());
  return 0;
}

}  // namespace

void RegisterBackupCommand(CLI::App& app, int* exit_code) {
  CLI::App* backup = app.add_subcommand("backup", "Encrypted, incremental, verified backups");
  backup->require_subcommand(1);
  auto a = std::make_shared<BackupArgs>();

  CLI::App* keygen = backup->add_subcommand("keygen", "Write a new random backup key file");
  keygen->add_option("--out", a->out, "Key file to create")->required();
  keygen->callback([a, exit_code] {
    Run("keygen", exit_code, [&]() -> Result<int> {
      if (Env::Default()->FileExists(a->out)) {
        return Status::AlreadyExists(a->out + " exists: a key file is never overwritten");
      }
      const mode_t old = ::umask(077);
      Status st = WriteFileAtomic(Env::Default(), a->out, BackupKey::GenerateKeyFileContents());
      ::umask(old);
      VIGIA_RETURN_IF_ERROR(st);
      std::printf("wrote %s: keep a copy apart from the backups; without it they cannot be read\n",
                  a->out.c_str());
      return 0;
    });
  });

  CLI::App* create = backup->add_subcommand("create", "Back up a data directory or a server");
  create->add_option("--data", a->data_dir, "Data directory of a stopped server");
  create->add_option("--server", a->server, "URL of a running server (it backs itself up)");
  create->add_option("--api-key", a->api_key, "API key for --server (default $VIGIA_API_KEY)");
  create->add_option("--to", a->target, "Backup target (a directory)");
  AddKeyOptions(create, a.get());
  create->callback([a, exit_code] {
    if (a->api_key.empty()) {
      if (const char* k = std::getenv("VIGIA_API_KEY")) a->api_key = k;
    }
    Run("create", exit_code, [&] { return DoCreate(*a); });
  });

  CLI::App* list = backup->add_subcommand("list", "List the backups of a target");
  list->add_option("--from", a->target, "Backup target")->required();
  AddKeyOptions(list, a.get());
  list->callback([a, exit_code] { Run("list", exit_code, [&] { return DoList(*a); }); });

  CLI::App* verify = backup->add_subcommand(
      "verify", "Restore into a temp dir, check everything, write an evidence report");
  verify->add_option("--from", a->target, "Backup target")->required();
  verify->add_option("--id", a->id, "Backup id (default: the newest)");
  verify->add_option("--report-dir", a->report_dir, "Where the evidence report goes")
      ->capture_default_str();
  verify->add_option("--tmp", a->tmp_dir, "Where to restore temporarily (default $TMPDIR)");
  AddKeyOptions(verify, a.get());
  verify->callback([a, exit_code] { Run("verify", exit_code, [&] { return DoVerify(*a); }); });

  CLI::App* restore = backup->add_subcommand("restore", "Restore a backup into a new directory");
  restore->add_option("--from", a->target, "Backup target")->required();
  restore->add_option("--id", a->id, "Backup id (default: the newest)");
  restore->add_option("--data", a->data_dir, "New (or empty) data directory")->required();
  restore->add_flag("--force", a->force,
                    "Replace an existing data directory (refused while a server uses it)");
  AddKeyOptions(restore, a.get());
  restore->callback([a, exit_code] { Run("restore", exit_code, [&] { return DoRestore(*a); }); });

  CLI::App* prune = backup->add_subcommand("prune", "Delete backups the policy does not keep");
  prune->add_option("--from", a->target, "Backup target")->required();
  prune->add_option("--keep-last", a->retention.keep_last, "Newest backups kept");
  prune->add_option("--keep-daily", a->retention.keep_daily, "Days with a backup kept");
  prune->add_option("--keep-weekly", a->retention.keep_weekly, "Weeks with a backup kept");
  prune->add_option("--keep-monthly", a->retention.keep_monthly, "Months with a backup kept");
  prune->add_option("--max-age-days", a->retention.max_age_days, "Keep every younger backup");
  AddKeyOptions(prune, a.get());
  prune->callback([a, exit_code] { Run("prune", exit_code, [&] { return DoPrune(*a); }); });
}

}  // namespace vigia::cli
