#include "ingest/loki/loki_labels.h"

namespace vigia::loki {
namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9') || c == '.' || c == ':'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

bool ParseLabels(std::string_view text, std::vector<Label>* out, std::deque<std::string>* storage,
                 std::string* error) {
  out->clear();
  size_t i = 0;
  const size_t n = text.size();
  auto skip = [&] {
    while (i < n && IsSpace(text[i])) ++i;
  };
  auto fail = [&](const char* why) {
    *error = std::string("stream labels ") + why + " at byte " + std::to_string(i);
    return false;
  };
  skip();
  if (i == n) return true;
  if (text[i] != '{') return fail("do not start with '{'");
  ++i;
  skip();
  if (i < n && text[i] == '}') {
    ++i;
    skip();
    return i == n ? true : fail("have content after '}'");
  }
  while (true) {
    skip();
    const size_t name_start = i;
    if (i >= n || !IsNameStart(text[i])) return fail("have an invalid label name");
    while (i < n && IsNameChar(text[i])) ++i;
    std::string_view name = text.substr(name_start, i - name_start);
    skip();
    if (i >= n || text[i] != '=') return fail("miss '=' after a label name");
    ++i;
    skip();
    if (i >= n || text[i] != '"') return fail("miss a quoted label value");
    ++i;
    const size_t value_start = i;
    bool escaped = false;
    while (i < n && text[i] != '"') {
      if (text[i] == '\\') {
        escaped = true;
        ++i;
      }
      ++i;
    }
    if (i >= n) return fail("have an unterminated label value");
    std::string_view raw = text.substr(value_start, i - value_start);
    ++i;  // closing quote
    std::string_view value = raw;
    if (escaped) {
      std::string& s = storage->emplace_back();
      s.reserve(raw.size());
      for (size_t k = 0; k < raw.size(); ++k) {
        char c = raw[k];
        if (c == '\\' && k + 1 < raw.size()) {
          char e = raw[++k];
          c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
        }
        s.push_back(c);
      }
      value = s;
    }
    out->push_back({name, value});
    skip();
    if (i < n && text[i] == ',') {
      ++i;
      skip();
      if (i < n && text[i] == '}') break;  // a trailing comma
      continue;
    }
    if (i < n && text[i] == '}') break;
    return fail("miss ',' or '}' after a label");
  }
  ++i;  // '}'
  skip();
  return i == n ? true : fail("have content after '}'");
}

int ServiceLabel(const std::vector<Label>& labels) {
  for (std::string_view want : {"service_name", "app", "job"}) {
    for (size_t i = 0; i < labels.size(); ++i) {
      if (labels[i].name == want) return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace vigia::loki
