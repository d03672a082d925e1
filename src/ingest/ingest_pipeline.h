// IngestPipeline: the one path every ingest protocol takes into the store.
//
//   front end (IngestDecoder: body → records)
//     → Canonicalizer (aliases, types, limits, admission window, FieldDerivers, per event)
//     → Submit: redaction hooks (BatchRedactor, none yet) → Store::Append (WAL: durable and
//       readable when it returns) → commit hooks (CommitHook: the audit ledger) → live sink
//       (BatchSink: /v1/tail subscribers) → observers (BatchSinks added with AddObserver: RED
//       metrics derived from request events)
//
// Field derivation runs inside the canonicalizer, per event, before the event is appended to
// its batch (cheapest: no second pass); the pipeline owns the ordered deriver list and hands
// it to every decoder it makes (decoder_options()).
//
// Accepted means kept: the admission window (Admission()) refuses, record by record, events
// older than the retention would keep ("older than retention (30d)") and events more than
// max_future ahead of the clock ("more than 1d in the future"), so nothing acknowledged is
// dropped later except by whole-partition retention as days pass.
//
// Thread-safety: thread-safe. Ingest keeps one decoder per thread and protocol.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "event/event.h"
#include "ingest/ingest_decoder.h"
#include "ingest/ingest_protocols.h"
#include "store/store.h"

namespace vigia {

// Where stored batches go next (the server's live feed). Must not block.
class BatchSink {
 public:
  virtual ~BatchSink() = default;
  virtual void Publish(std::shared_ptr<const EventBatch> batch) = 0;
  // A ticket the pipeline takes before it stores a batch and hands back with it to
  // PublishReserved: a batch a query can see was reserved before the query ended, whenever it
  // is published (the live feed's tails close their backfill seam by it). Default: none.
  virtual uint64_t Reserve() { return 0; }
  virtual void PublishReserved(std::shared_ptr<const EventBatch> batch, uint64_t /*ticket*/) {
    Publish(std::move(batch));
  }
};

// A hook that may rewrite or drop fields of a batch before it is stored (redaction). Must be
// thread-safe.
class BatchRedactor {
 public:
  virtual ~BatchRedactor() = default;
  // `tenant`: the key's tenant for a tenant-bound request, else empty (each event's own
  // `tenant` field then says).
  virtual void Redact(std::string_view tenant, EventBatch* batch) const = 0;
};

// Sees every batch once Store::Append acknowledged it (it is in the WAL), before Submit
// returns and so before the client is answered: the audit ledger chains the batch's audit
// events here, so its chain holds exactly the acknowledged ones. An error fails the Submit
// (the client gets a 503 and retries the request; the batch stays in the store). Must be
// thread-safe.
class CommitHook {
 public:
  virtual ~CommitHook() = default;
  virtual Status Committed(std::string_view tenant, const EventBatch& batch) = 0;
};

// Asked before a non-empty batch is stored: an error refuses it whole (nothing stored, the
// client gets a 503 with Retry-After and retries). The disk module refuses while the data
// directory's free space is below its reserve, before the WAL write would fail. Must be
// thread-safe and cheap (it runs on every batch).
class IngestGate {
 public:
  virtual ~IngestGate() = default;
  virtual Status Admit() = 0;
  // Per batch, for a gate that refuses only some batches (the audit chainer's back-pressure
  // refuses batches with audit events while the chain is too far behind). Default: Admit().
  virtual Status AdmitBatch(const EventBatch& batch) {
    (void)batch;
    return Admit();
  }
};

struct IngestPipelineOptions {
  Store* store = nullptr;     // not owned; required
  BatchSink* sink = nullptr;  // not owned; may be null
  IngestLimits limits;
  // Run in order on every event (field_deriver.h). Not owned.
  std::vector<const FieldDeriver*> derivers = BuiltinFieldDerivers();
  std::vector<const BatchRedactor*> redactors;  // not owned; none yet
  std::vector<CommitHook*> commit_hooks;        // not owned; in order, after the WAL append
  std::vector<IngestGate*> gates;               // not owned; asked before anything is stored
  // DecoderOptions::service_by_target of every decoder.
  std::vector<std::pair<std::string, std::string>> service_by_target;
  // The retention by age the store applies (StoreOptions::retention.days); 0 = forever.
  int retention_days = 0;
  // How far ahead of the clock an event may be; 0 = no limit.
  int64_t max_future_ns = 0;
  Env* env = nullptr;  // the clock; nullptr = Env::Default()
};

struct IngestStats {
  uint64_t accepted = 0;  // events acknowledged since start
  uint64_t rejected = 0;  // records refused (any reason)
};

class IngestPipeline {
 public:
  // REQUIRES: options.store != nullptr.
  explicit IngestPipeline(IngestPipelineOptions options);
  ~IngestPipeline();
  IngestPipeline(const IngestPipeline&) = delete;
  IngestPipeline& operator=(const IngestPipeline&) = delete;

  // Decodes `req` with `protocol`'s decoder (this thread's, made on first use), with the
  // admission window of now, and submits the events. An error means nothing was stored
  // (Store::Append failed): the caller answers 503 and the client retries the whole request.
  Result<DecodeResult> Ingest(const IngestProtocol& protocol, IngestRequest req);

  // Tenant binding → gates → redaction → Store::Append → commit hooks → sink. `tenant`: whose
  // events these are (TenantBinding, ingest_decoder.h); kUnset is refused (Internal) before
  // anything is stored. REQUIRES: batch != nullptr; its events were canonicalized (event.h
  // invariants).
  Status Submit(const TenantBinding& tenant, std::shared_ptr<EventBatch> batch);

  // The event times accepted now (Env::NowNanos), with the reasons for the others.
  AdmissionWindow Admission() const;
  // For decoders built outside Ingest (limits and derivers).
  DecoderOptions decoder_options() const;
  IngestStats stats() const;

  // Adds a sink that receives every batch after the store acknowledged it, after the live
  // feed (derived metrics: the monitor module's RED counters). Must not block.
  // REQUIRES: called before the first Ingest/Submit (a server module's Start); not owned.
  void AddObserver(BatchSink* observer);

  // "30d", "12h", "90m", "45s": how reasons spell a duration.
  static std::string DurationText(int64_t ns);

 private:
  IngestDecoder& ThreadDecoder(const IngestProtocol& protocol);

  const IngestPipelineOptions options_;
  Env* const env_;
  const uint64_t id_;  // tells the per-thread decoders of different pipelines apart
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> rejected_{0};
  std::vector<BatchSink*> observers_;  // fixed before the first batch
};

}  // namespace vigia
