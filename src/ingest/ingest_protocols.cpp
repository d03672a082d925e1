#include "ingest/ingest_protocols.h"

#include "common/ascii.h"
#include "ingest/elasticsearch/bulk_decoder.h"
#include "ingest/loki/loki_decoder.h"
#include "ingest/ndjson/ndjson_decoder.h"
#include "ingest/otlp/otlp_decoder.h"
#include "ingest/sentry/sentry_decoder.h"
#include "ingest/syslog/syslog_decoder.h"

namespace vigia {
namespace {

template <typename Decoder>
std::unique_ptr<IngestDecoder> Make(const DecoderOptions& options) {
  return std::make_unique<Decoder>(options);
}

constexpr std::string_view kNdjsonTypes[] = {"application/x-ndjson", "application/ndjson",
                                             "application/json", "text/plain"};
// OTLP and Loki push: protobuf or JSON.
constexpr std::string_view kProtobufOrJsonTypes[] = {"application/x-protobuf", "application/json",
                                                     "application/protobuf"};
// Syslog arrives over UDP/TCP (the syslog module); the type only names it.
constexpr std::string_view kSyslogTypes[] = {"application/x-syslog", "text/plain"};
// Bulk clients send application/x-ndjson; older ones application/json.
constexpr std::string_view kBulkTypes[] = {"application/x-ndjson", "application/json",
                                           "application/vnd.elasticsearch+x-ndjson", "text/plain"};

// Sentry SDKs send envelopes as application/x-sentry-envelope; browsers (no preflight) as
// text/plain; the legacy store endpoint as application/json.
constexpr std::string_view kSentryTypes[] = {"application/x-sentry-envelope", "application/json",
                                             "text/plain", "application/octet-stream"};

// One line per protocol.
const IngestProtocol kProtocols[] = {
    {"ndjson", kNdjsonTypes, &Make<NdjsonDecoder>},
    {"otlp", kProtobufOrJsonTypes, &Make<OtlpDecoder>},
    {"loki", kProtobufOrJsonTypes, &Make<LokiDecoder>},
    {"elasticsearch", kBulkTypes, &Make<BulkDecoder>},
    {"syslog", kSyslogTypes, &Make<SyslogDecoder>},
    {"sentry", kSentryTypes, &Make<SentryDecoder>},
};

}  // namespace

std::span<const IngestProtocol> IngestProtocols() { return kProtocols; }

const IngestProtocol* FindIngestProtocol(std::string_view name) {
  for (const IngestProtocol& p : kProtocols) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool AcceptsMediaType(const IngestProtocol& protocol, std::string_view content_type) {
  std::string_view media = ascii::TrimSpaces(content_type.substr(0, content_type.find(';')));
  if (media.empty()) return true;
  for (std::string_view t : protocol.media_types) {
    if (ascii::EqualsIgnoreCase(media, t)) return true;
  }
  return false;
}

}  // namespace vigia
