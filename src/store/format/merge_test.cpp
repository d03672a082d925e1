// MergeParts (the columnar merge) against MergePartsByRows (the row merge it replaced): the
// same inputs must give byte-identical parts — data, blooms and metadata — over generated
// inputs of every shape, and those parts must hold exactly the inputs' rows.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "store/format/file_names.h"
#include "store/format/merge.h"
#include "store/format/part_reader.h"
#include "store/format/part_testing.h"
#include "store/format/part_writer.h"

namespace vigia {
namespace {

std::string ReadBytes(const std::filesystem::path& p) {
  auto s = Env::Default()->ReadFileToString(p.string());
  EXPECT_TRUE(s.ok()) << p << ": " << s.status().ToString();
  return s.ok() ? *s : std::string();
}

// Rows whose key fields are unusual: a "service" or "kind" that is not a string (its key
// string is empty), none, a dynamic "_time", keys that tie within and across inputs.
void AddKeyEdgeEvents(EventBatch* batch, std::mt19937_64& rng, size_t n, int64_t base_ts) {
  static const char* kServices[] = {"a", "b", "", "b\x01"};
  Arena& a = batch->arena();
  for (size_t i = 0; i < n; ++i) {
    batch->BeginEvent(base_ts + static_cast<int64_t>(rng() % 4));
    switch (rng() % 5) {
      case 0:
        batch->AddField("service", Value::Int(static_cast<int64_t>(rng() % 3)));
        break;
      case 1:
        batch->AddField("service", Value::Null());
        break;
      case 2:
        break;
      default:
        batch->AddField("service", Value::String(kServices[rng() % 4]));
        break;
    }
    switch (rng() % 4) {
      case 0:
        batch->AddField("kind", Value::Null());
        break;
      case 1:
        break;
      default:
        batch->AddField("kind", Value::String(rng() % 2 ? "log" : "audit"));
        break;
    }
    if (rng() % 5 == 0) batch->AddField("_time", Value::Int(static_cast<int64_t>(rng())));
    if (rng() % 2) batch->AddField("msg", Value::String(a.Copy(testing::RandomString(rng, 30))));
    if (rng() % 9 == 0) {
      batch->AddField(a.Copy("rare." + std::to_string(rng() % 5)), Value::Float(0.5));
    }
  }
}

struct Shape {
  size_t inputs;
  size_t rows_per_input;  // upper bound: each input gets 1..rows_per_input rows
  uint32_t input_block;   // block rows of the inputs
  uint32_t output_block;  // block rows of the merged part
  bool key_edges;         // AddKeyEdgeEvents instead of AddRandomEvents
  uint32_t format_version;
};

class MergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigia_merge_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes the inputs of `shape`, merges them both ways and compares the parts' files; then
  // compares the merged rows with the inputs' rows (as multisets) and checks the key order.
  void CheckBothMergesAgree(const Shape& shape, uint64_t seed) {
    SCOPED_TRACE("seed " + std::to_string(seed) + " inputs " + std::to_string(shape.inputs) +
                 " input_block " + std::to_string(shape.input_block) + " output_block " +
                 std::to_string(shape.output_block));
    std::mt19937_64 rng(seed);
    const std::filesystem::path d = dir_ / std::to_string(seed);
    std::filesystem::create_directories(d);
    std::vector<EventBatch> batches(shape.inputs);
    std::vector<std::shared_ptr<PartReader>> inputs;
    for (size_t i = 0; i < shape.inputs; ++i) {
      const size_t n = 1 + rng() % shape.rows_per_input;
      // Inputs overlap in time (and, with key_edges, tie on whole keys).
      const int64_t base = 1'763'700'000'000'000'000 + static_cast<int64_t>(rng() % 3);
      if (shape.key_edges) {
        AddKeyEdgeEvents(&batches[i], rng, n, base);
      } else {
        testing::AddRandomEvents(&batches[i], rng, n, base);
      }
      PartWriterOptions o;
      o.block_rows = shape.input_block;
      o.wal_seq = rng() % 100;
      const EventBatch* bs[] = {&batches[i]};
      const std::string name = "in" + std::to_string(i);
      auto m = WritePartFromBatches(bs, d / ("tmp-" + name), d / name, o);
      ASSERT_TRUE(m.ok()) << m.status().ToString();
      auto r = PartReader::Open(nullptr, d / name);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      inputs.push_back(*r);
    }
    PartWriterOptions o;
    o.block_rows = shape.output_block;
    o.format_version = shape.format_version;
    o.replaces = {"in0", "in1"};
    MergeStats by_columns, by_rows;
    auto a = MergeParts(inputs, d / "tmp-cols", d / "cols", o, &by_columns);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    auto b = MergePartsByRows(inputs, d / "tmp-rows", d / "rows", o, &by_rows);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    EXPECT_FALSE(std::filesystem::exists(d / "tmp-cols"));
    EXPECT_EQ(by_columns.rows, by_rows.rows);
    EXPECT_EQ(by_columns.input_bytes, by_rows.input_bytes);
    EXPECT_EQ(by_columns.output_bytes, by_rows.output_bytes);
    for (std::string_view f :
         {file_names::kPartDataFile, file_names::kPartBloomFile, file_names::kPartMetaFile}) {
      const std::string cols = ReadBytes(d / "cols" / f), rows = ReadBytes(d / "rows" / f);
      EXPECT_EQ(cols.size(), rows.size()) << f;
      EXPECT_TRUE(cols == rows) << f << " differs";
    }
    EXPECT_EQ(a->columns.size(), b->columns.size());
    EXPECT_EQ(a->blocks.size(), b->blocks.size());

    auto merged = PartReader::Open(nullptr, d / "cols");
    ASSERT_TRUE(merged.ok()) << merged.status().ToString();
    auto back = (*merged)->ReadAllEvents();
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    std::vector<const EventBatch*> in_ptrs;
    for (const auto& bt : batches) in_ptrs.push_back(&bt);
    EXPECT_EQ(testing::CanonicalRows({&*back}), testing::CanonicalRows(in_ptrs));
    const auto& ev = back->events();
    for (size_t i = 1; i < ev.size(); ++i) {
      ASSERT_LE(CompareRowKeys(RowKeyOf(ev[i - 1].ts_ns, back->fields(ev[i - 1])),
                               RowKeyOf(ev[i].ts_ns, back->fields(ev[i]))),
                0)
          << "row " << i;
    }
  }

  std::filesystem::path dir_;
};

TEST_F(MergeTest, ColumnarMergeWritesTheRowMergesPartByteForByte) {
  const Shape shapes[] = {
      {1, 3000, 1000, 1000, false, kPartFormatVersion},  // one input
      {2, 2000, 500, 700, false, kPartFormatVersion},    // output blocks straddle inputs'
      {8, 1500, 400, 1000, false, kPartFormatVersion},   // the fan-in limit
      {8, 300, 1, 64, false, kPartFormatVersion},        // one-row input blocks
      {3, 200, 7, 1, false, kPartFormatVersion},         // one-row output blocks
      {5, 2000, 32768, 32768, false, 1},                 // format v1 (no value counts)
      {4, 500, 13, 50, true, kPartFormatVersion},        // key edge cases, many ties
      {8, 40, 3, 5, true, kPartFormatVersion},           // tiny inputs, tiny blocks
  };
  uint64_t seed = 1;
  for (const Shape& s : shapes) {
    for (int round = 0; round < 3; ++round) CheckBothMergesAgree(s, seed++);
  }
}

TEST_F(MergeTest, ColumnarMergeKeepsHugeStringsAndSparseColumnsAcrossManyBlocks) {
  // 20k rows per input: AddRandomEvents' rare 100 KB strings and 50 sparse dyn.* columns
  // appear in some blocks only; blocks of 4096 rows.
  CheckBothMergesAgree({4, 20000, 4096, 4096, false, kPartFormatVersion}, 1000);
}

TEST_F(MergeTest, RejectsNoInputs) {
  std::vector<std::shared_ptr<PartReader>> none;
  auto m = MergeParts(none, dir_ / "tmp-x", dir_ / "x", PartWriterOptions{});
  EXPECT_FALSE(m.ok());
}

}  // namespace
}  // namespace vigia
