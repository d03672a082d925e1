// PartWriter / PartReader: round trips, scans with pruning, corruption handling.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "common/fault_env.h"
#include "store/format/codec_delta.h"
#include "store/format/file_names.h"
#include "store/format/merge.h"
#include "store/format/part_meta.h"
#include "store/format/part_reader.h"
#include "store/format/part_testing.h"
#include "store/format/part_writer.h"
#include "store/format/store_check.h"

namespace vigia {
namespace {

class PartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigia_part_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const EventBatch& batch, uint32_t block_rows, const std::string& name = "p",
                    uint32_t format_version = kPartFormatVersion) {
    PartWriterOptions o;
    o.block_rows = block_rows;
    o.format_version = format_version;
    const EventBatch* bs[] = {&batch};
    auto meta = WritePartFromBatches(bs, dir_ / ("tmp-" + name), dir_ / name, o);
    EXPECT_TRUE(meta.ok()) << meta.status().ToString();
    return dir_ / name;
  }

  std::filesystem::path dir_;
};

TEST_F(PartTest, RoundTripRandomEventsIsExact) {
  std::mt19937_64 rng(42);
  EventBatch batch;
  testing::AddRandomEvents(&batch, rng, 20000);
  std::string part = Write(batch, 1000);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "tmp-p"));
  auto r = PartReader::Open(nullptr, part);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->meta().rows, 20000u);
  EXPECT_EQ((*r)->meta().blocks.size(), 20u);
  auto back = (*r)->ReadAllEvents();
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(testing::CanonicalRows({&*back}), testing::CanonicalRows({&batch}));
  // Rows come back in (service, kind, ts) order.
  const auto& ev = back->events();
  for (size_t i = 1; i < ev.size(); ++i) {
    ASSERT_LE(CompareRowKeys(RowKeyOf(ev[i - 1].ts_ns, back->fields(ev[i - 1])),
                             RowKeyOf(ev[i].ts_ns, back->fields(ev[i]))),
              0);
  }
  // The type-changing field became several typed columns.
  int meta_x = 0;
  for (const auto& c : (*r)->meta().columns) meta_x += c.name == "meta.x";
  EXPECT_EQ(meta_x, 4);
}

// WritePartFromRows reads rows ahead of the one it adds (prefetching): around the ends of
// the row list, and with rows spread over several batches, it must write exactly the part a
// writer given the same rows one by one in (service, kind, ts) order writes.
TEST_F(PartTest, FlushOfRowsFromManyBatchesEqualsRowByRowWriter) {
  auto read = [](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  std::mt19937_64 rng(7);
  for (size_t n : {1, 2, 3, 4, 5, 8, 9, 16, 17, 18, 33, 700}) {
    SCOPED_TRACE(n);
    EventBatch batches[3];
    for (size_t i = 0; i < n; ++i) testing::AddRandomEvents(&batches[i % 3], rng, 1);
    std::vector<RowRef> rows;
    for (const EventBatch& b : batches) {
      for (uint32_t i = 0; i < b.size(); ++i) rows.push_back({&b, i});
    }
    // The reference: a stable sort by RowKey and Add() per row.
    std::vector<RowRef> sorted = rows;
    auto key = [](const RowRef& r) {
      const auto& e = r.batch->events()[r.event];
      return RowKeyOf(e.ts_ns, r.batch->fields(e));
    };
    std::stable_sort(sorted.begin(), sorted.end(), [&](const RowRef& a, const RowRef& b) {
      return CompareRowKeys(key(a), key(b)) < 0;
    });
    PartWriterOptions o;
    o.block_rows = 7;  // several blocks, a short last one
    const std::string name = "n" + std::to_string(n);
    auto w = PartWriter::Create(dir_ / ("tmp-ref-" + name), o);
    ASSERT_TRUE(w.ok());
    for (const RowRef& r : sorted) {
      const auto& e = r.batch->events()[r.event];
      ASSERT_TRUE((*w)->Add(e.ts_ns, r.batch->fields(e)).ok());
    }
    ASSERT_TRUE((*w)->Finish(dir_ / ("ref-" + name)).ok());
    auto meta = WritePartFromRows(rows, dir_ / ("tmp-" + name), dir_ / name, o);
    ASSERT_TRUE(meta.ok()) << meta.status().ToString();
    EXPECT_EQ(meta->rows, n);
    for (std::string_view f :
         {file_names::kPartDataFile, file_names::kPartBloomFile, file_names::kPartMetaFile}) {
      EXPECT_EQ(read(dir_ / name / f), read(dir_ / ("ref-" + name) / f)) << f;
    }
  }
}

// A flush encoding on two threads (PartWriterOptions::encode_threads = 2: the helper
// encodes block N while the writer's thread transposes block N+1) must write byte for byte
// the part one thread writes: over part sizes around the block size, one-row blocks, columns
// first seen while the previous block is being encoded, huge values, both metadata versions.
// Both give way to queries (yield_point) as often: before every chunk, on either thread, and
// every limits::kPartWriterYieldRows rows.
TEST_F(PartTest, FlushOnTwoThreadsWritesTheOneThreadPart) {
  auto read = [](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  std::mt19937_64 rng(27);
  struct Case {
    size_t n;
    uint32_t block_rows;
    uint32_t format_version;
  };
  const Case cases[] = {{1, 7, kPartFormatVersion},
                        {2, 1, kPartFormatVersion},
                        {7, 7, kPartFormatVersion},
                        {8, 7, kPartFormatVersion},
                        {15, 7, 1},
                        {50, 1, kPartFormatVersion},
                        {700, 64, kPartFormatVersion},
                        {3000, 256, kPartFormatVersion},
                        {3000, 256, 1},
                        {5000, 1000, kPartFormatVersion}};
  int case_no = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message()
                 << c.n << " rows, blocks of " << c.block_rows << ", version " << c.format_version);
    EventBatch batches[3];
    for (size_t i = 0; i < c.n; ++i) {
      EventBatch& b = batches[i % 3];
      testing::AddRandomEvents(&b, rng, 1);
      // Columns that first appear late in the part (in a block after the first): new
      // columns are added while the block before is being encoded.
      if (rng() % 13 == 0) {
        b.AddField(b.arena().Copy("late." + std::to_string(rng() % 40)),
                   Value::String(b.arena().Copy(testing::RandomString(rng, 12))));
      }
    }
    std::vector<RowRef> rows;
    for (const EventBatch& b : batches) {
      for (uint32_t i = 0; i < b.size(); ++i) rows.push_back({&b, i});
    }
    std::string parts[2];
    std::atomic<int> yields[2] = {0, 0};
    size_t chunks = 0;
    for (int threads : {1, 2}) {
      PartWriterOptions o;
      o.block_rows = c.block_rows;
      o.format_version = c.format_version;
      o.encode_threads = threads;
      o.yield_point = [&yields, threads] { ++yields[threads - 1]; };
      const std::string name = "c" + std::to_string(case_no) + "t" + std::to_string(threads);
      auto meta = WritePartFromRows(rows, dir_ / ("tmp-" + name), dir_ / name, o);
      ASSERT_TRUE(meta.ok()) << meta.status().ToString();
      EXPECT_EQ(meta->rows, c.n);
      chunks = 0;
      for (const BlockMeta& b : meta->blocks) chunks += b.chunks.size();
      EXPECT_FALSE(std::filesystem::exists(dir_ / ("tmp-" + name)));
      parts[threads - 1] = dir_ / name;
    }
    EXPECT_EQ(yields[0].load(), yields[1].load());
    EXPECT_EQ(static_cast<size_t>(yields[0].load()), chunks + c.n / limits::kPartWriterYieldRows);
    for (std::string_view f :
         {file_names::kPartDataFile, file_names::kPartBloomFile, file_names::kPartMetaFile}) {
      const std::string one = read(std::filesystem::path(parts[0]) / f);
      EXPECT_FALSE(f != file_names::kPartBloomFile && one.empty()) << f;
      EXPECT_TRUE(one == read(std::filesystem::path(parts[1]) / f)) << f;
    }
    ++case_no;
  }
}

// An error of a two-thread flush (a failed write or sync of the part's files, rows out of
// order while a block is being encoded) is the flush's, and leaves no part and no
// temporary directory behind.
TEST_F(PartTest, FlushOnTwoThreadsFailsWholeOnAnyError) {
  std::mt19937_64 rng(5);
  EventBatch batch;
  testing::AddRandomEvents(&batch, rng, 600);
  std::vector<RowRef> rows;
  for (uint32_t i = 0; i < batch.size(); ++i) rows.push_back({&batch, i});
  FaultEnv env(Env::Default());
  PartWriterOptions o;
  o.env = &env;
  o.block_rows = 50;
  o.encode_threads = 2;
  // Each write in turn fails (12 blocks of data and blooms, then the metadata), then each
  // sync before the rename (3 files, the directory).
  int write_failures = 0;
  for (int step = 1; step <= 64 + 4; ++step) {
    SCOPED_TRACE(step);
    const bool write = step <= 64;
    const std::string name = "f" + std::to_string(step);
    if (write) {
      env.FailWriteAt(static_cast<uint64_t>(step));
    } else {
      env.FailSyncAt(static_cast<uint64_t>(step - 64));
    }
    auto meta = WritePartFromRows(rows, dir_ / ("tmp-" + name), dir_ / name, o);
    env.FailWriteAt(0);
    env.FailSyncAt(0);
    EXPECT_FALSE(std::filesystem::exists(dir_ / ("tmp-" + name)));
    if (write && meta.ok()) {  // fewer writes than `step`: every write was tried
      EXPECT_TRUE(std::filesystem::exists(dir_ / name));
      step = 64;
      continue;
    }
    ASSERT_FALSE(meta.ok());
    EXPECT_EQ(meta.status().code(), StatusCode::kIOError) << meta.status().ToString();
    EXPECT_FALSE(std::filesystem::exists(dir_ / name));
    write_failures += write;
  }
  EXPECT_GE(write_failures, 13);
  // Rows out of order while the block before them is being encoded.
  auto w = PartWriter::Create(dir_ / "tmp-order", o);
  ASSERT_TRUE(w.ok());
  Field later[] = {{"service", Value::String("b")}};
  Field earlier[] = {{"service", Value::String("a")}};
  for (int i = 0; i < 50; ++i) ASSERT_TRUE((*w)->Add(10, later).ok());
  EXPECT_EQ((*w)->Add(5, earlier).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE((*w)->Finish(dir_ / "order").ok());
  w->reset();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "order"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "tmp-order"));
}

TEST_F(PartTest, EmptyPartIsRejected) {
  EventBatch empty;
  const EventBatch* bs[] = {&empty};
  auto meta = WritePartFromBatches(bs, dir_ / "tmp-e", dir_ / "e", {});
  EXPECT_EQ(meta.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "e"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "tmp-e"));
}

TEST_F(PartTest, OutOfOrderRowsAreRejected) {
  auto w = PartWriter::Create(dir_ / "tmp-o", {});
  ASSERT_TRUE(w.ok());
  Field f[] = {{"service", Value::String("b")}};
  ASSERT_TRUE((*w)->Add(10, f).ok());
  Field g[] = {{"service", Value::String("a")}};
  EXPECT_EQ((*w)->Add(5, g).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE((*w)->Finish(dir_ / "o").ok());
}

// A writer reuses the block buffers the previous writer left (PartWriter::RecycleBlocks):
// whatever that writer was — more columns, other types, a failure half-way through a block —
// the next part is byte for byte the part written after a plain writer.
TEST_F(PartTest, RecycledBlockBuffersLeaveNothingInTheNextPart) {
  auto read = [](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  std::mt19937_64 rng(33);
  EventBatch small;  // few columns
  for (int i = 0; i < 3000; ++i) {
    small.BeginEvent(1'000'000 + i);
    small.AddField("service", Value::String(i % 2 ? "api" : "web"));
    small.AddField("n", Value::Int(i * 7));
  }
  EventBatch wide;  // many columns of every type
  testing::AddRandomEvents(&wide, rng, 5000);
  for (int threads : {1, 2}) {
    SCOPED_TRACE(::testing::Message() << threads << " encode threads");
    auto write = [&](const EventBatch& b, const std::string& name) {
      PartWriterOptions o;
      o.block_rows = 512;
      o.encode_threads = threads;
      const EventBatch* bs[] = {&b};
      auto meta = WritePartFromBatches(bs, dir_ / ("tmp-" + name), dir_ / name, o);
      EXPECT_TRUE(meta.ok()) << meta.status().ToString();
      return dir_ / name;
    };
    const std::string t = std::to_string(threads);
    const std::filesystem::path ref = write(small, "ref" + t);
    write(wide, "wide" + t);
    const std::filesystem::path after_wide = write(small, "after-wide" + t);
    {
      // Fails with a block half full: its rows must not reach the next writer's part.
      PartWriterOptions o;
      o.block_rows = 512;
      o.encode_threads = threads;
      auto w = PartWriter::Create(dir_ / ("tmp-failed" + t), o);
      ASSERT_TRUE(w.ok());
      for (int i = 0; i < 100; ++i) {
        Field f[] = {{"service", Value::String("m")},
                     {"n", Value::Int(-i)},
                     {"msg", Value::String("left over")},
                     {"f", Value::Float(0.5 * i)}};
        ASSERT_TRUE((*w)->Add(2'000'000 + i, f).ok());
      }
      Field g[] = {{"service", Value::String("a")}};
      EXPECT_FALSE((*w)->Add(0, g).ok());
    }
    const std::filesystem::path after_failed = write(small, "after-failed" + t);
    for (std::string_view f :
         {file_names::kPartDataFile, file_names::kPartBloomFile, file_names::kPartMetaFile}) {
      const std::string want = read(ref / f);
      EXPECT_TRUE(want == read(after_wide / f)) << f;
      EXPECT_TRUE(want == read(after_failed / f)) << f;
    }
  }
}

// The columnar path (the merge's): a block given column by column reads back as those rows;
// chunks out of column order, rows added inside a block and oversized blocks are refused.
TEST_F(PartTest, ColumnarBlocksReadBackAndMisuseIsRejected) {
  PartWriterOptions o;
  o.block_rows = 4;
  auto w = PartWriter::Create(dir_ / "tmp-c", o);
  ASSERT_TRUE(w.ok());
  const int64_t ts[] = {1, 2, 3};
  ASSERT_TRUE((*w)->BeginBlock(ts).ok());
  const uint32_t svc_rows[] = {0, 1, 2}, st_rows[] = {1};
  const std::string_view svcs[] = {"a", "a", "b"};
  const int64_t st[] = {500};
  ColumnChunkInput svc{ColumnType::kString, 3, svc_rows, {}, {}, svcs};
  ColumnChunkInput status{ColumnType::kInt, 3, st_rows, st, {}, {}};
  ASSERT_TRUE((*w)->AddChunk("service", ColumnType::kString, svc).ok());
  ASSERT_TRUE((*w)->AddChunk("status", ColumnType::kInt, status).ok());
  ASSERT_TRUE((*w)->EndBlock().ok());
  auto meta = (*w)->Finish(dir_ / "c");
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  auto r = PartReader::Open(nullptr, dir_ / "c");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto back = (*r)->ReadAllEvents();
  ASSERT_TRUE(back.ok());
  EventBatch want;
  want.BeginEvent(1);
  want.AddField("service", Value::String("a"));
  want.BeginEvent(2);
  want.AddField("service", Value::String("a"));
  want.AddField("status", Value::Int(500));
  want.BeginEvent(3);
  want.AddField("service", Value::String("b"));
  EXPECT_EQ(testing::CanonicalRows({&*back}), testing::CanonicalRows({&want}));

  auto order = PartWriter::Create(dir_ / "tmp-d", o);
  ASSERT_TRUE(order.ok());
  ASSERT_TRUE((*order)->BeginBlock(ts).ok());
  ASSERT_TRUE((*order)->AddChunk("service", ColumnType::kString, svc).ok());
  ASSERT_TRUE((*order)->AddChunk("status", ColumnType::kInt, status).ok());
  ASSERT_TRUE((*order)->EndBlock().ok());
  ASSERT_TRUE((*order)->BeginBlock(ts).ok());
  // "service" is column 1, "status" column 2: service after status is out of order.
  ASSERT_TRUE((*order)->AddChunk("status", ColumnType::kInt, status).ok());
  EXPECT_EQ((*order)->AddChunk("service", ColumnType::kString, svc).code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE((*order)->Finish(dir_ / "d").ok());

  auto mixed = PartWriter::Create(dir_ / "tmp-e", o);
  ASSERT_TRUE(mixed.ok());
  ASSERT_TRUE((*mixed)->BeginBlock(ts).ok());
  Field f[] = {{"service", Value::String("a")}};
  EXPECT_EQ((*mixed)->Add(1, f).code(), StatusCode::kInvalidArgument);

  auto big = PartWriter::Create(dir_ / "tmp-f", o);
  ASSERT_TRUE(big.ok());
  const int64_t five[] = {1, 2, 3, 4, 5};
  EXPECT_EQ((*big)->BeginBlock(five).code(), StatusCode::kInvalidArgument);
}

// Brute-force evaluation of a spec against the original rows, to check the scan.
size_t CountMatches(const EventBatch& b, const ScanSpec& spec) {
  size_t n = 0;
  for (const auto& e : b.events()) {
    if (e.ts_ns < spec.min_ts || e.ts_ns >= spec.max_ts) continue;
    bool ok = true;
    for (const auto& p : spec.predicates) {
      bool any = false;
      for (const Field& f : b.fields(e)) {
        if (f.name == p.column && f.value.type != ValueType::kNull && p.Matches(f.value))
          any = true;
      }
      ok = ok && any;
    }
    n += ok;
  }
  return n;
}

// Format v3 may store int chunks bit-packed (codec_delta.h); a writer of version 2 parts (what
// an older vigia reads) keeps to the varint modes. Both read back the same rows, and a data
// directory holding both kinds is read alike.
TEST_F(PartTest, VersionTwoPartsKeepVarintIntsAndBothReadAlike) {
  std::mt19937_64 rng(31);
  EventBatch batch;
  testing::AddRandomEvents(&batch, rng, 6000);
  auto v2 = PartReader::Open(nullptr, Write(batch, 1000, "v2", 2));
  auto v3 = PartReader::Open(nullptr, Write(batch, 1000, "v3"));
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  ASSERT_TRUE(v3.ok()) << v3.status().ToString();
  EXPECT_EQ((*v2)->meta().format_version, 2u);
  EXPECT_EQ((*v3)->meta().format_version, kPartFormatVersion);
  size_t packed_v2 = 0, packed_v3 = 0;
  for (const auto& [reader, packed] : {std::pair{&*v2, &packed_v2}, std::pair{&*v3, &packed_v3}}) {
    const PartMeta& m = (*reader)->meta();
    for (const BlockMeta& b : m.blocks) {
      for (const ChunkMeta& c : b.chunks) {
        if (m.columns[c.column].type != ColumnType::kInt) continue;
        *packed += IsPackedIntEncoding(static_cast<IntEncoding>(c.encoding));
      }
    }
  }
  EXPECT_EQ(packed_v2, 0u);
  EXPECT_GE(packed_v3, 6u);  // at least the status column of every block (4 values)
  auto rows2 = (*v2)->ReadAllEvents();
  auto rows3 = (*v3)->ReadAllEvents();
  ASSERT_TRUE(rows2.ok() && rows3.ok());
  EXPECT_EQ(testing::CanonicalRows({&*rows3}), testing::CanonicalRows({&batch}));
  EXPECT_EQ(testing::CanonicalRows({&*rows2}), testing::CanonicalRows({&batch}));
}

// Format v2 records every value of a low-cardinality string chunk with its rows; version 1
// parts (without them) are still read, decode alike and scan to the same rows.
TEST_F(PartTest, ValueCountsOfLowCardinalityChunksAndVersionOneParts) {
  std::mt19937_64 rng(11);
  EventBatch batch;
  testing::AddRandomEvents(&batch, rng, 6000);
  auto v1 = PartReader::Open(nullptr, Write(batch, 1000, "v1", 1));
  auto v2 = PartReader::Open(nullptr, Write(batch, 1000, "v2"));
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ((*v1)->meta().format_version, 1u);
  EXPECT_EQ((*v2)->meta().format_version, kPartFormatVersion);
  const PartMeta& m = (*v2)->meta();
  const int level = m.FindColumn("level", ColumnType::kString);
  const int msg = m.FindColumn("msg", ColumnType::kString);
  ASSERT_GE(level, 0);
  ASSERT_GE(msg, 0);
  for (size_t bi = 0; bi < m.blocks.size(); ++bi) {
    const BlockMeta& b = m.blocks[bi];
    for (const ChunkMeta& c : (*v1)->meta().blocks[bi].chunks) EXPECT_TRUE(c.value_counts.empty());
    // The level chunk's counts are the decoded column's.
    const ChunkMeta* lc = b.FindChunk(static_cast<uint32_t>(level));
    ASSERT_NE(lc, nullptr);
    ASSERT_EQ(lc->value_counts.size(), 4u);
    ColumnBatch storage;
    ColumnVector col;
    ASSERT_TRUE((*v2)->ReadChunk(bi, *lc, &storage, &col, nullptr).ok());
    std::map<std::string, uint32_t> want;
    for (uint32_t r = 0; r < b.num_rows; ++r) {
      if (col.IsPresent(r)) ++want[std::string(col.Get(r).s)];
    }
    std::map<std::string, uint32_t> got;
    for (const ChunkValueCount& v : lc->value_counts) got[v.value] = v.count;
    EXPECT_EQ(got, want) << "block " << bi;
    // Random text has too many values to count.
    const ChunkMeta* mc = b.FindChunk(static_cast<uint32_t>(msg));
    ASSERT_NE(mc, nullptr);
    EXPECT_TRUE(mc->value_counts.empty());
  }
  auto e1 = (*v1)->ReadAllEvents();
  auto e2 = (*v2)->ReadAllEvents();
  ASSERT_TRUE(e1.ok() && e2.ok());
  EXPECT_EQ(testing::CanonicalRows({&*e1}), testing::CanonicalRows({&*e2}));
  // Equality on a counted column prunes by value (v2) and returns the same rows as v1.
  for (const char* service : {"auth", "nope"}) {
    ScanSpec spec;
    spec.predicates.push_back(ScanPredicate::Equals("service", ScanValue::String(service)));
    spec.columns = {"service"};
    size_t rows[2] = {0, 0};
    ScanStats stats[2];
    for (int v = 0; v < 2; ++v) {
      const PartReader& r = v == 0 ? **v1 : **v2;
      ASSERT_TRUE(r.Scan(
                       spec,
                       [&](ColumnBatch& cb) {
                         rows[v] += cb.num_rows;
                         return Status::Ok();
                       },
                       &stats[v])
                      .ok());
    }
    EXPECT_EQ(rows[0], rows[1]);
    EXPECT_EQ(rows[1], CountMatches(batch, spec));
    if (std::string(service) == "nope") {
      EXPECT_EQ(stats[1].blocks_read, 0u);
      EXPECT_EQ(stats[0].blocks_read, 6u);  // v1 has nothing to prune a string by
    }
  }
  // A metadata file whose counts do not add up to the chunk is corrupt.
  PartMeta bad = m;
  for (ChunkMeta& c : bad.blocks[0].chunks) {
    if (!c.value_counts.empty()) {
      c.value_counts[0].count += 1;
      break;
    }
  }
  auto decoded = DecodePartMeta(EncodePartMeta(bad), "x");
  EXPECT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().ToString().find("value counts"), std::string::npos)
      << decoded.status().ToString();
}

TEST_F(PartTest, ScanFiltersAndPrunes) {
  std::mt19937_64 rng(7);
  EventBatch batch;
  testing::AddRandomEvents(&batch, rng, 30000);
  std::string part = Write(batch, 2000);
  auto r = PartReader::Open(nullptr, part);
  ASSERT_TRUE(r.ok());

  // Pick a request_id that exists.
  std::string rid;
  for (const auto& e : batch.events()) {
    if (const Value* v = batch.Find(e, "request_id")) {
      rid = std::string(v->s);
      break;
    }
  }
  const int64_t t0 = 1'763'700'000'000'000'000;
  std::vector<ScanSpec> specs(5);
  specs[0].predicates.push_back(ScanPredicate::Equals("request_id", ScanValue::String(rid)));
  specs[1].predicates.push_back(ScanPredicate::Range("status", 400, 599));
  specs[1].min_ts = t0 + 3'600'000'000'000;
  specs[1].max_ts = t0 + 7'200'000'000'000;
  specs[2].predicates.push_back(ScanPredicate::Token("msg", "LOGIN"));
  specs[2].predicates.push_back(
      ScanPredicate::In("service", {ScanValue::String("auth"), ScanValue::String("reports")}));
  specs[3].predicates.push_back(ScanPredicate::Equals("duration_ms", ScanValue::Int(5)));
  specs[4].predicates.push_back(ScanPredicate::Equals("meta.x", ScanValue::Bool(true)));
  for (size_t i = 0; i < specs.size(); ++i) {
    ScanSpec& spec = specs[i];
    spec.columns = {"msg", "status", "request_id"};
    ScanStats stats;
    size_t rows = 0;
    Status s = (*r)->Scan(
        spec,
        [&](ColumnBatch& b) {
          rows += b.num_rows;
          EXPECT_EQ(b.ts.size(), b.num_rows);
          for (const auto& c : b.columns) EXPECT_EQ(c.size(), b.num_rows);
          return Status::Ok();
        },
        &stats);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(rows, CountMatches(batch, spec)) << "spec " << i;
    EXPECT_EQ(stats.rows_returned, rows);
    EXPECT_EQ(stats.blocks_total, 15u);
    EXPECT_EQ(stats.blocks_read + stats.blocks_skipped_time + stats.blocks_skipped_index +
                  stats.blocks_skipped_bloom,
              15u);
    if (i == 0) {
      EXPECT_EQ(rows, 1u);
      EXPECT_LE(stats.blocks_read, 2u);  // the block with it, maybe one false positive
      EXPECT_GE(stats.blocks_skipped_bloom, 13u);
    }
  }
  // A missing column prunes everything without reading.
  ScanSpec none;
  none.predicates.push_back(ScanPredicate::Equals("no.such", ScanValue::Int(1)));
  ScanStats stats;
  ASSERT_TRUE((*r)->Scan(
                      none, [](ColumnBatch&) { return Status::Ok(); }, &stats)
                  .ok());
  EXPECT_EQ(stats.blocks_read, 0u);
  EXPECT_EQ(stats.bytes_read, 0u);
}

TEST_F(PartTest, ScanReturnsTypedColumnsWithNulls) {
  EventBatch b;
  b.BeginEvent(1);
  b.AddField("kind", Value::String("log"));
  b.AddField("n", Value::Int(7));
  b.BeginEvent(2);
  b.AddField("kind", Value::String("log"));
  b.AddField("n", Value::String("seven"));
  b.BeginEvent(3);
  b.AddField("kind", Value::String("log"));
  std::string part = Write(b, 100);
  auto r = PartReader::Open(nullptr, part);
  ASSERT_TRUE(r.ok());
  ScanSpec spec;
  spec.columns = {"n"};
  int batches = 0;
  ASSERT_TRUE((*r)->Scan(
                      spec,
                      [&](ColumnBatch& cb) {
                        ++batches;
                        EXPECT_EQ(cb.num_rows, 3u);
                        EXPECT_EQ(cb.ts, (std::vector<int64_t>{1, 2, 3}));
                        EXPECT_EQ(cb.columns.size(), 2u);
                        for (const auto& c : cb.columns) {
                          EXPECT_EQ(c.name, "n");
                          if (c.type == ColumnType::kInt) {
                            EXPECT_EQ(c.present, (std::vector<uint8_t>{1, 0, 0}));
                            EXPECT_EQ(c.ints[0], 7);
                          } else {
                            EXPECT_EQ(c.type, ColumnType::kString);
                            EXPECT_EQ(c.present, (std::vector<uint8_t>{0, 1, 0}));
                            EXPECT_EQ(c.StringAt(1), "seven");
                          }
                        }
                        return Status::Ok();
                      },
                      nullptr)
                  .ok());
  EXPECT_EQ(batches, 1);
  // A chunk read on its own keeps its decompressed bytes only when its values point into
  // them (strings): a decoded int chunk holds its values once.
  const PartMeta& m = (*r)->meta();
  int checked = 0;
  for (const ChunkMeta& c : m.blocks[0].chunks) {
    const ColumnMeta& cm = m.columns[c.column];
    if (cm.name != "n") continue;
    ColumnBatch storage;
    ColumnVector col;
    ASSERT_TRUE((*r)->ReadChunk(0, c, &storage, &col, nullptr).ok());
    EXPECT_EQ(storage.buffers.size(), cm.type == ColumnType::kString ? 1u : 0u);
    if (cm.type == ColumnType::kInt) {
      EXPECT_EQ(col.ints[0], 7);
    } else {
      EXPECT_EQ(col.StringAt(1), "seven");
    }
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

void FlipByte(const std::string& path, uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x20);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

// Opens, verifies and reads everything; returns the first error.
Status ReadEverything(const std::string& part) {
  auto r = PartReader::Open(nullptr, part);
  if (!r.ok()) return r.status();
  PartCheckResult check;
  VIGIA_RETURN_IF_ERROR(VerifyPart(**r, &check));
  auto all = (*r)->ReadAllEvents();
  if (!all.ok()) return all.status();
  ScanSpec spec;
  spec.all_columns = true;
  spec.predicates.push_back(ScanPredicate::Token("msg", "login"));
  return (*r)->Scan(
      spec, [](ColumnBatch&) { return Status::Ok(); }, nullptr);
}

TEST_F(PartTest, CorruptionIsReportedNamingThePart) {
  std::mt19937_64 rng(3);
  EventBatch batch;
  testing::AddRandomEvents(&batch, rng, 3000);
  std::string part = Write(batch, 500);
  ASSERT_TRUE(ReadEverything(part).ok());
  for (auto file :
       {file_names::kPartDataFile, file_names::kPartBloomFile, file_names::kPartMetaFile}) {
    const std::string path = JoinPath(part, file);
    const uint64_t size = std::filesystem::file_size(path);
    for (int i = 0; i < 25; ++i) {
      const uint64_t off = rng() % size;
      std::filesystem::copy_file(path, path + ".orig",
                                 std::filesystem::copy_options::overwrite_existing);
      FlipByte(path, off);
      Status s = ReadEverything(part);
      EXPECT_EQ(s.code(), StatusCode::kCorruption) << file << " @" << off << " " << s.ToString();
      EXPECT_NE(s.message().find(part), std::string::npos) << s.ToString();
      std::filesystem::rename(path + ".orig", path);
    }
    // Truncation.
    std::filesystem::copy_file(path, path + ".orig");
    std::filesystem::resize_file(path, size - 1);
    Status s = ReadEverything(part);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
    EXPECT_NE(s.message().find(part), std::string::npos);
    // Missing file.
    std::filesystem::remove(path);
    s = ReadEverything(part);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
    EXPECT_NE(s.message().find(std::string(file)), std::string::npos);
    std::filesystem::rename(path + ".orig", path);
    ASSERT_TRUE(ReadEverything(part).ok());
  }
}

TEST_F(PartTest, CorruptChunkErrorNamesColumnAndBlock) {
  EventBatch b;
  for (int i = 0; i < 100; ++i) {
    b.BeginEvent(i);
    b.AddField("kind", Value::String("log"));
    b.AddField("msg", Value::String("hello world"));
  }
  std::string part = Write(b, 50);
  auto r = PartReader::Open(nullptr, part);
  ASSERT_TRUE(r.ok());
  const BlockMeta& blk = (*r)->meta().blocks[1];
  const int msg = (*r)->meta().FindColumn("msg", ColumnType::kString);
  ASSERT_GE(msg, 0);
  const ChunkMeta* c = blk.FindChunk(static_cast<uint32_t>(msg));
  ASSERT_NE(c, nullptr);
  FlipByte(JoinPath(part, file_names::kPartDataFile), c->offset + c->size / 2);
  auto again = PartReader::Open(nullptr, part);
  ASSERT_TRUE(again.ok());
  auto all = (*again)->ReadAllEvents();
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), StatusCode::kCorruption);
  EXPECT_NE(all.status().message().find("column msg block 1"), std::string::npos)
      << all.status().ToString();
}

TEST(SelectMergeInputsTest, MergesOnlyAFullTierSmallestFirst) {
  // Tiers of ratio 4: [4^t, 4^(t+1)). 1000..1020 share tier 4 (256..1023); 5000 is tier 6.
  const uint64_t rows[] = {5000, 1000, 1010, 1020};
  EXPECT_TRUE(SelectMergeInputs(rows, 4, 16, 4).empty());  // three like-sized parts only
  std::vector<size_t> got = SelectMergeInputs(rows, 3, 16, 4);
  EXPECT_EQ(got, (std::vector<size_t>{1, 2, 3}));  // the big part is not rewritten
}

TEST(SelectMergeInputsTest, MergedOutputLeavesItsTierSoRowsAreNotRewrittenPerFlush) {
  // Simulate 64 flushes of ~1000 rows with merges in between: every row must be rewritten
  // at most once per tier, not once per merge (the old policy rewrote the biggest part on
  // nearly every merge).
  std::vector<uint64_t> parts;
  uint64_t rewritten = 0;
  for (int flush = 0; flush < 64; ++flush) {
    parts.push_back(1000 + static_cast<uint64_t>(flush % 7));
    for (;;) {
      std::vector<size_t> pick = SelectMergeInputs(parts, 4, 16, 4);
      if (pick.empty()) break;
      ASSERT_GE(pick.size(), 4u);
      uint64_t merged = 0;
      for (size_t i : pick) merged += parts[i];
      rewritten += merged;
      std::sort(pick.rbegin(), pick.rend());
      for (size_t i : pick) parts.erase(parts.begin() + static_cast<ptrdiff_t>(i));
      parts.push_back(merged);
    }
  }
  uint64_t total = 0;
  for (uint64_t p : parts) total += p;
  EXPECT_EQ(total, 64189u);  // sum of 1000 + flush % 7 over 64 flushes
  EXPECT_LE(parts.size(), 6u);
  // 64 flushes into tiers of 4: each row moves up at most 3 tiers (1k -> 4k -> 16k -> 64k).
  EXPECT_LE(rewritten, 3 * total);
}

TEST(SelectMergeInputsTest, CapsTheFanIn) {
  std::vector<uint64_t> rows(40, 100);
  EXPECT_EQ(SelectMergeInputs(rows, 4, 16, 4).size(), 16u);
}

}  // namespace
}  // namespace vigia
