#include "common/cron_schedule.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <vector>

#include "common/civil_date.h"
#include "common/limits.h"
#include "common/time_units.h"

namespace vigia {
namespace {

constexpr int64_t kDaySec = 86'400;
constexpr int64_t kMaxSec = INT64_MAX / kNanosPerSecond;  // the last instant an int64 of ns holds

constexpr std::string_view kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::string_view kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct FieldSpec {
  const char* name;
  int lo, hi;
  const std::string_view* names;  // nullptr: numbers only
  size_t name_count;
  int name_base;  // the value of names[0]
};

constexpr FieldSpec kFields[] = {
    {"minute", 0, 59, nullptr, 0, 0},       {"hour", 0, 23, nullptr, 0, 0},
    {"day of month", 1, 31, nullptr, 0, 0}, {"month", 1, 12, kMonthNames, 12, 1},
    {"day of week", 0, 7, kDayNames, 7, 0},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A number or a name of the field; -1 when neither.
int ParseValue(std::string_view s, const FieldSpec& f) {
  if (!s.empty() && s.size() <= 2 &&
      std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
  }
  const std::string l = Lower(s);
  for (size_t i = 0; i < f.name_count; ++i) {
    if (l == f.names[i]) return f.name_base + static_cast<int>(i);
  }
  return -1;
}

// One field into a bit set; *star = the field starts with '*'.
Status ParseField(std::string_view text, const FieldSpec& f, uint64_t* bits, bool* star) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("cron " + std::string(f.name) + " field \"" + std::string(text) +
                                   "\": " + why);
  };
  *bits = 0;
  *star = !text.empty() && text.front() == '*';
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t comma = std::min(text.find(',', pos), text.size());
    std::string_view item = text.substr(pos, comma - pos);
    pos = comma + 1;
    if (item.empty()) return bad("empty list item");
    int step = 1;
    const size_t slash = item.find('/');
    std::string_view range = item.substr(0, slash);
    if (slash != std::string_view::npos) {
      std::string_view s = item.substr(slash + 1);
      if (s.empty() || s.size() > 2 ||
          !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return bad("the step after '/' must be a number");
      }
      step = 0;
      for (char c : s) step = step * 10 + (c - '0');
      if (step == 0) return bad("a step of 0");
    }
    int lo = f.lo, hi = f.hi;
    if (range != "*") {
      const size_t dash = range.find('-');
      lo = ParseValue(range.substr(0, dash), f);
      hi = dash == std::string_view::npos ? lo : ParseValue(range.substr(dash + 1), f);
      if (lo < 0 || hi < 0) return bad("\"" + std::string(range) + "\" is not a value");
      if (lo < f.lo || hi > f.hi) {
        return bad(std::to_string(lo < f.lo ? lo : hi) + " is out of range " +
                   std::to_string(f.lo) + "-" + std::to_string(f.hi));
      }
      if (lo > hi) return bad("a range must go upwards (" + std::string(range) + ")");
      if (dash == std::string_view::npos && slash != std::string_view::npos) {
        return bad("a step needs a range or '*' (" + std::string(item) + ")");
      }
    }
    for (int v = lo; v <= hi; v += step) *bits |= uint64_t{1} << v;
    if (comma == text.size()) break;
  }
  return Status::Ok();
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view expr) {
  std::vector<std::string_view> fields;
  for (size_t i = 0; i < expr.size();) {
    while (i < expr.size() && std::isspace(static_cast<unsigned char>(expr[i]))) ++i;
    const size_t start = i;
    while (i < expr.size() && !std::isspace(static_cast<unsigned char>(expr[i]))) ++i;
    if (i > start) fields.push_back(expr.substr(start, i - start));
  }
  if (fields.size() == 1 && fields[0].front() == '@') {
    const std::string m = Lower(fields[0]);
    std::string_view full;
    if (m == "@yearly" || m == "@annually") full = "0 0 1 1 *";
    if (m == "@monthly") full = "0 0 1 * *";
    if (m == "@weekly") full = "0 0 * * 0";
    if (m == "@daily" || m == "@midnight") full = "0 0 * * *";
    if (m == "@hourly") full = "0 * * * *";
    if (full.empty()) {
      return Status::InvalidArgument("unknown cron macro \"" + std::string(fields[0]) +
                                     "\" (@yearly, @monthly, @weekly, @daily, @hourly)");
    }
    VIGIA_ASSIGN_OR_RETURN(CronSchedule s, Parse(full));
    s.text_ = std::string(fields[0]);
    return s;
  }
  if (fields.size() != 5) {
    return Status::InvalidArgument(
        "a cron expression has 5 fields (minute hour day-of-month month day-of-week), \"" +
        std::string(expr) + "\" has " + std::to_string(fields.size()));
  }
  CronSchedule s;
  uint64_t bits[5] = {};
  bool star[5] = {};
  for (int i = 0; i < 5; ++i)
    VIGIA_RETURN_IF_ERROR(ParseField(fields[i], kFields[i], &bits[i], &star[i]));
  s.minutes_ = bits[0];
  s.hours_ = static_cast<uint32_t>(bits[1]);
  s.days_ = static_cast<uint32_t>(bits[2]);
  s.months_ = static_cast<uint32_t>(bits[3]);
  s.weekdays_ = static_cast<uint32_t>((bits[4] | bits[4] >> 7) & 0x7f);  // 7 is Sunday too
  s.hour_star_ = star[1];
  s.dom_star_ = star[2];
  s.dow_star_ = star[4];
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) s.text_ += ' ';
    s.text_ += fields[i];
  }
  if (!s.NextAfter(0, TimeZone::Utc())) {
    return Status::InvalidArgument("cron expression \"" + s.text_ + "\" never fires");
  }
  return s;
}

Result<CronSchedule> CronSchedule::Daily(std::string_view s) {
  const bool ok = s.size() == 5 && s[2] == ':' && std::all_of(s.begin(), s.end(), [](char c) {
                    return c == ':' || std::isdigit(static_cast<unsigned char>(c));
                  });
  const int h = ok ? (s[0] - '0') * 10 + (s[1] - '0') : -1;
  const int m = ok ? (s[3] - '0') * 10 + (s[4] - '0') : -1;
  if (!ok || h > 23 || m > 59) {
    return Status::InvalidArgument("expected a time of day HH:MM, got \"" + std::string(s) + "\"");
  }
  return Parse(std::to_string(m) + " " + std::to_string(h) + " * * *");
}

bool CronSchedule::DayMatches(int64_t days) const {
  const civil::Date d = civil::CivilFromDays(days);
  const bool dom = (days_ >> d.day) & 1;
  const bool dow = (weekdays_ >> civil::WeekdayFromDays(days)) & 1;
  return dom_star_ || dow_star_ ? dom && dow : dom || dow;
}

std::optional<int64_t> CronSchedule::FirstCivilMatch(int64_t from, int64_t to) const {
  int64_t t = civil::FloorDiv(from, 60) * 60;
  if (t < from) t += 60;
  while (t < to) {
    const int64_t days = civil::FloorDiv(t, kDaySec);
    const int64_t sod = t - days * kDaySec;
    const civil::Date d = civil::CivilFromDays(days);
    if (!((months_ >> d.month) & 1)) {
      t = (d.month == 12 ? civil::DaysFromCivil(d.year + 1, 1, 1)
                         : civil::DaysFromCivil(d.year, d.month + 1, 1)) *
          kDaySec;
      continue;
    }
    if (!DayMatches(days)) {
      t = (days + 1) * kDaySec;
      continue;
    }
    const int64_t h = sod / 3600;
    const int64_t next_hour = days * kDaySec + (h + 1) * 3600;
    if (!((hours_ >> h) & 1)) {
      t = next_hour;
      continue;
    }
    const int mi = static_cast<int>((sod % 3600) / 60);
    const uint64_t later = minutes_ >> mi;
    if (later == 0) {
      t = next_hour;
      continue;
    }
    t += int64_t{std::countr_zero(later)} * 60;
    return t < to ? std::optional<int64_t>(t) : std::nullopt;
  }
  return std::nullopt;
}

std::optional<int64_t> CronSchedule::NextAfter(int64_t after_ns, const TimeZone& tz) const {
  const int64_t start = civil::FloorDiv(after_ns, kNanosPerSecond) + 1;
  const int64_t horizon = start + int64_t{limits::kCronSearchYears} * 366 * kDaySec;
  auto result = [](int64_t t) {
    return t <= kMaxSec ? std::optional<int64_t>(t * kNanosPerSecond) : std::nullopt;
  };
  // Local times before `floor_civil` are the second pass of a repeated hour, skipped unless
  // hour_star_. The transition just before `start` may have opened one.
  int64_t floor_civil = INT64_MIN;
  {
    std::optional<TimeZone::Transition> last;
    for (auto tr = tz.NextTransition(start - 2 * kDaySec); tr && tr->at <= start;
         tr = tz.NextTransition(tr->at)) {
      last = tr;
    }
    if (last && last->at == start && last->after > last->before &&
        FirstCivilMatch(start + last->before, start + last->after)) {
      return result(start);  // a skipped local time fires at the jump
    }
    if (last && !hour_star_ && last->after < last->before) floor_civil = last->at + last->before;
  }
  // Walk the segments of constant offset in time order: within one, local time is t + off.
  int64_t seg = start;
  int32_t off = tz.OffsetAt(start);
  while (seg < horizon) {
    const std::optional<TimeZone::Transition> next = tz.NextTransition(seg);
    const int64_t seg_end = next ? std::min(next->at, horizon) : horizon;
    if (auto c = FirstCivilMatch(std::max(seg + off, floor_civil), seg_end + off)) {
      return result(*c - off);
    }
    if (!next || next->at >= horizon) return std::nullopt;
    const int64_t at = next->at;
    floor_civil = INT64_MIN;
    if (next->after > next->before) {
      // The clock jumps forward: local times [at + before, at + after) never happen.
      if (FirstCivilMatch(at + next->before, at + next->after)) return result(at);
    } else if (!hour_star_) {
      floor_civil = at + next->before;  // [at + after, at + before) happens a second time
    }
    seg = at;
    off = next->after;
  }
  return std::nullopt;
}

}  // namespace vigia
