#include "server/ingest_metrics.h"

#include "ingest/ingest_protocols.h"

namespace vigia {
namespace {

constexpr std::string_view kRecords = "vigia_ingest_records_total";
constexpr std::string_view kBytes = "vigia_ingest_bytes_total";
constexpr std::string_view kRequests = "vigia_ingest_requests_total";
constexpr std::string_view kRejections = "vigia_ingest_rejections_total";

}  // namespace

std::string_view IngestOutcomeName(IngestOutcome o) {
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
  for (IngestOutcome o : kIngestOutcomes) {
    s.outcomes[static_cast<int>(o)] =
        registry_->GetCounter(kRequests, "Ingest requests by protocol and outcome",
                              {"protocol", "outcome"}, {name, std::string(IngestOutcomeName(o))});
  }
  for (size_t r = 0; r < kRejectReasonCount; ++r) {
    s.reasons[r] = registry_->GetCounter(
        kRejections, "Ingest records refused, by protocol and reason", {"protocol", "reason"},
        {name, std::string(RejectReasonName(static_cast<RejectReason>(r)))});
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
                          const DecodeResult* result) {
  s.bytes->Inc(wire_bytes);
  s.outcomes[static_cast<int>(outcome)]->Inc();
  if (result == nullptr) return;
  if (result->accepted > 0) s.accepted->Inc(result->accepted);
  if (result->rejected > 0) {
    s.rejected->Inc(result->rejected);
    for (size_t r = 0; r < kRejectReasonCount; ++r) {
      if (result->rejected_by[r] > 0) s.reasons[r]->Inc(result->rejected_by[r]);
    }
  }
}

std::vector<ProtocolIngestStats> IngestMetrics::Snapshot() const {
  std::vector<ProtocolIngestStats> out;
  out.reserve(cached_.size());
  for (const Series& s : cached_) {
    ProtocolIngestStats p;
    p.protocol = s.protocol;
    p.accepted = s.accepted->value();
    p.rejected = s.rejected->value();
    p.bytes = s.bytes->value();
    for (size_t o = 0; o < p.requests.size(); ++o) p.requests[o] = s.outcomes[o]->value();
    for (size_t r = 0; r < kRejectReasonCount; ++r) p.rejected_by[r] = s.reasons[r]->value();
    out.push_back(std::move(p));
  }
  return out;
}

void IngestMetrics::Record(std::string_view protocol, uint64_t wire_bytes,
                           const DecodeResult& result) {
  IngestOutcome outcome = result.rejected > 0 ? IngestOutcome::kPartial : IngestOutcome::kOk;
  if (const Series* s = Find(protocol)) {
    Count(*s, wire_bytes, outcome, &result);
  } else {
    Count(Make(protocol), wire_bytes, outcome, &result);
  }
}

void IngestMetrics::RecordFailure(std::string_view protocol, uint64_t wire_bytes,
                                  IngestOutcome outcome) {
  if (const Series* s = Find(protocol)) {
    Count(*s, wire_bytes, outcome, nullptr);
  } else {
    Count(Make(protocol), wire_bytes, outcome, nullptr);
  }
}

}  // namespace vigia
