// audit_bench: the numbers of the audit ledger (docs/storage-format.md, "Audit ledger").
//
//   1. chain: 1M audit events (batches of 1000) appended to a ledger — records/s;
//   2. verify: `vigia audit verify`'s work (VerifyLedgerDir) over that ledger — records/s
//      (target ≥ 1M/s);
//   3. ingest cost: the real IngestPipeline (NDJSON decode, derivers, WAL append into a real
//      Store) on an audit-heavy mix (half audit events, half request logs), one client
//      thread: without the chain; with the chainer (audit_chainer.h: the server's way, off
//      the acknowledgement path) — the time until the last answer, and until the chainer
//      has chained everything; and with the older commit hook (chained on the ingest thread
//      before each answer). Best of --rounds each, alternated (target ≤ 5 %). --clients C
//      sends the batches from C threads at once (C = 4 on 2 cores: both cores busy with
//      ingest, so the chainer's work competes with it for CPU instead of overlapping it).
//
// --only off|chainer|hook runs the ingest part with that configuration alone (every round;
// no comparison printed): for a profiler (`perf record`) to see one configuration's work.
//
// Usage: audit_bench [--events N] [--mix-events N] [--rounds R] [--clients C] [--dir D]
//                    [--only off|chainer|hook]
#include <openssl/evp.h>
#include <sodium.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_bytes.h"
#include "audit/audit_chainer.h"
#include "audit/audit_ledger.h"
#include "audit/ledger_verifier.h"
#include "event/event_fields.h"
#include "event/event_json.h"
#include "ingest/ingest_pipeline.h"
#include "ingest/ingest_protocols.h"
#include "store/store.h"
#include "store/wal/batch_codec.h"

namespace fs = std::filesystem;
using namespace vigia;

namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

class LedgerHook final : public CommitHook {
 public:
  explicit LedgerHook(audit::AuditLedger* l) : l_(l) {}
  Status Committed(std::string_view tenant, const EventBatch& batch) override {
    return l_->AppendAuditEvents(tenant, batch);
  }

 private:
  audit::AuditLedger* l_;
};

std::string AuditLine(int64_t ts_s, int i) {
  return R"({"ts":)" + std::to_string(ts_s) +
         R"(,"kind":"audit","service":"sales-api","action":"sale.refunded","actor":"u-1842",)"
         R"("entity":"sale","entity_id":"s-)" +
         std::to_string(i) +
         R"(","outcome":"success","sensitive":true,"ip":"203.0.113.7","details":{"amount":129.9,"reason":"damaged"}})" +
         "\n";
}

std::string RequestLine(int64_t ts_s, int i) {
  return R"({"ts":)" + std::to_string(ts_s) +
         R"(,"level":"info","service":"sales-api","env":"prod","host":"api-7f9c","request_id":"req-)" +
         std::to_string(i) +
         R"(","user_id":"u-1842","msg":"request completed","method":"POST","route":"/sales/{id}/pay",)"
         R"("path":"/sales/99812/pay","status":200,"duration_ms":37.5,"ip":"203.0.113.7"})" +
         "\n";
}

enum class Chain { kOff, kChainer, kHook };

struct RunTimes {
  double ack = 0;          // until the last batch was answered
  double chained = 0;      // until everything is chained too (= ack without a chainer)
  double cpu = 0;          // the process's CPU seconds (user + sys) until then: all its threads
  double chainer_cpu = 0;  // of those, the chainer thread's (not its Written hook's)
};

// The process's CPU seconds so far (every thread: clients, chainer, the store's).
double CpuSeconds() {
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

// The CPU time (ns, /proc schedstat) of this process's threads named `name`: the audit
// chainer's thread is "vigia-audit" (0 when it does not name itself: older builds).
double ThreadCpuSeconds(const std::string& name) {
  double total = 0;
  for (const auto& t : fs::directory_iterator("/proc/self/task")) {
    std::FILE* f = std::fopen((t.path() / "comm").c_str(), "r");
    if (f == nullptr) continue;
    char comm[64] = {};
    if (std::fgets(comm, sizeof comm, f) == nullptr) comm[0] = 0;
    std::fclose(f);
    if (std::string(comm) != name + "\n") continue;
    f = std::fopen((t.path() / "schedstat").c_str(), "r");
    if (f == nullptr) continue;
    unsigned long long ns = 0;
    if (std::fscanf(f, "%llu", &ns) == 1) total += ns / 1e9;
    std::fclose(f);
  }
  return total;
}

// Ingests `bodies` through a fresh pipeline and store in `dir`, from `clients` threads.
// --sync-interval-ms: the chainer's position interval (the server's audit.sync_interval_ms).
int g_sync_interval_ms = limits::kAuditChainSyncIntervalMs;

RunTimes IngestRun(const std::string& dir, const std::vector<std::string>& bodies, Chain chain,
                   int clients) {
  fs::remove_all(dir);
  StoreOptions so;
  so.data_dir = dir;
  so.retention.days = 0;
  so.hold_wal_for_observer = chain == Chain::kChainer;
  auto store = Store::Open(so);
  if (!store.ok()) {
    std::fprintf(stderr, "store: %s\n", store.status().ToString().c_str());
    std::exit(2);
  }
  std::unique_ptr<audit::AuditLedger> ledger;
  std::unique_ptr<audit::AuditChainer> chainer;
  std::unique_ptr<LedgerHook> hook;
  IngestPipelineOptions po;
  po.store = store->get();
  if (chain != Chain::kOff) {
    audit::AuditLedgerOptions lo;
    lo.dir = dir + "/audit";
    ledger = std::move(*audit::AuditLedger::Open(lo));
  }
  if (chain == Chain::kChainer) {
    audit::AuditChainerOptions co;
    co.store = store->get();
    co.ledger = ledger.get();
    co.sync_interval_ms = g_sync_interval_ms;
    auto c = audit::AuditChainer::Start(co);
    if (!c.ok()) {
      std::fprintf(stderr, "chainer: %s\n", c.status().ToString().c_str());
      std::exit(2);
    }
    chainer = std::move(*c);
  }
  if (chain == Chain::kHook) {
    hook = std::make_unique<LedgerHook>(ledger.get());
    po.commit_hooks.push_back(hook.get());
  }
  IngestPipeline pipeline(po);
  const IngestProtocol& ndjson = *FindIngestProtocol("ndjson");
  std::atomic<size_t> next{0};
  auto client = [&] {
    for (size_t i = next++; i < bodies.size(); i = next++) {
      IngestRequest req;
      req.body = bodies[i];
      req.tenant = TenantBinding::FromEvents();
      req.receive_ts_ns = 1'796'000'000'000'000'000;
      Result<DecodeResult> r = pipeline.Ingest(ndjson, req);
      if (!r.ok() || r->rejected != 0) {
        std::fprintf(stderr, "ingest failed: %s\n",
                     r.ok() ? "rejected events" : r.status().ToString().c_str());
        std::exit(2);
      }
    }
  };
  double t0 = Now();
  double c0 = CpuSeconds();
  if (clients <= 1) {
    client();
  } else {
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) threads.emplace_back(client);
    for (std::thread& th : threads) th.join();
  }
  RunTimes t;
  t.ack = Now() - t0;
  if (chainer && !chainer->WaitChained(600'000)) {
    std::fprintf(stderr, "chainer did not catch up\n");
    std::exit(2);
  }
  t.chained = Now() - t0;
  t.cpu = CpuSeconds() - c0;
  if (chainer) t.chainer_cpu = ThreadCpuSeconds("vigia-audit");
  if (chainer) (void)chainer->Stop();
  if (ledger && ledger->records_appended() != bodies.size() * 500) {
    std::fprintf(stderr, "chained %llu records, expected %zu\n",
                 static_cast<unsigned long long>(ledger->records_appended()), bodies.size() * 500);
    std::exit(2);
  }
  if (ledger) (void)ledger->Sync();
  (void)(*store)->Close();
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  int events = 1'000'000, mix_events = 400'000, rounds = 3, clients = 1;
  std::string dir = (fs::temp_directory_path() / "vigia-audit-bench").string();
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--events") events = std::atoi(argv[i + 1]);
    if (a == "--mix-events") mix_events = std::atoi(argv[i + 1]);
    if (a == "--rounds") rounds = std::atoi(argv[i + 1]);
    if (a == "--clients") clients = std::atoi(argv[i + 1]);
    if (a == "--dir") dir = argv[i + 1];
    if (a == "--only") only = argv[i + 1];
    if (a == "--sync-interval-ms") g_sync_interval_ms = std::atoi(argv[i + 1]);
  }
  if (!only.empty() && only != "off" && only != "chainer" && only != "hook") {
    std::fprintf(stderr, "--only: off, chainer or hook\n");
    return 2;
  }
  fs::remove_all(dir);
  fs::create_directories(dir);

  // 1. Chain 1M audit events.
  {
    audit::AuditLedgerOptions lo;
    lo.dir = dir + "/ledger/audit";
    auto ledger = std::move(*audit::AuditLedger::Open(lo));
    std::vector<EventBatch> batches;
    for (int b = 0; b < events / 1000; ++b) {
      EventBatch batch;
      for (int e = 0; e < 1000; ++e) {
        batch.BeginEvent(1'796'000'000'000'000'000 + b * 1000 + e);
        batch.AddField(fields::kKind, Value::String("audit"));
        batch.AddField(fields::kLevel, Value::String("info"));
        batch.AddField(fields::kService, Value::String("sales-api"));
        batch.AddField(fields::kAction, Value::String("sale.refunded"));
        batch.AddField(fields::kActor, Value::String("u-1842"));
        batch.AddField(fields::kEntity, Value::String("sale"));
        batch.AddField(fields::kEntityId,
                       Value::String(batch.arena().Copy("s-" + std::to_string(b * 1000 + e))));
        batch.AddField(fields::kOutcome, Value::String("success"));
        batch.AddField("details.amount", Value::Float(129.9));
        batch.AddField("details.reason", Value::String("damaged"));
      }
      batches.push_back(std::move(batch));
    }
    // Where a chained record's time goes: its canonical JSON, its BLAKE2b, the rest (record
    // framing, the write).
    {
      std::string payload;
      uint64_t bytes = 0;
      audit::Hash h{};
      double e0 = Now();
      for (const EventBatch& b : batches) {
        for (const auto& e : b.events()) {
          payload.clear();
          AppendEventJson(b, e, &payload);
          bytes += payload.size();
        }
      }
      double encode = Now() - e0;
      payload.clear();
      AppendEventJson(batches[0], batches[0].events()[0], &payload);
      double h0 = Now();
      for (int i = 0; i < events; ++i) h = audit::RecordHash(h, i + 1, i, payload);
      double hash = Now() - h0;
      std::printf("parts:  canonical JSON %.0f ns/event (%.0f bytes), BLAKE2b %.0f ns/event\n",
                  1e9 * encode / events, double(bytes) / events, 1e9 * hash / events);
      // What a ledger of one hash per batch over the binary encoding the ingest path already
      // produces (the WAL's batch codec) would cost per event (docs/storage-format.md, "Audit
      // ledger", Numbers): the encoding (paid by the WAL already, unless the ledger needs
      // its own audit-only copy), and one BLAKE2b or one SHA-256 (OpenSSL: SHA-NI where the
      // CPU has it) per 1,000-event batch, against one BLAKE2b per event of the JSON above.
      std::vector<std::string> encoded(batches.size());
      double c0 = Now();
      for (size_t i = 0; i < batches.size(); ++i) batch_codec::Encode(batches[i], &encoded[i]);
      double codec = Now() - c0;
      uint64_t codec_bytes = 0;
      for (const std::string& e : encoded) codec_bytes += e.size();
      unsigned char digest[EVP_MAX_MD_SIZE];
      double b0 = Now();
      for (const std::string& e : encoded) {
        crypto_generichash(digest, 32, reinterpret_cast<const unsigned char*>(e.data()), e.size(),
                           nullptr, 0);
      }
      double blake_batch = Now() - b0;
      EVP_MD_CTX* ctx = EVP_MD_CTX_new();
      double s0 = Now();
      for (const std::string& e : encoded) {
        unsigned int len = 0;
        EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
        EVP_DigestUpdate(ctx, e.data(), e.size());
        EVP_DigestFinal_ex(ctx, digest, &len);
      }
      double sha_batch = Now() - s0;
      EVP_MD_CTX_free(ctx);
      std::printf(
          "parts:  batch codec %.0f ns/event (%.0f bytes); one hash per batch of it: BLAKE2b "
          "%.0f ns/event, SHA-256 %.0f ns/event\n",
          1e9 * codec / events, double(codec_bytes) / events, 1e9 * blake_batch / events,
          1e9 * sha_batch / events);
    }
    // The ledger append given the audit events' bytes taken from the WAL's (AuditBytes,
    // what the chainer passes), against encoding the events again (the catch-up after a
    // restart): on batches of audit events only (the WAL's bytes as they are) and on mixed
    // batches (each audit event's bytes cut out, a request log between every two: the cut,
    // done on the WAL's thread, timed on its own). Best of 3 each, alternated.
    {
      std::vector<EventBatch> mixed(batches.size());
      for (size_t b = 0; b < batches.size(); ++b) {
        for (const auto& e : batches[b].events()) {
          mixed[b].BeginEvent(e.ts_ns);
          for (const Field& f : batches[b].fields(e)) mixed[b].AddField(f.name, f.value);
          mixed[b].BeginEvent(e.ts_ns);
          mixed[b].AddField(fields::kKind, Value::String("request"));
          mixed[b].AddField(fields::kService, Value::String("sales-api"));
          mixed[b].AddField("route", Value::String("/sales/{id}/pay"));
          mixed[b].AddField("status", Value::Int(200));
          mixed[b].AddField("duration_ms", Value::Float(37.5));
        }
      }
      for (const std::vector<EventBatch>* set : {&batches, &mixed}) {
        std::vector<audit::AuditBytes> given_bytes(set->size());
        double cut = 1e9;
        for (int r = 0; r < 3; ++r) {
          double c0 = 0, spent = 0;
          for (size_t b = 0; b < set->size(); ++b) {
            batch_codec::EncodedEvents wal = batch_codec::EncodeToScratchWithOffsets((*set)[b]);
            c0 = Now();
            if (!audit::AuditBytes::FromWal((*set)[b], wal, &given_bytes[b]).ok()) return 2;
            spent += Now() - c0;
          }
          cut = std::min(cut, spent);
        }
        double given = 1e9, encode = 1e9;
        for (int r = 0; r < 3; ++r) {
          for (bool with_bytes : {true, false}) {
            fs::remove_all(dir + "/given");
            audit::AuditLedgerOptions go;
            go.dir = dir + "/given/audit";
            auto gl = std::move(*audit::AuditLedger::Open(go));
            double g0 = Now();
            for (size_t b = 0; b < set->size(); ++b) {
              if (!gl->AppendAuditEvents(
                         "", (*set)[b], nullptr,
                         with_bytes ? given_bytes[b].view() : batch_codec::EncodedEvents{})
                       .ok()) {
                return 2;
              }
            }
            double t = Now() - g0;
            (with_bytes ? given : encode) = std::min(with_bytes ? given : encode, t);
          }
        }
        fs::remove_all(dir + "/given");
        std::printf(
            "chain:  %s: taking the audit events' bytes from the WAL's %.0f ns per audit "
            "event, then the append %.0f ns; encoding them again instead %.0f ns (best of 3)\n",
            set == &batches ? "batches of audit events only" : "mixed batches (half audit)",
            1e9 * cut / events, 1e9 * given / events, 1e9 * encode / events);
      }
    }
    double t0 = Now();
    for (const EventBatch& b : batches) {
      if (!ledger->AppendAuditEvents("", b).ok()) return 2;
    }
    (void)ledger->Sync();
    (void)ledger->Checkpoint(1);
    double append = Now() - t0;
    ledger.reset();
    uint64_t bytes = fs::file_size(lo.dir + "/t-/ledger.bin");
    std::printf("chain:  %d audit events appended in %.3f s = %.0f records/s (%.0f bytes/record)\n",
                events, append, events / append, double(bytes) / events);

    // 2. Verify it.
    double best = 1e9;
    uint64_t records = 0;
    for (int r = 0; r < rounds; ++r) {
      double v0 = Now();
      auto reports = audit::VerifyLedgerDir(Env::Default(), lo.dir, {});
      double v = Now() - v0;
      if (!reports.ok() || reports->empty() || !(*reports)[0].ok()) {
        std::fprintf(stderr, "verify failed\n");
        return 2;
      }
      records = (*reports)[0].events;  // positions: v2 batch records hold several
      best = std::min(best, v);
    }
    std::printf("verify: %llu records (audit events) in %.3f s = %.0f records/s (best of %d)\n",
                static_cast<unsigned long long>(records), best, records / best, rounds);
  }

  // 3. Ingest cost of the chain on an audit-heavy mix.
  std::vector<std::string> bodies;
  for (int b = 0; b < mix_events / 1000; ++b) {
    std::string body;
    for (int e = 0; e < 1000; ++e) {
      int i = b * 1000 + e;
      body += e % 2 ? RequestLine(1'796'000'000 + b, i) : AuditLine(1'796'000'000 + b, i);
    }
    bodies.push_back(std::move(body));
  }
  if (!only.empty()) {
    const Chain c = only == "off"       ? Chain::kOff
                    : only == "chainer" ? Chain::kChainer
                                        : Chain::kHook;
    for (int r = 0; r < rounds; ++r) {
      RunTimes t = IngestRun(dir + "/ingest", bodies, c, clients);
      std::printf("ingest: --only %s, round %d: until all chained %.3f s, CPU %.3f s\n",
                  only.c_str(), r + 1, t.chained, t.cpu);
    }
    fs::remove_all(dir);
    return 0;
  }
  double off = 1e9, ack = 1e9, chained = 1e9, hooked = 1e9, cpu_off = 1e9, cpu_chained = 1e9;
  std::vector<double> chainer_cpu;
  for (int r = 0; r < rounds; ++r) {
    RunTimes o = IngestRun(dir + "/ingest", bodies, Chain::kOff, clients);
    off = std::min(off, o.ack);
    cpu_off = std::min(cpu_off, o.cpu);
    RunTimes c = IngestRun(dir + "/ingest", bodies, Chain::kChainer, clients);
    ack = std::min(ack, c.ack);
    chained = std::min(chained, c.chained);
    cpu_chained = std::min(cpu_chained, c.cpu);
    chainer_cpu.push_back(c.chainer_cpu);
    hooked = std::min(hooked, IngestRun(dir + "/ingest", bodies, Chain::kHook, clients).ack);
  }
  auto cost = [&](double t) { return 100.0 * (t - off) / off; };
  std::printf(
      "ingest: %d events (50%% audit), %d client(s), best of %d: without chain %.3f s (%.0f "
      "ev/s)\n",
      mix_events, clients, rounds, off, mix_events / off);
  std::printf("ingest:   chainer, until the last answer  %.3f s: cost %+.1f %%\n", ack, cost(ack));
  std::printf("ingest:   chainer, until all chained      %.3f s: cost %+.1f %%\n", chained,
              cost(chained));
  std::printf("ingest:   commit hook (chain before answer) %.3f s: cost %+.1f %%\n", hooked,
              cost(hooked));
  // CPU time: what the chain adds to the work, whether or not a core was idle for it (under
  // saturation the wall time grows by as much); less moved by other processes than wall time.
  std::printf(
      "ingest:   CPU until all chained: without chain %.3f s, chainer %.3f s: cost %+.1f %% "
      "(%.0f ns per audit event)\n",
      cpu_off, cpu_chained, 100.0 * (cpu_chained - cpu_off) / cpu_off,
      1e9 * (cpu_chained - cpu_off) / (mix_events / 2));
  // The chainer thread's own CPU: the chain's work measured alone (reading, cutting or
  // encoding, hashing, writing, fsyncs), not a difference of two noisy totals; the WalObserver
  // hook on the ingest threads is not in it.
  std::sort(chainer_cpu.begin(), chainer_cpu.end());
  if (!chainer_cpu.empty() && chainer_cpu.back() > 0) {
    std::printf(
        "ingest:   chainer thread CPU: median %.3f s (%.0f ns per audit event), min %.3f, max "
        "%.3f\n",
        chainer_cpu[chainer_cpu.size() / 2],
        1e9 * chainer_cpu[chainer_cpu.size() / 2] / (mix_events / 2), chainer_cpu.front(),
        chainer_cpu.back());
  }
  fs::remove_all(dir);
  return 0;
}
