// CronSchedule: the syntax of crontab(5) with its errors, the next firing in UTC, and in time
// zones across daylight saving time (a skipped local time fires at the jump, a repeated one
// once unless the hour field is '*'), in both hemispheres and past the zone file's last
// listed transition (its POSIX rule).
#include "common/cron_schedule.h"

#include <gtest/gtest.h>

#include <string>

#include "common/time_format.h"

namespace vigia {
namespace {

int64_t At(const char* rfc3339) {
  std::optional<int64_t> t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(0);
}

// The next firing after `after` as RFC 3339 UTC ("never" when none).
std::string Next(const char* expr, const char* after, const TimeZone& tz = TimeZone::Utc()) {
  Result<CronSchedule> s = CronSchedule::Parse(expr);
  if (!s.ok()) return "error: " + s.status().message();
  std::optional<int64_t> n = s->NextAfter(At(after), tz);
  return n ? FormatRfc3339(*n, 0) : "never";
}

TimeZone Zone(const char* name) {
  Result<TimeZone> z = TimeZone::Load(Env::Default(), name);
  EXPECT_TRUE(z.ok()) << z.status().ToString();
  return z.ok() ? *z : TimeZone::Utc();
}

TEST(CronScheduleTest, RefusesMalformedExpressionsNamingTheField) {
  struct Case {
    const char* expr;
    const char* says;
  };
  for (const Case& c : {
           Case{"", "has 5 fields"},
           Case{"* * * *", "has 4"},
           Case{"* * * * * *", "has 6"},
           Case{"60 * * * *", "minute field \"60\": 60 is out of range 0-59"},
           Case{"* 24 * * *", "hour field"},
           Case{"* * 0 * *", "day of month field"},
           Case{"* * * 13 *", "month field"},
           Case{"* * * * 8", "day of week field"},
           Case{"5-1 * * * *", "must go upwards"},
           Case{"*/0 * * * *", "a step of 0"},
           Case{"5/10 * * * *", "a step needs a range"},
           Case{"*/x * * * *", "must be a number"},
           Case{"1,,2 * * * *", "empty list item"},
           Case{"a b c d e", "is not a value"},
           Case{"* * * foo *", "\"foo\" is not a value"},
           Case{"0 0 30 2 *", "never fires"},
           Case{"0 0 31 4,6,9,11 *", "never fires"},
           Case{"@fortnightly", "unknown cron macro"},
       }) {
    Result<CronSchedule> s = CronSchedule::Parse(c.expr);
    ASSERT_FALSE(s.ok()) << c.expr;
    EXPECT_NE(s.status().message().find(c.says), std::string::npos)
        << c.expr << " -> " << s.status().message();
  }
  EXPECT_FALSE(CronSchedule::Daily("24:00").ok());
  EXPECT_FALSE(CronSchedule::Daily("2:30").ok());
  EXPECT_FALSE(CronSchedule::Daily("aa:bb").ok());
}

TEST(CronScheduleTest, NextFiringInUtc) {
  // 2027-01-15 is a Friday.
  EXPECT_EQ(Next("30 2 * * *", "2027-01-15T10:00:00Z"), "2027-01-16T02:30:00Z");
  EXPECT_EQ(Next("30 2 * * *", "2027-01-16T02:29:59Z"), "2027-01-16T02:30:00Z");
  EXPECT_EQ(Next("30 2 * * *", "2027-01-16T02:30:00Z"), "2027-01-17T02:30:00Z");  // strictly after
  EXPECT_EQ(Next("*/15 * * * *", "2027-01-15T10:07:00Z"), "2027-01-15T10:15:00Z");
  EXPECT_EQ(Next("*/15 * * * *", "2027-01-15T23:50:00Z"), "2027-01-16T00:00:00Z");
  EXPECT_EQ(Next("0 9 * * mon-fri", "2027-01-15T09:00:00Z"), "2027-01-18T09:00:00Z");
  EXPECT_EQ(Next("0 9 * * MON-FRI", "2027-01-14T09:30:00Z"), "2027-01-15T09:00:00Z");
  EXPECT_EQ(Next("0 0 * * 7", "2027-01-15T00:00:00Z"), "2027-01-17T00:00:00Z");  // 7 = Sunday
  EXPECT_EQ(Next("0 0 * * sun", "2027-01-15T00:00:00Z"), "2027-01-17T00:00:00Z");
  EXPECT_EQ(Next("5 1-10/3 * * *", "2027-01-15T04:06:00Z"), "2027-01-15T07:05:00Z");
  EXPECT_EQ(Next("0 12 1 jan,jul *", "2027-01-15T00:00:00Z"), "2027-07-01T12:00:00Z");
  EXPECT_EQ(Next("0 0 31 * *", "2027-01-31T00:00:00Z"), "2027-03-31T00:00:00Z");
  EXPECT_EQ(Next("0 0 29 2 *", "2027-01-15T00:00:00Z"), "2028-02-29T00:00:00Z");
  // Both day fields restricted: either matches (the 1st, the 15th, or a Friday).
  EXPECT_EQ(Next("30 4 1,15 * 5", "2027-01-15T05:00:00Z"), "2027-01-22T04:30:00Z");
  EXPECT_EQ(Next("30 4 1,15 * 5", "2027-01-29T05:00:00Z"), "2027-02-01T04:30:00Z");
  // One of them '*' (or "*/N"): both must match.
  EXPECT_EQ(Next("0 0 */2 * 1", "2027-01-15T00:00:00Z"), "2027-01-25T00:00:00Z");  // odd Mondays
  EXPECT_EQ(Next("@daily", "2027-01-15T10:00:00Z"), "2027-01-16T00:00:00Z");
  EXPECT_EQ(Next("@hourly", "2027-01-15T10:00:00Z"), "2027-01-15T11:00:00Z");
  EXPECT_EQ(Next("@weekly", "2027-01-15T10:00:00Z"), "2027-01-17T00:00:00Z");
  EXPECT_EQ(Next("@monthly", "2027-01-15T10:00:00Z"), "2027-02-01T00:00:00Z");
  EXPECT_EQ(Next("@yearly", "2027-01-15T10:00:00Z"), "2028-01-01T00:00:00Z");
  EXPECT_EQ(Next("  0\t3  * *   * ", "2027-01-15T10:00:00Z"), "2027-01-16T03:00:00Z");
  // Beyond what int64 nanoseconds hold: none.
  EXPECT_EQ(Next("* * * * *", "2262-04-11T23:47:16Z"), "never");
  Result<CronSchedule> d = CronSchedule::Daily("02:30");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->text(), "30 2 * * *");
}

// Berlin: 2027-03-28 the clock jumps 02:00 CET -> 03:00 CEST (01:00Z); 2027-10-31 it goes
// back 03:00 CEST -> 02:00 CET (01:00Z).
TEST(CronScheduleTest, DaylightSavingTimeInBerlin) {
  const TimeZone berlin = Zone("Europe/Berlin");
  // Winter and summer: local time.
  EXPECT_EQ(Next("30 2 * * *", "2027-01-15T10:00:00Z", berlin), "2027-01-16T01:30:00Z");
  EXPECT_EQ(Next("30 2 * * *", "2027-07-15T10:00:00Z", berlin), "2027-07-16T00:30:00Z");
  // 02:30 does not exist on 2027-03-28: the job runs at the jump (03:00 CEST), once.
  EXPECT_EQ(Next("30 2 * * *", "2027-03-27T12:00:00Z", berlin), "2027-03-28T01:00:00Z");
  EXPECT_EQ(Next("30 2 * * *", "2027-03-28T01:00:00Z", berlin), "2027-03-29T00:30:00Z");
  EXPECT_EQ(Next("*/15 2 * * *", "2027-03-27T12:00:00Z", berlin), "2027-03-28T01:00:00Z");
  EXPECT_EQ(Next("*/15 2 * * *", "2027-03-28T01:00:00Z", berlin), "2027-03-29T00:00:00Z");
  EXPECT_EQ(Next("0 * * * *", "2027-03-28T00:00:00Z", berlin), "2027-03-28T01:00:00Z");
  EXPECT_EQ(Next("0 * * * *", "2027-03-28T01:00:00Z", berlin), "2027-03-28T02:00:00Z");
  // 02:30 happens twice on 2027-10-31: the job runs the first time only...
  EXPECT_EQ(Next("30 2 * * *", "2027-10-30T12:00:00Z", berlin), "2027-10-31T00:30:00Z");
  EXPECT_EQ(Next("30 2 * * *", "2027-10-31T00:30:00Z", berlin), "2027-11-01T01:30:00Z");
  // ... also when the search starts inside the repeated hour (a restart at 02:10 CET).
  EXPECT_EQ(Next("30 2 * * *", "2027-10-31T01:10:00Z", berlin), "2027-11-01T01:30:00Z");
  // An hourly job (hour field '*') runs at each real occurrence.
  EXPECT_EQ(Next("30 * * * *", "2027-10-31T00:30:00Z", berlin), "2027-10-31T01:30:00Z");
  EXPECT_EQ(Next("*/30 * * * *", "2027-10-31T00:50:00Z", berlin), "2027-10-31T01:00:00Z");
  // Past the last transition the file lists: its POSIX rule (2040-03-25, last Sunday).
  EXPECT_EQ(Next("30 2 * * *", "2040-03-24T12:00:00Z", berlin), "2040-03-25T01:00:00Z");
  EXPECT_EQ(Next("30 2 * * *", "2040-03-25T01:00:00Z", berlin), "2040-03-26T00:30:00Z");
}

// Sydney: 2027-10-03 02:00 AEST -> 03:00 AEDT (2027-10-02T16:00Z); 2027-04-04 03:00 AEDT ->
// 02:00 AEST (2027-04-03T16:00Z).
TEST(CronScheduleTest, DaylightSavingTimeInTheSouthernHemisphere) {
  const TimeZone sydney = Zone("Australia/Sydney");
  EXPECT_EQ(Next("30 2 * * *", "2027-10-02T00:00:00Z", sydney), "2027-10-02T16:00:00Z");
  EXPECT_EQ(Next("30 2 * * *", "2027-04-03T00:00:00Z", sydney), "2027-04-03T15:30:00Z");
  EXPECT_EQ(Next("30 2 * * *", "2027-04-03T15:30:00Z", sydney), "2027-04-04T16:30:00Z");
  // No DST any more (since 2019): a fixed offset.
  EXPECT_EQ(Next("0 3 * * *", "2027-01-15T00:00:00Z", Zone("America/Sao_Paulo")),
            "2027-01-15T06:00:00Z");
}

}  // namespace
}  // namespace vigia
