// `vigia erase --tenant T --field F --value V`: the right to erasure (LGPD art. 18;
// docs/security.md, "Right to erasure") — removes every event of tenant T whose field F equals V
// from the store (its parts, the WAL, the memtable; Store::Erase) and records the erasure as a
// kind=audit event (action data.erased; the value itself is not recorded).
//
//   --data DIR     offline, on a data directory (the server stopped): the store is opened,
//                  erased and closed here; the audit event goes to the store and to the audit
//                  ledger of <DIR>/audit like the server's own
//   --server URL   on a running server: POST /v1/admin/erase (an admin key: --api-key or
//                  $VIGIA_API_KEY); the server audits it
//
// Prints what was removed. Exit code 0; 1 on a refused argument; 2 when the store cannot be
// opened or erased, or while a server holds the directory's lock (store/data_dir_lock.h;
// use --server then) (nothing is half-done: each part is replaced atomically, so running the
// same erase again finishes the job).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "audit/audit_chainer.h"
#include "audit/audit_file_names.h"
#include "audit/audit_ledger.h"
#include "cli/commands.h"
#include "cli/server_backend.h"
#include "common/env.h"
#include "common/json_writer.h"
#include "ingest/ingest_pipeline.h"
#include "ingest/ingest_protocols.h"
#include "server/route_erase.h"
#include "store/data_dir_lock.h"
#include "store/store.h"

namespace vigia::cli {
namespace {

struct EraseArgs {
  std::string data_dir;
  std::string server;
  std::string api_key;
  std::string tenant;
  std::string field;
  std::string value;
};

Result<EraseResult> EraseOffline(const EraseArgs& a) {
  Env* env = Env::Default();
  if (!env->FileExists(a.data_dir)) {
    return Status::NotFound("no data directory " + a.data_dir);
  }
  // Held until the store and the ledger are closed: no server may open the directory meanwhile.
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<DataDirLock> lock,
                         DataDirLock::Acquire(env, a.data_dir, "vigia erase"));
  StoreOptions so;
  so.data_dir = a.data_dir;
  so.env = env;
  so.background_merges = false;     // one process, one job: the erase's own rewrites only
  so.hold_wal_for_observer = true;  // the WAL's audit events are chained before it goes
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(so));
  // Like the server's audit module: the chainer first chains what a crashed server left in
  // the WAL unchained, then the data.erased event below.
  audit::AuditLedgerOptions lo;
  lo.dir = JoinPath(a.data_dir, audit::kAuditDir);
  lo.env = env;
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<audit::AuditLedger> ledger, audit::AuditLedger::Open(lo));
  audit::AuditChainerOptions co;
  co.store = store.get();
  co.ledger = ledger.get();
  co.env = env;
  co.sync_each_group = true;
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<audit::AuditChainer> chainer,
                         audit::AuditChainer::Start(co));
  EraseRequest req{a.tenant, a.field, a.value};
  Result<EraseResult> r = store->Erase(req);
  if (r.ok()) {
    IngestPipelineOptions po;
    po.store = store.get();
    po.env = env;
    IngestPipeline pipeline(std::move(po));
    const char* user = std::getenv("USER");
    const std::string line =
        ErasureAuditLine(req, *r, std::string("cli:") + (user ? user : "unknown"));
    IngestRequest ir;
    ir.body = line;  // a view: `line` outlives the Ingest call
    ir.receive_ts_ns = env->NowNanos();
    ir.tenant = TenantBinding::FromEvents();
    Result<DecodeResult> st = pipeline.Ingest(*FindIngestProtocol("ndjson"), std::move(ir));
    if (!st.ok()) return st.status();
  }
  // Chains what is queued, fsyncs the ledger and writes the chained position.
  VIGIA_RETURN_IF_ERROR(chainer->Stop());
  Status c = store->Close();
  if (!r.ok()) return r.status();
  VIGIA_RETURN_IF_ERROR(c);
  return r;
}

Result<std::string> EraseOnline(const EraseArgs& a) {
  std::string key = a.api_key;
  if (key.empty()) {
    const char* k = std::getenv("VIGIA_API_KEY");
    key = k ? k : "";
  }
  std::string body;
  JsonWriter w(&body);
  w.BeginObject().KV("tenant", a.tenant).KV("field", a.field).KV("value", a.value).EndObject();
  return HttpRequest(a.server, key, "POST", "/v1/admin/erase", body);
}

}  // namespace

void RegisterEraseCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<EraseArgs>();
  CLI::App* cmd = app.add_subcommand(
      "erase", "Remove one person's events (right to erasure), audited as data.erased");
  cmd->add_option("--tenant", a->tenant, "Tenant whose events are erased (\"\" = default)")
      ->required();
  cmd->add_option("--field", a->field, "Field to match, e.g. user_id")->required();
  cmd->add_option("--value", a->value, "Value the field must equal")->required();
  cmd->add_option("--data", a->data_dir, "Data directory, offline (the server stopped)");
  cmd->add_option("--server", a->server, "A running server, e.g. http://127.0.0.1:7070");
  cmd->add_option("--api-key", a->api_key, "Admin API key for --server (default $VIGIA_API_KEY)");
  cmd->callback([a, exit_code] {
    if (a->data_dir.empty() == a->server.empty()) {
      std::fprintf(stderr, "vigia erase: give exactly one of --data DIR or --server URL\n");
      *exit_code = 1;
      return;
    }
    if (a->field.empty() || a->value.empty()) {
      std::fprintf(stderr, "vigia erase: --field and --value must not be empty\n");
      *exit_code = 1;
      return;
    }
    if (!a->server.empty()) {
      Result<std::string> r = EraseOnline(*a);
      if (!r.ok()) {
        std::fprintf(stderr, "vigia erase: %s\n", r.status().ToString().c_str());
        *exit_code = r.status().code() == StatusCode::kInvalidArgument ? 1 : 2;
        return;
      }
      std::printf("%s\n", r->c_str());
      *exit_code = 0;
      return;
    }
    Result<EraseResult> r = EraseOffline(*a);
    if (!r.ok()) {
      std::fprintf(stderr, "vigia erase: %s\n", r.status().ToString().c_str());
      *exit_code = 2;
      return;
    }
    std::printf(
        "{\"tenant\":\"%s\",\"field\":\"%s\",\"events\":%llu,\"parts_scanned\":%llu,"
        "\"parts_rewritten\":%llu,\"parts_removed\":%llu}\n",
        a->tenant.c_str(), a->field.c_str(), static_cast<unsigned long long>(r->events),
        static_cast<unsigned long long>(r->parts_scanned),
        static_cast<unsigned long long>(r->parts_rewritten),
        static_cast<unsigned long long>(r->parts_removed));
    *exit_code = 0;
  });
}

}  // namespace vigia::cli
