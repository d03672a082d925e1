// The ingest protocols vigia speaks: a name, the media types a request may declare, and a
// factory for its IngestDecoder. One line per protocol in ingest_protocols.cpp.
//
// Thread-safety: the table is immutable; the factories are thread-safe.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "ingest/ingest_decoder.h"

namespace vigia {

struct IngestProtocol {
  std::string_view name;  // "ndjson"
  // Media types accepted (parameters such as charset are ignored; an absent Content-Type is
  // taken as the first protocol's).
  std::span<const std::string_view> media_types;
  std::unique_ptr<IngestDecoder> (*make)(const DecoderOptions& options);
};

std::span<const IngestProtocol> IngestProtocols();
// nullptr when no protocol has that name.
const IngestProtocol* FindIngestProtocol(std::string_view name);
// True when `protocol` accepts `content_type` (case-insensitive, parameters ignored; empty
// matches).
bool AcceptsMediaType(const IngestProtocol& protocol, std::string_view content_type);

}  // namespace vigia
