// IngestMetrics: the per-protocol ingest counters every ingest front end reports to (the
// routes of POST /v1/events, OTLP, Loki push, Elasticsearch _bulk, the syslog listeners), so
// GET /metrics shows one family per fact whatever the protocol:
//
//   vigia_ingest_records_total{protocol,result}   result = accepted | rejected
//   vigia_ingest_bytes_total{protocol}            request bytes as received (before decompression)
//   vigia_ingest_requests_total{protocol,outcome} outcome = ok | partial | invalid | unavailable
//   vigia_ingest_rejections_total{protocol,reason} reason = invalid | too_large | too_old |
//                                                 too_new | unsupported (RejectReason)
//
// Snapshot() reads the same counters back for GET /v1/stats.
//
// `protocol` is the IngestProtocol's name ("ndjson", "otlp", "loki") or a listener's name.
// The series of every protocol in the table are looked up once at construction; other names
// go through the registry (its mutex) on each call.
//
// Thread-safety: thread-safe (series are atomics; the cached map is immutable after
// construction).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/metric_registry.h"
#include "ingest/ingest_decoder.h"

namespace vigia {

// How one ingest request ended, for vigia_ingest_requests_total.
enum class IngestOutcome {
  kOk,           // every record accepted
  kPartial,      // some records rejected, the rest stored
  kInvalid,      // refused as a whole (undecodable body, bad media type or encoding)
  kUnavailable,  // nothing stored: the store failed (503)
};

// One protocol's counters as /v1/stats shows them.
struct ProtocolIngestStats {
  std::string protocol;
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  uint64_t bytes = 0;
  std::array<uint64_t, 4> requests{};                      // by IngestOutcome
  std::array<uint64_t, kRejectReasonCount> rejected_by{};  // by RejectReason
};

std::string_view IngestOutcomeName(IngestOutcome o);
inline constexpr IngestOutcome kIngestOutcomes[] = {IngestOutcome::kOk, IngestOutcome::kPartial,
                                                    IngestOutcome::kInvalid,
                                                    IngestOutcome::kUnavailable};

class IngestMetrics {
 public:
  // REQUIRES: registry outlives this object.
  explicit IngestMetrics(MetricRegistry* registry);

  // Counts one decoded request of `protocol`: its wire bytes, its records' verdicts and its
  // outcome (ok or partial, from the result).
  void Record(std::string_view protocol, uint64_t wire_bytes, const DecodeResult& result);
  // Counts a request refused as a whole (kInvalid, kUnavailable) with its wire bytes.
  void RecordFailure(std::string_view protocol, uint64_t wire_bytes, IngestOutcome outcome);

  // Every protocol of the table (ingest_protocols.h) in its order, zeros included.
  std::vector<ProtocolIngestStats> Snapshot() const;

 private:
  struct Series {
    std::string protocol;
    Counter* accepted = nullptr;
    Counter* rejected = nullptr;
    Counter* bytes = nullptr;
    Counter* outcomes[4] = {};                  // by IngestOutcome
    Counter* reasons[kRejectReasonCount] = {};  // by RejectReason
  };
  Series Make(std::string_view protocol) const;
  // The cached series of `protocol`, or nullptr.
  const Series* Find(std::string_view protocol) const;
  void Count(const Series& s, uint64_t wire_bytes, IngestOutcome outcome,
             const DecodeResult* result);

  MetricRegistry* const registry_;
  std::vector<Series> cached_;
};

}  // namespace vigia
