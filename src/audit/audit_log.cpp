#include "audit/audit_log.h"

#include <algorithm>
#include <cstring>

#include "audit/audit_file_names.h"
#include "audit/export_csv.h"
#include "audit/json_field.h"
#include "audit/ledger_reader.h"
#include "common/json_writer.h"

namespace vigia::audit {
namespace {

bool FieldIs(std::string_view payload, std::string_view key, const std::string& want,
             std::string* scratch) {
  return want.empty() || (FindJsonField(payload, key, scratch) && *scratch == want);
}

}  // namespace

bool MatchesFilter(const LedgerRecord& rec, const AuditFilter& f) {
  if (rec.ts_ns < f.since_ns || rec.ts_ns > f.until_ns) return false;
  std::string v;
  return FieldIs(rec.payload, "actor", f.actor, &v) &&
         FieldIs(rec.payload, "entity", f.entity, &v) &&
         FieldIs(rec.payload, "entity_id", f.entity_id, &v) &&
         FieldIs(rec.payload, "action", f.action, &v);
}

Status ScanAuditLog(Env* env, const std::string& audit_dir, std::string_view tenant,
                    const AuditFilter& filter,
                    const std::function<bool(const LedgerRecord&)>& emit) {
  std::string path = audit_dir + "/" + TenantDirName(tenant) + "/" + std::string(kLedgerFile);
  if (!env->FileExists(path)) return Status::Ok();
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<LedgerReader> r, LedgerReader::Open(env, path));
  uint64_t emitted = 0;
  LedgerRecord rec;
  uint64_t offset = 0;
  while (emitted < filter.limit) {
    VIGIA_ASSIGN_OR_RETURN(LedgerReader::Step step, r->Next(&rec, &offset));
    if (step == LedgerReader::Step::kMalformed) {
      VIGIA_RETURN_IF_ERROR(r->Resync());
      continue;
    }
    if (step != LedgerReader::Step::kRecord) break;
    if (!MatchesFilter(rec, filter)) continue;
    ++emitted;
    if (!emit(rec)) break;
  }
  return Status::Ok();
}

Result<std::map<std::string, uint64_t>> CountActions(Env* env, const std::string& audit_dir,
                                                     std::string_view tenant,
                                                     const AuditFilter& filter) {
  std::map<std::string, uint64_t> counts;
  std::string action;
  VIGIA_RETURN_IF_ERROR(ScanAuditLog(env, audit_dir, tenant, filter, [&](const LedgerRecord& rec) {
    if (!FindJsonField(rec.payload, "action", &action)) action.clear();
    ++counts[action];
    return true;
  }));
  return counts;
}

Result<std::vector<std::string>> AuditTenants(Env* env, const std::string& audit_dir) {
  std::vector<std::string> out;
  if (!env->FileExists(audit_dir)) return out;
  VIGIA_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(audit_dir));
  for (const std::string& n : names) {
    if (std::optional<std::string> t = ParseTenantDirName(n)) out.push_back(*t);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ExportRecordLine(const LedgerRecord& rec) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.KV("seq", rec.seq).KV("ts", rec.ts_ns);
  w.KV("prev", HashHex(rec.prev)).KV("hash", HashHex(rec.hash));
  w.KV("event", rec.payload);
  w.EndObject();
  return out;
}

Status WriteAuditExport(Env* env, const std::string& audit_dir, std::string_view tenant,
                        const std::function<void(std::string_view)>& out) {
  std::string head;
  JsonWriter w(&head);
  w.BeginObject().KV("vigia_audit_export", 1).KV("tenant", tenant);
  if (env->FileExists(audit_dir + "/" + std::string(kPublicKeyFile))) {
    VIGIA_ASSIGN_OR_RETURN(std::string pk, SigningKey::ReadPublicKey(env, audit_dir));
    w.KV("public_key", pk);
  }
  w.EndObject();
  head += '\n';
  out(head);
  // Checkpoints are read first, so every checkpoint exported names a record the export
  // holds (the ledger only grows while we read it).
  uint64_t bad = 0;
  std::string dir = audit_dir + "/" + TenantDirName(tenant);
  VIGIA_ASSIGN_OR_RETURN(std::vector<Checkpoint> cps,
                         ReadCheckpoints(env, dir + "/" + std::string(kCheckpointsFile), &bad));
  std::string buf;
  VIGIA_RETURN_IF_ERROR(
      ScanAuditLog(env, audit_dir, tenant, AuditFilter{}, [&](const LedgerRecord& rec) {
        buf += ExportRecordLine(rec);
        buf += '\n';
        if (buf.size() >= (1u << 20)) {
          out(buf);
          buf.clear();
        }
        return true;
      }));
  for (const Checkpoint& c : cps) {
    buf += "{\"checkpoint\":" + CheckpointJson(c) + "}\n";
  }
  out(buf);
  return Status::Ok();
}

Result<TenantReport> VerifyAuditExport(std::string_view text, VerifyOptions options) {
  if (text.starts_with(kCsvExportHeader)) return VerifyAuditExportCsv(text, std::move(options));
  std::string tenant, pk, v;
  std::string ledger;  // the records re-encoded as ledger.bin bytes
  std::vector<Checkpoint> cps;
  bool header = false;
  uint64_t line_no = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t eol = text.find('\n', start);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(start, eol - start);
    start = eol + 1;
    ++line_no;
    if (line.empty()) continue;
    if (!header) {
      if (!FindJsonField(line, "vigia_audit_export", &v)) {
        return Status::InvalidArgument("not a vigia audit export (line 1)");
      }
      FindJsonField(line, "tenant", &tenant);
      if (FindJsonField(line, "public_key", &pk) && options.public_key_hex.empty()) {
        options.public_key_hex = pk;
      }
      header = true;
      continue;
    }
    if (line.starts_with("{\"checkpoint\":")) {
      Checkpoint c;
      if (!ParseCheckpointJson(line.substr(14), &c)) {
        return Status::InvalidArgument("line " + std::to_string(line_no) + ": bad checkpoint");
      }
      cps.push_back(std::move(c));
      continue;
    }
    std::string seq, ts, prev, hash, payload;
    LedgerRecord rec;
    if (!FindJsonField(line, "seq", &seq) || !FindJsonField(line, "ts", &ts) ||
        !FindJsonField(line, "prev", &prev) || !FindJsonField(line, "hash", &hash) ||
        !FindJsonField(line, "event", &payload) || !ParseHashHex(prev, &rec.prev) ||
        !ParseHashHex(hash, &rec.hash)) {
      return Status::InvalidArgument("line " + std::to_string(line_no) + ": bad record");
    }
    rec.seq = std::strtoull(seq.c_str(), nullptr, 10);
    rec.ts_ns = std::strtoll(ts.c_str(), nullptr, 10);
    rec.payload = payload;
    AppendEncodedRecord(rec, &ledger);
  }
  if (!header) return Status::InvalidArgument("empty export");
  LedgerReader reader(std::move(ledger));
  return VerifyChain(tenant, &reader, cps, options);
}

}  // namespace vigia::audit
