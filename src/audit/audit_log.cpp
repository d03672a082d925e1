#include "audit/audit_log.h"

#include <algorithm>
#include <cstring>

#include "audit/audit_file_names.h"
#include "audit/export_batch_lines.h"
#include "audit/export_csv.h"
#include "audit/json_field.h"
#include "audit/ledger_reader.h"
#include "common/hex.h"
#include "common/json_writer.h"

namespace vigia::audit {
namespace {

bool FieldIs(std::string_view payload, std::string_view key, const std::string& want,
             std::string* scratch) {
  return want.empty() || (FindJsonField(payload, key, scratch) && *scratch == want);
}

}  // namespace

bool MatchesFilter(const LedgerEvent& ev, const AuditFilter& f) {
  if (ev.ts_ns < f.since_ns || ev.ts_ns > f.until_ns) return false;
  std::string v;
  return FieldIs(ev.payload, "actor", f.actor, &v) && FieldIs(ev.payload, "entity", f.entity, &v) &&
         FieldIs(ev.payload, "entity_id", f.entity_id, &v) &&
         FieldIs(ev.payload, "action", f.action, &v);
}

Status ScanLedgerRecords(Env* env, const std::string& audit_dir, std::string_view tenant,
                         const std::function<bool(const LedgerRecord&)>& emit) {
  std::string path = audit_dir + "/" + TenantDirName(tenant) + "/" + std::string(kLedgerFile);
  if (!env->FileExists(path)) return Status::Ok();
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<LedgerReader> r, LedgerReader::Open(env, path));
  LedgerRecord rec;
  uint64_t offset = 0;
  for (;;) {
    VIGIA_ASSIGN_OR_RETURN(LedgerReader::Step step, r->Next(&rec, &offset));
    if (step == LedgerReader::Step::kMalformed) {
      VIGIA_RETURN_IF_ERROR(r->Resync());
      continue;
    }
    if (step != LedgerReader::Step::kRecord) break;
    if (!emit(rec)) break;
  }
  return Status::Ok();
}

Status ScanAuditLog(Env* env, const std::string& audit_dir, std::string_view tenant,
                    const AuditFilter& filter,
                    const std::function<bool(const LedgerEvent&)>& emit) {
  uint64_t emitted = 0;
  if (filter.limit == 0) return Status::Ok();
  return ScanLedgerRecords(env, audit_dir, tenant, [&](const LedgerRecord& rec) {
    // A v2 record's events are all at or after its first event's time only when the
    // clients' clocks agree; its events are filtered one by one.
    bool stopped = false;
    Status st = ForEachEvent(
        rec,
        [&](const LedgerEvent& ev) {
          if (!MatchesFilter(ev, filter)) return true;
          ++emitted;
          return emit(ev) && emitted < filter.limit;
        },
        &stopped);
    (void)st;  // an undecodable batch record is passed over: verify names it
    return !stopped;
  });
}

Result<std::map<std::string, uint64_t>> CountActions(Env* env, const std::string& audit_dir,
                                                     std::string_view tenant,
                                                     const AuditFilter& filter) {
  std::map<std::string, uint64_t> counts;
  std::string action;
  VIGIA_RETURN_IF_ERROR(ScanAuditLog(env, audit_dir, tenant, filter, [&](const LedgerEvent& ev) {
    if (!FindJsonField(ev.payload, "action", &action)) action.clear();
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

Status AppendExportRecordLines(const LedgerRecord& rec, std::string* out) {
  if (rec.version != 2) {
    JsonWriter w(out);
    w.BeginObject();
    w.KV("seq", rec.seq).KV("ts", rec.ts_ns);
    w.KV("prev", HashHex(rec.prev)).KV("hash", HashHex(rec.hash));
    w.KV("event", rec.payload);
    w.EndObject();
    *out += '\n';
    return Status::Ok();
  }
  {
    JsonWriter w(out);
    w.BeginObject();
    w.KV("seq", rec.seq).KV("count", static_cast<uint64_t>(rec.count)).KV("ts", rec.ts_ns);
    w.KV("prev", HashHex(rec.prev)).KV("hash", HashHex(rec.hash));
    w.KV("batch", hex::Encode(rec.payload));
    w.EndObject();
    *out += '\n';
  }
  return ForEachEvent(rec, [&](const LedgerEvent& ev) {
    JsonWriter w(out);
    w.BeginObject();
    w.KV("seq", ev.seq).KV("record", ev.record_seq).KV("index", static_cast<uint64_t>(ev.index));
    w.KV("event", ev.payload);
    w.EndObject();
    *out += '\n';
    return true;
  });
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
  VIGIA_RETURN_IF_ERROR(ScanLedgerRecords(env, audit_dir, tenant, [&](const LedgerRecord& rec) {
    // A batch record that does not decode goes out as its record line alone: the export
    // still carries the bytes, and verifying it names the record.
    (void)AppendExportRecordLines(rec, &buf);
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
  std::vector<ChainBreak> copies;  // event lines that disagree with their batch record
  BatchLines batch_lines;
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
    std::string seq, ts, prev, hash, payload, record, index, count;
    if (FindJsonField(line, "record", &record)) {
      if (!FindJsonField(line, "index", &index) || !FindJsonField(line, "event", &payload)) {
        return Status::InvalidArgument("line " + std::to_string(line_no) + ": bad event line");
      }
      batch_lines.Event(std::strtoull(record.c_str(), nullptr, 10),
                        std::strtoull(index.c_str(), nullptr, 10), payload, line_no, &copies);
      continue;
    }
    LedgerRecord rec;
    const bool batch = FindJsonField(line, "batch", &payload);
    if (!FindJsonField(line, "seq", &seq) || !FindJsonField(line, "ts", &ts) ||
        !FindJsonField(line, "prev", &prev) || !FindJsonField(line, "hash", &hash) ||
        (!batch && !FindJsonField(line, "event", &payload)) ||
        (batch && !FindJsonField(line, "count", &count)) || !ParseHashHex(prev, &rec.prev) ||
        !ParseHashHex(hash, &rec.hash)) {
      return Status::InvalidArgument("line " + std::to_string(line_no) + ": bad record");
    }
    std::string bytes;
    if (batch) {
      if (!hex::Decode(payload, hex::Case::kEither, &bytes)) {
        return Status::InvalidArgument("line " + std::to_string(line_no) + ": bad batch hex");
      }
      rec.version = 2;
      uint64_t n = std::strtoull(count.c_str(), nullptr, 10);
      if (n == 0 || n > kMaxBatchRecordEvents) {
        return Status::InvalidArgument("line " + std::to_string(line_no) + ": bad count");
      }
      rec.count = static_cast<uint32_t>(n);
      rec.payload = bytes;
    } else {
      rec.payload = payload;
    }
    rec.seq = std::strtoull(seq.c_str(), nullptr, 10);
    rec.ts_ns = std::strtoll(ts.c_str(), nullptr, 10);
    AppendEncodedRecord(rec, &ledger);
    batch_lines.Start(rec, line_no, &copies);
  }
  if (!header) return Status::InvalidArgument("empty export");
  batch_lines.Finish(&copies);
  LedgerReader reader(std::move(ledger));
  VIGIA_ASSIGN_OR_RETURN(TenantReport report, VerifyChain(tenant, &reader, cps, options));
  for (ChainBreak& b : copies) report.breaks.push_back(std::move(b));
  return report;
}

}  // namespace vigia::audit
