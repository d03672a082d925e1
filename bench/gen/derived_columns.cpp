#include "gen/derived_columns.h"

#include <cstdio>

namespace vigia::bench {
namespace {

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
      out->append(buf);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

}  // namespace

const std::string& DerivedColumns::Snippet(std::string_view ua) {
  auto it = snippets_.find(std::string(ua));
  if (it != snippets_.end()) return it->second;
  UaFields f = deriver_->Derive(ua);
  std::string s;
  const std::pair<const char*, const std::string*> cols[] = {
      {"browser", &f.browser},
      {"browser_version", &f.browser_version},
      {"os", &f.os},
      {"os_version", &f.os_version},
      {"device", &f.device}};
  for (const auto& [name, value] : cols) {
    if (value->empty()) continue;
    s.append(",\"").append(name).append("\":");
    AppendJsonString(*value, &s);
  }
  return snippets_.emplace(std::string(ua), std::move(s)).first->second;
}

void DerivedColumns::Append(std::string_view line, std::string_view ua, std::string* out) {
  bool newline = !line.empty() && line.back() == '\n';
  if (newline) line.remove_suffix(1);
  if (ua.empty() || line.empty() || line.back() != '}') {
    out->append(line);
  } else {
    out->append(line.substr(0, line.size() - 1));
    out->append(Snippet(ua));
    out->push_back('}');
  }
  if (newline) out->push_back('\n');
}

}  // namespace vigia::bench
