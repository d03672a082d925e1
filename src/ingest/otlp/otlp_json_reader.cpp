#include "ingest/otlp/otlp_json_reader.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "common/ascii.h"
#include "ingest/otlp/otlp_mapping.h"

namespace vigia::otlp {
namespace {

namespace dom = simdjson::dom;

// By value: a range-for over `Arr(el)` would iterate a reference into
// a temporary simdjson_result.
dom::array Arr(dom::element el) { return el.get_array().value_unsafe(); }
dom::object Obj(dom::element el) { return el.get_object().value_unsafe(); }

// A member by its lowerCamelCase or its proto (snake_case) name; null element when absent.
bool Member(dom::object obj, std::string_view camel, std::string_view snake, dom::element* out) {
  for (dom::key_value_pair kv : obj) {
    if (kv.key == camel || (!snake.empty() && kv.key == snake)) {
      *out = kv.value;
      return true;
    }
  }
  return false;
}

bool IsArrayOfObjects(dom::element el) {
  if (!el.is_array()) return false;
  for (dom::element e : Arr(el)) {
    if (!e.is_object()) return false;
  }
  return true;
}

// A uint64 given as a JSON number or a decimal string ("1700000000000000000").
bool ToUint64(dom::element el, uint64_t* v) {
  switch (el.type()) {
    case dom::element_type::UINT64:
      *v = el.get_uint64().value_unsafe();
      return true;
    case dom::element_type::INT64: {
      int64_t i = el.get_int64().value_unsafe();
      if (i < 0) return false;
      *v = static_cast<uint64_t>(i);
      return true;
    }
    case dom::element_type::DOUBLE: {
      double d = el.get_double().value_unsafe();
      if (!(d >= 0 && d < 1.8e19)) return false;
      *v = static_cast<uint64_t>(d);
      return true;
    }
    case dom::element_type::STRING: {
      std::string_view s = el.get_string().value_unsafe();
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
      return ec == std::errc() && p == s.data() + s.size() && !s.empty();
    }
    default:
      return false;
  }
}

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!ascii::IsHexDigit(c)) return false;
  }
  return true;
}

}  // namespace

struct OtlpJsonReader::Impl {
  Impl(OtlpEventWriter* w, IngestLimits l) : writer(w), limits(l) {}

  OtlpEventWriter* writer;
  IngestLimits limits;
  dom::parser parser;
  // Per ResourceLogs / ScopeLogs.
  dom::array resource_attrs;
  bool has_resource_attrs = false;
  Scope scope;
  int64_t receive_ts = 0;
  std::string shape_error;  // why the current record is of the wrong shape

  bool Shape(std::string why) {
    shape_error = std::move(why);
    return false;
  }

  // An id in hex, lowercased; absent when empty or all zeros.
  bool Id(dom::element el, std::string_view name, std::string_view* out) {
    if (!el.is_string()) return Shape(std::string(name) + " is not a hex string");
    std::string_view s = el.get_string().value_unsafe();
    if (!IsHex(s)) return Shape(std::string(name) + " is not hex");
    bool zero = true;
    bool lower = true;
    for (char c : s) {
      zero &= c == '0';
      lower &= !(c >= 'A' && c <= 'F');
    }
    if (zero) return true;
    if (lower) {
      *out = s;
      return true;
    }
    std::string* copy = writer->Scratch();
    copy->assign(s);
    for (char& c : *copy) c = (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
    *out = *copy;
    return true;
  }

  bool FeedKeyValue(dom::element kv, bool map_key) {
    if (!kv.is_object()) return Shape("attribute is not an object");
    dom::object obj = Obj(kv);
    dom::element key_el;
    dom::element value_el;
    bool has_key = Member(obj, "key", {}, &key_el);
    bool has_value = Member(obj, "value", {}, &value_el);
    if (!has_key || !key_el.is_string()) return Shape("attribute without a string key");
    std::string_view key = key_el.get_string().value_unsafe();
    if (key.empty()) return true;
    if (map_key) key = CanonicalKey(key);
    if (!has_value) return writer->canonicalizer().Null(key);
    return FeedAnyValue(key, value_el);
  }

  bool FeedAnyValue(std::string_view key, dom::element any) {
    Canonicalizer& c = writer->canonicalizer();
    if (any.is_null()) return c.Null(key);
    if (!any.is_object()) return Shape("AnyValue is not an object");
    for (dom::key_value_pair kv : Obj(any)) {
      std::string_view k = kv.key;
      dom::element v = kv.value;
      if (k == "stringValue" || k == "string_value") {
        if (!v.is_string()) return Shape("stringValue is not a string");
        return c.String(key, v.get_string().value_unsafe());
      }
      if (k == "boolValue" || k == "bool_value") {
        if (!v.is_bool()) return Shape("boolValue is not a boolean");
        return c.Bool(key, v.get_bool().value_unsafe());
      }
      if (k == "intValue" || k == "int_value") {
        if (v.is_int64()) return c.Int(key, v.get_int64().value_unsafe());
        int64_t i = 0;
        std::string_view s = v.is_string() ? v.get_string().value_unsafe() : std::string_view();
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
        if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
          return Shape("intValue is not a 64-bit integer");
        }
        return c.Int(key, i);
      }
      if (k == "doubleValue" || k == "double_value") {
        if (v.is_number()) return c.Double(key, v.get_double().value_unsafe());
        // protobuf's JSON spells the non-finite values as strings; kept as that text.
        if (v.is_string()) {
          std::string_view s = v.get_string().value_unsafe();
          if (s == "NaN" || s == "Infinity" || s == "-Infinity") return c.String(key, s);
        }
        return Shape("doubleValue is not a number");
      }
      if (k == "bytesValue" || k == "bytes_value") {
        if (!v.is_string()) return Shape("bytesValue is not a base64 string");
        return c.String(key, v.get_string().value_unsafe());
      }
      if (k == "arrayValue" || k == "array_value") {
        dom::element values;
        if (!v.is_object()) return Shape("arrayValue is not an object");
        if (!c.BeginArray(key)) return false;
        if (Member(Obj(v), "values", {}, &values)) {
          if (!values.is_array()) return Shape("arrayValue.values is not an array");
          for (dom::element e : Arr(values)) {
            if (!FeedAnyValue({}, e)) return false;
          }
        }
        return c.EndArray();
      }
      if (k == "kvlistValue" || k == "kvlist_value") {
        if (!v.is_object()) return Shape("kvlistValue is not an object");
        if (!c.BeginObject(key)) return false;
        if (!FeedKvList(v, /*map_key=*/false)) return false;
        return c.EndObject();
      }
    }
    return c.Null(key);  // an empty AnyValue
  }

  // The members of a KeyValueList object ({"values":[{key,value}...]}).
  bool FeedKvList(dom::element list, bool map_key) {
    dom::element values;
    if (!Member(Obj(list), "values", {}, &values)) return true;
    if (!values.is_array()) return Shape("kvlistValue.values is not an array");
    for (dom::element kv : Arr(values)) {
      if (!FeedKeyValue(kv, map_key)) return false;
    }
    return true;
  }

  bool FeedBody(dom::element body) {
    dom::element kvlist;
    if (body.is_object() && (Member(Obj(body), "kvlistValue", "kvlist_value", &kvlist))) {
      if (!kvlist.is_object()) return Shape("kvlistValue is not an object");
      return FeedKvList(kvlist, /*map_key=*/false);
    }
    return FeedAnyValue("msg", body);
  }

  bool FeedRecord(dom::element rec, EventBatch* out) {
    if (!rec.is_object()) return Shape("log record is not an object");
    writer->NewEvent();
    RecordHeader h;
    dom::element body;
    dom::element attrs;
    bool has_body = false;
    bool has_attrs = false;
    for (dom::key_value_pair kv : Obj(rec)) {
      std::string_view k = kv.key;
      dom::element v = kv.value;
      if (k == "timeUnixNano" || k == "time_unix_nano") {
        if (!ToUint64(v, &h.time_unix_nano)) return Shape("timeUnixNano is not an integer");
      } else if (k == "observedTimeUnixNano" || k == "observed_time_unix_nano") {
        if (!ToUint64(v, &h.observed_time_unix_nano)) {
          return Shape("observedTimeUnixNano is not an integer");
        }
      } else if (k == "severityNumber" || k == "severity_number") {
        if (v.is_string()) {
          h.severity_number = SeverityFromName(v.get_string().value_unsafe());
        } else if (!ToUint64(v, &h.severity_number)) {
          return Shape("severityNumber is not a SeverityNumber");
        }
      } else if (k == "severityText" || k == "severity_text") {
        if (!v.is_string()) return Shape("severityText is not a string");
        h.severity_text = v.get_string().value_unsafe();
      } else if (k == "body") {
        body = v;
        has_body = true;
      } else if (k == "attributes") {
        if (!v.is_array()) return Shape("attributes is not an array");
        attrs = v;
        has_attrs = true;
      } else if (k == "traceId" || k == "trace_id") {
        if (!Id(v, "traceId", &h.trace_id_hex)) return false;
      } else if (k == "spanId" || k == "span_id") {
        if (!Id(v, "spanId", &h.span_id_hex)) return false;
      } else if (k == "eventName" || k == "event_name") {
        if (!v.is_string()) return Shape("eventName is not a string");
        h.event_name = v.get_string().value_unsafe();
      }
    }
    if (!writer->Begin(out, h)) return false;
    if (has_body && !FeedBody(body)) return false;
    if (has_attrs) {
      for (dom::element kv : Arr(attrs)) {
        if (!FeedKeyValue(kv, /*map_key=*/true)) return false;
      }
    }
    if (has_resource_attrs) {
      for (dom::element kv : resource_attrs) {
        if (!FeedKeyValue(kv, /*map_key=*/true)) return false;
      }
    }
    return writer->End(scope, receive_ts);
  }

  // The envelope's shape; false with the reason.
  static bool CheckEnvelope(dom::element root, std::string* why) {
    if (!root.is_object()) return Fail(why, "not a JSON object");
    dom::element rls;
    if (!Member(Obj(root), "resourceLogs", "resource_logs", &rls)) {
      return true;
    }
    if (!IsArrayOfObjects(rls)) return Fail(why, "resourceLogs is not an array of objects");
    size_t ri = 0;
    for (dom::element rl : Arr(rls)) {
      dom::object o = Obj(rl);
      const std::string at = "resourceLogs[" + std::to_string(ri++) + "].";
      dom::element res;
      if (Member(o, "resource", {}, &res)) {
        if (!res.is_object()) return Fail(why, at + "resource is not an object");
        dom::element attrs;
        if (Member(Obj(res), "attributes", {}, &attrs) && !attrs.is_array()) {
          return Fail(why, at + "resource.attributes is not an array");
        }
      }
      dom::element sls;
      if (!Member(o, "scopeLogs", "scope_logs", &sls)) continue;
      if (!IsArrayOfObjects(sls)) return Fail(why, at + "scopeLogs is not an array of objects");
      size_t si = 0;
      for (dom::element sl : Arr(sls)) {
        const std::string sat = at + "scopeLogs[" + std::to_string(si++) + "].";
        dom::element recs;
        dom::object so = Obj(sl);
        if (Member(so, "logRecords", "log_records", &recs) && !recs.is_array()) {
          return Fail(why, sat + "logRecords is not an array");
        }
        dom::element sc;
        if (Member(so, "scope", {}, &sc) && !sc.is_object()) {
          return Fail(why, sat + "scope is not an object");
        }
      }
    }
    return true;
  }

  static bool Fail(std::string* why, std::string reason) {
    *why = std::move(reason);
    return false;
  }

  static std::string_view StringMember(dom::object o, std::string_view name) {
    dom::element el;
    if (Member(o, name, {}, &el) && el.is_string()) return el.get_string().value_unsafe();
    return {};
  }

  DecodeResult Decode(std::string_view body, int64_t receive_ts_ns, EventBatch* out) {
    DecodeResult result;
    receive_ts = receive_ts_ns;
    dom::element root;
    // The whole request is one JSON document: its depth bounds every record's nesting
    // (attributes nest two levels per AnyValue: value, kvlistValue/arrayValue).
    auto err = parser.parse(body.data(), body.size(), true).get(root);
    if (err) {
      result.undecodable = std::string("invalid JSON: ") + simdjson::error_message(err);
      return result;
    }
    std::string why;
    if (!CheckEnvelope(root, &why)) {
      result.undecodable = "not an OTLP ExportLogsServiceRequest: " + why;
      return result;
    }
    dom::element rls;
    if (!Member(Obj(root), "resourceLogs", "resource_logs", &rls)) {
      return result;
    }
    uint64_t record_no = 0;
    size_t ri = 0;
    for (dom::element rl : Arr(rls)) {
      dom::object o = Obj(rl);
      has_resource_attrs = false;
      dom::element res;
      dom::element attrs;
      if (Member(o, "resource", {}, &res) && Member(Obj(res), "attributes", {}, &attrs)) {
        resource_attrs = Arr(attrs);
        has_resource_attrs = true;
      }
      dom::element sls;
      size_t si = 0;
      if (Member(o, "scopeLogs", "scope_logs", &sls)) {
        for (dom::element sl : Arr(sls)) {
          dom::object so = Obj(sl);
          scope = {};
          dom::element sc;
          if (Member(so, "scope", {}, &sc)) {
            scope.name = StringMember(Obj(sc), "name");
            scope.version = StringMember(Obj(sc), "version");
          }
          dom::element recs;
          if (Member(so, "logRecords", "log_records", &recs)) {
            size_t li = 0;
            for (dom::element rec : Arr(recs)) {
              ++record_no;
              shape_error.clear();
              if (FeedRecord(rec, out)) {
                ++result.accepted;
              } else {
                RejectRecord(
                    &result, limits.max_reported_errors, record_no,
                    RecordPath(ri, si, li) + (shape_error.empty() ? writer->error() : shape_error));
              }
              ++li;
            }
          }
          ++si;
        }
      }
      ++ri;
    }
    return result;
  }
};

OtlpJsonReader::OtlpJsonReader(OtlpEventWriter* writer, IngestLimits limits)
    : impl_(std::make_unique<Impl>(writer, limits)) {}
OtlpJsonReader::~OtlpJsonReader() = default;

DecodeResult OtlpJsonReader::Decode(std::string_view body, int64_t receive_ts_ns, EventBatch* out) {
  return impl_->Decode(body, receive_ts_ns, out);
}

}  // namespace vigia::otlp
