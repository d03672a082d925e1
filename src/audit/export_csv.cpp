#include "audit/export_csv.h"

#include <array>
#include <cstdlib>
#include <vector>

#include "audit/audit_file_names.h"
#include "audit/audit_log.h"
#include "audit/export_batch_lines.h"
#include "audit/json_field.h"
#include "audit/ledger_events.h"
#include "common/hex.h"
#include "common/json_writer.h"
#include "common/time_format.h"

namespace vigia::audit {
namespace {

enum Column {
  kType,
  kTenant,
  kSeq,
  kTs,
  kTime,
  kAction,
  kActor,
  kEntity,
  kEntityId,
  kOutcome,
  kPrev,
  kHash,
  kSig,
  kEvent,
  kColumns
};

// The payload fields copied into columns, in column order from kAction.
constexpr std::array<std::string_view, 5> kCopied = {"action", "actor", "entity", "entity_id",
                                                     "outcome"};

void AppendCell(std::string_view v, std::string* out) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(v);
    return;
  }
  *out += '"';
  for (char c : v) {
    if (c == '"') *out += '"';
    *out += c;
  }
  *out += '"';
}

void AppendRow(const std::array<std::string, kColumns>& cells, std::string* out) {
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) *out += ',';
    AppendCell(cells[i], out);
  }
  *out += '\n';
}

// Splits one CSV row starting at *pos (advanced past it). False on a quote left open.
bool ReadRow(std::string_view text, size_t* pos, std::vector<std::string>* cells) {
  cells->clear();
  std::string cell;
  size_t i = *pos;
  bool quoted = false, was_quoted = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cell += c;
      }
    } else if (c == '"' && cell.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      cells->push_back(std::move(cell));
      cell.clear();
      was_quoted = false;
    } else if (c == '\n' || c == '\r') {
      break;
    } else {
      cell += c;
    }
  }
  if (quoted) return false;
  cells->push_back(std::move(cell));
  if (i < text.size() && text[i] == '\r') ++i;
  if (i < text.size() && text[i] == '\n') ++i;
  *pos = i;
  return true;
}

}  // namespace

Status WriteAuditExportCsv(Env* env, const std::string& audit_dir, std::string_view tenant,
                           const std::function<void(std::string_view)>& out) {
  std::string buf(kCsvExportHeader);
  buf += '\n';
  std::array<std::string, kColumns> cells;
  {
    std::string meta;
    JsonWriter w(&meta);
    w.BeginObject().KV("vigia_audit_export", 1).KV("format", "csv");
    if (env->FileExists(audit_dir + "/" + std::string(kPublicKeyFile))) {
      VIGIA_ASSIGN_OR_RETURN(std::string pk, SigningKey::ReadPublicKey(env, audit_dir));
      w.KV("public_key", pk);
    }
    w.EndObject();
    cells[kType] = "meta";
    cells[kTenant] = std::string(tenant);
    cells[kEvent] = std::move(meta);
    AppendRow(cells, &buf);
  }
  // Checkpoints first, as for NDJSON: each one exported names a record the export holds.
  uint64_t bad = 0;
  std::string dir = audit_dir + "/" + TenantDirName(tenant);
  VIGIA_ASSIGN_OR_RETURN(std::vector<Checkpoint> cps,
                         ReadCheckpoints(env, dir + "/" + std::string(kCheckpointsFile), &bad));
  std::string v;
  auto copy_columns = [&](std::string_view payload) {
    for (size_t i = 0; i < kCopied.size(); ++i) {
      if (FindJsonField(payload, kCopied[i], &v)) cells[kAction + i] = v;
    }
  };
  VIGIA_RETURN_IF_ERROR(ScanLedgerRecords(env, audit_dir, tenant, [&](const LedgerRecord& rec) {
    cells.fill(std::string());
    cells[kTenant] = std::string(tenant);
    cells[kSeq] = std::to_string(rec.seq);
    cells[kTs] = std::to_string(rec.ts_ns);
    cells[kTime] = FormatRfc3339(rec.ts_ns);
    cells[kPrev] = HashHex(rec.prev);
    cells[kHash] = HashHex(rec.hash);
    if (rec.version != 2) {
      cells[kType] = "record";
      copy_columns(rec.payload);
      cells[kEvent] = std::string(rec.payload);
      AppendRow(cells, &buf);
    } else {
      cells[kType] = "batch";
      std::string batch;
      JsonWriter w(&batch);
      w.BeginObject().KV("count", static_cast<uint64_t>(rec.count));
      w.KV("batch", hex::Encode(rec.payload)).EndObject();
      cells[kEvent] = std::move(batch);
      AppendRow(cells, &buf);
      // One row per event, for reading (a batch that does not decode: its row alone, which
      // verifying names).
      (void)ForEachEvent(rec, [&](const LedgerEvent& ev) {
        cells.fill(std::string());
        cells[kType] = "event";
        cells[kTenant] = std::string(tenant);
        cells[kSeq] = std::to_string(ev.seq);
        cells[kTs] = std::to_string(ev.ts_ns);
        cells[kTime] = FormatRfc3339(ev.ts_ns);
        copy_columns(ev.payload);
        cells[kEvent] = std::string(ev.payload);
        AppendRow(cells, &buf);
        return true;
      });
    }
    if (buf.size() >= (1u << 20)) {
      out(buf);
      buf.clear();
    }
    return true;
  }));
  for (const Checkpoint& c : cps) {
    cells.fill(std::string());
    cells[kType] = "checkpoint";
    cells[kTenant] = c.tenant;
    cells[kSeq] = std::to_string(c.seq);
    cells[kTs] = std::to_string(c.ts_ns);
    cells[kTime] = FormatRfc3339(c.ts_ns);
    cells[kHash] = HashHex(c.hash);
    cells[kSig] = c.sig_hex;
    AppendRow(cells, &buf);
  }
  out(buf);
  return Status::Ok();
}

Result<TenantReport> VerifyAuditExportCsv(std::string_view text, VerifyOptions options) {
  size_t pos = 0;
  std::vector<std::string> row;
  if (!ReadRow(text, &pos, &row) || row.size() != kColumns ||
      !std::string_view(text).starts_with(kCsvExportHeader)) {
    return Status::InvalidArgument("not a vigia audit CSV export (line 1 is not its header)");
  }
  std::string tenant, v;
  bool meta = false;
  std::string ledger;  // the records re-encoded as ledger.bin bytes
  std::vector<Checkpoint> cps;
  std::vector<ChainBreak> copies;  // columns that disagree with the hashed payload
  BatchLines batch_lines;          // v2: event rows against their batch row
  uint64_t batch_seq = 0;          // the last batch row's seq
  uint64_t line_no = 1;
  while (pos < text.size()) {
    ++line_no;
    std::string where = "line " + std::to_string(line_no);
    if (!ReadRow(text, &pos, &row)) return Status::InvalidArgument(where + ": unterminated quote");
    if (row.size() == 1 && row[0].empty()) continue;  // a blank line
    if (row.size() != kColumns) {
      return Status::InvalidArgument(where + ": expected " + std::to_string(kColumns) +
                                     " columns, got " + std::to_string(row.size()));
    }
    const std::string& type = row[kType];
    if (type == "meta") {
      if (meta) return Status::InvalidArgument(where + ": a second meta row");
      meta = true;
      tenant = row[kTenant];
      if (FindJsonField(row[kEvent], "public_key", &v) && options.public_key_hex.empty()) {
        options.public_key_hex = v;
      }
      continue;
    }
    if (!meta) return Status::InvalidArgument(where + ": the meta row must come first");
    if (type == "checkpoint") {
      Checkpoint c;
      c.tenant = row[kTenant];
      c.seq = std::strtoull(row[kSeq].c_str(), nullptr, 10);
      c.ts_ns = std::strtoll(row[kTs].c_str(), nullptr, 10);
      c.sig_hex = row[kSig];
      if (c.seq == 0 || !ParseHashHex(row[kHash], &c.hash)) {
        return Status::InvalidArgument(where + ": bad checkpoint");
      }
      cps.push_back(std::move(c));
      continue;
    }
    if (type != "record" && type != "batch" && type != "event") {
      return Status::InvalidArgument(where + ": unknown row type \"" + type + "\"");
    }
    if (row[kSeq].empty() || row[kTs].empty()) return Status::InvalidArgument(where + ": bad row");
    const uint64_t seq = std::strtoull(row[kSeq].c_str(), nullptr, 10);
    const int64_t ts_ns = std::strtoll(row[kTs].c_str(), nullptr, 10);
    // The copies in the columns must agree with the event (v1: hashed; v2 event rows:
    // checked against their hashed batch record by BatchLines).
    if (type != "batch") {
      std::string bad;
      if (row[kTime] != FormatRfc3339(ts_ns)) bad = "time";
      for (size_t i = 0; i < kCopied.size() && bad.empty(); ++i) {
        if (!FindJsonField(row[kEvent], kCopied[i], &v)) v.clear();
        if (row[kAction + i] != v) bad = std::string(kCopied[i]);
      }
      if (!bad.empty()) {
        copies.push_back({TamperKind::kEdited, seq, line_no,
                          where + ": column " + bad + " of record " + std::to_string(seq) +
                              " disagrees with the hashed event",
                          0, 0});
      }
    }
    if (type == "event") {
      batch_lines.Event(batch_seq, seq - batch_seq, row[kEvent], line_no, &copies);
      continue;
    }
    LedgerRecord rec;
    if (!ParseHashHex(row[kPrev], &rec.prev) || !ParseHashHex(row[kHash], &rec.hash)) {
      return Status::InvalidArgument(where + ": bad record");
    }
    rec.seq = seq;
    rec.ts_ns = ts_ns;
    std::string bytes;
    if (type == "batch") {
      std::string hex, count;
      if (!FindJsonField(row[kEvent], "batch", &hex) ||
          !FindJsonField(row[kEvent], "count", &count) ||
          !hex::Decode(hex, hex::Case::kEither, &bytes)) {
        return Status::InvalidArgument(where + ": bad batch record");
      }
      uint64_t n = std::strtoull(count.c_str(), nullptr, 10);
      if (n == 0 || n > kMaxBatchRecordEvents) {
        return Status::InvalidArgument(where + ": bad count");
      }
      rec.version = 2;
      rec.count = static_cast<uint32_t>(n);
      rec.payload = bytes;
      batch_seq = seq;
    } else {
      rec.payload = row[kEvent];
    }
    AppendEncodedRecord(rec, &ledger);
    batch_lines.Start(rec, line_no, &copies);
  }
  batch_lines.Finish(&copies);
  if (!meta) return Status::InvalidArgument("no meta row: not a complete vigia audit export");
  LedgerReader reader(std::move(ledger));
  VIGIA_ASSIGN_OR_RETURN(TenantReport report, VerifyChain(tenant, &reader, cps, options));
  for (ChainBreak& b : copies) report.breaks.push_back(std::move(b));
  return report;
}

}  // namespace vigia::audit
