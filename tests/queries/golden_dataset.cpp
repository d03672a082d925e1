#include "golden_dataset.h"

#include <optional>

#include "common/time_format.h"
#include "query/ndjson_file_source.h"

namespace vigia::testing {
namespace {

void Flatten(EventBatch* b, const std::string& prefix, simdjson::dom::object obj) {
  for (auto [k, v] : obj) {
    // `ts` is EventRef::ts_ns, never a field.
    if (prefix.empty() && k == "ts") continue;
    std::string name = prefix + std::string(k);
    switch (v.type()) {
      case simdjson::dom::element_type::OBJECT:
        Flatten(b, name + ".", v.get_object().value());
        break;
      case simdjson::dom::element_type::STRING:
        b->AddField(b->arena().Copy(name), Value::String(b->arena().Copy(v.get_string().value())));
        break;
      case simdjson::dom::element_type::INT64:
        b->AddField(b->arena().Copy(name), Value::Int(v.get_int64().value()));
        break;
      case simdjson::dom::element_type::DOUBLE:
        b->AddField(b->arena().Copy(name), Value::Float(v.get_double().value()));
        break;
      case simdjson::dom::element_type::BOOL:
        b->AddField(b->arena().Copy(name), Value::Bool(v.get_bool().value()));
        break;
      // The dataset has none of these; a null is an absent field.
      case simdjson::dom::element_type::ARRAY:
      case simdjson::dom::element_type::UINT64:
      case simdjson::dom::element_type::NULL_VALUE:
        break;
    }
  }
}

}  // namespace

Status DecodeGoldenLines(std::string_view chunk, simdjson::dom::parser& parser, EventBatch* out) {
  size_t pos = 0;
  while (pos < chunk.size()) {
    size_t nl = chunk.find('\n', pos);
    if (nl == std::string_view::npos) nl = chunk.size();
    std::string line(chunk.substr(pos, nl - pos));
    pos = nl + 1;
    if (line.empty()) continue;
    auto obj = parser.parse(line).get_object();
    if (obj.error()) return Status::InvalidArgument("golden dataset: a line is not a JSON object");
    auto ts_text = obj.value()["ts"].get_string();
    if (ts_text.error()) return Status::InvalidArgument("golden dataset: a line without a ts");
    std::optional<int64_t> ts = ParseRfc3339(ts_text.value());
    if (!ts) return Status::InvalidArgument("golden dataset: unparseable ts");
    out->BeginEvent(*ts);
    Flatten(out, "", obj.value());
  }
  return Status::Ok();
}

Status LoadGoldenDataset(const std::string& path, EventBatch* out) {
  simdjson::dom::parser parser;
  return ReadNdjsonChunks(path, 64 * 1024, [&](std::string_view chunk) {
    return DecodeGoldenLines(chunk, parser, out);
  });
}

}  // namespace vigia::testing
