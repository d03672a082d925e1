// Error groups derived from a shared store (cluster mode): the status each latest operator
// change gives with and without an occurrence after it (regression, in next release,
// ignore by time and by count), what is asked of the store, and the transitions between two
// refreshes (new group, regression, ignore ended, the rate crossing once a minute).
#include "errors/error_group_derive.h"

#include <gtest/gtest.h>

#include "errors/error_group_table.h"

namespace vigia::errors {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kT0 = 1'790'000'040 * kSec;  // the start of a minute

GroupAggregate Agg(uint64_t count, int64_t first, int64_t last) {
  GroupAggregate a;
  a.fingerprint = "f1";
  a.count = count;
  a.first_seen_ns = first;
  a.last_seen_ns = last;
  return a;
}

RecordedChange Change(GroupStatus s, int64_t ts) {
  RecordedChange c;
  c.ts_ns = ts;
  c.fingerprint = "f1";
  c.change.status = s;
  c.change.actor = "key1";
  return c;
}

ErrorGroup Group(uint64_t count) {
  ErrorGroup g;
  g.fingerprint = "f1";
  g.count = count;
  return g;
}

TEST(ErrorGroupDerive, NoChangeIsUnresolved) {
  ErrorGroup g = Group(3);
  g.status = GroupStatus::kIgnored;
  ApplyRecordedStatus(&g, nullptr, std::nullopt);
  EXPECT_EQ(g.status, GroupStatus::kUnresolved);
  EXPECT_EQ(g.status_changed_ns, 0);
}

TEST(ErrorGroupDerive, ResolvedRegressesOnAnOccurrenceAtOrAfterTheResolve) {
  RecordedChange c = Change(GroupStatus::kResolved, kT0);
  // Nothing since the resolve: no probe, resolved.
  EXPECT_FALSE(ProbeFor(c, Agg(5, kT0 - 100 * kSec, kT0 - 1)));
  ErrorGroup g = Group(5);
  ApplyRecordedStatus(&g, &c, std::nullopt);
  EXPECT_EQ(g.status, GroupStatus::kResolved);
  EXPECT_EQ(g.status_changed_ns, kT0);
  EXPECT_EQ(g.status_actor, "key1");
  // Seen since: the store is asked for the earliest occurrence at or after the resolve.
  std::optional<OccurrenceProbe> p = ProbeFor(c, Agg(6, kT0 - 100 * kSec, kT0));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->since_ns, kT0);
  EXPECT_FALSE(p->new_release_only);
  ApplyRecordedStatus(&g, &c, kT0 + 3 * kSec);
  EXPECT_EQ(g.status, GroupStatus::kRegressed);
  EXPECT_EQ(g.status_changed_ns, kT0 + 3 * kSec);
  EXPECT_EQ(g.status_actor, "vigia");
}

TEST(ErrorGroupDerive, InNextReleaseAsksForANewReleaseOnly) {
  RecordedChange c = Change(GroupStatus::kResolved, kT0);
  c.change.in_next_release = true;
  c.resolved_releases = {"1.0", "1.1"};
  std::optional<OccurrenceProbe> p = ProbeFor(c, Agg(6, kT0 - 100 * kSec, kT0 + kSec));
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->new_release_only);
  EXPECT_EQ(p->exclude_releases, c.resolved_releases);
  ErrorGroup g = Group(6);
  ApplyRecordedStatus(&g, &c, std::nullopt);  // only old releases since
  EXPECT_EQ(g.status, GroupStatus::kResolved);
  EXPECT_TRUE(g.resolved_in_next_release);
  EXPECT_EQ(g.resolved_releases, c.resolved_releases);
}

TEST(ErrorGroupDerive, IgnoreEndsByTimeOrByCount) {
  RecordedChange c = Change(GroupStatus::kIgnored, kT0);
  c.change.ignore_for_ns = 3600 * kSec;
  EXPECT_FALSE(ProbeFor(c, Agg(6, kT0 - 100 * kSec, kT0 + 10 * kSec)));  // within the hour
  ErrorGroup g = Group(6);
  ApplyRecordedStatus(&g, &c, std::nullopt);
  EXPECT_EQ(g.status, GroupStatus::kIgnored);
  EXPECT_EQ(g.ignore_until_ns, kT0 + 3600 * kSec);
  std::optional<OccurrenceProbe> p = ProbeFor(c, Agg(7, kT0 - 100 * kSec, kT0 + 3601 * kSec));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->since_ns, kT0 + 3600 * kSec);
  ApplyRecordedStatus(&g, &c, kT0 + 3601 * kSec);
  EXPECT_EQ(g.status, GroupStatus::kUnresolved);
  EXPECT_EQ(g.status_actor, "vigia");
  EXPECT_EQ(g.status_changed_ns, kT0 + 3601 * kSec);

  RecordedChange n = Change(GroupStatus::kIgnored, kT0);
  n.ignore_until_count = 10;  // recorded at 5 with ignore_count 5
  EXPECT_FALSE(ProbeFor(n, Agg(9, kT0, kT0 + kSec)));
  ErrorGroup h = Group(9);
  ApplyRecordedStatus(&h, &n, std::nullopt);
  EXPECT_EQ(h.status, GroupStatus::kIgnored);
  EXPECT_EQ(h.ignore_until_count, 10u);
  h.count = 10;
  ApplyRecordedStatus(&h, &n, std::nullopt);
  EXPECT_EQ(h.status, GroupStatus::kUnresolved);
  EXPECT_EQ(h.status_actor, "vigia");
}

TEST(ErrorGroupDerive, UnresolveNeedsNoProbe) {
  RecordedChange c = Change(GroupStatus::kUnresolved, kT0);
  EXPECT_FALSE(ProbeFor(c, Agg(6, kT0, kT0 + kSec)));
  ErrorGroup g = Group(6);
  ApplyRecordedStatus(&g, &c, std::nullopt);
  EXPECT_EQ(g.status, GroupStatus::kUnresolved);
  EXPECT_EQ(g.status_changed_ns, kT0);
  EXPECT_EQ(g.status_actor, "key1");
}

TEST(ErrorGroupDerive, TransitionsBetweenRefreshes) {
  std::map<std::string, ErrorGroup> before;
  ErrorGroup old = Group(5);
  old.status = GroupStatus::kResolved;
  old.status_changed_ns = kT0;
  before[GroupKey("", "f1")] = old;
  ErrorGroup ign = Group(2);
  ign.fingerprint = "f2";
  ign.status = GroupStatus::kIgnored;
  before[GroupKey("", "f2")] = ign;

  std::vector<ErrorGroup> after;
  ErrorGroup reg = old;
  reg.count = 6;
  reg.status = GroupStatus::kRegressed;
  reg.status_changed_ns = kT0 + kSec;
  reg.status_actor = "vigia";
  after.push_back(reg);
  ErrorGroup unign = ign;
  unign.status = GroupStatus::kUnresolved;
  unign.status_actor = "vigia";
  after.push_back(unign);
  ErrorGroup fresh = Group(1);
  fresh.tenant = "t1";
  fresh.fingerprint = "f3";
  fresh.title = "KeyError: x";
  after.push_back(fresh);

  std::vector<GroupEvent> ev = TransitionsBetween(before, &after, kT0 + 2 * kSec, 0);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].kind, GroupEventKind::kRegression);
  EXPECT_EQ(ev[0].fingerprint, "f1");
  EXPECT_EQ(ev[0].count, 6u);
  EXPECT_EQ(AuditActionOf(ev[0]), "error.regressed");
  EXPECT_EQ(ev[1].kind, GroupEventKind::kIgnoreEnded);
  EXPECT_EQ(ev[2].kind, GroupEventKind::kNewGroup);
  EXPECT_EQ(ev[2].tenant, "t1");
  EXPECT_EQ(ev[2].title, "KeyError: x");

  // The same table again: nothing new (a regression is reported once).
  std::map<std::string, ErrorGroup> same;
  for (const ErrorGroup& g : after) same[GroupKey(g.tenant, g.fingerprint)] = g;
  std::vector<ErrorGroup> again = after;
  EXPECT_TRUE(TransitionsBetween(same, &again, kT0 + 3 * kSec, 0).empty());
  // A second regression (resolved and recurred again): a new date, reported again.
  again[0].status_changed_ns = kT0 + 10 * kSec;
  ev = TransitionsBetween(same, &again, kT0 + 11 * kSec, 0);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, GroupEventKind::kRegression);
}

TEST(ErrorGroupDerive, RateCrossingOncePerMinute) {
  std::map<std::string, ErrorGroup> before;
  before[GroupKey("", "f1")] = Group(10);
  std::vector<ErrorGroup> after = {Group(14)};  // 4 new: below 5
  EXPECT_TRUE(TransitionsBetween(before, &after, kT0, 5).empty());
  before[GroupKey("", "f1")] = after[0];
  after = {Group(15)};  // 5 in this minute
  std::vector<GroupEvent> ev = TransitionsBetween(before, &after, kT0 + 5 * kSec, 5);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, GroupEventKind::kRateAbove);
  EXPECT_EQ(ev[0].rate_per_min, 5u);
  before[GroupKey("", "f1")] = after[0];
  after = {Group(30)};  // still the same minute: once
  EXPECT_TRUE(TransitionsBetween(before, &after, kT0 + 10 * kSec, 5).empty());
  before[GroupKey("", "f1")] = after[0];
  after = {Group(36)};  // the next minute: counted afresh
  ev = TransitionsBetween(before, &after, kT0 + 65 * kSec, 5);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].rate_per_min, 6u);
}

}  // namespace
}  // namespace vigia::errors
