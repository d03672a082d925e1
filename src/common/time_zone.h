// TimeZone: the UTC offset of an IANA time zone ("Europe/Berlin", "America/Sao_Paulo") at any
// instant, and its transitions, for schedules in local time (cron_schedule.h). Read from the
// system's zoneinfo (the Debian package tzdata): a TZif file (RFC 8536) lists the zone's
// transitions, and its footer's POSIX TZ rule ("CET-1CEST,M3.5.0,M10.5.0/3") gives those
// after the last listed one, so every year is covered however the file was compiled (zic
// "slim" files list almost none). "UTC" (and "Etc/UTC", "") needs no file.
//
// Offsets are seconds east of UTC (Berlin in winter: +3600); instants are seconds since the
// Unix epoch (UTC).
//
// Thread-safety: immutable after construction; every const method is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/status.h"

namespace vigia {

class TimeZone {
 public:
  // A change of the offset at instant `at`: `before` applies until at - 1, `after` from at.
  struct Transition {
    int64_t at = 0;
    int32_t before = 0;
    int32_t after = 0;
  };

  static TimeZone Utc();
  // "UTC", "Etc/UTC" or "" → Utc(); otherwise the TZif file <dir>/<name>, dir = $TZDIR or
  // /usr/share/zoneinfo. InvalidArgument for a malformed name (absolute, "..", odd
  // characters), NotFound when the zone does not exist, Corruption for a broken file.
  static Result<TimeZone> Load(Env* env, std::string_view name);
  // From the bytes of a TZif file (versions 1-4; limits::kMaxZoneinfoBytes).
  static Result<TimeZone> FromTzif(std::string name, std::string_view bytes);
  // From a POSIX TZ rule alone, e.g. "CET-1CEST,M3.5.0,M10.5.0/3", "<-03>3", "EST5EDT".
  static Result<TimeZone> FromPosixRule(std::string name, std::string_view rule);

  const std::string& name() const { return name_; }
  // The offset in effect at instant `t`.
  int32_t OffsetAt(int64_t t) const;
  // The first change of offset strictly after `t`; nullopt when the offset never changes
  // again. Records that change only the abbreviation or the DST flag are not transitions.
  std::optional<Transition> NextTransition(int64_t t) const;

 private:
  // A POSIX TZ rule (the TZif footer): std offset, and optionally a DST offset with the
  // dates DST starts and ends each year.
  struct RuleDate {
    enum class Kind { kJulian1, kJulian0, kMonthWeekDay };  // Jn, n, Mm.w.d
    Kind kind = Kind::kMonthWeekDay;
    int month = 0, week = 0, day = 0;  // Jn/n: day = n
    int32_t time = 7200;               // seconds after local midnight (-167h..167h)
  };
  struct Rule {
    int32_t std_offset = 0;
    bool has_dst = false;
    int32_t dst_offset = 0;
    RuleDate start, end;
  };
  static Result<Rule> ParseRule(std::string_view text);
  int32_t RuleOffsetAt(int64_t t) const;
  // The rule's DST start and end instants of the year `year` (local std time's year).
  void RuleTransitionsOfYear(int64_t year, int64_t* start, int64_t* end) const;

  std::string name_;
  std::vector<int64_t> times_;    // transition instants, ascending
  std::vector<int32_t> offsets_;  // offsets_[i] applies from times_[i]
  int32_t initial_offset_ = 0;    // before times_[0] (time type 0)
  std::optional<Rule> rule_;      // after times_.back() (or always, without times)
};

}  // namespace vigia
