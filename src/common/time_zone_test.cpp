// TimeZone: offsets and transitions from the system's zoneinfo and from POSIX TZ rules (the
// two agree for years the file's table and its rule both cover), names refused before any
// file is read, and broken TZif files refused with a reason.
#include "common/time_zone.h"

#include <gtest/gtest.h>

#include <string>

#include "common/time_format.h"

namespace vigia {
namespace {

int64_t Sec(const char* rfc3339) { return ParseRfc3339(rfc3339).value_or(0) / 1'000'000'000; }

TEST(TimeZoneTest, UtcNeedsNoFile) {
  for (const char* name : {"", "UTC", "Etc/UTC"}) {
    Result<TimeZone> z = TimeZone::Load(Env::Default(), name);
    ASSERT_TRUE(z.ok()) << name;
    EXPECT_EQ(z->OffsetAt(Sec("2027-07-01T00:00:00Z")), 0);
    EXPECT_FALSE(z->NextTransition(0).has_value());
  }
}

TEST(TimeZoneTest, BerlinFromZoneinfo) {
  Result<TimeZone> z = TimeZone::Load(Env::Default(), "Europe/Berlin");
  ASSERT_TRUE(z.ok()) << z.status().ToString();
  EXPECT_EQ(z->name(), "Europe/Berlin");
  EXPECT_EQ(z->OffsetAt(Sec("2027-01-15T12:00:00Z")), 3600);
  EXPECT_EQ(z->OffsetAt(Sec("2027-07-15T12:00:00Z")), 7200);
  EXPECT_EQ(z->OffsetAt(Sec("2027-03-28T00:59:59Z")), 3600);
  EXPECT_EQ(z->OffsetAt(Sec("2027-03-28T01:00:00Z")), 7200);
  std::optional<TimeZone::Transition> t = z->NextTransition(Sec("2027-01-15T12:00:00Z"));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->at, Sec("2027-03-28T01:00:00Z"));
  EXPECT_EQ(t->before, 3600);
  EXPECT_EQ(t->after, 7200);
  t = z->NextTransition(t->at);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->at, Sec("2027-10-31T01:00:00Z"));
  EXPECT_EQ(t->after, 3600);
  // Far past the table of any zic output: the footer's rule.
  t = z->NextTransition(Sec("2100-01-01T00:00:00Z"));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->at, Sec("2100-03-28T01:00:00Z"));
}

TEST(TimeZoneTest, PosixRuleAgreesWithTheZoneFile) {
  Result<TimeZone> file = TimeZone::Load(Env::Default(), "America/New_York");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  Result<TimeZone> rule = TimeZone::FromPosixRule("ny", "EST5EDT,M3.2.0,M11.1.0");
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  Result<TimeZone> defaulted = TimeZone::FromPosixRule("ny", "EST5EDT");  // POSIX default dates
  ASSERT_TRUE(defaulted.ok());
  for (int64_t t = Sec("2020-01-01T00:00:00Z"); t < Sec("2031-01-01T00:00:00Z"); t += 1800) {
    ASSERT_EQ(file->OffsetAt(t), rule->OffsetAt(t)) << FormatRfc3339(t * 1'000'000'000, 0);
    ASSERT_EQ(rule->OffsetAt(t), defaulted->OffsetAt(t));
  }
  // The southern hemisphere: DST spans the new year.
  Result<TimeZone> syd_file = TimeZone::Load(Env::Default(), "Australia/Sydney");
  Result<TimeZone> syd_rule = TimeZone::FromPosixRule("syd", "AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(syd_file.ok() && syd_rule.ok());
  for (int64_t t = Sec("2020-01-01T00:00:00Z"); t < Sec("2031-01-01T00:00:00Z"); t += 1800) {
    ASSERT_EQ(syd_file->OffsetAt(t), syd_rule->OffsetAt(t)) << FormatRfc3339(t * 1'000'000'000, 0);
  }
  // Quoted names, minutes, Julian days.
  Result<TimeZone> india = TimeZone::FromPosixRule("in", "<+0530>-5:30");
  ASSERT_TRUE(india.ok());
  EXPECT_EQ(india->OffsetAt(0), 19800);
  Result<TimeZone> julian = TimeZone::FromPosixRule("j", "AAA3BBB,J60/0,J300/0");
  ASSERT_TRUE(julian.ok());
  EXPECT_EQ(julian->OffsetAt(Sec("2027-06-01T00:00:00Z")), -7200);
  EXPECT_EQ(julian->OffsetAt(Sec("2027-12-01T00:00:00Z")), -10800);
}

TEST(TimeZoneTest, RefusesBadNamesRulesAndFiles) {
  for (const char* name : {"../etc/passwd", "/etc/localtime", "Europe/Ber lin", "a\\b"}) {
    Result<TimeZone> z = TimeZone::Load(Env::Default(), name);
    ASSERT_FALSE(z.ok()) << name;
    EXPECT_EQ(z.status().code(), StatusCode::kInvalidArgument) << name;
  }
  Result<TimeZone> missing = TimeZone::Load(Env::Default(), "Mars/Olympus_Mons");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("unknown time zone"), std::string::npos);

  for (const char* rule : {"", "CE", "CET", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0",
                           "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,J0,J300", "CET-25",
                           "CET-1CEST,M3.5.0/168,M10.5.0", "<ab>1", "CET-1CEST,M3.5.0,M10.5.0x"}) {
    EXPECT_FALSE(TimeZone::FromPosixRule("x", rule).ok()) << rule;
  }

  EXPECT_FALSE(TimeZone::FromTzif("x", "").ok());
  EXPECT_FALSE(TimeZone::FromTzif("x", "TZif2").ok());
  std::string header("TZif2", 5);
  header += std::string(15, '\0');
  // isutcnt isstdcnt leapcnt timecnt typecnt=0 charcnt: no local time type
  header += std::string(24, '\0');
  EXPECT_FALSE(TimeZone::FromTzif("x", header).ok());
  Result<std::string> real = Env::Default()->ReadFileToString("/usr/share/zoneinfo/Europe/Berlin");
  ASSERT_TRUE(real.ok());
  ASSERT_TRUE(TimeZone::FromTzif("b", *real).ok());
  for (size_t cut : {size_t{44}, real->size() / 2, real->size() - 2}) {
    EXPECT_FALSE(TimeZone::FromTzif("b", real->substr(0, cut)).ok()) << cut;
  }
}

}  // namespace
}  // namespace vigia
