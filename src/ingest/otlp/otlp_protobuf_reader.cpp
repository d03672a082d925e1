#include "ingest/otlp/otlp_protobuf_reader.h"

#include <bit>
#include <cstring>

#include "ingest/otlp/otlp_mapping.h"
#include "ingest/protowire/proto_reader.h"

namespace vigia::otlp {
namespace {

using protowire::ProtoReader;
using protowire::WireType;

// Field numbers (opentelemetry/proto/{collector/logs,logs,common,resource}/v1/*.proto).
namespace request {
constexpr uint32_t kResourceLogs = 1;
}
namespace resource_logs {
constexpr uint32_t kResource = 1;
constexpr uint32_t kScopeLogs = 2;
}  // namespace resource_logs
namespace resource {
constexpr uint32_t kAttributes = 1;
}
namespace scope_logs {
constexpr uint32_t kScope = 1;
constexpr uint32_t kLogRecords = 2;
}  // namespace scope_logs
namespace scope {
constexpr uint32_t kName = 1;
constexpr uint32_t kVersion = 2;
}  // namespace scope
namespace log_record {
constexpr uint32_t kTimeUnixNano = 1;
constexpr uint32_t kSeverityNumber = 2;
constexpr uint32_t kSeverityText = 3;
constexpr uint32_t kBody = 5;
constexpr uint32_t kAttributes = 6;
constexpr uint32_t kTraceId = 9;
constexpr uint32_t kSpanId = 10;
constexpr uint32_t kObservedTimeUnixNano = 11;
constexpr uint32_t kEventName = 12;
}  // namespace log_record
namespace key_value {
constexpr uint32_t kKey = 1;
constexpr uint32_t kValue = 2;
}  // namespace key_value
namespace any_value {
constexpr uint32_t kString = 1;
constexpr uint32_t kBool = 2;
constexpr uint32_t kInt = 3;
constexpr uint32_t kDouble = 4;
constexpr uint32_t kArray = 5;
constexpr uint32_t kKvlist = 6;
constexpr uint32_t kBytes = 7;
}  // namespace any_value
constexpr uint32_t kValues = 1;  // ArrayValue.values, KeyValueList.values

// Each length-delimited field numbered `field` of `msg`, in order; false when `msg` is
// malformed or that field has another wire type.
template <typename Fn>
bool ForEach(std::string_view msg, uint32_t field, Fn&& fn, std::string* reason) {
  ProtoReader r(msg);
  while (r.Next()) {
    if (r.field() != field) continue;
    std::string_view v;
    if (!r.ReadBytes(&v)) break;
    if (!fn(v)) return false;
  }
  if (!r.ok()) {
    *reason = std::string(r.error());
    return false;
  }
  return true;
}

}  // namespace

bool CheckOtlpEnvelope(std::string_view body, std::string* reason) {
  std::string why;
  size_t ri = 0;
  bool ok = ForEach(
      body, request::kResourceLogs,
      [&](std::string_view rl) {
        size_t si = 0;
        bool rl_ok = ForEach(
            rl, resource_logs::kScopeLogs,
            [&](std::string_view sl) {
              size_t li = 0;
              bool sl_ok = ForEach(
                  sl, scope_logs::kLogRecords, [&](std::string_view) { return ++li > 0; }, &why);
              if (!sl_ok) why = "scopeLogs[" + std::to_string(si) + "]: " + why;
              ++si;
              return sl_ok;
            },
            &why);
        if (!rl_ok) why = "resourceLogs[" + std::to_string(ri) + "]." + why;
        ++ri;
        return rl_ok;
      },
      &why);
  if (!ok) *reason = "malformed protobuf ExportLogsServiceRequest: " + why;
  return ok;
}

bool OtlpProtobufReader::WireError(std::string_view what) {
  wire_error_ = "malformed protobuf: " + std::string(what);
  return false;
}

bool OtlpProtobufReader::FeedAnyValue(std::string_view key, std::string_view any) {
  Canonicalizer& c = writer_->canonicalizer();
  // A oneof: the last member on the wire wins, as in protobuf's own parsers.
  ProtoReader r(any);
  uint32_t which = 0;
  uint64_t scalar = 0;
  std::string_view bytes;
  while (r.Next()) {
    switch (r.field()) {
      case any_value::kString:
      case any_value::kArray:
      case any_value::kKvlist:
      case any_value::kBytes:
        if (!r.ReadBytes(&bytes)) break;
        which = r.field();
        break;
      case any_value::kBool:
      case any_value::kInt:
        if (!r.ReadVarint(&scalar)) break;
        which = r.field();
        break;
      case any_value::kDouble:
        if (!r.ReadFixed64(&scalar)) break;
        which = r.field();
        break;
      default:
        break;  // string_value_strindex (profiles only) and unknown fields
    }
  }
  if (!r.ok()) return WireError(r.error());
  switch (which) {
    case any_value::kString:
      return c.String(key, bytes);
    case any_value::kBool:
      return c.Bool(key, scalar != 0);
    case any_value::kInt:
      return c.Int(key, static_cast<int64_t>(scalar));
    case any_value::kDouble:
      return c.Double(key, std::bit_cast<double>(scalar));
    case any_value::kBytes: {
      std::string* text = writer_->Scratch();
      Base64(bytes, text);
      return c.String(key, *text);
    }
    case any_value::kArray: {
      if (!c.BeginArray(key)) return false;
      ProtoReader a(bytes);
      while (a.Next()) {
        std::string_view elem;
        if (a.field() != kValues || !a.ReadBytes(&elem)) continue;
        if (!FeedAnyValue({}, elem)) return false;
      }
      if (!a.ok()) return WireError(a.error());
      return c.EndArray();
    }
    case any_value::kKvlist: {
      if (!c.BeginObject(key)) return false;
      ProtoReader m(bytes);
      while (m.Next()) {
        std::string_view kv;
        if (m.field() != kValues || !m.ReadBytes(&kv)) continue;
        if (!FeedKeyValue(kv, /*map_key=*/false)) return false;
      }
      if (!m.ok()) return WireError(m.error());
      return c.EndObject();
    }
    default:
      return c.Null(key);  // an empty AnyValue
  }
}

bool OtlpProtobufReader::FeedKeyValue(std::string_view kv, bool map_key) {
  ProtoReader r(kv);
  std::string_view key;
  std::string_view value;
  while (r.Next()) {
    switch (r.field()) {
      case key_value::kKey:
        r.ReadBytes(&key);
        break;
      case key_value::kValue:
        r.ReadBytes(&value);
        break;
      default:
        break;
    }
  }
  if (!r.ok()) return WireError(r.error());
  if (key.empty()) return true;  // key_strindex (profiles only) or no key: nothing to name it
  return FeedAnyValue(map_key ? CanonicalKey(key) : key, value);
}

bool OtlpProtobufReader::FeedBody(std::string_view any) {
  // A map body is the event itself (its keys are top-level fields, like a JSON line's); any
  // other body is the message.
  ProtoReader r(any);
  std::string_view kvlist;
  bool is_map = false;
  while (r.Next()) {
    if (r.field() == any_value::kKvlist && r.wire_type() == WireType::kLen) {
      r.ReadBytes(&kvlist);
      is_map = true;
    } else if (r.field() >= any_value::kString && r.field() <= any_value::kBytes) {
      is_map = false;
    }
  }
  if (!r.ok()) return WireError(r.error());
  if (!is_map) return FeedAnyValue("msg", any);
  ProtoReader m(kvlist);
  while (m.Next()) {
    std::string_view kv;
    if (m.field() != kValues || !m.ReadBytes(&kv)) continue;
    if (!FeedKeyValue(kv, /*map_key=*/false)) return false;
  }
  if (!m.ok()) return WireError(m.error());
  return true;
}

bool OtlpProtobufReader::FeedRecord(std::string_view record, EventBatch* out) {
  RecordHeader h;
  std::string_view body;
  bool has_body = false;
  std::string_view trace;
  std::string_view span;
  record_attrs_.clear();
  ProtoReader r(record);
  while (r.Next()) {
    bool ok = true;
    switch (r.field()) {
      case log_record::kTimeUnixNano:
        ok = r.ReadFixed64(&h.time_unix_nano);
        break;
      case log_record::kObservedTimeUnixNano:
        ok = r.ReadFixed64(&h.observed_time_unix_nano);
        break;
      case log_record::kSeverityNumber:
        ok = r.ReadVarint(&h.severity_number);
        break;
      case log_record::kSeverityText:
        ok = r.ReadBytes(&h.severity_text);
        break;
      case log_record::kBody:
        ok = r.ReadBytes(&body);
        has_body = true;
        break;
      case log_record::kAttributes: {
        std::string_view kv;
        ok = r.ReadBytes(&kv);
        record_attrs_.push_back(kv);
        break;
      }
      case log_record::kTraceId:
        ok = r.ReadBytes(&trace);
        break;
      case log_record::kSpanId:
        ok = r.ReadBytes(&span);
        break;
      case log_record::kEventName:
        ok = r.ReadBytes(&h.event_name);
        break;
      default:
        break;  // dropped_attributes_count, flags, unknown fields
    }
    if (!ok) break;
  }
  if (!r.ok()) return WireError(r.error());
  writer_->NewEvent();
  if (!IsZeroId(trace)) h.trace_id_hex = HexId(trace, writer_->Scratch());
  if (!IsZeroId(span)) h.span_id_hex = HexId(span, writer_->Scratch());
  if (!writer_->Begin(out, h)) return false;
  if (has_body && !FeedBody(body)) return false;
  for (std::string_view kv : record_attrs_) {
    if (!FeedKeyValue(kv, /*map_key=*/true)) return false;
  }
  for (std::string_view kv : resource_attrs_) {
    if (!FeedKeyValue(kv, /*map_key=*/true)) return false;
  }
  return writer_->End(scope_, receive_ts_);
}

DecodeResult OtlpProtobufReader::Decode(std::string_view body, int64_t receive_ts_ns,
                                        EventBatch* out) {
  DecodeResult result;
  if (!CheckOtlpEnvelope(body, &result.undecodable)) return result;
  receive_ts_ = receive_ts_ns;
  uint64_t record_no = 0;
  std::string ignored;  // the envelope was checked above
  size_t ri = 0;
  ForEach(
      body, request::kResourceLogs,
      [&](std::string_view rl) {
        // The resource first (it may follow its scope_logs on the wire).
        resource_attrs_.clear();
        std::string resource_error;
        ProtoReader r(rl);
        while (r.Next()) {
          std::string_view res;
          if (r.field() != resource_logs::kResource || !r.ReadBytes(&res)) continue;
          ProtoReader a(res);
          while (a.Next()) {
            std::string_view kv;
            if (a.field() == resource::kAttributes && a.ReadBytes(&kv))
              resource_attrs_.push_back(kv);
          }
          if (!a.ok()) resource_error = "malformed protobuf in resource: " + std::string(a.error());
        }
        size_t si = 0;
        ForEach(
            rl, resource_logs::kScopeLogs,
            [&](std::string_view sl) {
              scope_ = {};
              ProtoReader s(sl);
              std::string scope_error;
              while (s.Next()) {
                std::string_view sc;
                if (s.field() != scope_logs::kScope || !s.ReadBytes(&sc)) continue;
                ProtoReader n(sc);
                while (n.Next()) {
                  if (n.field() == scope::kName) n.ReadBytes(&scope_.name);
                  if (n.field() == scope::kVersion) n.ReadBytes(&scope_.version);
                }
                if (!n.ok()) scope_error = "malformed protobuf in scope: " + std::string(n.error());
              }
              size_t li = 0;
              ForEach(
                  sl, scope_logs::kLogRecords,
                  [&](std::string_view record) {
                    ++record_no;
                    if (!resource_error.empty() || !scope_error.empty()) {
                      RejectRecord(&result, limits_.max_reported_errors, record_no,
                                   RecordPath(ri, si, li) + resource_error + scope_error);
                    } else if (record.size() > limits_.max_line_bytes) {
                      RejectRecord(&result, limits_.max_reported_errors, record_no,
                                   RecordPath(ri, si, li) + "log record longer than " +
                                       std::to_string(limits_.max_line_bytes) + " bytes");
                    } else {
                      wire_error_.clear();
                      if (FeedRecord(record, out)) {
                        ++result.accepted;
                      } else {
                        RejectRecord(&result, limits_.max_reported_errors, record_no,
                                     RecordPath(ri, si, li) +
                                         (wire_error_.empty() ? writer_->error() : wire_error_));
                      }
                    }
                    ++li;
                    return true;
                  },
                  &ignored);
              ++si;
              return true;
            },
            &ignored);
        ++ri;
        return true;
      },
      &ignored);
  return result;
}

}  // namespace vigia::otlp
