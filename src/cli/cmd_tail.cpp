// `vigia tail [-f] [--since 5m] 'filter'`: prints matching events as they arrive. With --file
// it follows a growing NDJSON log (like tail -f, starting at its end unless --from-start or
// --since); with --server -f it streams GET /v1/tail (NDJSON, chunked) and prints each event
// the moment the server stores it, until the server ends the stream — with --since, first
// the stored events from then on (the server's backfill, no gap or duplicate before the live
// ones); --server without -f prints the matching events of the last minute (or --since) with
// one /v1/query and exits.
#include <curl/curl.h>
#include <simdjson.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <thread>

#include "cli/cmd_query_source.h"
#include "cli/commands.h"
#include "cli/server_backend.h"
#include "common/time_format.h"
#include "ingest/ndjson/ndjson_decoder.h"
#include "query/filter_matcher.h"
#include "query/result_format.h"
#include "vql/vql_parser.h"

namespace vigia::cli {
namespace {

struct TailArgs {
  std::string filter = "*";
  std::string format = "ndjson";
  std::string file;
  std::string since;  // a duration back from now (5m) or an RFC 3339 time
  bool follow = false;
  bool from_start = false;
  int interval_ms = 1000;
  QuerySourceOptions src;
};

void Print(const std::vector<QueryRecord>& rows, OutputFormat fmt) {
  if (rows.empty()) return;
  std::string out = FormatRows(rows, fmt == OutputFormat::kTable ? OutputFormat::kNdjson : fmt);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

// The matching events since `since` (default: the last minute), once, through the server's
// QueryBackend.
int TailServerOnce(const TailArgs& a, const Query& q, OutputFormat fmt,
                   std::optional<int64_t> since) {
  auto backend = OpenQueryBackend(a.src);
  if (!backend.ok()) return CommandFailed("tail", backend.status().message());
  QueryOptions opt;
  opt.now_ns = NowNs();
  opt.range.from_ns = since ? *since : opt.now_ns - 60'000'000'000LL;
  opt.row_limit = 10000;
  auto res = (*backend)->Run(q, opt);
  if (!res.ok()) return CommandFailed("tail", res.status().message());
  Print(res->rows, fmt);
  return 0;
}

// What the libcurl write callback of the /v1/tail stream works on.
struct StreamState {
  CURL* curl = nullptr;
  OutputFormat fmt = OutputFormat::kNdjson;
  std::string pending;       // bytes after the last complete line
  std::string error_body;    // the body of a non-200 answer
  std::string bad_line;      // set when the server sent something that is not JSON
  std::string server_error;  // the error record that ended the stream, if any
};

void PrintStreamLine(StreamState* st, std::string_view line) {
  if (line.empty()) return;  // heartbeat
  // The server's last line when a `since` backfill failed (the stream ends after it).
  constexpr std::string_view kError = "{\"error\":{";
  if (line.substr(0, kError.size()) == kError) {
    st->server_error = std::string(line);
    return;
  }
  // A drop notice is exactly {"dropped":N}; events always carry "ts" first.
  constexpr std::string_view kDropped = "{\"dropped\":";
  if (line.substr(0, kDropped.size()) == kDropped) {
    std::string n(line.substr(kDropped.size(), line.size() - kDropped.size() - 1));
    std::fprintf(stderr, "vigia tail: %s events dropped (this client fell behind)\n", n.c_str());
    return;
  }
  if (st->fmt == OutputFormat::kNdjson || st->fmt == OutputFormat::kTable) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    return;
  }
  auto rows = ParseRowsJson("[" + std::string(line) + "]");
  if (!rows.ok()) {
    st->bad_line = std::string(line.substr(0, 200));
    return;
  }
  Print(*rows, st->fmt);
}

size_t OnStreamData(char* p, size_t size, size_t n, void* ud) {
  auto* st = static_cast<StreamState*>(ud);
  long code = 0;
  curl_easy_getinfo(st->curl, CURLINFO_RESPONSE_CODE, &code);
  if (code != 200) {
    st->error_body.append(p, size * n);
    return size * n;
  }
  st->pending.append(p, size * n);
  size_t start = 0;
  size_t nl;
  while ((nl = st->pending.find('\n', start)) != std::string::npos) {
    PrintStreamLine(st, std::string_view(st->pending).substr(start, nl - start));
    start = nl + 1;
  }
  st->pending.erase(0, start);
  // Returning less than given aborts the transfer.
  return st->bad_line.empty() ? size * n : 0;
}

// Streams /v1/tail until the server ends the stream (exit 0) or fails (exit 1).
int TailServerFollow(const TailArgs& a, OutputFormat fmt) {
  std::string url = a.src.server;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/v1/tail?format=ndjson&q=" + UrlEncode(a.filter);
  if (!a.since.empty()) url += "&since=" + UrlEncode(a.since);
  StreamState st;
  st.fmt = fmt;
  st.curl = curl_easy_init();
  if (!st.curl) return CommandFailed("tail", "curl_easy_init failed");
  curl_easy_setopt(st.curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(st.curl, CURLOPT_WRITEDATA, &st);
  curl_easy_setopt(st.curl, CURLOPT_WRITEFUNCTION, &OnStreamData);
  curl_easy_setopt(st.curl, CURLOPT_CONNECTTIMEOUT, 10L);
  // The server sends a heartbeat every 15 s: four missed ones mean it is gone.
  curl_easy_setopt(st.curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(st.curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(st.curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_slist* headers = nullptr;
  std::string auth;
  if (!a.src.api_key.empty()) {
    auth = "Authorization: Bearer " + a.src.api_key;
    headers = curl_slist_append(headers, auth.c_str());
    curl_easy_setopt(st.curl, CURLOPT_HTTPHEADER, headers);
  }
  CURLcode rc = curl_easy_perform(st.curl);
  long code = 0;
  curl_easy_getinfo(st.curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(st.curl);
  if (!st.bad_line.empty())
    return CommandFailed("tail", "server sent a line that is not JSON: " + st.bad_line);
  if (!st.server_error.empty()) {
    if (auto err = TrailingQueryError(st.server_error)) return CommandFailed("tail", err->first);
    return CommandFailed("tail", st.server_error);
  }
  if (code != 0 && code != 200) {
    simdjson::dom::parser parser;
    std::string_view msg;
    if (parser.parse(st.error_body)["error"]["message"].get(msg) == simdjson::SUCCESS) {
      return CommandFailed("tail", std::string(msg));
    }
    return CommandFailed("tail",
                         "server answered HTTP " + std::to_string(code) + ": " + st.error_body);
  }
  if (rc != CURLE_OK) {
    return CommandFailed("tail",
                         "stream from " + a.src.server + " failed: " + curl_easy_strerror(rc));
  }
  std::fprintf(stderr, "vigia tail: the server ended the stream\n");
  return 0;
}

int TailFile(const TailArgs& a, OutputFormat fmt, const FilterMatcher& m,
             std::optional<int64_t> since) {
  std::ifstream in(a.file, std::ios::binary);
  if (!in) return CommandFailed("tail", "cannot open " + a.file);
  if (!a.from_start && !since) in.seekg(0, std::ios::end);
  NdjsonDecoder decoder;
  std::string pending;
  std::string buf(1 << 16, '\0');
  while (true) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize n = in.gcount();
    if (n > 0) {
      pending.append(buf.data(), static_cast<size_t>(n));
      size_t nl = pending.rfind('\n');
      if (nl != std::string::npos) {
        EventBatch batch;
        decoder.Decode(std::string_view(pending).substr(0, nl + 1), NowNs(), &batch);
        pending.erase(0, nl + 1);
        std::vector<QueryRecord> rows;
        for (const auto& e : batch.events()) {
          if (since && e.ts_ns < *since) continue;
          if (m.Matches(EventRowAccessor(batch, e))) rows.push_back(EventToRecord(batch, e));
        }
        Print(rows, fmt);
      }
      continue;
    }
    if (!a.follow) return 0;
    in.clear();  // clear EOF so the next read sees appended data
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(a.interval_ms, 250)));
  }
}

int RunTail(TailArgs& a) {
  if (a.src.api_key.empty()) {
    if (const char* k = std::getenv("VIGIA_API_KEY")) a.src.api_key = k;
  }
  auto fmt = ParseOutputFormat(a.format);
  if (!fmt.ok()) return CommandFailed("tail", fmt.status().message());
  auto q = ParseVql(a.filter);
  if (!q.ok()) return CommandFailed("tail", q.status().message());
  if (!q->pipes.empty()) return CommandFailed("tail", "tail takes a filter only (no pipes)");
  int64_t now = NowNs();
  std::optional<int64_t> since;
  if (!a.since.empty()) {
    if (auto d = ParseDurationNs(a.since)) {
      since = now - *d;
    } else if (!(since = ParseRfc3339(a.since))) {
      return CommandFailed("tail", "--since takes a duration such as 5m or an RFC 3339 time");
    }
  }
  if (!a.src.server.empty()) {
    return a.follow ? TailServerFollow(a, *fmt) : TailServerOnce(a, *q, *fmt, since);
  }
  if (a.file.empty()) return CommandFailed("tail", "give --server URL or --file F");
  auto m = FilterMatcher::Compile(*q->filter, now);
  if (!m.ok()) return CommandFailed("tail", m.status().message());
  return TailFile(a, *fmt, *m, since);
}

}  // namespace

void RegisterTailCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<TailArgs>();
  CLI::App* cmd = app.add_subcommand("tail", "Print matching events as they arrive");
  cmd->add_option("filter", args->filter, "a VQL filter (default *)");
  cmd->add_flag("-f,--follow", args->follow, "keep waiting for new events");
  cmd->add_option("--format", args->format, "ndjson|json|csv (default ndjson)");
  auto* server = cmd->add_option("--server", args->src.server,
                                 "a running server (URL); with -f, streams its /v1/tail");
  cmd->add_option("--api-key", args->src.api_key, "API key for --server (default $VIGIA_API_KEY)");
  auto* file = cmd->add_option("--file", args->file, "follow an NDJSON log file");
  cmd->add_flag("--from-start", args->from_start, "with --file: start at the beginning");
  cmd->add_option("--since", args->since,
                  "first the events stored since then (5m, or an RFC 3339 time), then live");
  cmd->add_option("--interval-ms", args->interval_ms, "--file poll interval (default 1000)");
  server->excludes(file);
  cmd->callback([args, exit_code] { *exit_code = RunTail(*args); });
}

}  // namespace vigia::cli
