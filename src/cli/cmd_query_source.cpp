#include "cli/cmd_query_source.h"

#include <curl/curl.h>
#include <simdjson.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>

#include "ingest/ndjson_decoder.h"
#include "query/ndjson_file_source.h"
#include "query/query_engine.h"
#include "store/store_snapshot.h"

namespace vigia::cli {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status FeedLocal(const QuerySourceOptions& src, RowEvaluator* evaluator) {
  if (!src.data_dir.empty()) {
    StoreOptions so;
    so.data_dir = src.data_dir;
    // A query must not change the data: no retention (the server's retention.days may be
    // longer than the default) and no flush at close.
    so.retention.days = 0;
    so.flush_on_close = false;
    VIGIA_ASSIGN_OR_RETURN(auto store, Store::Open(so));
    Status st;
    ForEachBatch(GetSnapshot(*store), [&](const EventBatch& b) {
      if (st.ok()) st = evaluator->Add(b);
    });
    Status closed = store->Close();
    VIGIA_RETURN_IF_ERROR(st);
    return closed;
  }
  std::vector<std::string> files = src.files;
  if (files.empty()) files.push_back("-");
  NdjsonDecoder decoder;
  uint64_t rejected = 0;
  std::string first_error;
  // Files are usually far bigger than one chunk; 4 MiB keeps the decoder's batches large
  // enough to amortize per-batch work and small enough to stay cache- and memory-friendly.
  constexpr size_t kChunk = 4u << 20;
  bool show = src.force_progress || (src.progress && isatty(STDERR_FILENO));
  for (const std::string& f : files) {
    int64_t now = NowNs();
    Status st = ReadNdjsonChunks(
        f, kChunk,
        [&](std::string_view chunk) {
          EventBatch batch;
          DecodeResult r = decoder.Decode(chunk, now, &batch);
          rejected += r.rejected;
          if (first_error.empty() && !r.errors.empty()) first_error = r.errors[0].error;
          return evaluator->Add(batch);
        },
        [&](const NdjsonReadProgress& p) {
          if (show && (src.force_progress || p.file_bytes > (64u << 20))) {
            std::fprintf(stderr, "\r%s: %llu / %llu MiB", f.c_str(),
                         static_cast<unsigned long long>(p.compressed_bytes_read >> 20),
                         static_cast<unsigned long long>(p.file_bytes >> 20));
          }
        });
    if (show) std::fprintf(stderr, "\r\033[K");
    VIGIA_RETURN_IF_ERROR(st);
  }
  if (rejected) {
    std::fprintf(stderr, "vigia: skipped %llu unparseable line(s); first: %s\n",
                 static_cast<unsigned long long>(rejected), first_error.c_str());
  }
  return Status::Ok();
}

namespace {

// The progress line of a data-directory scan: "<dir>: 12 / 345 blocks, 1234567 rows, 2.3 s",
// redrawn in place at most every 100 ms, erased at the end.
class ScanProgressLine {
 public:
  ScanProgressLine(std::string dir, bool forced) : dir_(std::move(dir)), forced_(forced) {}
  ~ScanProgressLine() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }
  void Update(const QueryProgress& p) {
    auto now = std::chrono::steady_clock::now();
    // On a terminal only scans that take a while get a line; --progress shows every scan.
    if (!forced_ && now - start_ < std::chrono::milliseconds(500)) return;
    if (shown_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    shown_ = true;
    std::fprintf(stderr, "\r%s: %llu / %llu blocks, %llu rows, %.1f s", dir_.c_str(),
                 static_cast<unsigned long long>(p.blocks_done),
                 static_cast<unsigned long long>(p.blocks_total),
                 static_cast<unsigned long long>(p.rows_scanned),
                 std::chrono::duration<double>(now - start_).count());
  }

 private:
  const std::string dir_;
  const bool forced_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_;
  bool shown_ = false;
};

}  // namespace

Result<QueryResult> RunLocal(const QuerySourceOptions& src, const Query& q,
                             const QueryOptions& opt) {
  if (!src.data_dir.empty()) {
    StoreOptions so;
    so.data_dir = src.data_dir;
    // A query must not change the data: no retention (the server's retention.days may be
    // longer than the default) and no flush at close.
    so.retention.days = 0;
    so.flush_on_close = false;
    VIGIA_ASSIGN_OR_RETURN(auto store, Store::Open(so));
    std::optional<ScanProgressLine> line;
    QueryObserver obs;
    if (src.force_progress || (src.progress && isatty(STDERR_FILENO))) {
      line.emplace(src.data_dir, src.force_progress);
      obs.on_progress = [&line](const QueryProgress& p) { line->Update(p); };
    }
    Result<QueryResult> res = RunQuery(GetSnapshot(*store), q, opt, obs);
    line.reset();
    Status closed = store->Close();
    VIGIA_RETURN_IF_ERROR(res.status());
    VIGIA_RETURN_IF_ERROR(closed);
    return res;
  }
  VIGIA_ASSIGN_OR_RETURN(auto ev, RowEvaluator::Create(q, opt));
  VIGIA_RETURN_IF_ERROR(FeedLocal(src, ev.get()));
  return ev->Finish();
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

Result<std::string> HttpGet(const QuerySourceOptions& src, const std::string& path_and_query) {
  std::string url = src.server;
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
  curl_slist* headers = nullptr;
  std::string auth;
  if (!src.api_key.empty()) {
    auth = "Authorization: Bearer " + src.api_key;
    headers = curl_slist_append(headers, auth.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  }
  CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    return Status::Unavailable(std::string("cannot reach ") + src.server + ": " +
                               curl_easy_strerror(rc));
  }
  if (code != 200) {
    simdjson::dom::parser parser;
    std::string_view msg;
    if (parser.parse(body)["error"]["message"].get(msg) == simdjson::SUCCESS) {
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
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace vigia::cli
