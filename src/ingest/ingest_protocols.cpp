#include "ingest/ingest_protocols.h"

#include "ingest/ndjson/ndjson_decoder.h"

namespace vigia {
namespace {

template <typename Decoder>
std::unique_ptr<IngestDecoder> Make(const DecoderOptions& options) {
  return std::make_unique<Decoder>(options);
}

constexpr std::string_view kNdjsonTypes[] = {"application/x-ndjson", "application/ndjson",
                                             "application/json", "text/plain"};

// One line per protocol.
const IngestProtocol kProtocols[] = {
    {"ndjson", kNdjsonTypes, &Make<NdjsonDecoder>},
};

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::span<const IngestProtocol> IngestProtocols() { return kProtocols; }

const IngestProtocol* FindIngestProtocol(std::string_view name) {
  for (const IngestProtocol& p : kProtocols) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool AcceptsMediaType(const IngestProtocol& protocol, std::string_view content_type) {
  std::string_view media = Trim(content_type.substr(0, content_type.find(';')));
  if (media.empty()) return true;
  for (std::string_view t : protocol.media_types) {
    if (EqualsNoCase(media, t)) return true;
  }
  return false;
}

}  // namespace vigia
