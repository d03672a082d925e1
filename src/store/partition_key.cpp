#include "store/partition_key.h"

#include <cstdio>

namespace vigia {
namespace {

// Civil date from days since epoch (Howard Hinnant's algorithm).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool SafeTenantByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string PartitionDirName(const PartitionKey& key) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(key.day, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld%02u%02u", static_cast<long long>(y), m, d);
  std::string out = buf;
  if (key.tenant.empty()) return out;
  out += '.';
  for (char c : key.tenant) {
    if (SafeTenantByte(c)) {
      out += c;
    } else {
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  return out;
}

std::optional<PartitionKey> ParsePartitionDirName(std::string_view name) {
  if (name.size() < 8) return std::nullopt;
  int64_t v[3] = {0, 0, 0};
  const int widths[3] = {4, 2, 2};
  size_t p = 0;
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < widths[k]; ++i, ++p) {
      if (name[p] < '0' || name[p] > '9') return std::nullopt;
      v[k] = v[k] * 10 + (name[p] - '0');
    }
  }
  if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31) return std::nullopt;
  PartitionKey key;
  key.day = static_cast<int32_t>(
      DaysFromCivil(v[0], static_cast<unsigned>(v[1]), static_cast<unsigned>(v[2])));
  if (p < name.size() && (name[p] != '.' || p + 1 == name.size())) return std::nullopt;
  for (++p; p < name.size(); ++p) {
    if (name[p] == '%') {
      if (p + 2 >= name.size()) return std::nullopt;
      int hi = HexDigit(name[p + 1]), lo = HexDigit(name[p + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      key.tenant += static_cast<char>(hi << 4 | lo);
      p += 2;
    } else if (SafeTenantByte(name[p])) {
      key.tenant += name[p];
    } else {
      return std::nullopt;
    }
  }
  if (PartitionDirName(key) != name) return std::nullopt;  // e.g. "20260230"
  return key;
}

}  // namespace vigia
