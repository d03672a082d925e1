#include "audit/audit_file_names.h"

namespace vigia::audit {
namespace {

bool Safe(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // only upper-case digits are produced
}

}  // namespace

std::string TenantDirName(std::string_view tenant) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out(kTenantDirPrefix);
  for (char c : tenant) {
    if (Safe(c)) {
      out += c;
    } else {
      unsigned char u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::optional<std::string> ParseTenantDirName(std::string_view name) {
  if (!name.starts_with(kTenantDirPrefix)) return std::nullopt;
  name.remove_prefix(kTenantDirPrefix.size());
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '%') {
      if (i + 2 >= name.size()) return std::nullopt;
      int hi = HexValue(name[i + 1]), lo = HexValue(name[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      char c = static_cast<char>(hi * 16 + lo);
      if (Safe(c)) return std::nullopt;  // not canonical
      out += c;
      i += 2;
    } else if (Safe(name[i])) {
      out += name[i];
    } else {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace vigia::audit
