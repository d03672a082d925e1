// The error-group table: aggregation, the status workflow (resolve, regression, resolve in
// next release, ignore for a duration or a count), the rate hook, the users HLL, and the
// table file's round trip.
#include "errors/error_group_table.h"

#include <gtest/gtest.h>

#include <string>

#include "errors/hyperloglog.h"

namespace vigia::errors {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kT0 = 1'790'000'000 * kSec;

ErrorOccurrence Occ(std::string_view fp, int64_t ts, std::string_view release = "1.0",
                    std::string_view user = "u1") {
  ErrorOccurrence o;
  o.fingerprint = fp;
  o.ts_ns = ts;
  o.error.type = "KeyError";
  o.error.message = "user 42 missing";
  o.error.stack = "  File \"/app/api/users.py\", line 88, in get_user";
  o.user = user;
  o.service = "api";
  o.release = release;
  o.environment = "prod";
  o.event_id = "ev1";
  return o;
}

TEST(ErrorGroupTable, AggregatesOccurrences) {
  ErrorGroupTable t;
  std::vector<GroupEvent> ev;
  ASSERT_TRUE(t.Observe(Occ("f1", kT0 + 5 * kSec), kT0, &ev));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, GroupEventKind::kNewGroup);
  ErrorOccurrence o = Occ("f1", kT0, "1.1", "u2");
  o.service = "worker";
  o.event_id = "ev0";
  ASSERT_TRUE(t.Observe(o, kT0, &ev));
  EXPECT_EQ(ev.size(), 1u);  // nothing new
  std::optional<ErrorGroup> g = t.Get("", "f1");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->count, 2u);
  EXPECT_EQ(g->first_seen_ns, kT0);
  EXPECT_EQ(g->last_seen_ns, kT0 + 5 * kSec);
  EXPECT_EQ(g->sample_event_id, "ev1");  // the latest occurrence
  EXPECT_EQ(g->title, "KeyError: user 42 missing");
  EXPECT_EQ(g->culprit, "get_user (users.py)");
  EXPECT_EQ(g->users.Estimate(), 2u);
  EXPECT_EQ(g->services, (std::vector<std::string>{"api", "worker"}));
  EXPECT_EQ(g->releases, (std::vector<std::string>{"1.0", "1.1"}));
  EXPECT_FALSE(t.Get("other-tenant", "f1"));
}

TEST(ErrorGroupTable, ResolveThenRegress) {
  ErrorGroupTable t;
  ASSERT_TRUE(t.Observe(Occ("f", kT0), kT0, nullptr));
  StatusChange c;
  c.status = GroupStatus::kResolved;
  c.actor = "k1";
  Result<GroupEvent> e = t.Change("", "f", c, kT0 + 10 * kSec);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(AuditActionOf(*e), "error.resolved");
  EXPECT_EQ(e->actor, "k1");
  std::vector<GroupEvent> ev;
  // A late event from before the resolution does not regress it.
  ASSERT_TRUE(t.Observe(Occ("f", kT0 + 1 * kSec), kT0 + 11 * kSec, &ev));
  EXPECT_TRUE(ev.empty());
  EXPECT_EQ(t.Get("", "f")->status, GroupStatus::kResolved);
  ASSERT_TRUE(t.Observe(Occ("f", kT0 + 20 * kSec), kT0 + 20 * kSec, &ev));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, GroupEventKind::kRegression);
  EXPECT_EQ(AuditActionOf(ev[0]), "error.regressed");
  EXPECT_EQ(t.Get("", "f")->status, GroupStatus::kRegressed);
  EXPECT_EQ(t.Get("", "f")->regressions, 1u);
  c.status = GroupStatus::kRegressed;
  EXPECT_EQ(t.Change("", "f", c, kT0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.Change("", "nope", c, kT0).status().code(), StatusCode::kNotFound);
}

TEST(ErrorGroupTable, ResolvedInNextReleaseRegressesOnlyInANewRelease) {
  ErrorGroupTable t;
  ASSERT_TRUE(t.Observe(Occ("f", kT0, "1.0"), kT0, nullptr));
  StatusChange c;
  c.status = GroupStatus::kResolved;
  c.in_next_release = true;
  ASSERT_TRUE(t.Change("", "f", c, kT0 + kSec).ok());
  std::vector<GroupEvent> ev;
  ASSERT_TRUE(t.Observe(Occ("f", kT0 + 2 * kSec, "1.0"), kT0 + 2 * kSec, &ev));
  ASSERT_TRUE(t.Observe(Occ("f", kT0 + 2 * kSec, ""), kT0 + 2 * kSec, &ev));
  EXPECT_TRUE(ev.empty());
  EXPECT_EQ(t.Get("", "f")->status, GroupStatus::kResolved);
  ASSERT_TRUE(t.Observe(Occ("f", kT0 + 3 * kSec, "1.1"), kT0 + 3 * kSec, &ev));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, GroupEventKind::kRegression);
  EXPECT_EQ(ev[0].release, "1.1");
}

TEST(ErrorGroupTable, IgnoreForADurationOrACount) {
  ErrorGroupTable t;
  ASSERT_TRUE(t.Observe(Occ("d", kT0), kT0, nullptr));
  ASSERT_TRUE(t.Observe(Occ("n", kT0), kT0, nullptr));
  StatusChange c;
  c.status = GroupStatus::kIgnored;
  c.ignore_for_ns = 3600 * kSec;
  Result<GroupEvent> e = t.Change("", "d", c, kT0);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->details, "for 1h");
  c.ignore_for_ns = 0;
  c.ignore_count = 2;
  ASSERT_TRUE(t.Change("", "n", c, kT0).ok());
  std::vector<GroupEvent> ev;
  ASSERT_TRUE(t.Observe(Occ("d", kT0 + 60 * kSec), kT0 + 60 * kSec, &ev));
  ASSERT_TRUE(t.Observe(Occ("n", kT0 + 60 * kSec), kT0 + 60 * kSec, &ev));
  EXPECT_TRUE(ev.empty());
  ASSERT_TRUE(t.Observe(Occ("n", kT0 + 61 * kSec), kT0 + 61 * kSec, &ev));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, GroupEventKind::kIgnoreEnded);
  EXPECT_EQ(AuditActionOf(ev[0]), "error.unignored");
  EXPECT_EQ(t.Get("", "n")->status, GroupStatus::kUnresolved);
  ASSERT_TRUE(t.Observe(Occ("d", kT0 + 3601 * kSec), kT0 + 3601 * kSec, &ev));
  EXPECT_EQ(ev.size(), 2u);
  EXPECT_EQ(t.Get("", "d")->status, GroupStatus::kUnresolved);
}

TEST(ErrorGroupTable, RateHookOncePerMinuteAndGroupCap) {
  ErrorGroupTableOptions o;
  o.rate_threshold_per_min = 3;
  o.max_groups = 2;
  ErrorGroupTable t(o);
  std::vector<GroupEvent> ev;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(t.Observe(Occ("r", kT0), kT0 + i * kSec, &ev));
  ASSERT_EQ(ev.size(), 2u);  // new + one rate event
  EXPECT_EQ(ev[1].kind, GroupEventKind::kRateAbove);
  EXPECT_EQ(ev[1].rate_per_min, 3u);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(t.Observe(Occ("r", kT0), kT0 + 61 * kSec, &ev));
  EXPECT_EQ(ev.size(), 3u);  // the next minute crossed again
  ASSERT_TRUE(t.Observe(Occ("s", kT0), kT0, &ev));
  EXPECT_FALSE(t.Observe(Occ("x", kT0), kT0, &ev));
  EXPECT_EQ(t.dropped(), 1u);
  EXPECT_EQ(t.size(), 2u);
}

TEST(ErrorGroupTable, SerializeRoundTrip) {
  ErrorGroupTable t;
  ASSERT_TRUE(t.Observe(Occ("a", kT0), kT0, nullptr));
  ErrorOccurrence o = Occ("b", kT0, "2.0", "user \"quoted\"");
  o.tenant = "acme";
  ASSERT_TRUE(t.Observe(o, kT0, nullptr));
  StatusChange c;
  c.status = GroupStatus::kResolved;
  c.in_next_release = true;
  c.actor = "vk";
  ASSERT_TRUE(t.Change("acme", "b", c, kT0 + kSec).ok());
  std::string text = t.Serialize();
  ErrorGroupTable u;
  ASSERT_TRUE(u.Load(text).ok());
  std::optional<ErrorGroup> b = u.Get("acme", "b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, GroupStatus::kResolved);
  EXPECT_TRUE(b->resolved_in_next_release);
  EXPECT_EQ(b->resolved_releases, (std::vector<std::string>{"2.0"}));
  EXPECT_EQ(b->users.Estimate(), 1u);
  EXPECT_EQ(b->status_actor, "vk");
  EXPECT_EQ(u.Serialize(), text.substr(0, text.find('\n') + 1) + text.substr(text.find('\n') + 1));
  EXPECT_EQ(u.size(), 2u);
  // A damaged file is refused whole (the server rebuilds from the store).
  EXPECT_EQ(u.Load(text.substr(0, text.size() - 5)).code(), StatusCode::kCorruption);
  EXPECT_EQ(u.Load("garbage\n").code(), StatusCode::kCorruption);
  EXPECT_EQ(u.size(), 2u);
}

TEST(HyperLogLog, EstimatesWithinAFewPercent) {
  HyperLogLog h(10);
  EXPECT_EQ(h.Estimate(), 0u);
  for (int i = 0; i < 50; ++i) h.Add("user-" + std::to_string(i % 25));
  EXPECT_EQ(h.Estimate(), 25u);
  HyperLogLog sparse(10);
  ASSERT_TRUE(sparse.FromHex(h.ToHex()).ok());
  EXPECT_LT(h.ToHex().size(), 200u);
  EXPECT_EQ(sparse.Estimate(), 25u);
  for (int i = 0; i < 100000; ++i) h.Add("u" + std::to_string(i));
  double e = static_cast<double>(h.Estimate());
  EXPECT_NEAR(e, 100025.0, 100025.0 * 0.08);
  HyperLogLog g(10);
  ASSERT_TRUE(g.FromHex(h.ToHex()).ok());
  EXPECT_EQ(g.Estimate(), h.Estimate());
  EXPECT_FALSE(g.FromHex("zz").ok());
}

}  // namespace
}  // namespace vigia::errors
