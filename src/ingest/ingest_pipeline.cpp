#include "ingest/ingest_pipeline.h"

#include <limits>
#include <string>
#include <utility>

#include "common/limits.h"
#include "common/query_priority.h"
#include "common/time_units.h"
#include "event/event_fields.h"
#include "store/partition_key.h"

namespace vigia {
namespace {

std::atomic<uint64_t> next_pipeline_id{1};

}  // namespace

IngestPipeline::IngestPipeline(IngestPipelineOptions options)
    : options_(std::move(options)),
      env_(options_.env != nullptr ? options_.env : Env::Default()),
      id_(next_pipeline_id.fetch_add(1)) {}

IngestPipeline::~IngestPipeline() = default;

std::string IngestPipeline::DurationText(int64_t ns) {
  const int64_t s = ns / kNanosPerSecond;
  if (s > 0 && s % 86'400 == 0) return std::to_string(s / 86'400) + "d";
  if (s > 0 && s % 3'600 == 0) return std::to_string(s / 3'600) + "h";
  if (s > 0 && s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

AdmissionWindow IngestPipeline::Admission() const {
  AdmissionWindow w;
  const int64_t now = env_->NowNanos();
  if (options_.retention_days > 0) {
    // Retention drops a day's partition once day <= today - days (store/retention.h): the
    // oldest day kept is today - days + 1, and it starts at its first nanosecond.
    // DayOf and kNanosPerDay: the store's own partition days (store/partition_key.h).
    w.min_ts_ns = (int64_t{DayOf(now)} - options_.retention_days + 1) * kNanosPerDay;
    w.too_old = "older than retention (" +
                DurationText(int64_t{options_.retention_days} * kNanosPerDay) + ")";
  }
  if (options_.max_future_ns > 0 &&
      now <= std::numeric_limits<int64_t>::max() - options_.max_future_ns) {
    w.max_ts_ns = now + options_.max_future_ns;
    w.too_new = "more than " + DurationText(options_.max_future_ns) + " in the future";
  }
  return w;
}

DecoderOptions IngestPipeline::decoder_options() const {
  DecoderOptions o;
  o.limits = options_.limits;
  o.derivers = options_.derivers;
  o.service_by_target = options_.service_by_target;
  return o;
}

IngestDecoder& IngestPipeline::ThreadDecoder(const IngestProtocol& protocol) {
  struct Cached {
    uint64_t pipeline = 0;
    const IngestProtocol* protocol = nullptr;
    std::unique_ptr<IngestDecoder> decoder;
  };
  // A handful of entries: one per protocol this thread serves (per live pipeline).
  thread_local std::vector<Cached> cache;
  for (Cached& c : cache) {
    if (c.pipeline == id_ && c.protocol == &protocol) return *c.decoder;
  }
  if (cache.size() >= 16) cache.clear();  // pipelines come and go in tests
  cache.push_back({id_, &protocol, protocol.make(decoder_options())});
  return *cache.back().decoder;
}

Result<DecodeResult> IngestPipeline::Ingest(const IngestProtocol& protocol, IngestRequest req) {
  if (req.tenant.mode == TenantBinding::Mode::kUnset) {
    return Status::Internal("ingest request without a tenant binding (IngestRequest::tenant)");
  }
  req.admission = Admission();
  auto batch = std::make_shared<EventBatch>();
  // While a query runs, one batch is decoded and stored at a time (ingest takes one core, not
  // both); the decoder's checkpoints let a batch under way step aside when a query starts.
  QueryPriority::IngestTurn turn(&QueryPriority::Global(),
                                 std::chrono::milliseconds(limits::kIngestQueryWaitMaxMs));
  req.turn = &turn;
  DecodeResult result = ThreadDecoder(protocol).Decode(req, batch.get());
  rejected_.fetch_add(result.rejected, std::memory_order_relaxed);
  turn.Checkpoint();
  VIGIA_RETURN_IF_ERROR(Submit(req.tenant, std::move(batch)));
  accepted_.fetch_add(result.accepted, std::memory_order_relaxed);
  return result;
}

Status IngestPipeline::Submit(const TenantBinding& tenant, std::shared_ptr<EventBatch> batch) {
  switch (tenant.mode) {
    case TenantBinding::Mode::kUnset:
      return Status::Internal("ingest batch without a tenant binding");
    case TenantBinding::Mode::kFromEvents:
      break;
    case TenantBinding::Mode::kFromKey:
      if (tenant.tenant.empty()) return Status::Internal("tenant binding with an empty tenant");
      if (!batch->empty()) {
        std::string_view t = batch->arena().Copy(tenant.tenant);
        batch->SetOnEveryEvent(fields::kTenant, Value::String(t));
      }
      break;
  }
  if (batch->empty()) return Status::Ok();
  for (IngestGate* gate : options_.gates) VIGIA_RETURN_IF_ERROR(gate->AdmitBatch(*batch));
  std::string_view redact_tenant =
      tenant.mode == TenantBinding::Mode::kFromKey ? tenant.tenant : std::string_view();
  for (const BatchRedactor* r : options_.redactors) r->Redact(redact_tenant, batch.get());
  std::shared_ptr<const EventBatch> stored = std::move(batch);
  // Before Append: the batch may be visible to queries as soon as Append has it.
  const uint64_t ticket = options_.sink != nullptr ? options_.sink->Reserve() : 0;
  VIGIA_RETURN_IF_ERROR(options_.store->Append(stored));
  for (CommitHook* hook : options_.commit_hooks) {
    VIGIA_RETURN_IF_ERROR(hook->Committed(redact_tenant, *stored));
  }
  if (options_.sink != nullptr) options_.sink->PublishReserved(stored, ticket);
  for (BatchSink* o : observers_) o->Publish(stored);
  return Status::Ok();
}

void IngestPipeline::AddObserver(BatchSink* observer) { observers_.push_back(observer); }

IngestStats IngestPipeline::stats() const {
  return {accepted_.load(std::memory_order_relaxed), rejected_.load(std::memory_order_relaxed)};
}

}  // namespace vigia
