// Integration: the `vigia query` and `vigia trace` commands as a user runs them — over
// NDJSON files (plain, gzip, stdin), a data directory, and a running server — with every
// output format, syntax errors (line:column, exit code), and the progress line that a big
// file scan prints on a terminal's stderr; `vigia rules check` against KPI definitions.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `vigia args...` with `input` on stdin. With `tty_stderr`, stderr is a pseudo-terminal
// (as when a person runs the command), which is what turns the progress line on.
CliResult RunVigia(const std::vector<std::string>& args, const std::string& input = "",
                   bool tty_stderr = false) {
  CliResult res;
  const char* binary = std::getenv("VIGIA_BINARY");
  if (!binary) {
    res.err = "VIGIA_BINARY is not set";
    return res;
  }
  int in[2], out[2], err[2];
  if (::pipe(in) != 0 || ::pipe(out) != 0) return res;
  int pty_master = -1;
  if (tty_stderr) {
    if (::openpty(&pty_master, &err[1], nullptr, nullptr, nullptr) != 0) return res;
    err[0] = pty_master;
  } else if (::pipe(err) != 0) {
    return res;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) ::close(fd);
    std::vector<std::string> argv_s = {binary};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary, argv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  ::signal(SIGPIPE, SIG_IGN);
  size_t written = 0;
  if (input.empty()) {
    ::close(in[1]);
    in[1] = -1;
  }
  ::fcntl(in[1], F_SETFL, O_NONBLOCK);
  bool out_open = true, err_open = true;
  char buf[65536];
  while (out_open || err_open) {
    std::vector<pollfd> fds;
    if (out_open) fds.push_back({out[0], POLLIN, 0});
    if (err_open) fds.push_back({err[0], POLLIN, 0});
    if (in[1] >= 0) fds.push_back({in[1], POLLOUT, 0});
    if (::poll(fds.data(), fds.size(), 60000) <= 0) break;
    for (const pollfd& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == in[1]) {
        ssize_t n = ::write(in[1], input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<size_t>(n);
        if (n < 0 || written == input.size()) {
          ::close(in[1]);
          in[1] = -1;
        }
        continue;
      }
      ssize_t n = ::read(p.fd, buf, sizeof(buf));
      if (n <= 0) {  // EOF (or EIO on a pty whose slave closed)
        (p.fd == out[0] ? out_open : err_open) = false;
        continue;
      }
      (p.fd == out[0] ? res.out : res.err).append(buf, static_cast<size_t>(n));
    }
  }
  if (in[1] >= 0) ::close(in[1]);
  ::close(out[0]);
  ::close(err[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  res.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return res;
}

// A small request log: two requests (r-1 with three events across two services, r-2 with
// one), one unrelated error.
const char* const kEvents =
    R"({"ts":"2026-11-22T10:00:03Z","kind":"log","level":"info","service":"billing","msg":"charge ok","request_id":"r-1"})"
    "\n"
    R"({"ts":"2026-11-22T10:00:01Z","kind":"log","level":"info","service":"sales-api","msg":"sale created","request_id":"r-1"})"
    "\n"
    R"({"ts":"2026-11-22T10:00:04Z","kind":"request","level":"info","service":"sales-api","route":"/sales","status":201,"duration_ms":40,"request_id":"r-1"})"
    "\n"
    R"({"ts":"2026-11-22T10:00:05Z","kind":"request","level":"error","service":"sales-api","route":"/sales/{id}/pay","status":502,"duration_ms":900,"request_id":"r-2"})"
    "\n"
    R"({"ts":"2026-11-22T10:00:06Z","kind":"error","level":"error","service":"reports","msg":"db timeout","error":{"type":"TimeoutError"}})"
    "\n";

constexpr const char* kStatsQuery = "level:error | stats count() as n by (service)";
// CSV is RFC 4180: CRLF line ends.
constexpr const char* kStatsCsv = "service,n\r\nreports,1\r\nsales-api,1\r\n";

class CliIt : public ::testing::Test {
 protected:
  std::string WriteFile(const std::string& name, const std::string& content) {
    std::string path = dir_.path() + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  void StartServer() {
    ServerOptions o;
    o.data_dir = dir_.path() + "/data";
    server_ = std::make_unique<ServerProcess>(o);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    HttpClient c(server_->port());
    auto r = c.Request("POST", "/v1/events", kEvents, {{"Content-Type", "application/x-ndjson"}});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
    ASSERT_NE(r->body.find("\"accepted\":5"), std::string::npos) << r->body;
  }
  std::string ServerUrl() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  void TearDown() override {
    if (server_ && server_->running()) {
      EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
    }
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(CliIt, QueryPlainGzipAndStdinGiveTheSameAnswer) {
  std::string plain = WriteFile("app.log", kEvents);
  std::string gz = WriteFile("app.log.gz", Gzip(kEvents));
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--file", plain}, {"--file", gz}}) {
    std::vector<std::string> a = {"query", kStatsQuery, "--format", "csv"};
    a.insert(a.end(), args.begin(), args.end());
    CliResult r = RunVigia(a);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, kStatsCsv) << args[1];
    EXPECT_EQ(r.err, "");
  }
  CliResult dash = RunVigia({"query", kStatsQuery, "--format", "csv", "--file", "-"}, kEvents);
  EXPECT_EQ(dash.exit_code, 0) << dash.err;
  EXPECT_EQ(dash.out, kStatsCsv);
  CliResult implicit = RunVigia({"query", kStatsQuery, "--format", "csv"}, Gzip(kEvents));
  EXPECT_EQ(implicit.exit_code, 0) << implicit.err;
  EXPECT_EQ(implicit.out, kStatsCsv);
  // Several files are one input.
  CliResult two = RunVigia(
      {"query", "* | stats count() as n", "--format", "csv", "--file", plain, "--file", gz});
  EXPECT_EQ(two.exit_code, 0) << two.err;
  EXPECT_EQ(two.out, "n\r\n10\r\n");
}

TEST_F(CliIt, ConcatenatedGzipIsOneFileAndATruncatedOneIsAnErrorNamingIt) {
  const std::string twice = Gzip(kEvents) + Gzip(kEvents);
  std::string cat = WriteFile("cat.log.gz", twice);
  CliResult r = RunVigia({"query", "* | stats count() as n", "--format", "csv", "--file", cat});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "n\r\n10\r\n");  // kEvents has 5 events: both members are read
  std::string cut = WriteFile("cut.log.gz", twice.substr(0, twice.size() - 20));
  r = RunVigia({"query", "* | stats count() as n", "--format", "csv", "--file", cut});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("reading " + cut + ": unexpected end of file (truncated gzip)"),
            std::string::npos)
      << r.err;
}

TEST_F(CliIt, EveryOutputFormat) {
  std::string f = WriteFile("app.log", kEvents);
  const std::string q = "kind:request | fields ts, route, status | sort by (status)";
  CliResult csv = RunVigia({"query", q, "--file", f, "--format", "csv"});
  EXPECT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out,
            "ts,route,status\r\n"
            "2026-11-22T10:00:04Z,/sales,201\r\n"
            "2026-11-22T10:00:05Z,/sales/{id}/pay,502\r\n");
  CliResult nd = RunVigia({"query", q, "--file", f, "--format", "ndjson"});
  EXPECT_EQ(nd.exit_code, 0) << nd.err;
  EXPECT_EQ(nd.out,
            "{\"ts\":\"2026-11-22T10:00:04Z\",\"route\":\"/sales\",\"status\":201}\n"
            "{\"ts\":\"2026-11-22T10:00:05Z\",\"route\":\"/sales/{id}/pay\",\"status\":502}\n");
  CliResult json = RunVigia({"query", q, "--file", f, "--format", "json"});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out.front(), '[');
  EXPECT_NE(json.out.find("{\"ts\":\"2026-11-22T10:00:04Z\",\"route\":\"/sales\",\"status\":201}"),
            std::string::npos)
      << json.out;
  // Not a terminal and no --format: JSON, so scripts get something parseable.
  CliResult def = RunVigia({"query", q, "--file", f});
  EXPECT_EQ(def.out, json.out);
  CliResult table = RunVigia({"query", q, "--file", f, "--format", "table"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  // Aligned: the header and both rows are equally wide, numbers right-aligned.
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < table.out.size();) {
    size_t nl = table.out.find('\n', pos);
    if (nl == std::string::npos) nl = table.out.size();
    lines.push_back(table.out.substr(pos, nl - pos));
    pos = nl + 1;
  }
  ASSERT_GE(lines.size(), 3u) << table.out;
  EXPECT_NE(lines[0].find("route"), std::string::npos);
  EXPECT_NE(table.out.find("/sales/{id}/pay"), std::string::npos);
  size_t status_end = lines[0].find("status") + 6;
  for (const std::string& l : lines) {
    if (l.find("201") != std::string::npos) {
      EXPECT_EQ(l.find("201") + 3, status_end) << table.out;
    }
  }
  CliResult bad = RunVigia({"query", q, "--file", f, "--format", "xml"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("xml"), std::string::npos) << bad.err;
}

TEST_F(CliIt, SyntaxErrorsSayWhereAndFail) {
  std::string f = WriteFile("app.log", kEvents);
  CliResult r = RunVigia({"query", "level:error )", "--file", f});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("1:13: expected '|' or end of query, got ')'"), std::string::npos) << r.err;
  CliResult multi = RunVigia({"query", "level:error\n| stats count() by (_time:5x)", "--file", f});
  EXPECT_NE(multi.exit_code, 0);
  EXPECT_NE(multi.err.find("2:"), std::string::npos) << multi.err;
  EXPECT_NE(multi.err.find("expected a duration"), std::string::npos) << multi.err;
  CliResult missing = RunVigia({"query", "*", "--file", dir_.path() + "/nope.log"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("nope.log"), std::string::npos) << missing.err;
}

// `vigia rules check`: KPI/SLO names of kpi:/slo: rules are checked against the
// definitions given (--kpis, or --config's monitor.kpis_file, else the shipped set), with
// the rule's position; without either only a note says they went unchecked.
TEST_F(CliIt, RulesCheckValidatesKpiAndSloNamesAgainstTheConfig) {
  std::string rules = WriteFile("kpi.yml", R"(groups:
  - name: sla
    rules:
      - name: ShippedKpiRed
        kpi: rate_5xx
      - name: TypoKpi
        kpi: rate_5x
      - name: Burn
        slo: availability
)");
  CliResult plain = RunVigia({"rules", "check", rules});
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.err.find("not checked"), std::string::npos) << plain.err;

  std::string config = WriteFile("vigia.toml", "[monitor]\nkpis_file = \"\"\n");
  CliResult shipped = RunVigia({"rules", "check", "--config", config, rules});
  EXPECT_EQ(shipped.exit_code, 1);
  EXPECT_NE(shipped.err.find("kpi.yml:6:9: rule \"TypoKpi\": kpi \"rate_5x\" is not defined"),
            std::string::npos)
      << shipped.err;
  EXPECT_EQ(shipped.err.find("ShippedKpiRed"), std::string::npos) << shipped.err;
  EXPECT_EQ(shipped.err.find("Burn"), std::string::npos) << shipped.err;

  std::string kpis = WriteFile("kpis.toml", R"([[kpi]]
name = "rate_5x"
query = 'kind:request | stats count() as value'
window = "1h"
direction = "lower"
green = 1
yellow = 2
)");
  CliResult own = RunVigia({"rules", "check", "--kpis", kpis, rules});
  EXPECT_EQ(own.exit_code, 1);
  EXPECT_NE(own.err.find("kpi.yml:4:9: rule \"ShippedKpiRed\": kpi \"rate_5xx\" is not defined"),
            std::string::npos)
      << own.err;
  EXPECT_NE(own.err.find("kpi.yml:8:9: rule \"Burn\": slo \"availability\" is not defined"),
            std::string::npos)
      << own.err;
  std::string fixed = WriteFile("fixed.yml", R"(groups:
  - name: sla
    rules:
      - name: OwnKpi
        kpi: rate_5x
)");
  CliResult ok = RunVigia({"rules", "check", "--kpis", kpis, fixed});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("1 files, 1 groups, 1 rules: OK"), std::string::npos) << ok.out;
}

TEST_F(CliIt, BadLinesAreSkippedAndCounted) {
  std::string f = WriteFile("app.log", std::string(kEvents) + "{broken\nnot json\n");
  CliResult r = RunVigia({"query", "* | stats count() as n", "--file", f, "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "n\r\n5\r\n");
  EXPECT_NE(r.err.find("skipped 2"), std::string::npos) << r.err;
}

// The parallel file scan (chunks of lines on worker threads, merged in file order) gives
// exactly the one-thread answer for every golden query, plain and gzip, with chunks small
// enough that the 500 KB dataset is spread over ~60 of them.
TEST_F(CliIt, GoldenQueriesFromAFileAreTheSameOnOneAndSeveralThreads) {
  const char* src = std::getenv("VIGIA_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  std::string qdir = std::string(src) + "/tests/queries";
  std::ifstream in(qdir + "/dataset.ndjson", std::ios::binary);
  std::string dataset((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(dataset.size(), 100'000u);
  std::string plain = WriteFile("dataset.ndjson", dataset);
  std::string gz = WriteFile("dataset.ndjson.gz", Gzip(dataset));
  std::vector<std::string> queries;
  for (const auto& e : std::filesystem::directory_iterator(qdir)) {
    if (e.path().extension() != ".vql") continue;
    std::ifstream q(e.path());
    queries.emplace_back((std::istreambuf_iterator<char>(q)), std::istreambuf_iterator<char>());
  }
  std::sort(queries.begin(), queries.end());
  ASSERT_GE(queries.size(), 15u);
  size_t with_rows = 0;
  for (const std::string& q : queries) {
    SCOPED_TRACE(q);
    std::vector<std::string> base = {"query",  q,     "--format",  "csv",
                                     "--file", plain, "--threads", "1"};
    CliResult one = RunVigia(base);
    ASSERT_EQ(one.exit_code, 0) << one.err;
    if (one.out.find('\n') != one.out.rfind('\n')) ++with_rows;
    for (const std::string& file : {plain, gz}) {
      for (const char* threads : {"1", "2", "4"}) {
        CliResult many = RunVigia({"query", q, "--format", "csv", "--file", file, "--threads",
                                   threads, "--chunk-bytes", "8192"});
        EXPECT_EQ(many.exit_code, 0) << many.err;
        EXPECT_EQ(many.out, one.out) << file << " threads " << threads;
      }
    }
  }
  // Most golden queries return rows over the dataset (those looking back from "now" do not).
  EXPECT_GE(with_rows, queries.size() / 2);
}

// Unparseable lines spread over many chunks and threads: all counted, and the first quoted is
// the first in the file, with its file and line number, whichever worker met it first.
TEST_F(CliIt, BadLinesOnSeveralThreadsQuoteTheFirstInTheFile) {
  std::string content;
  std::string good =
      R"({"ts":"2026-11-22T10:00:00Z","level":"info","service":"s","msg":"padding the line a bit"})"
      "\n";
  for (int i = 0; i < 2000; ++i) {
    // Two different reasons, so the test sees which one is quoted.
    if (i == 700) content += "{\"ts\":\"yesterday-700\"}\n";
    if (i == 1500) content += "{\"ts\":\"yesterday-1500\"}\n";
    content += good;
  }
  std::string f = WriteFile("bad.log", content);
  for (const char* threads : {"1", "4"}) {
    CliResult r = RunVigia({"query", "* | stats count() as n", "--file", f, "--format", "csv",
                            "--threads", threads, "--chunk-bytes", "4096"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "n\r\n2000\r\n");
    EXPECT_NE(r.err.find("skipped 2 unparseable"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("first: " + f + ":701: unparseable ts: \"yesterday-700\""),
              std::string::npos)
        << r.err;
  }
  // Lines are numbered per file: after a clean file of 2000 lines (many chunks), the second
  // file's bad line is its own line 701.
  std::string clean;
  for (int i = 0; i < 2000; ++i) clean += good;
  std::string c = WriteFile("clean.log", clean);
  CliResult r = RunVigia({"query", "* | stats count() as n", "--file", c, "--file", f, "--format",
                          "csv", "--threads", "2", "--chunk-bytes", "4096"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "n\r\n4000\r\n");
  EXPECT_NE(r.err.find("first: " + f + ":701: "), std::string::npos) << r.err;
}

// A query reads a few fields and the decoders skip the others (the projection,
// docs/vql.md): a line malformed only in a field the query does not read is still refused and
// reported exactly as with every field decoded — the same count, file, line and reason.
TEST_F(CliIt, BadLinesInFieldsTheQueryDoesNotReadAreReportedAsWithoutProjection) {
  std::string wide = "{\"level\":\"info\"";
  for (int i = 0; i < 1001; ++i) wide += ",\"f" + std::to_string(i) + "\":1";
  wide += "}\n";
  std::string f = WriteFile(
      "unread.log",
      "{\"ts\":\"2026-11-22T10:00:00Z\",\"level\":\"info\",\"msg\":\"fine\"}\n"
      "{\"ts\":\"2026-11-22T10:00:01Z\",\"level\":\"info\",\"junk\":tru}\n"
      "{\"ts\":\"2026-11-22T10:00:02Z\",\"lvl\":\"WARNING\",\"meta\":{\"a\":[1,{\"b\":2}]}}\n"
      "{\"level\":\"warn\",\"" +
          std::string(300, 'n') +
          "\":1}\n"
          "{\"level\":\"warn\",\"timestamp\":\"yesterday\"}\n" +
          wide);
  const std::string q = "* | stats count() as n by (level)";
  CliResult projected = RunVigia({"query", q, "--file", f, "--format", "csv"});
  CliResult full = RunVigia({"query", q, "--file", f, "--format", "csv", "--decode-all"});
  EXPECT_EQ(projected.exit_code, 0) << projected.err;
  EXPECT_EQ(projected.out, "level,n\r\ninfo,1\r\nwarn,1\r\n");
  EXPECT_EQ(projected.out, full.out);
  EXPECT_EQ(projected.err, full.err);
  EXPECT_NE(projected.err.find("skipped 4 unparseable line(s); first: " + f +
                               ":2: invalid JSON: bad literal (expected true)"),
            std::string::npos)
      << projected.err;
  // --explain names what is decoded; a query whose rows are events decodes everything.
  CliResult ex = RunVigia({"query", "--explain", q, "--file", f});
  EXPECT_NE(ex.out.find("decoded: ts, level"), std::string::npos) << ex.out;
  CliResult all = RunVigia({"query", "--explain", "level:warn", "--file", f});
  EXPECT_NE(all.out.find("decoded: every field of every line"), std::string::npos) << all.out;
}

TEST_F(CliIt, TraceFromAFileIsRequestFirstThenTimeOrdered) {
  std::string f = WriteFile("app.log", kEvents);
  CliResult r = RunVigia({"trace", "r-1", "--file", f, "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // The request record first, then the other events of r-1 in time order; r-2 excluded.
  size_t req = r.out.find("2026-11-22T10:00:04Z");
  size_t first = r.out.find("2026-11-22T10:00:01Z");
  size_t second = r.out.find("2026-11-22T10:00:03Z");
  ASSERT_NE(req, std::string::npos) << r.out;
  ASSERT_NE(first, std::string::npos) << r.out;
  ASSERT_NE(second, std::string::npos) << r.out;
  EXPECT_LT(req, first);
  EXPECT_LT(first, second);
  EXPECT_EQ(r.out.find("r-2"), std::string::npos) << r.out;
  CliResult none = RunVigia({"trace", "r-404", "--file", f});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.err.find("r-404"), std::string::npos) << none.err;
}

TEST_F(CliIt, QueryAndTraceAgainstAServerAndItsDataDirectory) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  CliResult q = RunVigia({"query", kStatsQuery, "--server", ServerUrl(), "--format", "csv"});
  EXPECT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(q.out, kStatsCsv);
  CliResult table = RunVigia({"query", kStatsQuery, "--server", ServerUrl(), "--format", "table"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("sales-api"), std::string::npos) << table.out;
  CliResult bad = RunVigia({"query", "level:error )", "--server", ServerUrl()});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("1:13"), std::string::npos) << bad.err;
  // Every source prints the same rows the same way: the server's answers in each format
  // are kept to compare with the data directory's below.
  CliResult sj = RunVigia({"query", kStatsQuery, "--server", ServerUrl(), "--format", "json"});
  EXPECT_EQ(sj.exit_code, 0) << sj.err;
  EXPECT_EQ(sj.out.front(), '[') << sj.out;
  CliResult snd = RunVigia({"query", "* | fields ts, msg", "--server", ServerUrl(), "--format",
                            "ndjson", "--limit", "2"});
  EXPECT_EQ(snd.exit_code, 0) << snd.err;
  // --explain: the server's plan (its embedded store), nothing run; a bad query still fails.
  CliResult ex = RunVigia(
      {"query", "--explain", "level:error | stats count() by (route)", "--server", ServerUrl()});
  EXPECT_EQ(ex.exit_code, 0) << ex.err;
  EXPECT_EQ(ex.out.rfind("engine: embedded store", 0), 0u) << ex.out;
  EXPECT_NE(ex.out.find("level may hold \"error\""), std::string::npos) << ex.out;
  EXPECT_NE(ex.out.find("folded into the first pipe (stats)"), std::string::npos) << ex.out;
  EXPECT_NE(RunVigia({"query", "--explain", "level:error )", "--server", ServerUrl()}).exit_code,
            0);
  CliResult t = RunVigia({"trace", "r-1", "--server", ServerUrl(), "--format", "ndjson"});
  EXPECT_EQ(t.exit_code, 0) << t.err;
  size_t req = t.out.find("10:00:04Z"), first = t.out.find("10:00:01Z");
  ASSERT_NE(req, std::string::npos) << t.out;
  ASSERT_NE(first, std::string::npos) << t.out;
  EXPECT_LT(req, first) << t.out;
  EXPECT_EQ(t.out.find("r-2"), std::string::npos) << t.out;

  // The same answers straight from the data directory once the server has stopped.
  ASSERT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
  std::string data = dir_.path() + "/data";
  CliResult d = RunVigia({"query", kStatsQuery, "--data", data, "--format", "csv"});
  EXPECT_EQ(d.exit_code, 0) << d.err;
  EXPECT_EQ(d.out, kStatsCsv);
  CliResult dj = RunVigia({"query", kStatsQuery, "--data", data, "--format", "json"});
  EXPECT_EQ(dj.out, sj.out);
  CliResult dnd = RunVigia(
      {"query", "* | fields ts, msg", "--data", data, "--format", "ndjson", "--limit", "2"});
  EXPECT_EQ(dnd.out, snd.out);
  EXPECT_EQ(std::count(dnd.out.begin(), dnd.out.end(), '\n'), 2) << dnd.out;
  // --progress: the scan's progress line on stderr even on a pipe; without it, none.
  CliResult p = RunVigia({"query", kStatsQuery, "--data", data, "--format", "csv", "--progress"});
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(p.out, kStatsCsv);
  EXPECT_NE(p.err.find("\r" + data + ": "), std::string::npos) << p.err;
  EXPECT_NE(p.err.find(" blocks, "), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("\033[K"), std::string::npos) << p.err;
  EXPECT_EQ(d.err.find(" blocks, "), std::string::npos) << d.err;
  CliResult dex =
      RunVigia({"query", "--explain", "level:error | stats count() by (route)", "--data", data});
  EXPECT_EQ(dex.out, ex.out) << dex.err;
  CliResult fex = RunVigia({"query", "--explain", "--file", "-", "* | stats count()"}, kEvents);
  EXPECT_EQ(fex.exit_code, 0) << fex.err;
  EXPECT_EQ(fex.out.rfind("engine: row evaluator", 0), 0u) << fex.out;
  CliResult dt = RunVigia({"trace", "r-2", "--data", data, "--format", "csv"});
  EXPECT_EQ(dt.exit_code, 0) << dt.err;
  EXPECT_NE(dt.out.find("/sales/{id}/pay"), std::string::npos) << dt.out;

  CliResult down = RunVigia({"query", "*", "--server", ServerUrl()});
  EXPECT_NE(down.exit_code, 0);
  EXPECT_NE(down.err.find("cannot reach"), std::string::npos) << down.err;
}

TEST_F(CliIt, BigFileScanShowsProgressOnATerminal) {
#ifdef VIGIA_SANITIZER_BUILD
  GTEST_SKIP() << "a 70 MiB scan is too slow under sanitizers; the release run covers it";
#endif
  // Progress appears for files over 64 MiB; write ~70 MiB of events.
  constexpr size_t kLinesPerMiB = 7944;  // 132-byte lines
  std::string path = dir_.path() + "/big.log";
  {
    std::ofstream out(path, std::ios::binary);
    std::string line =
        R"({"ts":"2026-11-22T10:00:00Z","level":"info","service":"s","msg":"some words to pad the line out a little further","request_id":"r"})"
        "\n";
    std::string chunk;
    for (size_t i = 0; i < kLinesPerMiB; ++i) chunk += line;
    for (int i = 0; i < 70; ++i) out << chunk;
  }
  CliResult r = RunVigia({"query", "* | stats count() as n", "--file", path, "--format", "csv"}, "",
                         /*tty_stderr=*/true);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "n\r\n" + std::to_string(70 * kLinesPerMiB) + "\r\n");
  EXPECT_NE(r.err.find("big.log: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" MiB"), std::string::npos) << r.err;
  // The line is erased at the end, so the terminal is left clean.
  EXPECT_NE(r.err.find("\033[K"), std::string::npos) << r.err;
  // Not on a pipe: scripts capturing stderr get no progress noise.
  CliResult piped =
      RunVigia({"query", "* | stats count() as n", "--file", path, "--format", "csv"});
  EXPECT_EQ(piped.err, "");
  EXPECT_EQ(piped.out, r.out);
}

}  // namespace
}  // namespace vigia::testing
