#include "event_encoder.h"

#include "json_out.h"
#include "redactor.h"

namespace vigia::sdk::internal {

void EventEncoder::append_string_value(std::string& out, std::string_view key, std::string_view v) {
  if (is_secret_key(key)) {
    json_append_string(out, kRedacted);
  } else if (redact_string(v, &scratch_)) {
    json_append_string(out, scratch_);
  } else {
    json_append_string(out, v);
  }
}

void EventEncoder::encode(const DecodedEvent& ev, std::string& out,
                          std::vector<std::pair<std::string_view, std::string_view>>& fields) {
  out.clear();
  fields.clear();
  // (key, begin, end) of value texts; views are made once `out` stops reallocating.
  struct Span {
    std::string_view key;
    size_t b, e;
  };
  Span spans[kMaxFields + 64];
  size_t nspans = 0;
  out.append("{\"ts\":");
  json_append_int(out, ev.ts_ns);
  out.append(",\"kind\":\"");
  out.append(kind_name(ev.kind));
  out.append("\",\"level\":\"");
  out.append(level_name(ev.level));
  out.append("\",");
  out.append(id_.json_members);
  out.append(",\"msg\":");
  append_string_value(out, "msg", ev.msg);
  auto add_key = [&](std::string_view key) {
    out.push_back(',');
    json_append_string(out, key);
    out.push_back(':');
  };
  for (const auto& [k, v] : ev.context) {
    add_key(k);
    size_t b = out.size();
    append_string_value(out, k, v);
    if (nspans < std::size(spans)) spans[nspans++] = {k, b, out.size()};
  }
  auto append_value = [&](const DecodedField& f) {
    switch (f.type) {
      case Field::Type::kInt:
        if (is_secret_key(f.key))
          json_append_string(out, kRedacted);
        else
          json_append_int(out, f.i);
        break;
      case Field::Type::kDouble:
        json_append_double(out, f.d);
        break;
      case Field::Type::kBool:
        out.append(f.b ? "true" : "false");
        break;
      case Field::Type::kString:
        append_string_value(out, f.key, f.s);
        break;
      case Field::Type::kNull:
        out.append("null");
        break;
    }
  };
  bool has_error = false;
  for (const auto& f : ev.fields) {
    if (f.key.starts_with("error.")) {
      has_error = true;
      continue;
    }
    add_key(f.key);
    size_t b = out.size();
    append_value(f);
    if (nspans < std::size(spans)) spans[nspans++] = {f.key, b, out.size()};
  }
  if (has_error) {
    out.append(",\"error\":{");
    bool first = true;
    for (const auto& f : ev.fields) {
      if (!f.key.starts_with("error.")) continue;
      if (!first) out.push_back(',');
      first = false;
      json_append_string(out, f.key.substr(6));
      out.push_back(':');
      size_t b = out.size();
      append_value(f);
      if (nspans < std::size(spans)) spans[nspans++] = {f.key, b, out.size()};
    }
    out.push_back('}');
  }
  out.push_back('}');
  for (size_t i = 0; i < nspans; ++i)
    fields.emplace_back(spans[i].key,
                        std::string_view(out).substr(spans[i].b, spans[i].e - spans[i].b));
}

}  // namespace vigia::sdk::internal
