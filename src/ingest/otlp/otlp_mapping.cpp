#include "ingest/otlp/otlp_mapping.h"

#include <array>

#include "common/ascii.h"
#include "common/hex.h"

namespace vigia::otlp {
namespace {

struct KeyMap {
  std::string_view from;
  std::string_view to;
};

// Semantic conventions (https://opentelemetry.io/docs/specs/semconv/) → canonical fields; the
// older names (http.method, http.status_code, ...) that SDKs still emit map too.
constexpr KeyMap kKeys[] = {
    {"service.name", "service"},
    {"service.version", "version"},
    {"deployment.environment.name", "env"},
    {"deployment.environment", "env"},
    {"host.name", "host"},
    {"http.request.method", "method"},
    {"http.method", "method"},
    {"http.route", "route"},
    {"url.path", "path"},
    {"http.response.status_code", "status"},
    {"http.status_code", "status"},
    {"client.address", "ip"},
    {"http.client_ip", "ip"},
    {"user_agent.original", "ua"},
    {"http.user_agent", "ua"},
    {"exception.type", "error.type"},
    {"exception.message", "error.message"},
    {"exception.stacktrace", "error.stack"},
    {"enduser.id", "user_id"},
    {"user.id", "user_id"},
    {"session.id", "session_id"},
};

constexpr std::string_view kLevels[] = {"trace", "debug", "info", "warn", "error", "fatal"};

}  // namespace

std::string_view CanonicalKey(std::string_view key) {
  // Every mapped name has a dot, and most attributes that reach here do too; the length
  // check makes the scan cheap.
  for (const KeyMap& m : kKeys) {
    if (m.from.size() == key.size() && m.from == key) return m.to;
  }
  return key;
}

std::string_view LevelOfSeverity(uint64_t n) {
  if (n < 1 || n > 24) return {};
  return kLevels[(n - 1) / 4];
}

uint64_t SeverityFromName(std::string_view name) {
  constexpr std::string_view kPrefix = "SEVERITY_NUMBER_";
  if (!name.starts_with(kPrefix)) return 0;
  name.remove_prefix(kPrefix.size());
  static constexpr std::string_view kUpper[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
  for (size_t i = 0; i < std::size(kUpper); ++i) {
    if (!name.starts_with(kUpper[i])) continue;
    std::string_view rest = name.substr(kUpper[i].size());
    if (rest.empty()) return i * 4 + 1;
    if (rest.size() == 1 && rest[0] >= '2' && rest[0] <= '4') return i * 4 + 1 + (rest[0] - '1');
  }
  return 0;
}

bool SeverityTextIsLevel(std::string_view text, std::string_view level) {
  if (text.size() < level.size()) return false;
  return ascii::EqualsIgnoreCase(text.substr(0, level.size()), level);
}

bool IsZeroId(std::string_view id) {
  for (char c : id) {
    if (c != 0) return false;
  }
  return true;
}

std::string_view HexId(std::string_view bytes, std::string* out) {
  out->clear();
  hex::AppendTo(bytes, out);
  return *out;
}

void Base64(std::string_view bytes, std::string* out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out->clear();
  out->reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                       (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(kAlphabet[(v >> 6) & 63]);
    out->push_back(kAlphabet[v & 63]);
  }
  if (i + 1 == bytes.size()) {
    const uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->append("==");
  } else if (i + 2 == bytes.size()) {
    const uint32_t v =
        (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(kAlphabet[(v >> 6) & 63]);
    out->push_back('=');
  }
}

std::string RecordPath(size_t ri, size_t si, size_t li) {
  return "resourceLogs[" + std::to_string(ri) + "].scopeLogs[" + std::to_string(si) +
         "].logRecords[" + std::to_string(li) + "]: ";
}

}  // namespace vigia::otlp
