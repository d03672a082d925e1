// libFuzzer target: the schedule parsers of user input — a cron expression (backup.schedule),
// a POSIX TZ rule, and a TZif file (backup.timezone names a file of the system's zoneinfo,
// which an attacker may not write, but a broken or foreign file must be refused, never
// crash). Input: the cron expression, a newline, then a TZif file (starting "TZif") or a TZ
// rule. Every firing NextAfter returns must be strictly later than its argument.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/cron_schedule.h"
#include "common/time_zone.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Copy so that ASan sees reads past the end.
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string expr = input.substr(0, nl);
  const std::string zone = nl == std::string::npos ? "" : input.substr(nl + 1);
  vigia::Result<vigia::TimeZone> tz = zone.rfind("TZif", 0) == 0
                                          ? vigia::TimeZone::FromTzif("fuzz", zone)
                                          : vigia::TimeZone::FromPosixRule("fuzz", zone);
  vigia::Result<vigia::CronSchedule> s = vigia::CronSchedule::Parse(expr);
  if (!tz.ok()) tz = vigia::TimeZone::Utc();
  // Offsets and transitions anywhere on the time line.
  for (int64_t t :
       {int64_t{-4'000'000'000}, int64_t{0}, int64_t{1'800'000'000}, int64_t{4'200'000'000}}) {
    (void)tz->OffsetAt(t);
    if (auto tr = tz->NextTransition(t); tr && tr->at <= t) std::abort();
  }
  if (!s.ok()) return 0;
  int64_t after = 1'800'000'000'000'000'000;  // 2027-01-15
  for (int i = 0; i < 4; ++i) {
    std::optional<int64_t> next = s->NextAfter(after, *tz);
    if (!next) break;
    if (*next <= after) std::abort();
    after = *next;
  }
  return 0;
}
