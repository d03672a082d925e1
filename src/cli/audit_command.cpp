// `vigia audit …`: the tamper-evident audit trail from outside the server.
//
//   vigia audit verify [--data DIR | --server URL | --export FILE] [--tenant T]
//                      [--public-key HEX|FILE] [--from T] [--to T]
//       Recomputes each tenant's hash chain and checks its signed checkpoints; prints, for
//       each break, the first bad record and the kind of tampering (edited, deleted,
//       inserted, reordered, truncated, forged, malformed). --data reads <DIR>/audit
//       directly (safe beside a running server); --server fetches the tenant's export
//       (GET /v1/audit/export) and verifies it here, trusting nothing the server computes;
//       --export verifies a saved export alone. Exit code (for cron): 0 intact, 1 tampering
//       found, 2 the ledger could not be read.
//   vigia audit public-key [--data DIR | --server URL]
//   vigia audit log [--data DIR | --server URL] [--tenant T] [--actor A] [--entity E]
//                   [--entity-id ID] [--action A] [--since T] [--until T] [--limit N]
//       The trail in chain order (NDJSON: seq, hash, prev, event).
//   vigia audit export [--data DIR | --server URL] [--tenant T] [--format ndjson|csv]
//       The chain with its proof (NDJSON or CSV), for an auditor to verify alone
//       (`vigia audit verify --export FILE` reads either).
//   vigia audit actions [--data DIR | --server URL] [--tenant T] [--catalogue FILE]
//                       [--since T] [--until T] [--json]
//       The action catalogue with each action's count in the chain, then the uncatalogued
//       actions seen. --server asks the server (its configured catalogue); --data counts the
//       ledger here against --catalogue FILE (default: the shipped catalogue).
#include <cstdio>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>

#include "audit/action_catalogue.h"
#include "audit/audit_log.h"
#include "audit/checkpoint.h"
#include "audit/export_csv.h"
#include "audit/json_field.h"
#include "audit/ledger_verifier.h"
#include "cli/commands.h"
#include "cli/server_backend.h"
#include "common/env.h"
#include "common/hex.h"
#include "common/time_format.h"

namespace vigia::cli {
namespace {

struct AuditArgs {
  std::string data_dir;
  std::string server;
  std::string export_file;
  std::string api_key;
  std::string tenant;
  std::string public_key;
  std::string from, to;
  audit::AuditFilter filter;
  std::string since, until;
  uint64_t limit = std::numeric_limits<uint64_t>::max();
  bool all_tenants = true;
  std::string format;
  std::string catalogue_file;
  bool json = false;
};

void AddSource(CLI::App* cmd, AuditArgs* a) {
  cmd->add_option("--data", a->data_dir, "Data directory (reads <DIR>/audit)");
  cmd->add_option("--server", a->server, "A running server, e.g. http://127.0.0.1:8080");
  cmd->add_option("--api-key", a->api_key, "API key for --server (default $VIGIA_API_KEY)");
}

std::string ApiKey(const AuditArgs& a) {
  if (!a.api_key.empty()) return a.api_key;
  const char* k = std::getenv("VIGIA_API_KEY");
  return k ? k : "";
}

std::string AuditDir(const AuditArgs& a) {
  return (a.data_dir.empty() ? std::string("./data") : a.data_dir) + "/audit";
}

bool ParseTime(const std::string& text, int64_t* out) {
  if (text.empty()) return true;
  if (std::optional<int64_t> t = ParseRfc3339(text)) {
    *out = *t;
    return true;
  }
  return false;
}

// --public-key: the hex itself or a file holding it.
Result<std::string> PublicKey(const std::string& arg) {
  if (arg.empty()) return std::string();
  std::string hex = arg;
  if (arg.size() != 64 && Env::Default()->FileExists(arg)) {
    VIGIA_ASSIGN_OR_RETURN(hex, Env::Default()->ReadFileToString(arg));
  }
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' ')) hex.pop_back();
  std::string bytes;
  if (!hex::Decode(hex, hex::Case::kEither, &bytes) || bytes.size() != 32) {
    return Status::InvalidArgument("--public-key: expected 64 hex digits or a file holding them");
  }
  return hex;
}

void PrintReport(const audit::TenantReport& r) {
  std::string name = r.tenant.empty() ? "(default)" : r.tenant;
  // "records": audit events (chain positions); the ledger records holding them (v2 batch
  // records hold several) in brackets.
  std::printf(
      "tenant %s: %llu records, %llu checkpoints (sealed up to %llu%s): %s [%llu ledger "
      "records]\n",
      name.c_str(), static_cast<unsigned long long>(r.events),
      static_cast<unsigned long long>(r.checkpoints), static_cast<unsigned long long>(r.sealed_seq),
      r.signatures_checked ? "" : ", signatures NOT checked", r.ok() ? "OK" : "TAMPERED",
      static_cast<unsigned long long>(r.records));
  if (r.pruned_seq > 0) {
    std::printf(
        "  records 1..%llu were dropped by audit retention; the chain is verified from "
        "the signed checkpoint at %llu\n",
        static_cast<unsigned long long>(r.pruned_seq),
        static_cast<unsigned long long>(r.pruned_seq));
  }
  if (r.incomplete_tail_bytes > 0) {
    std::printf(
        "  incomplete tail: the last %llu bytes (from offset %llu) are a record cut short after "
        "record %llu — an append stopped by a crash or kill -9 (no checkpoint vouches for "
        "it; not tampering): the server cuts it when it opens the ledger and chains those "
        "events again from its WAL\n",
        static_cast<unsigned long long>(r.incomplete_tail_bytes),
        static_cast<unsigned long long>(r.incomplete_tail_offset),
        static_cast<unsigned long long>(r.last_seq));
  }
  for (const audit::ChainBreak& b : r.breaks) {
    std::printf("  %s at record %llu (offset %llu): %s\n",
                std::string(audit::TamperKindName(b.kind)).c_str(),
                static_cast<unsigned long long>(b.seq), static_cast<unsigned long long>(b.offset),
                b.detail.c_str());
    if (b.record_count > 1) {
      std::printf("    in batch record %llu..%llu (%u events; its hash covers them all)\n",
                  static_cast<unsigned long long>(b.record_seq),
                  static_cast<unsigned long long>(b.record_seq + b.record_count - 1),
                  b.record_count);
    }
  }
}

int RunVerify(const AuditArgs& a) {
  audit::VerifyOptions o;
  Result<std::string> pk = PublicKey(a.public_key);
  if (!pk.ok()) {
    std::fprintf(stderr, "vigia audit verify: %s\n", pk.status().message().c_str());
    return 2;
  }
  o.public_key_hex = *pk;
  if (!ParseTime(a.from, &o.from_ns) || !ParseTime(a.to, &o.to_ns)) {
    std::fprintf(stderr, "vigia audit verify: --from/--to: expected RFC 3339 times\n");
    return 2;
  }
  std::vector<audit::TenantReport> reports;
  if (!a.export_file.empty() || !a.server.empty()) {
    std::string text;
    if (!a.export_file.empty()) {
      Result<std::string> t = Env::Default()->ReadFileToString(a.export_file);
      if (!t.ok()) {
        std::fprintf(stderr, "vigia audit verify: %s\n", t.status().ToString().c_str());
        return 2;
      }
      text = std::move(*t);
    } else {
      Result<std::string> t =
          HttpGet(a.server, ApiKey(a), "/v1/audit/export?tenant=" + UrlEncode(a.tenant));
      if (!t.ok()) {
        std::fprintf(stderr, "vigia audit verify: %s\n", t.status().ToString().c_str());
        return 2;
      }
      text = std::move(*t);
    }
    Result<audit::TenantReport> r = audit::VerifyAuditExport(text, o);
    if (!r.ok()) {
      std::fprintf(stderr, "vigia audit verify: %s\n", r.status().ToString().c_str());
      return 2;
    }
    reports.push_back(std::move(*r));
  } else {
    std::string dir = AuditDir(a);
    if (!Env::Default()->FileExists(dir)) {
      std::fprintf(stderr, "vigia audit verify: no audit ledger in %s\n", dir.c_str());
      return 2;
    }
    if (o.public_key_hex.empty()) {
      std::fprintf(
          stderr,
          "vigia audit verify: no --public-key: checking checkpoints against %s/signing.pub "
          "(an outside checker should pass the key it was given)\n",
          dir.c_str());
    }
    int64_t t0 = Env::Default()->MonotonicNanos();
    Result<std::vector<audit::TenantReport>> r = audit::VerifyLedgerDir(Env::Default(), dir, o);
    if (!r.ok()) {
      std::fprintf(stderr, "vigia audit verify: %s\n", r.status().ToString().c_str());
      return 2;
    }
    double sec = (Env::Default()->MonotonicNanos() - t0) / 1e9;
    uint64_t total = 0;
    for (auto& rep : *r) {
      if (!a.all_tenants && rep.tenant != a.tenant) continue;
      total += rep.records;
      reports.push_back(std::move(rep));
    }
    std::fprintf(stderr, "verified %llu records in %.3f s (%.0f records/s)\n",
                 static_cast<unsigned long long>(total), sec, sec > 0 ? total / sec : 0.0);
  }
  bool ok = true;
  for (const audit::TenantReport& r : reports) {
    PrintReport(r);
    ok = ok && r.ok();
  }
  return ok ? 0 : 1;
}

int RunLog(AuditArgs a) {
  if (!ParseTime(a.since, &a.filter.since_ns) || !ParseTime(a.until, &a.filter.until_ns)) {
    std::fprintf(stderr, "vigia audit log: --since/--until: expected RFC 3339 times\n");
    return 2;
  }
  a.filter.limit = a.limit;
  if (!a.server.empty()) {
    std::string q =
        "/v1/audit?tenant=" + UrlEncode(a.tenant) + "&actor=" + UrlEncode(a.filter.actor) +
        "&entity=" + UrlEncode(a.filter.entity) + "&entity_id=" + UrlEncode(a.filter.entity_id) +
        "&action=" + UrlEncode(a.filter.action) + "&since=" + UrlEncode(a.since) +
        "&until=" + UrlEncode(a.until);
    if (a.limit != std::numeric_limits<uint64_t>::max()) q += "&limit=" + std::to_string(a.limit);
    Result<std::string> body = HttpGet(a.server, ApiKey(a), q);
    if (!body.ok()) {
      std::fprintf(stderr, "vigia audit log: %s\n", body.status().ToString().c_str());
      return 2;
    }
    std::fputs(body->c_str(), stdout);
    return 0;
  }
  Status st = audit::ScanAuditLog(
      Env::Default(), AuditDir(a), a.tenant, a.filter, [](const audit::LedgerEvent& rec) {
        std::string line = "{\"seq\":" + std::to_string(rec.seq) +
                           ",\"record\":" + std::to_string(rec.record_seq) +
                           ",\"index\":" + std::to_string(rec.index) + ",\"hash\":\"" +
                           audit::HashHex(rec.hash) + "\",\"prev\":\"" + audit::HashHex(rec.prev) +
                           "\",\"event\":";
        line.append(rec.payload);
        line += "}\n";
        std::fputs(line.c_str(), stdout);
        return true;
      });
  if (!st.ok()) {
    std::fprintf(stderr, "vigia audit log: %s\n", st.ToString().c_str());
    return 2;
  }
  return 0;
}

int RunExport(const AuditArgs& a) {
  bool csv = a.format == "csv";
  if (!a.format.empty() && !csv && a.format != "ndjson") {
    std::fprintf(stderr, "vigia audit export: --format: expected ndjson or csv\n");
    return 2;
  }
  if (!a.server.empty()) {
    Result<std::string> body =
        HttpGet(a.server, ApiKey(a),
                "/v1/audit/export?tenant=" + UrlEncode(a.tenant) + (csv ? "&format=csv" : ""));
    if (!body.ok()) {
      std::fprintf(stderr, "vigia audit export: %s\n", body.status().ToString().c_str());
      return 2;
    }
    std::fwrite(body->data(), 1, body->size(), stdout);
    return 0;
  }
  auto out = [](std::string_view c) { std::fwrite(c.data(), 1, c.size(), stdout); };
  Status st = csv ? audit::WriteAuditExportCsv(Env::Default(), AuditDir(a), a.tenant, out)
                  : audit::WriteAuditExport(Env::Default(), AuditDir(a), a.tenant, out);
  if (!st.ok()) {
    std::fprintf(stderr, "vigia audit export: %s\n", st.ToString().c_str());
    return 2;
  }
  return 0;
}

// One table row per action: count, catalogued, sensitive, description.
void PrintActionsTable(const std::string& json) {
  // The server's and the local answer share the JSON shape of /v1/audit/actions; printed
  // from it, so both sources print alike.
  std::printf("%-28s %10s  %-11s %-9s %s\n", "ACTION", "COUNT", "CATALOGUED", "SENSITIVE",
              "DESCRIPTION");
  size_t pos = json.find("\"actions\":[");
  if (pos == std::string::npos) return;
  size_t end = json.find("],\"records\"", pos);
  while (pos < end) {
    size_t open = json.find("{\"action\":", pos);
    if (open == std::string::npos || open >= end) break;
    size_t close = json.find('}', open);
    std::string obj = json.substr(open, close - open + 1);
    std::string action, count, catalogued, sensitive, description;
    audit::FindJsonField(obj, "action", &action);
    audit::FindJsonField(obj, "count", &count);
    catalogued = obj.find("\"catalogued\":true") != std::string::npos ? "yes" : "NO";
    sensitive = obj.find("\"sensitive\":true") != std::string::npos ? "yes" : "";
    audit::FindJsonField(obj, "description", &description);
    std::printf("%-28s %10s  %-11s %-9s %s\n", action.empty() ? "(none)" : action.c_str(),
                count.c_str(), catalogued.c_str(), sensitive.c_str(), description.c_str());
    pos = close + 1;
  }
  std::string records, uncatalogued;
  audit::FindJsonField(json, "records", &records);
  audit::FindJsonField(json, "uncatalogued", &uncatalogued);
  std::printf("%s records, %s of uncatalogued actions\n", records.c_str(), uncatalogued.c_str());
}

int RunActions(const AuditArgs& a) {
  std::string json;
  if (!a.server.empty()) {
    Result<std::string> body =
        HttpGet(a.server, ApiKey(a),
                "/v1/audit/actions?tenant=" + UrlEncode(a.tenant) + "&since=" + UrlEncode(a.since) +
                    "&until=" + UrlEncode(a.until));
    if (!body.ok()) {
      std::fprintf(stderr, "vigia audit actions: %s\n", body.status().ToString().c_str());
      return 2;
    }
    json = std::move(*body);
  } else {
    audit::ActionCatalogue catalogue = audit::ActionCatalogue::Default();
    if (!a.catalogue_file.empty()) {
      Result<std::string> text = Env::Default()->ReadFileToString(a.catalogue_file);
      Result<audit::ActionCatalogue> c =
          text.ok() ? audit::ActionCatalogue::Parse(*text, a.catalogue_file)
                    : Result<audit::ActionCatalogue>(text.status());
      if (!c.ok()) {
        std::fprintf(stderr, "vigia audit actions: %s\n", c.status().ToString().c_str());
        return 2;
      }
      catalogue = std::move(*c);
    }
    audit::AuditFilter f;
    if (!ParseTime(a.since, &f.since_ns) || !ParseTime(a.until, &f.until_ns)) {
      std::fprintf(stderr, "vigia audit actions: --since/--until: expected RFC 3339 times\n");
      return 2;
    }
    Result<std::map<std::string, uint64_t>> counts =
        audit::CountActions(Env::Default(), AuditDir(a), a.tenant, f);
    if (!counts.ok()) {
      std::fprintf(stderr, "vigia audit actions: %s\n", counts.status().ToString().c_str());
      return 2;
    }
    json = audit::ActionCountsJson(catalogue, *counts, a.tenant);
  }
  if (a.json) {
    std::printf("%s\n", json.c_str());
  } else {
    PrintActionsTable(json);
  }
  return 0;
}

int RunPublicKey(const AuditArgs& a) {
  if (!a.server.empty()) {
    Result<std::string> body = HttpGet(a.server, ApiKey(a), "/v1/audit/public-key");
    if (!body.ok()) {
      std::fprintf(stderr, "vigia audit public-key: %s\n", body.status().ToString().c_str());
      return 2;
    }
    size_t at = body->find("\"public_key\":\"");
    if (at == std::string::npos) return 2;
    std::printf("%s\n", body->substr(at + 14, 64).c_str());
    return 0;
  }
  Result<std::string> pk = audit::SigningKey::ReadPublicKey(Env::Default(), AuditDir(a));
  if (!pk.ok()) {
    std::fprintf(stderr, "vigia audit public-key: %s\n", pk.status().ToString().c_str());
    return 2;
  }
  std::printf("%s\n", pk->c_str());
  return 0;
}

}  // namespace

void RegisterAuditCommand(CLI::App& app, int* exit_code) {
  CLI::App* audit = app.add_subcommand("audit", "The tamper-evident audit trail");
  audit->require_subcommand(1);

  auto va = std::make_shared<AuditArgs>();
  CLI::App* verify = audit->add_subcommand("verify", "Recompute the hash chains and checkpoints");
  AddSource(verify, va.get());
  verify->add_option("--export", va->export_file, "Verify a saved export (audit export)");
  CLI::Option* vt = verify->add_option("--tenant", va->tenant, "Only this tenant");
  verify->add_option("--public-key", va->public_key, "The signing key's public half (hex or file)");
  verify->add_option("--from", va->from, "Report only breaks of records from this time (RFC 3339)");
  verify->add_option("--to", va->to, "... up to this time (RFC 3339)");
  verify->callback([exit_code, va, vt] {
    va->all_tenants = vt->count() == 0;
    *exit_code = RunVerify(*va);
  });

  auto la = std::make_shared<AuditArgs>();
  CLI::App* log = audit->add_subcommand("log", "The trail in chain order");
  AddSource(log, la.get());
  log->add_option("--tenant", la->tenant, "Tenant (default: the default tenant)");
  log->add_option("--actor", la->filter.actor, "Only this actor");
  log->add_option("--entity", la->filter.entity, "Only this entity");
  log->add_option("--entity-id", la->filter.entity_id, "Only this entity id");
  log->add_option("--action", la->filter.action, "Only this action");
  log->add_option("--since", la->since, "From this time (RFC 3339)");
  log->add_option("--until", la->until, "Up to this time (RFC 3339)");
  log->add_option("--limit", la->limit, "At most this many records");
  log->callback([exit_code, la] { *exit_code = RunLog(*la); });

  auto ea = std::make_shared<AuditArgs>();
  CLI::App* exp = audit->add_subcommand("export", "The chain with its proof (NDJSON or CSV)");
  AddSource(exp, ea.get());
  exp->add_option("--tenant", ea->tenant, "Tenant (default: the default tenant)");
  exp->add_option("--format", ea->format, "ndjson (default) or csv");
  exp->callback([exit_code, ea] { *exit_code = RunExport(*ea); });

  auto aa = std::make_shared<AuditArgs>();
  CLI::App* act = audit->add_subcommand("actions", "The action catalogue with counts");
  AddSource(act, aa.get());
  act->add_option("--tenant", aa->tenant, "Tenant (default: the default tenant)");
  act->add_option("--catalogue", aa->catalogue_file,
                  "With --data: the catalogue file (default: the shipped one)");
  act->add_option("--since", aa->since, "Count from this time (RFC 3339)");
  act->add_option("--until", aa->until, "... up to this time (RFC 3339)");
  act->add_flag("--json", aa->json, "Print the JSON of GET /v1/audit/actions");
  act->callback([exit_code, aa] { *exit_code = RunActions(*aa); });

  auto pa = std::make_shared<AuditArgs>();
  CLI::App* pub = audit->add_subcommand("public-key", "Print the checkpoint signing public key");
  AddSource(pub, pa.get());
  pub->callback([exit_code, pa] { *exit_code = RunPublicKey(*pa); });
}

}  // namespace vigia::cli
