#include "store/wal/batch_codec.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "store/wal/batch_codec_testing.h"

namespace vigia {
namespace {

TEST(BatchCodec, EmptyBatchRoundTrips) {
  EventBatch empty;
  std::string enc;
  batch_codec::Encode(empty, &enc);
  EventBatch out;
  ASSERT_TRUE(batch_codec::Decode(enc, &out).ok());
  EXPECT_EQ(out.size(), 0u);
}

TEST(BatchCodec, RandomBatchesRoundTrip) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 50; ++round) {
    auto batch = testing::MakeRandomBatch(rng, rng() % 300);
    std::string enc = "prefix";  // Encode appends
    batch_codec::Encode(*batch, &enc);
    EventBatch out;
    Status st = batch_codec::Decode(std::string_view(enc).substr(6), &out);
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_TRUE(testing::BatchesEqual(*batch, out)) << "round " << round;
  }
}

// A selection of a batch's events (the audit ledger's batch records) encodes as a batch of
// those events only, in the given order.
TEST(BatchCodec, ASelectionOfEventsRoundTripsAsItsOwnBatch) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 30; ++round) {
    auto batch = testing::MakeRandomBatch(rng, 1 + rng() % 200);
    std::vector<EventBatch::EventRef> picked;
    EventBatch expected;
    for (const EventBatch::EventRef& e : batch->events()) {
      if (rng() % 3 != 0) continue;
      picked.push_back(e);
      expected.BeginEvent(e.ts_ns);
      for (const Field& f : batch->fields(e)) expected.AddField(f.name, f.value);
    }
    std::string enc(batch_codec::EncodeToScratch(*batch, picked));
    EventBatch out;
    Status st = batch_codec::Decode(enc, &out);
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_EQ(out.size(), picked.size());
    ASSERT_TRUE(testing::BatchesEqual(expected, out)) << "round " << round;
    // Deterministic: the same selection encodes to the same bytes.
    EXPECT_EQ(batch_codec::EncodeToScratch(*batch, picked), enc);
  }
}

// EventCount reads the header only: a batch's count, nothing for bytes that are not one.
TEST(BatchCodec, EventCountReadsTheHeader) {
  std::mt19937_64 rng(11);
  auto batch = testing::MakeRandomBatch(rng, 123);
  std::string enc;
  batch_codec::Encode(*batch, &enc);
  EXPECT_EQ(batch_codec::EventCount(enc), 123u);
  EXPECT_EQ(batch_codec::EventCount(std::string_view(enc).substr(0, enc.size() / 2)),
            std::nullopt);  // the name table's offset is past the end
  EXPECT_EQ(batch_codec::EventCount(""), std::nullopt);
  std::string other = enc;
  other[0] = 9;  // version
  EXPECT_EQ(batch_codec::EventCount(other), std::nullopt);
}

TEST(BatchCodec, DecodedStringsOutliveTheInput) {
  std::mt19937_64 rng(1);
  auto batch = testing::MakeRandomBatch(rng, 20);
  EventBatch out;
  {
    std::string enc;
    batch_codec::Encode(*batch, &enc);
    ASSERT_TRUE(batch_codec::Decode(enc, &out).ok());
    enc.assign(enc.size(), 'Z');  // clobber the source
  }
  EXPECT_TRUE(testing::BatchesEqual(*batch, out));
}

TEST(BatchCodec, IsCompactForRepetitiveEvents) {
  std::mt19937_64 rng(3);
  auto batch = testing::MakeRandomBatch(rng, 1000);
  size_t string_bytes = 0;
  for (const auto& e : batch->events()) {
    for (const Field& f : batch->fields(e)) string_bytes += f.value.s.size();
  }
  std::string enc;
  batch_codec::Encode(*batch, &enc);
  // Names are stored once, so the overhead per field is a few bytes, not the name.
  EXPECT_LT(enc.size(), string_bytes + batch->total_fields() * 6 + batch->size() * 12);
}

TEST(BatchCodec, EveryTruncationIsCorruption) {
  std::mt19937_64 rng(5);
  auto batch = testing::MakeRandomBatch(rng, 30);
  std::string enc;
  batch_codec::Encode(*batch, &enc);
  for (size_t n = 0; n < enc.size(); ++n) {
    EventBatch out;
    Status st = batch_codec::Decode(std::string_view(enc).substr(0, n), &out);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << "prefix " << n;
  }
}

TEST(BatchCodec, RandomGarbageNeverCrashes) {
  std::mt19937_64 rng(9);
  int ok = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string junk(rng() % 200, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    if (!junk.empty() && rng() % 2) junk[0] = batch_codec::kVersion;
    EventBatch out;
    Status st = batch_codec::Decode(junk, &out);
    if (st.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(st.code(), StatusCode::kCorruption);
    }
  }
  EXPECT_LT(ok, 100);  // random bytes almost never form a valid batch
}

TEST(BatchCodec, BitFlippedEncodingsNeverCrash) {
  std::mt19937_64 rng(11);
  auto batch = testing::MakeRandomBatch(rng, 50);
  std::string enc;
  batch_codec::Encode(*batch, &enc);
  for (int round = 0; round < 5000; ++round) {
    std::string bad = enc;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
    EventBatch out;
    Status st = batch_codec::Decode(bad, &out);
    EXPECT_TRUE(st.ok() || st.code() == StatusCode::kCorruption);
  }
}

TEST(BatchCodec, RefusesNonEmptyOutput) {
  EventBatch empty;
  std::string enc;
  batch_codec::Encode(empty, &enc);
  EventBatch out;
  out.BeginEvent(1);
  EXPECT_EQ(batch_codec::Decode(enc, &out).code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace vigia
