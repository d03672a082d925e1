// Golden query tests: every tests/queries/NNN_name.vql runs against dataset.ndjson through the
// row evaluator and its CSV output must equal NNN_name.reference. A second mode loads the
// dataset into the store (two columnar parts with small blocks, so pruning and multi-block
// merging are exercised, plus a memtable batch) and runs every query through the columnar
// engine (RunQuery), which must produce the same references. The references were
// checked by hand and against an independent Python computation (check_references.py).
// VIGIA_UPDATE_GOLDEN=1 rewrites the references (review the diff before committing).
//
// A .vql file may start with `# now: <RFC 3339>` (default 2026-11-22T11:00:00Z) and
// `# format: csv|json|ndjson|table`.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <unistd.h>

#include "common/time_format.h"
#include "golden_dataset.h"
#include "query/chunked_row_evaluator_backend.h"
#include "query/ndjson_file_source.h"
#include "query/query_engine.h"
#include "query/result_format.h"
#include "query/row_evaluator.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;

fs::path Dir() {
  const char* src = std::getenv("VIGIA_SOURCE_DIR");
  return fs::path(src ? src : ".") / "tests" / "queries";
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const EventBatch& Dataset() {
  static EventBatch* batch = [] {
    auto* b = new EventBatch();
    Status st = testing::LoadGoldenDataset((Dir() / "dataset.ndjson").string(), b);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return b;
  }();
  return *batch;
}

// Copies events [from, to) of `src` (views into src's arena, which lives forever).
std::shared_ptr<EventBatch> Slice(const EventBatch& src, size_t from, size_t to) {
  auto b = std::make_shared<EventBatch>();
  for (size_t i = from; i < to; ++i) {
    const EventBatch::EventRef& e = src.events()[i];
    b->BeginEvent(e.ts_ns);
    for (const Field& f : src.fields(e)) b->AddField(f.name, f.value);
  }
  return b;
}

// The dataset as the store holds it: 45% and 40% in two parts (blocks of 64 rows), the
// last 15% in the memtable.
const StoreSnapshot& DatasetSnapshot() {
  static StoreSnapshot* snap = [] {
    const EventBatch& data = Dataset();
    fs::path dir = fs::temp_directory_path() / ("vigia_golden_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    PartitionSetOptions o;
    o.data_dir = dir.string();
    o.block_rows = 64;
    auto set = PartitionSet::Open(o);
    EXPECT_TRUE(set.ok()) << set.status().ToString();
    size_t n = data.size(), a = n * 45 / 100, b = n * 85 / 100;
    auto p1 = Slice(data, 0, a);
    auto p2 = Slice(data, a, b);
    const EventBatch* first[] = {p1.get()};
    const EventBatch* second[] = {p2.get()};
    EXPECT_TRUE((*set)->AddEvents(first, 1).ok());
    EXPECT_TRUE((*set)->AddEvents(second, 2).ok());
    auto* s = new StoreSnapshot();
    s->parts = (*set)->Snapshot();
    s->memtable.push_back(Slice(data, b, n));
    // The open part readers keep the files readable; the set itself can go.
    fs::remove_all(dir);
    return s;
  }();
  return *snap;
}

using Runner = std::function<Result<QueryResult>(const Query&, const QueryOptions&)>;

void RunGolden(const Runner& run) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(Dir())) {
    if (e.path().extension() == ".vql") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 15u);
  bool update = std::getenv("VIGIA_UPDATE_GOLDEN") != nullptr;
  for (const fs::path& f : files) {
    SCOPED_TRACE(f.filename().string());
    std::string text = ReadFile(f);
    QueryOptions opt;
    opt.now_ns = *ParseRfc3339("2026-11-22T11:00:00Z");
    OutputFormat format = OutputFormat::kCsv;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("# now: ", 0) == 0) opt.now_ns = *ParseRfc3339(line.substr(7));
      if (line.rfind("# format: ", 0) == 0) format = *ParseOutputFormat(line.substr(10));
    }
    auto q = ParseVql(text);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    auto res = run(*q, opt);
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    std::string got = FormatRows(res->rows, format, QueryColumns(*q));
    fs::path ref = f;
    ref.replace_extension(".reference");
    if (update) {
      std::ofstream(ref, std::ios::binary) << got;
      continue;
    }
    ASSERT_TRUE(fs::exists(ref)) << ref;
    EXPECT_EQ(got, ReadFile(ref));
  }
}

TEST(GoldenQueries, AllMatchTheirReferences) {
  const EventBatch& data = Dataset();
  ASSERT_GT(data.size(), 1000u);
  RunGolden([&](const Query& q, const QueryOptions& opt) -> Result<QueryResult> {
    VIGIA_ASSIGN_OR_RETURN(auto ev, RowEvaluator::Create(q, opt));
    VIGIA_RETURN_IF_ERROR(ev->Add(data));
    return ev->Finish();
  });
}

// Counts the chunks a reader emits.
class CountingSink final : public LineChunkSink {
 public:
  CountingSink(LineChunkSink& inner, uint64_t& chunks) : inner_(inner), chunks_(chunks) {}
  LineChunk Buffer() override { return inner_.Buffer(); }
  Status Emit(LineChunk chunk) override {
    ++chunks_;
    return inner_.Emit(std::move(chunk));
  }

 private:
  LineChunkSink& inner_;
  uint64_t& chunks_;
};

// `vigia query --file`'s engine: the dataset in chunks of ~8 KB (~60 chunks) decoded and
// evaluated on worker threads, merged in file order — the same references on 1 and 3 threads.
TEST(GoldenQueries, ChunkedRowEvaluatorOnThreadsMatchesReferences) {
  if (std::getenv("VIGIA_UPDATE_GOLDEN") != nullptr)
    GTEST_SKIP() << "references come from the row evaluator";
  for (unsigned threads : {1u, 3u}) {
    SCOPED_TRACE(threads);
    uint64_t chunks = 0;
    ChunkedRowEvaluatorBackend backend(
        [&](LineChunkSink& sink) {
          CountingSink counting(sink, chunks);
          return ReadNdjsonChunks((Dir() / "dataset.ndjson").string(), 8 * 1024, counting);
        },
        [] {
          auto parser = std::make_shared<simdjson::dom::parser>();
          return [parser](uint64_t, std::string_view chunk, EventBatch* out) {
            return testing::DecodeGoldenLines(chunk, *parser, out);
          };
        },
        threads);
    RunGolden([&](const Query& q, const QueryOptions& opt) { return backend.Run(q, opt); });
    EXPECT_GT(chunks, 40u);
  }
}

TEST(GoldenQueries, ColumnarEngineOverStoreMatchesReferences) {
  if (std::getenv("VIGIA_UPDATE_GOLDEN") != nullptr)
    GTEST_SKIP() << "references come from the row evaluator";
  const StoreSnapshot& snap = DatasetSnapshot();
  ASSERT_EQ(snap.parts->parts.size(), 2u);
  ASSERT_GT(snap.parts->parts[0]->reader->meta().blocks.size(), 4u);
  uint64_t rows_read = 0;
  RunGolden([&](const Query& q, const QueryOptions& opt) -> Result<QueryResult> {
    VIGIA_ASSIGN_OR_RETURN(QueryResult r, RunQuery(snap, q, opt));
    rows_read += r.stats.rows_scanned;
    return r;
  });
  EXPECT_GT(rows_read, 0u);
}

}  // namespace
}  // namespace vigia
