// The body of a successful OTLP/HTTP logs export: an ExportLogsServiceResponse in the
// request's encoding. Per the OTLP specification, a request whose records were all accepted
// gets an empty response; one with rejected records gets `partial_success` with
// rejected_log_records and an error_message naming the first few (record number, path,
// reason), so the exporter logs them and does not retry.
//
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <string>

#include "ingest/ingest_decoder.h"

namespace vigia::otlp {

// Most rejected records named in error_message (the count stays exact).
inline constexpr size_t kMaxNamedRejections = 5;

std::string ExportLogsResponse(const DecodeResult& result, bool protobuf);

// "2 of 7 log records rejected: #3 resourceLogs[0]...: reason; #5 ...": the message of a
// partial success (empty when nothing was rejected).
std::string PartialSuccessMessage(const DecodeResult& result);

}  // namespace vigia::otlp
