// OTLP logs → vigia's event model: the parts of the mapping both OTLP encodings share
// (protobuf, otlp_protobuf_reader.h; JSON, otlp_json_reader.h). docs/ingest-otlp.md is the
// user-facing table.
//
//   resource and log attributes   semantic-convention names → canonical fields (CanonicalKey);
//                                 every other attribute is kept under its own name
//   severity_number               → level (1-4 trace, 5-8 debug, 9-12 info, 13-16 warn,
//                                   17-20 error, 21-24 fatal); unset → severity_text as level
//   trace_id / span_id            → lowercase hex trace_id / span_id (all-zero ids are absent)
//
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigia::otlp {

// The canonical field an attribute named `key` fills (http.request.method → method,
// service.name → service, exception.type → error.type, ...), or `key` itself.
std::string_view CanonicalKey(std::string_view key);

// The level of a SeverityNumber (1..24); empty for 0 (unspecified) and out-of-range values.
std::string_view LevelOfSeverity(uint64_t severity_number);
// The SeverityNumber of an enum name ("SEVERITY_NUMBER_WARN2" → 14); 0 when unknown.
uint64_t SeverityFromName(std::string_view name);
// True when `text` says no more than `level` does ("INFO", "Information", "WARNING",
// "warn2"): such a severity_text is not kept as a field.
bool SeverityTextIsLevel(std::string_view text, std::string_view level);

// True when every byte of `id` is zero (OTLP's "no trace"); an empty id is all zero.
bool IsZeroId(std::string_view id);
// Lowercase hex of `bytes` into `out` (2 * bytes.size() chars); returns the text.
std::string_view HexId(std::string_view bytes, std::string* out);
// Standard base64 (with padding) of `bytes` into `out`: bytes_value attributes, as OTLP's
// JSON encoding spells them.
void Base64(std::string_view bytes, std::string* out);

// Where a log record sits in a request, as both encodings' error messages name it:
// "resourceLogs[ri].scopeLogs[si].logRecords[li]: ".
std::string RecordPath(size_t ri, size_t si, size_t li);

}  // namespace vigia::otlp
