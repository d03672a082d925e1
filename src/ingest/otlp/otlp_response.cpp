#include "ingest/otlp/otlp_response.h"

#include "common/json_writer.h"
#include "ingest/protowire/proto_writer.h"

namespace vigia::otlp {

std::string PartialSuccessMessage(const DecodeResult& result) {
  if (result.rejected == 0) return {};
  std::string m = std::to_string(result.rejected) + " of " +
                  std::to_string(result.accepted + result.rejected) + " log records rejected";
  const size_t named = std::min(result.errors.size(), kMaxNamedRejections);
  for (size_t i = 0; i < named; ++i) {
    m += i == 0 ? ": " : "; ";
    m += "#" + std::to_string(result.errors[i].line) + " " + result.errors[i].error;
  }
  if (result.rejected > named) m += "; ...";
  return m;
}

std::string ExportLogsResponse(const DecodeResult& result, bool protobuf) {
  std::string out;
  const std::string message = PartialSuccessMessage(result);
  if (protobuf) {
    if (result.rejected == 0) return out;
    std::string partial;
    protowire::ProtoWriter(&partial).Varint(1, result.rejected).Bytes(2, message);
    protowire::ProtoWriter(&out).Bytes(1, partial);
    return out;
  }
  JsonWriter w(&out);
  w.BeginObject();
  if (result.rejected > 0) {
    // int64 as a decimal string: OTLP's JSON mapping.
    w.Key("partialSuccess").BeginObject();
    w.KV("rejectedLogRecords", std::to_string(result.rejected)).KV("errorMessage", message);
    w.EndObject();
  }
  w.EndObject();
  return out;
}

}  // namespace vigia::otlp
