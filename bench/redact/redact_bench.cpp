// redact_bench: what server-side redaction and privacy masking cost the ingest path
// (docs/security.md, "Redaction at ingest"; issue 15's target: ingest with redaction on at
// most 10 % slower on the canonical mix).
//
//   redact_bench [--events N] [--rounds R] [--regexes PATH|off]
//
// The canonical mix is vigia-gen's dataset (bench/gen: request records, correlated application
// logs, audit events, error reports, worker logs), canonical spelling, in bodies of 1,000
// lines. Two measurements, CPU time of this process (the machine is shared: wall time would
// measure the neighbours), best of R rounds, configurations alternated:
//   1. the redactors alone on decoded batches: ns per event of SecretRedactor::Redact, and of
//      PrivacyMasker::Redact (ip truncate, ua family, query dropped);
//   2. the real ingest path — IngestPipeline: NDJSON decode, the server's derivers (perf
//      class, user agent, error fingerprint), the redactors, WAL append into a real Store
//      (fsync never, no flushes) — without redaction, with the secret redactor (the default),
//      and with the redactor plus the privacy masker: events/s and the cost in %.
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "errors/fingerprint_deriver.h"
#include "gen/dataset_generator.h"
#include "gen/record_writer.h"
#include "ingest/ingest_pipeline.h"
#include "ingest/ingest_protocols.h"
#include "ingest/normalize/ua_field_deriver.h"
#include "redact/privacy_masker.h"
#include "redact/secret_redactor.h"
#include "store/store.h"

namespace fs = std::filesystem;
using namespace vigia;

namespace {

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::vector<std::string> CanonicalBodies(uint64_t events) {
  bench::GenOptions go;
  go.events = events;
  go.start_ms = 1'796'000'000'000;  // 2026-12-01
  bench::DatasetGenerator gen(go);
  bench::RecordWriter writer(bench::Spelling::kCanonical);
  bench::Record r;
  std::vector<std::string> bodies;
  std::string body;
  int n = 0;
  while (gen.Next(&r)) {
    writer.Append(r, &body);
    if (++n == 1000) {
      bodies.push_back(std::move(body));
      body.clear();
      n = 0;
    }
  }
  if (!body.empty()) bodies.push_back(std::move(body));
  return bodies;
}

struct Setup {
  std::vector<const FieldDeriver*> derivers;
  const BatchRedactor* redactor = nullptr;
  const BatchRedactor* masker = nullptr;
};

// CPU seconds to ingest `bodies` through a fresh pipeline and store in `dir`.
double IngestRun(const std::string& dir, const std::vector<std::string>& bodies, const Setup& s,
                 const BatchRedactor* redactor, const BatchRedactor* masker) {
  fs::remove_all(dir);
  StoreOptions so;
  so.data_dir = dir;
  so.fsync = FsyncPolicy::kNever;
  so.memtable_flush_bytes = 0;  // WAL + memtable: no flush thread competing for the CPU
  auto store = Store::Open(so);
  if (!store.ok()) {
    std::fprintf(stderr, "store: %s\n", store.status().ToString().c_str());
    std::exit(2);
  }
  IngestPipelineOptions po;
  po.store = store->get();
  po.derivers = s.derivers;
  if (masker) po.redactors.push_back(masker);
  if (redactor) po.redactors.push_back(redactor);
  IngestPipeline pipeline(po);
  const IngestProtocol& ndjson = *FindIngestProtocol("ndjson");
  const double t0 = CpuSeconds();
  for (const std::string& body : bodies) {
    IngestRequest req;
    req.body = body;
    req.tenant = TenantBinding::FromEvents();
    req.receive_ts_ns = 1'796'000'000'000'000'000;
    Result<DecodeResult> r = pipeline.Ingest(ndjson, req);
    if (!r.ok() || r->rejected != 0) {
      std::fprintf(stderr, "ingest failed\n");
      std::exit(2);
    }
  }
  const double sec = CpuSeconds() - t0;
  (void)(*store)->Close();
  return sec;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = 200'000;
  int rounds = 5;
  std::string regexes;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--events") events = std::strtoull(argv[i + 1], nullptr, 10);
    if (a == "--rounds") rounds = std::atoi(argv[i + 1]);
    if (a == "--regexes") regexes = argv[i + 1];
  }
  const std::string dir =
      (fs::temp_directory_path() / ("vigia-redact-bench-" + std::to_string(::getpid()))).string();
  std::vector<std::string> bodies = CanonicalBodies(events);

  Setup setup = {BuiltinFieldDerivers(), nullptr, nullptr};
  std::unique_ptr<UaFieldDeriver> ua;
  const std::string rules = UaFieldDeriver::ResolveRegexesPath(regexes);
  if (regexes != "off" && !rules.empty()) {
    auto d = UaFieldDeriver::LoadFile(rules);
    if (d.ok()) {
      ua = std::move(*d);
      setup.derivers.push_back(ua.get());
    }
  }
  errors::FingerprintDeriver fingerprint;
  setup.derivers.push_back(&fingerprint);
  auto redactor = redact::SecretRedactor::Make({}, nullptr);
  redact::PrivacyOptions po;
  po.defaults = {redact::IpMode::kTruncate, redact::UaMode::kFamily, true};
  auto masker = redact::PrivacyMasker::Make(po, nullptr);
  if (!redactor.ok() || !masker.ok()) return 2;

  // 1. The redactors alone, on the decoded (and derived) batches.
  std::vector<EventBatch> batches;
  {
    DecoderOptions dopt;
    dopt.derivers = setup.derivers;
    auto decoder = FindIngestProtocol("ndjson")->make(dopt);
    for (const std::string& body : bodies) {
      IngestRequest req;
      req.body = body;
      req.tenant = TenantBinding::FromEvents();
      req.receive_ts_ns = 1'796'000'000'000'000'000;
      batches.emplace_back();
      decoder->Decode(req, &batches.back());
    }
  }
  uint64_t decoded = 0;
  for (const EventBatch& b : batches) decoded += b.size();
  double best_redact = 1e9, best_mask = 1e9;
  for (int r = 0; r < rounds; ++r) {
    double t0 = CpuSeconds();
    for (EventBatch& b : batches) (*redactor)->Redact("", &b);
    best_redact = std::min(best_redact, CpuSeconds() - t0);
    t0 = CpuSeconds();
    for (EventBatch& b : batches) (*masker)->Redact("", &b);
    best_mask = std::min(best_mask, CpuSeconds() - t0);
  }
  std::printf("canonical mix: %llu events, user-agent rules %s\n",
              static_cast<unsigned long long>(decoded), ua ? "on" : "off");
  std::printf("redactor alone: SecretRedactor %.0f ns/event, PrivacyMasker %.0f ns/event\n",
              1e9 * best_redact / static_cast<double>(decoded),
              1e9 * best_mask / static_cast<double>(decoded));

  // 2. The whole ingest path, configurations alternated.
  double off = 1e9, on = 1e9, both = 1e9;
  for (int r = 0; r < rounds; ++r) {
    off = std::min(off, IngestRun(dir, bodies, setup, nullptr, nullptr));
    on = std::min(on, IngestRun(dir, bodies, setup, redactor->get(), nullptr));
    both = std::min(both, IngestRun(dir, bodies, setup, redactor->get(), masker->get()));
  }
  const double n = static_cast<double>(decoded);
  std::printf("ingest without redaction:          %.0f events/CPU-s (%.0f ns/event)\n", n / off,
              1e9 * off / n);
  std::printf("ingest with redaction (default):   %.0f events/CPU-s (%.0f ns/event): %+.1f %%\n",
              n / on, 1e9 * on / n, 100.0 * (on - off) / off);
  std::printf("ingest with redaction + privacy:   %.0f events/CPU-s (%.0f ns/event): %+.1f %%\n",
              n / both, 1e9 * both / n, 100.0 * (both - off) / off);
  fs::remove_all(dir);
  return 0;
}
