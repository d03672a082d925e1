#include "audit/json_field.h"

#include <cstdlib>

namespace vigia::audit {

bool FindJsonField(std::string_view line, std::string_view key, std::string* out) {
  std::string pattern;
  pattern.reserve(key.size() + 3);
  pattern += '"';
  pattern += key;
  pattern += "\":";
  size_t at = line.find(pattern);
  if (at == std::string_view::npos) return false;
  size_t p = at + pattern.size();
  out->clear();
  if (p < line.size() && line[p] == '"') {
    for (++p; p < line.size(); ++p) {
      char c = line[p];
      if (c == '"') return true;
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (++p >= line.size()) return false;
      char e = line[p];
      switch (e) {
        case 'n':
          *out += '\n';
          break;
        case 't':
          *out += '\t';
          break;
        case 'r':
          *out += '\r';
          break;
        case 'b':
          *out += '\b';
          break;
        case 'f':
          *out += '\f';
          break;
        case 'u': {
          if (p + 4 >= line.size()) return false;
          unsigned long v = std::strtoul(std::string(line.substr(p + 1, 4)).c_str(), nullptr, 16);
          if (v >= 0x80) return false;  // the writer escapes only control characters
          *out += static_cast<char>(v);
          p += 4;
          break;
        }
        default:
          *out += e;
      }
    }
    return false;
  }
  while (p < line.size() && (line[p] == '-' || (line[p] >= '0' && line[p] <= '9'))) {
    *out += line[p++];
  }
  return !out->empty();
}

}  // namespace vigia::audit
