#include "query/block_window.h"

#include <gtest/gtest.h>

#include <string>

#include "query/test_rng.h"

namespace vigia {
namespace {

using Rng = TestRng;

TEST(MaskSpanTest, FirstAndOnePastLastSetByteOfRandomMasks) {
  Rng rng{7};
  for (int round = 0; round < 3000; ++round) {
    std::vector<uint8_t> mask(rng.Pick(70));
    // Sparse, dense, runs and lone bytes at either end; values other than 1 count as set.
    const size_t density = 1 + rng.Pick(round % 3 == 0 ? 40 : 3);
    for (auto& m : mask) m = rng.Pick(density) == 0 ? static_cast<uint8_t>(1 + rng.Pick(3)) : 0;
    size_t first = mask.size(), last = 0;
    for (size_t i = 0; i < mask.size(); ++i) {
      if (mask[i] == 0) continue;
      if (first == mask.size()) first = i;
      last = i + 1;
    }
    const auto [b, e] = MaskSpan(mask);
    if (first == mask.size()) {
      EXPECT_EQ(b, 0u);
      EXPECT_EQ(e, 0u);
    } else {
      EXPECT_EQ(b, first) << "round " << round;
      EXPECT_EQ(e, last) << "round " << round;
    }
  }
}

ColumnVector Column(const char* name, ColumnType type) {
  ColumnVector c;
  c.name = name;
  c.type = type;
  return c;
}

// A view cleared for the next block keeps no column of the previous one (ClearColumns reuses the
// per-field lists' memory, not their contents).
TEST(BlockViewTest, AClearedViewHoldsOnlyTheNextBlocksColumns) {
  ColumnVector a = Column("a", ColumnType::kInt);
  ColumnVector b1 = Column("b", ColumnType::kInt);
  ColumnVector b2 = Column("b", ColumnType::kString);
  ColumnVector c = Column("c", ColumnType::kInt);
  BlockView v;
  for (const ColumnVector* col : {&a, &b1, &b2}) v.Add(col);
  ASSERT_EQ(v.num_fields(), 2u);
  ASSERT_EQ(v.Find("b")->size(), 2u);
  v.ClearColumns();
  EXPECT_EQ(v.num_fields(), 0u);
  EXPECT_TRUE(v.all.empty());
  EXPECT_EQ(v.Find("a"), nullptr);
  EXPECT_EQ(v.Find("b"), nullptr);
  v.Add(&c);
  v.Add(&b2);
  EXPECT_EQ(v.num_fields(), 2u);
  EXPECT_EQ(v.Find("a"), nullptr);
  ASSERT_NE(v.Find("c"), nullptr);
  EXPECT_EQ(*v.Find("c"), std::vector<const ColumnVector*>{&c});
  ASSERT_NE(v.Find("b"), nullptr);
  EXPECT_EQ(*v.Find("b"), std::vector<const ColumnVector*>{&b2});
  EXPECT_EQ(v.all, (std::vector<const ColumnVector*>{&c, &b2}));
}

TEST(BlockWindowTest, AWindowReadsAsTheBlocksRows) {
  // Every column form: ints, bools, floats, flat and dictionary strings, a sparse column,
  // and two types under one name.
  constexpr size_t kRows = 100;
  std::vector<std::string> owned;
  for (size_t r = 0; r < kRows; ++r) owned.push_back("s" + std::to_string(r * 7));
  std::vector<int64_t> ts(kRows);
  ColumnVector ints = Column("n", ColumnType::kInt);
  ColumnVector bools = Column("b", ColumnType::kBool);
  ColumnVector floats = Column("f", ColumnType::kFloat);
  ColumnVector flat = Column("msg", ColumnType::kString);
  ColumnVector dict = Column("level", ColumnType::kString);
  ColumnVector mixed = Column("n", ColumnType::kString);
  dict.dictionary = true;
  dict.dict = {"info", "warn", "error"};
  for (size_t r = 0; r < kRows; ++r) {
    ts[r] = static_cast<int64_t>(1000 + r);
    const bool n_is_int = r % 5 != 0;
    ints.present.push_back(n_is_int);
    ints.ints.push_back(n_is_int ? static_cast<int64_t>(r) * 3 : 0);
    mixed.present.push_back(!n_is_int);
    mixed.strings.push_back(n_is_int ? std::string_view() : std::string_view(owned[r]));
    bools.present.push_back(r % 3 == 0);
    bools.ints.push_back(r % 6 == 0);
    floats.present.push_back(1);
    floats.floats.push_back(static_cast<double>(r) / 4);
    flat.present.push_back(1);
    flat.strings.push_back(owned[r]);
    dict.present.push_back(1);
    dict.codes.push_back(static_cast<uint16_t>(r % 3));
  }
  floats.all_present = flat.all_present = dict.all_present = true;
  BlockView block;
  block.num_rows = kRows;
  block.ts = ts.data();
  for (const ColumnVector* c : {&ints, &bools, &floats, &flat, &dict, &mixed}) block.Add(c);

  // A window of the given spans reads as the block's rows in them, in order.
  auto check = [&](const BlockWindow& w, const std::vector<RowSpan>& spans) {
    std::vector<size_t> rows;
    for (const RowSpan& s : spans) {
      for (size_t r = s.begin; r < s.end; ++r) rows.push_back(r);
    }
    const BlockView& v = w.view();
    ASSERT_EQ(v.num_rows, rows.size());
    ASSERT_EQ(v.all.size(), block.all.size());
    ASSERT_EQ(v.num_fields(), block.num_fields());
    for (size_t r = 0; r < v.num_rows; ++r) {
      EXPECT_EQ(v.ts[r], ts[rows[r]]);
      for (const char* name : {"n", "b", "f", "msg", "level", "absent"}) {
        const Value got = v.Get(v.Find(name), r);
        const Value want = block.Get(block.Find(name), rows[r]);
        EXPECT_TRUE(got == want) << name << " row " << r;
      }
    }
    for (size_t i = 0; i < v.all.size(); ++i) {
      EXPECT_EQ(v.all[i]->name, block.all[i]->name);
      EXPECT_EQ(v.all[i]->dictionary, block.all[i]->dictionary);
      EXPECT_EQ(v.all[i]->all_present, block.all[i]->all_present);
      EXPECT_EQ(v.all[i]->size(), rows.size());
    }
  };
  BlockWindow w;
  for (auto [begin, end] :
       {std::pair<size_t, size_t>{0, 100}, {10, 30}, {99, 100}, {0, 1}, {40, 40}, {17, 83}}) {
    SCOPED_TRACE(std::to_string(begin) + ".." + std::to_string(end));
    w.Set(block, begin, end);
    check(w, {{static_cast<uint32_t>(begin), static_cast<uint32_t>(end)}});
  }
  // Several spans, reusing the window's storage between them (longer, then shorter).
  const std::vector<std::vector<RowSpan>> span_sets = {
      {{0, 10}, {20, 25}, {99, 100}},
      {{3, 4}, {5, 6}},
      {{0, 50}, {50, 100}},
      {},
      {{7, 93}},
      {{1, 2}, {10, 40}, {41, 42}, {60, 61}, {70, 99}}};
  for (const auto& spans : span_sets) {
    SCOPED_TRACE(std::to_string(spans.size()) + " spans");
    w.Set(block, spans);
    check(w, spans);
  }
  // A window of the filter's columns, extended once the block has the rest: as a window of
  // the whole block (the engine reads the rest of a block only when its filter matched).
  BlockView filter;
  filter.num_rows = kRows;
  filter.ts = ts.data();
  for (const ColumnVector* c : {&ints, &dict, &mixed}) filter.Add(c);
  for (const auto& spans : span_sets) {
    SCOPED_TRACE("extended, " + std::to_string(spans.size()) + " spans");
    w.Set(filter, spans);
    ASSERT_EQ(w.view().all.size(), 3u);
    EXPECT_EQ(w.view().all[1]->name, "level");
    w.Extend(block);
    check(w, spans);
    w.Extend(block);  // nothing new: the same window
    check(w, spans);
  }
}

}  // namespace
}  // namespace vigia
