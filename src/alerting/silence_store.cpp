#include "alerting/silence_store.h"

#include <simdjson.h>

#include "alerting/checksummed_file.h"
#include "common/json_writer.h"

namespace vigia {

std::string EncodeSilences(const std::vector<Silence>& silences) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("silences").BeginArray();
  for (const Silence& s : silences) {
    w.BeginObject().KV("id", s.id).KV("created_by", s.created_by).KV("comment", s.comment);
    w.KV("starts_at", s.starts_at_ns).KV("ends_at", s.ends_at_ns);
    w.KV("created_at", s.created_at_ns);
    w.Key("matchers").BeginArray();
    for (const LabelMatcher& m : s.matchers) w.String(m.ToString());
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

Result<std::vector<Silence>> DecodeSilences(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array arr;
  if (parser.parse(json.data(), json.size()).get(root) || root["silences"].get_array().get(arr)) {
    return Status::Corruption("malformed silences");
  }
  std::vector<Silence> out;
  for (simdjson::dom::element e : arr) {
    Silence s;
    std::string_view id, by, comment;
    simdjson::dom::array ms;
    if (e["id"].get_string().get(id) || e["created_by"].get_string().get(by) ||
        e["comment"].get_string().get(comment) || e["starts_at"].get_int64().get(s.starts_at_ns) ||
        e["ends_at"].get_int64().get(s.ends_at_ns) ||
        e["created_at"].get_int64().get(s.created_at_ns) || e["matchers"].get_array().get(ms)) {
      return Status::Corruption("malformed silence");
    }
    for (simdjson::dom::element m : ms) {
      std::string_view t;
      if (m.get_string().get(t)) return Status::Corruption("malformed matcher");
      Result<LabelMatcher> lm = LabelMatcher::Parse(t);
      if (!lm.ok()) return Status::Corruption(lm.status().message());
      s.matchers.push_back(std::move(*lm));
    }
    s.id = std::string(id);
    s.created_by = std::string(by);
    s.comment = std::string(comment);
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<Silence>> FileSilenceStore::Load() {
  Result<std::string> body = ReadChecksummedFile(env_, path_);
  if (!body.ok()) {
    if (body.status().code() == StatusCode::kNotFound) return std::vector<Silence>{};
    return body.status();
  }
  Result<std::vector<Silence>> s = DecodeSilences(*body);
  if (!s.ok()) return Status::Corruption(path_ + ": " + s.status().message());
  return s;
}

Status FileSilenceStore::Write(const std::vector<Silence>& all, const Silence&) {
  return WriteChecksummedFile(env_, path_, EncodeSilences(all));
}

}  // namespace vigia
