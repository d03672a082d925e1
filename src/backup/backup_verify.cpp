#include "backup/backup_verify.h"

#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <map>

#include "audit/audit_file_names.h"
#include "audit/ledger_verifier.h"
#include "backup/backup_restore.h"
#include "backup/backup_store_reader.h"
#include "common/env.h"
#include "common/hex.h"
#include "common/json_writer.h"
#include "common/limits.h"
#include "common/time_format.h"
#include "store/format/store_check.h"

#ifndef VIGIA_VERSION
#error "VIGIA_VERSION must be defined by the build"
#endif

namespace vigia {
namespace {

void Check(VerifyReport* r, std::string name, bool ok, std::string detail) {
  r->checks.push_back({std::move(name), ok, std::move(detail)});
}

// Compares the restored copy's counts with the manifest's; "" when equal.
std::string CompareCounts(const std::vector<BackupEventCount>& want,
                          const std::vector<BackupEventCount>& got) {
  std::map<std::pair<std::string, std::string>, std::pair<uint64_t, uint64_t>> all;
  for (const auto& c : want) all[{c.partition, c.kind}].first = c.events;
  for (const auto& c : got) all[{c.partition, c.kind}].second = c.events;
  std::string diff;
  for (const auto& [k, v] : all) {
    if (v.first == v.second) continue;
    if (!diff.empty()) diff += "; ";
    diff += "partition " + k.first + " kind " + (k.second.empty() ? "(none)" : k.second) +
            ": manifest " + std::to_string(v.first) + ", restored " + std::to_string(v.second);
  }
  return diff;
}

std::string B2Hex(std::string_view data, const unsigned char* key, size_t key_len, size_t out_len) {
  unsigned char h[64];
  crypto_generichash(h, out_len, reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                     key, key_len);
  return hex::Encode(std::span<const uint8_t>(h, out_len));
}

std::string CompactTime(int64_t ns) {
  const time_t secs = static_cast<time_t>(ns / 1'000'000'000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace

std::string VerifyReport::ToJson() const {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject()
      .KV("report", "vigia backup verification")
      .KV("backup_id", backup_id)
      .KV("repository", repository)
      .KV("result", ok() ? "passed" : "failed")
      .KV("backup_created", FormatRfc3339(backup_created_ns, 0))
      .KV("backup_vigia_version", backup_vigia_version)
      .KV("verified_at", FormatRfc3339(verified_ns, 0))
      .KV("verifier_vigia_version", vigia_version)
      .KV("duration_sec", duration_sec)
      .KV("files", files)
      .KV("bytes", bytes)
      .KV("events", events);
  w.Key("checks").BeginArray();
  for (const VerifyCheck& c : checks) {
    w.BeginObject().KV("check", c.name).KV("ok", c.ok).KV("detail", c.detail).EndObject();
  }
  w.EndArray().EndObject();
  out.push_back('\n');
  return out;
}

std::string VerifyReport::ToMarkdown(const std::string& json_b2, const std::string& mac) const {
  std::string md;
  md += "# vigia backup verification: " + std::string(ok() ? "PASSED" : "FAILED") + "\n\n";
  md += "| | |\n|---|---|\n";
  md += "| Backup | `" + backup_id + "` (created " + FormatRfc3339(backup_created_ns, 0) +
        " by vigia " + backup_vigia_version + ") |\n";
  md += "| Repository | `" + repository + "` |\n";
  md += "| Verified at | " + FormatRfc3339(verified_ns, 0) + " by vigia " + vigia_version + " |\n";
  char dur[32];
  std::snprintf(dur, sizeof dur, "%.2f s", duration_sec);
  md += "| Duration | " + std::string(dur) + " |\n";
  md += "| Restored | " + std::to_string(files) + " files, " + std::to_string(bytes) + " bytes, " +
        std::to_string(events) + " events |\n\n";
  md += "| Check | Result | Detail |\n|---|---|---|\n";
  for (const VerifyCheck& c : checks) {
    std::string d = c.detail;
    for (char& ch : d) {
      if (ch == '\n') ch = ' ';
    }
    md += "| " + c.name + " | " + (c.ok ? "ok" : "**FAILED**") + " | " + d + " |\n";
  }
  if (!json_b2.empty()) {
    md += "\nBLAKE2b-512 of the JSON report (`b2sum`): `" + json_b2 + "`\n";
    md += "\nMAC of the JSON report under the repository key (keyed BLAKE2b-256): `" + mac + "`\n";
  }
  return md;
}

Result<VerifyReport> VerifyBackup(BackupRepository* repo, const std::string& id,
                                  const std::string& tmp_parent) {
  Env* env = Env::Default();
  const auto start = std::chrono::steady_clock::now();
  VIGIA_ASSIGN_OR_RETURN(BackupManifest m, repo->ReadManifest(id));
  VerifyReport r;
  r.backup_id = id;
  r.repository = repo->target()->Describe();
  r.vigia_version = VIGIA_VERSION;
  r.backup_vigia_version = m.vigia_version;
  r.backup_created_ns = m.created_ns;
  r.verified_ns = env->NowNanos();
  r.files = m.files.size();
  r.bytes = m.bytes;

  char rnd[9];
  std::snprintf(rnd, sizeof rnd, "%08x", randombytes_random());
  const std::string work = JoinPath(tmp_parent, "vigia-verify-" + id + "-" + rnd);
  const std::string data = JoinPath(work, "data");
  VIGIA_RETURN_IF_ERROR(env->CreateDir(work));

  Status st = RestoreBackup(repo, m, data);
  Check(&r, "restore", st.ok(),
        st.ok() ? std::to_string(m.files.size()) +
                      " files decrypted, authenticated and matched their size and XXH3-128"
                : st.ToString());
  if (st.ok()) {
    auto check = CheckStore(env, data);
    if (!check.ok()) {
      Check(&r, "store_check", false, check.status().ToString());
    } else {
      std::string detail = std::to_string(check->parts) + " parts, " +
                           std::to_string(check->chunks) + " chunks verified";
      if (!check->ok()) detail = check->ToText();
      Check(&r, "store_check", check->ok(), detail);
    }
    const std::string audit_dir = JoinPath(data, audit::kAuditDir);
    if (env->FileExists(audit_dir)) {
      // The restored ledger's hash chains and signed checkpoints (with the public key the
      // backup holds; an auditor checks against the key they were given: vigia audit verify).
      auto chains = audit::VerifyLedgerDir(env, audit_dir, audit::VerifyOptions{});
      if (!chains.ok()) {
        Check(&r, "audit_chain", false, chains.status().ToString());
      } else {
        uint64_t records = 0, checkpoints = 0;
        std::string breaks;
        for (const audit::TenantReport& t : *chains) {
          records += t.events;
          checkpoints += t.checkpoints;
          for (const audit::ChainBreak& b : t.breaks) {
            if (!breaks.empty()) breaks += "; ";
            breaks += "tenant '" + t.tenant + "' record " + std::to_string(b.seq) + ": " +
                      std::string(audit::TamperKindName(b.kind)) + " (" + b.detail + ")";
          }
        }
        Check(&r, "audit_chain", breaks.empty(),
              breaks.empty()
                  ? std::to_string(chains->size()) + " chains, " + std::to_string(records) +
                        " records, " + std::to_string(checkpoints) + " signed checkpoints verified"
                  : breaks);
      }
    }
    auto store = OpenStoreForReading(data, env);
    Check(&r, "open", store.ok(),
          store.ok()
              ? "opened with the store, WAL replayed up to sequence " + std::to_string(m.wal_seq)
              : store.status().ToString());
    if (store.ok()) {
      uint64_t total = 0;
      auto counts = CountStoreEvents(store->get(), &total);
      if (!counts.ok()) {
        Check(&r, "event_counts", false, counts.status().ToString());
      } else {
        r.events = total;
        std::string diff = CompareCounts(m.counts, *counts);
        Check(&r, "event_counts", diff.empty() && total == m.events,
              diff.empty()
                  ? std::to_string(total) + " events in " + std::to_string(counts->size()) +
                        " (partition, kind) groups, as in the manifest"
                  : diff);
      }
      const std::string sample = "* | limit " + std::to_string(limits::kBackupVerifySampleRows);
      auto rows = RunSampleQuery(store->get(), sample);
      const uint64_t want = std::min<uint64_t>(m.events, limits::kBackupVerifySampleRows);
      Check(&r, "sample_query", rows.ok() && *rows == want,
            rows.ok() ? "`" + sample + "` returned " + std::to_string(*rows) + " rows (expected " +
                            std::to_string(want) + ")"
                      : rows.status().ToString());
      (void)(*store)->Close();
    }
  }
  (void)env->RemoveDirRecursive(work);
  r.duration_sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

Result<std::string> WriteEvidence(const BackupRepository& repo, const VerifyReport& report,
                                  const std::string& dir) {
  Env* env = Env::Default();
  VIGIA_RETURN_IF_ERROR(env->CreateDir(dir));
  const std::string base =
      JoinPath(dir, "verify-" + report.backup_id + "-" + CompactTime(report.verified_ns));
  const std::string json = report.ToJson();
  const std::string b2 = B2Hex(json, nullptr, 0, 64);
  const std::string mac = B2Hex(json, repo.key().report_key().data(), BackupKey::kBytes, 32);
  VIGIA_RETURN_IF_ERROR(WriteFileAtomic(env, base + ".json", json));
  VIGIA_RETURN_IF_ERROR(WriteFileAtomic(env, base + ".md", report.ToMarkdown(b2, mac)));
  return base + ".json";
}

}  // namespace vigia
