#include "server/ingest_metrics.h"

#include "ingest/ingest_protocols.h"

namespace vigia {
namespace {

constexpr std::string_view kRecords = "vigia_ingest_records_total";
constexpr std::string_view kBytes = "vigia_ingest_bytes_total";
constexpr std::string_view kRequests = "vigia_ingest_requests_total";

std::string_view OutcomeName(IngestOutcome o) {
  switch (o) {
    case IngestOutcome::kOk:
      return "ok";
    case IngestOutcome::kPartial:
      return "partial";
    case IngestOutcome::kInvalid:
      return "invalid";
    case IngestOutcome::kUnavailable:
      return "unavailable";
  }
  return "ok";
}

constexpr IngestOutcome kOutcomes[] = {IngestOutcome::kOk, IngestOutcome::kPartial,
                                       IngestOutcome::kInvalid, IngestOutcome::kUnavailable};

}  // namespace

IngestMetrics::IngestMetrics(MetricRegistry* registry) : registry_(registry) {
  for (const IngestProtocol& p : IngestProtocols()) cached_.push_back(Make(p.name));
}

IngestMetrics::Series IngestMetrics::Make(std::string_view protocol) const {
  Series s;
  s.protocol = std::string(protocol);
  const std::string name(protocol);
  s.accepted = registry_->GetCounter(kRecords, "Ingest records by protocol and verdict",
                                     {"protocol", "result"}, {name, "accepted"});
  s.rejected = registry_->GetCounter(kRecords, "Ingest records by protocol and verdict",
                                     {"protocol", "result"}, {name, "rejected"});
  s.bytes = registry_->GetCounter(kBytes, "Ingest request bytes as received, by protocol",
                                  {"protocol"}, {name});
  for (IngestOutcome o : kOutcomes) {
    s.outcomes[static_cast<int>(o)] =
        registry_->GetCounter(kRequests, "Ingest requests by protocol and outcome",
                              {"protocol", "outcome"}, {name, std::string(OutcomeName(o))});
  }
  return s;
}

const IngestMetrics::Series* IngestMetrics::Find(std::string_view protocol) const {
  for (const Series& s : cached_) {
    if (s.protocol == protocol) return &s;
  }
  return nullptr;
}

void IngestMetrics::Count(const Series& s, uint64_t wire_bytes, IngestOutcome outcome,
                          uint64_t accepted, uint64_t rejected) {
  s.bytes->Inc(wire_bytes);
  if (accepted > 0) s.accepted->Inc(accepted);
  if (rejected > 0) s.rejected->Inc(rejected);
  s.outcomes[static_cast<int>(outcome)]->Inc();
}

void IngestMetrics::Record(std::string_view protocol, uint64_t wire_bytes,
                           const DecodeResult& result) {
  IngestOutcome outcome = result.rejected > 0 ? IngestOutcome::kPartial : IngestOutcome::kOk;
  if (const Series* s = Find(protocol)) {
    Count(*s, wire_bytes, outcome, result.accepted, result.rejected);
  } else {
    Count(Make(protocol), wire_bytes, outcome, result.accepted, result.rejected);
  }
}

void IngestMetrics::RecordFailure(std::string_view protocol, uint64_t wire_bytes,
                                  IngestOutcome outcome) {
  if (const Series* s = Find(protocol)) {
    Count(*s, wire_bytes, outcome, 0, 0);
  } else {
    Count(Make(protocol), wire_bytes, outcome, 0, 0);
  }
}

}  // namespace vigia
