#include "event/event_json.h"

#include <charconv>
#include <cmath>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "event/event_fields.h"

namespace vigia {

void AppendJsonDouble(std::string* out, double v) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  std::string_view text(buf, static_cast<size_t>(r.ptr - buf));
  out->append(text);
  // "1" would read back as an integer; keep the type visible.
  if (text.find_first_of(".e") == std::string_view::npos) out->append(".0");
}

void AppendJsonValue(std::string* out, const Value& v) {
  switch (v.type) {
    case ValueType::kNull:
      out->append("null");
      return;
    case ValueType::kBool:
      out->append(v.b ? "true" : "false");
      return;
    case ValueType::kInt: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof(buf), v.i);
      out->append(buf, r.ptr);
      return;
    }
    case ValueType::kFloat:
      AppendJsonDouble(out, v.f);
      return;
    case ValueType::kString:
      AppendJsonString(out, v.s);
      return;
  }
}

void AppendEventJson(const EventBatch& batch, const EventBatch::EventRef& e, std::string* out) {
  out->append("{\"ts\":\"");
  out->append(FormatRfc3339(e.ts_ns, 9));
  out->push_back('"');
  auto fields = batch.fields(e);
  // kind and level lead whatever their stored position (the normalizer stores them first,
  // but batches from elsewhere, e.g. WAL replay of older formats, need not).
  for (std::string_view lead : {fields::kKind, fields::kLevel}) {
    for (const Field& f : fields) {
      if (f.name == lead) {
        out->push_back(',');
        AppendJsonString(out, f.name);
        out->push_back(':');
        AppendJsonValue(out, f.value);
        break;
      }
    }
  }
  for (const Field& f : fields) {
    if (f.name == fields::kKind || f.name == fields::kLevel) continue;
    out->push_back(',');
    AppendJsonString(out, f.name);
    out->push_back(':');
    AppendJsonValue(out, f.value);
  }
  out->push_back('}');
}

std::string EventJson(const EventBatch& batch, const EventBatch::EventRef& e) {
  std::string s;
  AppendEventJson(batch, e, &s);
  return s;
}

}  // namespace vigia
