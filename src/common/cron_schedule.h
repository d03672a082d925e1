// CronSchedule: when a periodic job (the backup module's backups) runs, as a cron expression
// in UTC or a time zone (time_zone.h).
//
// Syntax: the five fields of crontab(5), "minute hour day-of-month month day-of-week",
// separated by blanks:
//   minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of week 0-7 or
//   sun-sat (0 and 7 are Sunday); names are case-insensitive.
//   Each field is a comma-separated list of items: `*`, `N`, `N-M`, each optionally with a
//   step `/S` (`*/15`, `1-30/2`); `N-M` needs N <= M.
//   When both day fields are restricted (neither starts with `*`) a day matches either one
//   (crontab(5): "30 4 1,15 * 5" runs on the 1st, the 15th and every Friday); otherwise both.
//   Or one of @yearly (@annually), @monthly, @weekly, @daily (@midnight), @hourly.
//
// Daylight saving time (the rules of Vixie cron / cronie, so that a daily job runs once a day):
//   - a local time the clock skips (02:30 on the night it jumps from 02:00 to 03:00) fires
//     at the jump (03:00 local), once however many skipped minutes match;
//   - a local time that happens twice (the clock goes back from 03:00 to 02:00) fires only the
//     first time — unless the hour field starts with `*` (a job that runs every hour or more
//     often), which fires at each real occurrence.
//
// Thread-safety: immutable after Parse; NextAfter is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time_zone.h"

namespace vigia {

class CronSchedule {
 public:
  // InvalidArgument naming the field and what is wrong; also when the expression can never
  // fire ("0 0 30 2 *": no firing within limits::kCronSearchYears).
  static Result<CronSchedule> Parse(std::string_view expr);
  // A daily schedule at a time of day "HH:MM" (the backup module's `at`).
  static Result<CronSchedule> Daily(std::string_view hh_mm);

  // The first instant (ns since the epoch) strictly after `after_ns` at which the schedule
  // fires in `tz`; nullopt when none within limits::kCronSearchYears, or after year 9999.
  std::optional<int64_t> NextAfter(int64_t after_ns, const TimeZone& tz) const;

  const std::string& text() const { return text_; }

 private:
  // The first local ("civil") time, in seconds since 1970-01-01 00:00 local, at or after
  // `from` (rounded up to a minute) and before `to`, whose fields match.
  std::optional<int64_t> FirstCivilMatch(int64_t from, int64_t to) const;
  bool DayMatches(int64_t days) const;

  std::string text_;
  uint64_t minutes_ = 0;   // bit m: minute m
  uint32_t hours_ = 0;     // bit h
  uint32_t days_ = 0;      // bit d (1..31)
  uint32_t months_ = 0;    // bit m (1..12)
  uint32_t weekdays_ = 0;  // bit d (0..6, Sunday = 0)
  bool dom_star_ = true;
  bool dow_star_ = true;
  bool hour_star_ = true;  // fires at both occurrences of a repeated local hour
};

}  // namespace vigia
