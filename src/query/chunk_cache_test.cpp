// ChunkCache admission (a chunk is kept on its second read) and ChunkPool recycling (a chunk
// read once decodes into reused memory, and decodes exactly as into fresh memory).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/limits.h"
#include "query/chunk_cache.h"
#include "query/chunk_pool.h"
#include "store/format/part_reader.h"
#include "store/format/part_testing.h"
#include "store/format/part_writer.h"

namespace vigia {
namespace {

std::shared_ptr<CachedChunk> SomeChunk() {
  auto c = std::make_shared<CachedChunk>();
  c->col.type = ColumnType::kInt;
  c->col.present.assign(100, 1);
  c->col.ints.assign(100, 7);
  c->bytes = ChunkMemory(*c);
  return c;
}

TEST(ChunkCacheTest, KeepsAChunkOnItsSecondRead) {
  ChunkCache cache(1 << 20);
  bool admit = true;
  EXPECT_EQ(cache.Lookup("k", &admit), nullptr);
  EXPECT_FALSE(admit);  // first read: decode, use, drop
  EXPECT_EQ(cache.Lookup("k", &admit), nullptr);
  EXPECT_TRUE(admit);  // second read: keep it
  cache.Put("k", SomeChunk());
  admit = false;
  EXPECT_NE(cache.Lookup("k", &admit), nullptr);
  // Other keys are unaffected, and a key admitted once is not remembered as seen again.
  EXPECT_EQ(cache.Lookup("other", &admit), nullptr);
  EXPECT_FALSE(admit);
}

TEST(ChunkCacheTest, ErasePartDropsThatPartsChunksAndBloomsOnly) {
  ChunkCache cache(1 << 20);
  cache.Put(ChunkCache::Key("p/part-1", 0, 1), SomeChunk());
  cache.Put(ChunkCache::BloomGroupKey("p/part-1", 2, 0), SomeChunk());
  cache.Put(ChunkCache::Key("p/part-10", 0, 1), SomeChunk());  // its name extends part-1's
  cache.Put(ChunkCache::Key("q/part-1", 0, 1), SomeChunk());
  const size_t one = SomeChunk()->bytes;
  ASSERT_EQ(cache.bytes(), 4 * one);
  cache.ErasePart("p/part-1");
  EXPECT_EQ(cache.entries(), 2u);
  EXPECT_EQ(cache.bytes(), 2 * one);
  EXPECT_EQ(cache.Get(ChunkCache::Key("p/part-1", 0, 1)), nullptr);
  EXPECT_EQ(cache.Get(ChunkCache::BloomGroupKey("p/part-1", 2, 0)), nullptr);
  EXPECT_NE(cache.Get(ChunkCache::Key("p/part-10", 0, 1)), nullptr);
  EXPECT_NE(cache.Get(ChunkCache::Key("q/part-1", 0, 1)), nullptr);
}

TEST(ChunkCacheTest, ZeroCapacityNeverAdmitsAndFirstReadModeAlwaysDoes) {
  ChunkCache off(0);
  bool admit = true;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(off.Lookup("k", &admit), nullptr);
    EXPECT_FALSE(admit);
  }
  ChunkCache first(1 << 20);
  first.SetAdmitOnFirstRead(true);
  admit = false;
  EXPECT_EQ(first.Lookup("k", &admit), nullptr);
  EXPECT_TRUE(admit);
}

TEST(ChunkCacheTest, DoorkeeperForgetsEverythingWhenFull) {
  ChunkCache cache(1 << 20);
  bool admit = false;
  const size_t n = limits::kChunkCacheDoorkeeperKeys;
  for (size_t i = 0; i < n; ++i) cache.Lookup(std::to_string(i), &admit);
  EXPECT_FALSE(admit);
  EXPECT_EQ(cache.Lookup("last", &admit), nullptr);  // full: forgets the n keys first
  EXPECT_EQ(cache.Lookup("0", &admit), nullptr);
  EXPECT_FALSE(admit);
  EXPECT_EQ(cache.Lookup("last", &admit), nullptr);
  EXPECT_TRUE(admit);
}

TEST(ChunkCacheTest, SetCapacityForgetsTheDoorkeeper) {
  ChunkCache cache(1 << 20);
  bool admit = false;
  cache.Lookup("k", &admit);
  cache.SetCapacity(1 << 21);
  cache.Lookup("k", &admit);
  EXPECT_FALSE(admit);
}

TEST(ChunkPoolTest, ReturnsChunksForReuseWithinItsBounds) {
  ChunkPool pool(2, 1 << 20);
  CachedChunk* first = nullptr;
  {
    std::shared_ptr<CachedChunk> a = pool.Take(ColumnType::kInt);
    first = a.get();
    a->col.ints.assign(1000, 1);
    a->col.present.assign(1000, 1);
    a->storage.buffers.push_back(std::make_unique<std::string>(5000, 'x'));
  }
  ASSERT_EQ(pool.idle(), 1u);
  EXPECT_GE(pool.idle_bytes(), 1000u * 9 + 5000);
  {
    std::shared_ptr<CachedChunk> other = pool.Take(ColumnType::kString);
    EXPECT_NE(other.get(), first);  // idle chunks are kept by the type they were taken for
  }
  ASSERT_EQ(pool.idle(), 2u);
  std::shared_ptr<CachedChunk> again = pool.Take(ColumnType::kInt);
  EXPECT_EQ(again.get(), first);  // the same storage, emptied, its memory kept
  EXPECT_TRUE(again->col.ints.empty());
  EXPECT_GE(again->col.ints.capacity(), 1000u);
  EXPECT_TRUE(again->storage.buffers.empty());
  ASSERT_EQ(again->storage.spare_buffers.size(), 1u);
  EXPECT_TRUE(again->storage.spare_buffers[0]->empty());
  EXPECT_EQ(pool.idle(), 1u);  // the string chunk
  std::shared_ptr<CachedChunk> str = pool.Take(ColumnType::kString);
  EXPECT_EQ(pool.idle(), 0u);
  EXPECT_EQ(pool.idle_bytes(), 0u);
  str.reset();
  {
    std::vector<std::shared_ptr<CachedChunk>> three = {
        pool.Take(ColumnType::kInt), pool.Take(ColumnType::kInt), pool.Take(ColumnType::kInt)};
  }
  EXPECT_EQ(pool.idle(), 2u);  // the third is freed
  again.reset();
  EXPECT_EQ(pool.idle(), 2u);

  ChunkPool tiny(8, 100);  // too small for any of them
  {
    std::shared_ptr<CachedChunk> c = tiny.Take(ColumnType::kInt);
    c->col.ints.assign(1000, 1);
  }
  EXPECT_EQ(tiny.idle(), 0u);
}

// Every chunk of a part with every type (dictionary, flat, hex and huge strings, sparse and
// type-changing fields) decodes into one recycled chunk after another exactly as into a fresh
// one.
TEST(ChunkPoolTest, RecycledChunksDecodeLikeFreshOnes) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("vigia_chunk_pool_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::mt19937_64 rng(7);
  EventBatch batch;
  testing::AddRandomEvents(&batch, rng, 5000);
  PartWriterOptions o;
  o.block_rows = 700;
  const EventBatch* bs[] = {&batch};
  ASSERT_TRUE(WritePartFromBatches(bs, dir / "tmp-p", dir / "p", o).ok());
  auto part = PartReader::Open(nullptr, dir / "p");
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  ChunkPool pool(1, 64 << 20);  // one idle chunk: every decode reuses the previous one's
  size_t chunks = 0;
  for (size_t b = 0; b < (*part)->meta().blocks.size(); ++b) {
    for (const ChunkMeta& c : (*part)->meta().blocks[b].chunks) {
      CachedChunk fresh;
      ASSERT_TRUE((*part)->ReadChunk(b, c, &fresh.storage, &fresh.col, nullptr).ok());
      std::shared_ptr<CachedChunk> reused = pool.Take(ColumnType::kInt);
      ASSERT_TRUE((*part)->ReadChunk(b, c, &reused->storage, &reused->col, nullptr).ok());
      const ColumnVector& x = fresh.col;
      const ColumnVector& y = reused->col;
      ASSERT_EQ(x.name, y.name);
      ASSERT_EQ(x.type, y.type);
      ASSERT_EQ(x.present, y.present);
      ASSERT_EQ(x.all_present, y.all_present);
      ASSERT_EQ(x.dictionary, y.dictionary);
      ASSERT_EQ(x.ints, y.ints);
      ASSERT_EQ(x.floats.size(), y.floats.size());
      for (size_t r = 0; r < x.size(); ++r) {
        ASSERT_TRUE(x.Get(r) == y.Get(r)) << x.name << " row " << r;
      }
      ++chunks;
    }
  }
  EXPECT_GT(chunks, 50u);
  EXPECT_EQ(pool.idle(), 1u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigia
