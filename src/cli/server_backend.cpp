#include "cli/server_backend.h"

#include <curl/curl.h>
#include <simdjson.h>

#include <cctype>

#include "common/time_format.h"

namespace vigia::cli {
namespace {

// One row object as a record: values keep their JSON types (an integer beyond int64 becomes
// a float; a nested value, which rows never have, its JSON text).
QueryRecord ObjectToRecord(simdjson::dom::object obj) {
  QueryRecord r;
  for (auto [k, v] : obj) {
    OwnedValue ov;
    switch (v.type()) {
      case simdjson::dom::element_type::STRING:
        ov = OwnedValue::String(std::string(v.get_string().value()));
        break;
      case simdjson::dom::element_type::INT64:
        ov = OwnedValue::Int(v.get_int64().value());
        break;
      case simdjson::dom::element_type::UINT64:
        ov = OwnedValue::Float(static_cast<double>(v.get_uint64().value()));
        break;
      case simdjson::dom::element_type::DOUBLE:
        ov = OwnedValue::Float(v.get_double().value());
        break;
      case simdjson::dom::element_type::BOOL:
        ov = OwnedValue::From(Value::Bool(v.get_bool().value()));
        break;
      case simdjson::dom::element_type::NULL_VALUE:
        break;
      default:
        ov = OwnedValue::String(simdjson::minify(v));
    }
    r.cols.emplace_back(std::string(k), std::move(ov));
  }
  return r;
}

// GET /v1/query's path and parameters for `q` (VIGIA_ASSIGN_OR_RETURN needs a Result).
Result<std::string> QueryPath(const Query& q, const QueryOptions& options, const char* format) {
  if (q.text.empty()) {
    return Status::InvalidArgument("a server runs VQL text; this query was built as an AST");
  }
  std::string path = std::string("/v1/query?format=") + format + "&q=" + UrlEncode(q.text);
  if (options.range.from_ns) path += "&since=" + UrlEncode(FormatRfc3339(*options.range.from_ns));
  if (options.range.to_ns) path += "&until=" + UrlEncode(FormatRfc3339(*options.range.to_ns));
  if (options.row_limit > 0) path += "&limit=" + std::to_string(options.row_limit);
  return path;
}

}  // namespace

Result<QueryResult> ServerBackend::Run(const Query& q, const QueryOptions& options,
                                       const QueryObserver& observer) {
  VIGIA_ASSIGN_OR_RETURN(std::string path, QueryPath(q, options, "ndjson"));
  VIGIA_ASSIGN_OR_RETURN(std::string body, HttpGet(url_, api_key_, path));
  QueryResult res;
  if (auto err = TrailingQueryError(body)) {
    // The rows before the error record are whole rows: still worth handing out.
    auto rows = ParseRowsNdjson(std::string_view(body).substr(0, err->second));
    if (rows.ok() && !rows->empty() && observer.on_rows) {
      VIGIA_RETURN_IF_ERROR(observer.on_rows(std::move(rows).value()));
    }
    return Status::IOError("the query failed after its first rows: " + err->first);
  }
  // A partial answer (a ClickHouse cluster with a shard down, clickhouse.partial_results)
  // ends with {"partial":{"shards_unavailable":N,"shards_total":M}}: stats, not a row.
  std::string_view rows_text = body;
  while (!rows_text.empty() && rows_text.back() == '\n') rows_text.remove_suffix(1);
  size_t last = rows_text.rfind('\n');
  last = last == std::string_view::npos ? 0 : last + 1;
  constexpr std::string_view kPartial = "{\"partial\":{";
  if (rows_text.substr(last, kPartial.size()) == kPartial) {
    simdjson::dom::parser parser;
    simdjson::dom::element p;
    uint64_t unavailable = 0, total = 0;
    if (parser.parse(rows_text.substr(last)).get(p) == simdjson::SUCCESS) {
      // A member missing from the record leaves its count at 0.
      if (p["partial"]["shards_unavailable"].get_uint64().get(unavailable)) unavailable = 0;
      if (p["partial"]["shards_total"].get_uint64().get(total)) total = 0;
    }
    res.stats.shards_unavailable = static_cast<uint32_t>(unavailable);
    res.stats.shards_total = static_cast<uint32_t>(total);
    rows_text = rows_text.substr(0, last);
  }
  VIGIA_ASSIGN_OR_RETURN(res.rows, ParseRowsNdjson(rows_text));
  return res;
}

Result<std::string> ServerBackend::Explain(const Query& q, const QueryOptions& options) {
  VIGIA_ASSIGN_OR_RETURN(std::string path, QueryPath(q, options, "json"));
  VIGIA_ASSIGN_OR_RETURN(std::string body, HttpGet(url_, api_key_, path + "&explain=true"));
  simdjson::dom::parser parser;
  std::string_view text;
  if (parser.parse(body).get_object()["explain"].get_string().get(text) != simdjson::SUCCESS) {
    return Status::IOError("the server's explain answer has no \"explain\" text: " +
                           body.substr(0, 200));
  }
  return std::string(text);
}

Result<QueryResult> ServerBackend::Trace(const std::string& request_id,
                                         const QueryOptions& /*options*/) {
  Result<std::string> body =
      HttpGet(url_, api_key_, "/v1/trace?request_id=" + UrlEncode(request_id));
  // The server answers 404 for an id it has no events of: no rows, as the interface says.
  if (body.status().code() == StatusCode::kNotFound) return QueryResult{};
  VIGIA_RETURN_IF_ERROR(body.status());
  QueryResult res;
  VIGIA_ASSIGN_OR_RETURN(res.rows, ParseRowsJson(*body));
  return res;
}

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<std::string> HttpGet(const std::string& server, const std::string& api_key,
                            const std::string& path_and_query) {
  return HttpRequest(server, api_key, "GET", path_and_query, "");
}

Result<std::string> HttpRequest(const std::string& server, const std::string& api_key,
                                const std::string& method, const std::string& path_and_query,
                                const std::string& json_body, long timeout_ms) {
  std::string url = server;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += path_and_query;
  CURL* curl = curl_easy_init();
  if (!curl) return Status::Internal("curl_easy_init failed");
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* p, size_t sz, size_t n, void* ud) -> size_t {
        static_cast<std::string*>(ud)->append(p, sz * n);
        return sz * n;
      });
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  if (timeout_ms > 0) curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_slist* headers = nullptr;
  std::string auth;
  if (!api_key.empty()) {
    auth = "Authorization: Bearer " + api_key;
    headers = curl_slist_append(headers, auth.c_str());
  }
  if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json_body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(json_body.size()));
    headers = curl_slist_append(headers, "Content-Type: application/json");
  }
  if (headers) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return Status::DeadlineExceeded("no answer from " + server + " within " +
                                    std::to_string(timeout_ms) + " ms");
  }
  if (rc != CURLE_OK) {
    return Status::Unavailable(std::string("cannot reach ") + server + ": " +
                               curl_easy_strerror(rc));
  }
  if (code < 200 || code > 299) {
    simdjson::dom::parser parser;
    std::string_view msg;
    if (parser.parse(body)["error"]["message"].get(msg) == simdjson::SUCCESS) {
      if (code == 404) return Status::NotFound(std::string(msg));
      return Status::InvalidArgument(std::string(msg));
    }
    return Status::IOError("server answered HTTP " + std::to_string(code) + ": " + body);
  }
  return body;
}

std::optional<std::pair<std::string, size_t>> TrailingQueryError(std::string_view body) {
  std::string_view b = body;
  while (!b.empty() && b.back() == '\n') b.remove_suffix(1);
  size_t nl = b.rfind('\n');
  size_t last = nl == std::string_view::npos ? 0 : nl + 1;
  std::string json;
  size_t keep = 0;
  // A quote inside a JSON string is escaped, so neither marker can come from row content.
  constexpr std::string_view kLine = "{\"error\":{";
  constexpr std::string_view kMember = "],\"error\":{";
  size_t member = b.rfind(kMember);
  if (b.substr(last, kLine.size()) == kLine) {
    json = std::string(b.substr(last));
    keep = last;
  } else if (member != std::string_view::npos && !b.empty() && b.back() == '}') {
    json = "{" + std::string(b.substr(member + 2));
    keep = member;
  } else {
    return std::nullopt;
  }
  simdjson::dom::parser parser;
  std::string_view msg;
  if (parser.parse(json)["error"]["message"].get(msg) != simdjson::SUCCESS) return std::nullopt;
  return std::pair<std::string, size_t>(std::string(msg), keep);
}

Result<std::vector<QueryRecord>> ParseRowsJson(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) {
    return Status::Corruption("server sent invalid JSON");
  }
  simdjson::dom::array rows;
  if (doc.is_object()) {
    if (doc["rows"].get(rows) != simdjson::SUCCESS &&
        doc["events"].get(rows) != simdjson::SUCCESS) {
      return Status::Corruption("server response has no rows");
    }
  } else if (doc.get(rows) != simdjson::SUCCESS) {
    return Status::Corruption("server response is not a JSON array");
  }
  std::vector<QueryRecord> out;
  for (simdjson::dom::element row : rows) {
    simdjson::dom::object obj;
    if (row.get(obj) != simdjson::SUCCESS) continue;
    out.push_back(ObjectToRecord(obj));
  }
  return out;
}

Result<std::vector<QueryRecord>> ParseRowsNdjson(std::string_view ndjson) {
  simdjson::dom::parser parser;
  std::vector<QueryRecord> out;
  while (!ndjson.empty()) {
    size_t nl = ndjson.find('\n');
    std::string_view line = ndjson.substr(0, nl);
    ndjson.remove_prefix(nl == std::string_view::npos ? ndjson.size() : nl + 1);
    if (line.empty()) continue;
    simdjson::dom::object obj;
    if (parser.parse(line.data(), line.size()).get(obj) != simdjson::SUCCESS) {
      return Status::Corruption("server sent a line that is not a JSON object");
    }
    out.push_back(ObjectToRecord(obj));
  }
  return out;
}

}  // namespace vigia::cli
