// ShipWindow: the outbox's release watermark when INSERTs complete out of order — it moves
// only over a completed prefix, a range done ahead of an older one is held, and a failed
// (not yet completed) range holds everything behind it.
#include "clickhouse/clickhouse_ship_window.h"

#include <gtest/gtest.h>

namespace vigia::clickhouse {
namespace {

TEST(ShipWindow, InOrderCompletionMovesTheWatermarkEachTime) {
  ShipWindow w(10);
  w.Begin(11, 12);
  w.Begin(13, 13);
  EXPECT_EQ(w.in_flight(), 2u);
  EXPECT_EQ(w.Complete(11), 12u);
  EXPECT_EQ(w.Complete(13), 13u);
  EXPECT_EQ(w.in_flight(), 0u);
}

TEST(ShipWindow, OutOfOrderCompletionWaitsForTheOldestRange) {
  ShipWindow w;
  w.Begin(1, 3);
  w.Begin(4, 4);
  w.Begin(5, 9);
  w.Begin(10, 10);
  EXPECT_EQ(w.Complete(5), 0u);  // 1..4 still in flight
  EXPECT_EQ(w.Complete(10), 0u);
  EXPECT_EQ(w.in_flight(), 4u);
  EXPECT_EQ(w.Complete(1), 3u);  // 4..4 holds 5..10 back
  EXPECT_EQ(w.in_flight(), 3u);
  EXPECT_EQ(w.Complete(4), 10u);  // everything behind it was done
  EXPECT_EQ(w.in_flight(), 0u);
  EXPECT_EQ(w.watermark(), 10u);
}

TEST(ShipWindow, NewRangesBehindAHeldOneDoNotPassIt) {
  ShipWindow w(100);
  w.Begin(101, 101);  // fails and is retried: never completed here
  w.Begin(102, 110);
  EXPECT_EQ(w.Complete(102), 100u);
  w.Begin(111, 120);
  EXPECT_EQ(w.Complete(111), 100u);
  EXPECT_EQ(w.Complete(101), 120u);
}

}  // namespace
}  // namespace vigia::clickhouse
