// Helpers shared by the integration tests: building NDJSON batches with unique ids and
// reading them back through the query API (/v1/query?format=ndjson).
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace vigia::testing {

// One realistic request-log event (~350 bytes) carrying `uid` as its unique id.
inline std::string EventLine(const std::string& uid) {
  return R"({"ts":"2026-11-22T10:01:02.123Z","level":"info","service":"sales-api","env":"prod",)"
         R"("host":"api-7f9c","request_id":"req-)" +
         uid +
         R"(","user_id":"u-1842","msg":"request completed","method":"POST",)"
         R"("route":"/sales/{id}/pay","path":"/sales/99812/pay","status":200,)"
         R"j("duration_ms":37.5,"ip":"203.0.113.7","ua":"Mozilla/5.0 (X11; Linux x86_64)",)j"
         R"("uid":")" +
         uid + "\"}\n";
}

// Counts the occurrences of each "uid" value in an NDJSON dump.
inline std::map<std::string, int> CountUids(std::string_view dump) {
  std::map<std::string, int> counts;
  constexpr std::string_view kKey = "\"uid\":\"";
  size_t pos = 0;
  while ((pos = dump.find(kKey, pos)) != std::string_view::npos) {
    pos += kKey.size();
    size_t end = dump.find('"', pos);
    if (end == std::string_view::npos) break;
    ++counts[std::string(dump.substr(pos, end - pos))];
    pos = end;
  }
  return counts;
}

}  // namespace vigia::testing
