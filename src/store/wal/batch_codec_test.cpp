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

// CutEvents takes picked events out of an encoding as they are (the audit ledger's records
// of a mixed batch): the cut decodes to exactly those events, a cut of a cut equals the cut
// of the same events from the whole, and the picks' order and range are checked.
TEST(BatchCodec, CutEventsDecodesToThePickedEvents) {
  std::mt19937_64 rng(13);
  for (int round = 0; round < 40; ++round) {
    auto batch = testing::MakeRandomBatch(rng, 1 + rng() % 200);
    batch_codec::EncodedEvents whole = batch_codec::EncodeToScratchWithOffsets(*batch);
    const std::string bytes(whole.bytes);
    const std::vector<uint32_t> offsets(whole.event_offsets.begin(), whole.event_offsets.end());
    ASSERT_EQ(offsets.size(), batch->size());
    std::vector<uint32_t> picks;
    EventBatch expected;
    for (uint32_t i = 0; i < batch->size(); ++i) {
      if (round > 0 && rng() % 3 != 0) continue;  // round 0: every event
      picks.push_back(i);
      const EventBatch::EventRef& e = batch->events()[i];
      expected.BeginEvent(e.ts_ns);
      for (const Field& f : batch->fields(e)) expected.AddField(f.name, f.value);
    }
    if (picks.empty()) continue;
    std::string cut = "prefix";  // CutEvents appends
    std::vector<uint32_t> cut_offsets;
    Status st = batch_codec::CutEvents({bytes, offsets}, picks, &cut, &cut_offsets);
    ASSERT_TRUE(st.ok()) << st.ToString();
    cut.erase(0, 6);
    if (round == 0) {
      EXPECT_EQ(cut, bytes) << "every event picked: the encoding as it is";
    }
    EventBatch out;
    st = batch_codec::Decode(cut, &out);
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_TRUE(testing::BatchesEqual(expected, out)) << "round " << round;
    ASSERT_EQ(batch_codec::EventCount(cut), picks.size());
    // Every other picked event, cut from the cut and from the whole: the same bytes.
    std::vector<uint32_t> again, from_whole;
    for (uint32_t k = 0; k < picks.size(); k += 2) {
      again.push_back(k);
      from_whole.push_back(picks[k]);
    }
    std::string twice, once;
    ASSERT_TRUE(batch_codec::CutEvents({cut, cut_offsets}, again, &twice).ok());
    ASSERT_TRUE(batch_codec::CutEvents({bytes, offsets}, from_whole, &once).ok());
    EXPECT_EQ(twice, once) << "round " << round;
  }
}

TEST(BatchCodec, CutEventsRefusesBadPicksAndOffsets) {
  std::mt19937_64 rng(17);
  auto batch = testing::MakeRandomBatch(rng, 20);
  batch_codec::EncodedEvents whole = batch_codec::EncodeToScratchWithOffsets(*batch);
  const std::string bytes(whole.bytes);
  const std::vector<uint32_t> offsets(whole.event_offsets.begin(), whole.event_offsets.end());
  std::string out;
  const std::vector<uint32_t> descending = {3, 1}, repeated = {2, 2}, past = {20};
  EXPECT_EQ(batch_codec::CutEvents({bytes, offsets}, descending, &out).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(batch_codec::CutEvents({bytes, offsets}, repeated, &out).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(batch_codec::CutEvents({bytes, offsets}, past, &out).code(), StatusCode::kCorruption);
  // Offsets that do not match the bytes: an error or a batch that decodes, never a bad read.
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint32_t> bad = offsets;
    bad[rng() % bad.size()] = static_cast<uint32_t>(rng() % (bytes.size() + 8));
    const std::vector<uint32_t> picks = {static_cast<uint32_t>(rng() % bad.size())};
    std::string cut;
    Status st = batch_codec::CutEvents({bytes, bad}, picks, &cut);
    EXPECT_TRUE(st.ok() || st.code() == StatusCode::kCorruption);
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
