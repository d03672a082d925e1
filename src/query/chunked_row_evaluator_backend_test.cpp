#include "query/chunked_row_evaluator_backend.h"

#include <gtest/gtest.h>

#include <atomic>
#include <charconv>
#include <string>
#include <vector>

#include "query/result_format.h"
#include "query/row_evaluator.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kT0 = 1'800'000'000 * kSec;

// Test lines: "<second> <level> <route> <duration> <ip>\n". Many share a second, so time ties
// show whether rows keep input order.
std::vector<std::string> Lines(int n) {
  static const char* const kLevels[] = {"info", "warn", "error"};
  static const char* const kRoutes[] = {"/a", "/b/{id}", "/c"};
  std::vector<std::string> lines;
  for (int i = 0; i < n; ++i) {
    lines.push_back(std::to_string(i / 7) + " " + kLevels[(i * 5) % 3] + " " + kRoutes[i % 3] +
                    " " + std::to_string((i * 37) % 1000) + ".25 10.0.0." + std::to_string(i % 41) +
                    "\n");
  }
  return lines;
}

// Decodes test lines into `out`; every event also carries its line number (`n`).
Status DecodeLines(std::string_view chunk, EventBatch* out) {
  size_t pos = 0;
  while (pos < chunk.size()) {
    size_t nl = chunk.find('\n', pos);
    if (nl == std::string_view::npos) nl = chunk.size();
    std::string_view line = chunk.substr(pos, nl - pos);
    pos = nl + 1;
    std::vector<std::string_view> w;
    for (size_t s = 0; s <= line.size();) {
      size_t e = line.find(' ', s);
      if (e == std::string_view::npos) e = line.size();
      w.push_back(line.substr(s, e - s));
      s = e + 1;
    }
    if (w.size() != 5) return Status::InvalidArgument("bad test line");
    int64_t sec = 0;
    std::from_chars(w[0].data(), w[0].data() + w[0].size(), sec);
    out->BeginEvent(kT0 + sec * kSec);
    out->AddField("level", Value::String(out->arena().Copy(w[1])));
    out->AddField("route", Value::String(out->arena().Copy(w[2])));
    out->AddField("duration_ms", Value::Float(std::stod(std::string(w[3]))));
    out->AddField("ip", Value::String(out->arena().Copy(w[4])));
    out->AddField("msg", Value::String(out->arena().Copy(line)));
  }
  return Status::Ok();
}

// A reader emitting `lines` in chunks of `per_chunk` lines.
ChunkedRowEvaluatorBackend::ChunkReader Reader(const std::vector<std::string>& lines,
                                               size_t per_chunk) {
  return [&lines, per_chunk](LineChunkSink& sink) -> Status {
    std::string chunk;
    for (size_t i = 0; i < lines.size(); ++i) {
      chunk += lines[i];
      if ((i + 1) % per_chunk == 0 || i + 1 == lines.size()) {
        VIGIA_RETURN_IF_ERROR(sink.Emit(LineChunk(chunk)));
        chunk.clear();
      }
    }
    return Status::Ok();
  };
}

ChunkedRowEvaluatorBackend::DecoderFactory Decoders() {
  return [] {
    return
        [](uint64_t, std::string_view chunk, EventBatch* out) { return DecodeLines(chunk, out); };
  };
}

QueryOptions Options() {
  QueryOptions o;
  o.now_ns = kT0 + 3600 * kSec;
  return o;
}

std::string Csv(const Query& q, const QueryResult& r) {
  return FormatRows(r.rows, OutputFormat::kCsv, QueryColumns(q));
}

TEST(ChunkedRowEvaluatorBackend, SameAnswerAsOneEvaluatorOnAnyThreadsAndChunks) {
  const std::vector<std::string> lines = Lines(3000);
  std::string all;
  for (const std::string& l : lines) all += l;
  EventBatch everything;
  ASSERT_TRUE(DecodeLines(all, &everything).ok());
  for (const char* text : {
           "level:error",  // plain filter: time order, ties in file order
           "route:\"/a\" | sort by (duration_ms desc) | limit 25",
           "* | stats count(), avg(duration_ms), sum(duration_ms), min(duration_ms), "
           "max(duration_ms), p50(duration_ms), p95(duration_ms), count_distinct(ip) by (route)",
           "* | stats count() as n by (ip, level) | where n > 20 | sort by (n desc)",
           "* | top 5 by (ip)",
           "* | stats count() by (_time:1m)",
           "route:nothing | stats count(), avg(duration_ms)",
       }) {
    SCOPED_TRACE(text);
    auto q = ParseVql(text);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    auto one = RowEvaluator::Create(*q, Options());
    ASSERT_TRUE(one.ok());
    ASSERT_TRUE((*one)->Add(everything).ok());
    auto want = (*one)->Finish();
    ASSERT_TRUE(want.ok());
    const std::string want_csv = Csv(*q, *want);
    ASSERT_GT(want_csv.size(), 10u);
    for (unsigned threads : {1u, 2u, 5u}) {
      for (size_t per_chunk : {1u, 97u, 5000u}) {
        ChunkedRowEvaluatorBackend b(Reader(lines, per_chunk), Decoders(), threads);
        auto got = b.Run(*q, Options());
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        EXPECT_EQ(Csv(*q, *got), want_csv) << threads << " threads, " << per_chunk;
        EXPECT_EQ(got->stats.rows_scanned, 3000u);
        EXPECT_EQ(got->stats.rows_matched, want->stats.rows_matched);
      }
    }
  }
}

TEST(ChunkedRowEvaluatorBackend, ADecoderErrorStopsTheReaderAndIsReturned) {
  const std::vector<std::string> lines = Lines(20000);
  std::atomic<uint64_t> emitted{0};
  Status reader_saw;
  ChunkedRowEvaluatorBackend b(
      [&](LineChunkSink& sink) -> Status {
        for (const std::string& l : lines) {
          Status st = sink.Emit(LineChunk(l));
          if (!st.ok()) {
            reader_saw = st;
            return st;
          }
          ++emitted;
        }
        return Status::Ok();
      },
      [] {
        return [](uint64_t seq, std::string_view chunk, EventBatch* out) -> Status {
          if (seq == 40) return Status::Corruption("chunk 40 is bad");
          return DecodeLines(chunk, out);
        };
      },
      3);
  auto q = ParseVql("* | stats count()");
  ASSERT_TRUE(q.ok());
  auto r = b.Run(*q, Options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "chunk 40 is bad");
  // The reader was told to stop instead of reading the whole input (read-ahead is bounded).
  EXPECT_FALSE(reader_saw.ok());
  EXPECT_LT(emitted.load(), 1000u);
}

TEST(ChunkedRowEvaluatorBackend, ReaderErrorsLimitsAndCancelAreReturned) {
  const std::vector<std::string> lines = Lines(500);
  auto q = ParseVql("* | stats count() by (msg)");
  ASSERT_TRUE(q.ok());
  {
    ChunkedRowEvaluatorBackend b(
        [&](LineChunkSink& sink) -> Status {
          VIGIA_RETURN_IF_ERROR(sink.Emit(LineChunk(lines[0])));
          return Status::IOError("disk went away");
        },
        Decoders(), 2);
    auto r = b.Run(*q, Options());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "disk went away");
  }
  {
    // 500 distinct messages over a limit of 100 groups: each chunk is under it, the merge
    // is not.
    QueryOptions o = Options();
    o.max_groups = 100;
    ChunkedRowEvaluatorBackend b(Reader(lines, 50), Decoders(), 2);
    auto r = b.Run(*q, o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
  }
  {
    std::atomic<bool> cancel{true};
    QueryObserver obs;
    obs.cancel = &cancel;
    ChunkedRowEvaluatorBackend b(Reader(lines, 50), Decoders(), 2);
    auto r = b.Run(*q, Options(), obs);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "cancelled");
  }
}

TEST(ChunkedRowEvaluatorBackend, ExplainNamesTheThreads) {
  const std::vector<std::string> lines = Lines(10);
  ChunkedRowEvaluatorBackend b(Reader(lines, 5), Decoders(), 3);
  auto q = ParseVql("level:error | stats count()");
  ASSERT_TRUE(q.ok());
  auto e = b.Explain(*q, Options());
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->rfind("engine: row evaluator", 0), 0u) << *e;
  EXPECT_NE(e->find("on 3 thread(s)"), std::string::npos) << *e;
  EXPECT_EQ(ChunkedRowEvaluatorBackend(Reader(lines, 5), Decoders(), 0).threads() >= 1, true);
}

}  // namespace
}  // namespace vigia
