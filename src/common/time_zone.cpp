#include "common/time_zone.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "common/civil_date.h"
#include "common/limits.h"

namespace vigia {
namespace {

constexpr int64_t kDaySec = 86'400;
// RFC 8536: a UT offset is in [-89999, 93599] (-24:59:59 .. 25:59:59).
constexpr int32_t kMinOffset = -89'999;
constexpr int32_t kMaxOffset = 93'599;

// Big-endian reader over a TZif file; every read is bounds-checked.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool Has(size_t n) const { return s_.size() - pos_ >= n; }
  size_t pos() const { return pos_; }
  void Skip(size_t n) { pos_ += n; }
  std::string_view Bytes(size_t n) {
    std::string_view v = s_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  uint8_t U8() { return static_cast<uint8_t>(s_[pos_++]); }
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | U8();
    return v;
  }
  int64_t I64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | U8();
    return static_cast<int64_t>(v);
  }
  std::string_view Rest() const { return s_.substr(pos_); }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

struct TzifHeader {
  char version = 0;
  uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
};

Status ReadHeader(Reader* r, TzifHeader* h) {
  if (!r->Has(44) || r->Bytes(4) != "TZif") return Status::Corruption("not a TZif file");
  h->version = static_cast<char>(r->U8());
  r->Skip(15);
  h->isutcnt = r->U32();
  h->isstdcnt = r->U32();
  h->leapcnt = r->U32();
  h->timecnt = r->U32();
  h->typecnt = r->U32();
  h->charcnt = r->U32();
  if (h->typecnt == 0 || h->typecnt > 256 || h->timecnt > limits::kMaxZoneTransitions ||
      h->leapcnt > limits::kMaxZoneTransitions || h->charcnt > 65536 ||
      (h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
      (h->isstdcnt != 0 && h->isstdcnt != h->typecnt)) {
    return Status::Corruption("TZif header counts out of range");
  }
  return Status::Ok();
}

uint64_t BlockSize(const TzifHeader& h, size_t time_size) {
  return uint64_t{h.timecnt} * time_size + h.timecnt + uint64_t{h.typecnt} * 6 + h.charcnt +
         uint64_t{h.leapcnt} * (time_size + 4) + h.isstdcnt + h.isutcnt;
}

// Reads one data block; times of `time_size` bytes (4 in version 1's block, else 8).
Status ReadBlock(Reader* r, const TzifHeader& h, size_t time_size, std::vector<int64_t>* times,
                 std::vector<int32_t>* offsets, int32_t* initial) {
  if (!r->Has(BlockSize(h, time_size))) return Status::Corruption("TZif file truncated");
  times->clear();
  offsets->clear();
  for (uint32_t i = 0; i < h.timecnt; ++i) {
    const int64_t t = time_size == 4 ? int64_t{static_cast<int32_t>(r->U32())} : r->I64();
    if (!times->empty() && t <= times->back())
      return Status::Corruption("TZif transitions not ascending");
    times->push_back(t);
  }
  std::vector<uint8_t> idx(h.timecnt);
  for (uint32_t i = 0; i < h.timecnt; ++i) {
    idx[i] = r->U8();
    if (idx[i] >= h.typecnt) return Status::Corruption("TZif transition names no local time type");
  }
  std::vector<int32_t> utoff(h.typecnt);
  for (uint32_t i = 0; i < h.typecnt; ++i) {
    utoff[i] = static_cast<int32_t>(r->U32());
    r->Skip(2);  // isdst, desigidx: not needed for offsets
    if (utoff[i] < kMinOffset || utoff[i] > kMaxOffset)
      return Status::Corruption("TZif UT offset out of range");
  }
  r->Skip(h.charcnt + uint64_t{h.leapcnt} * (time_size + 4) + h.isstdcnt + h.isutcnt);
  for (uint8_t i : idx) offsets->push_back(utoff[i]);
  *initial = utoff[0];
  return Status::Ok();
}

// --- POSIX TZ rules ---------------------------------------------------------------------

class RuleParser {
 public:
  explicit RuleParser(std::string_view s) : s_(s) {}
  bool AtEnd() const { return pos_ == s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  // "CET" (3+ letters) or "<-03>" / "<+0530>".
  bool Name() {
    if (Eat('<')) {
      const size_t start = pos_;
      while (!AtEnd() && Peek() != '>') {
        const char c = Peek();
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-') return false;
        ++pos_;
      }
      return pos_ - start >= 3 && Eat('>');
    }
    const size_t start = pos_;
    while (std::isalpha(static_cast<unsigned char>(Peek()))) ++pos_;
    return pos_ - start >= 3;
  }
  // Up to `digits` decimal digits (at least one) into *v.
  bool Number(int digits, int* v) {
    int n = 0, got = 0;
    while (got < digits && std::isdigit(static_cast<unsigned char>(Peek()))) {
      n = n * 10 + (s_[pos_++] - '0');
      ++got;
    }
    *v = n;
    return got > 0;
  }
  // [+-]hh[:mm[:ss]] with hh <= max_hours, as signed seconds.
  bool Hms(int max_hours, int32_t* out) {
    int sign = 1;
    if (Eat('-')) {
      sign = -1;
    } else {
      (void)Eat('+');
    }
    int h = 0, m = 0, sec = 0;
    if (!Number(3, &h) || h > max_hours) return false;
    if (Eat(':')) {
      if (!Number(2, &m) || m > 59) return false;
      if (Eat(':') && (!Number(2, &sec) || sec > 59)) return false;
    }
    *out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Result<TimeZone::Rule> TimeZone::ParseRule(std::string_view text) {
  RuleParser p(text);
  Rule r;
  auto bad = [&] {
    return Status::InvalidArgument("malformed POSIX TZ rule \"" + std::string(text) + "\"");
  };
  int32_t west = 0;
  if (!p.Name() || !p.Hms(24, &west)) return bad();
  r.std_offset = -west;
  if (p.AtEnd()) return r;
  if (!p.Name()) return bad();
  r.has_dst = true;
  r.dst_offset = r.std_offset + 3600;
  if (p.Peek() != ',' && !p.AtEnd()) {
    if (!p.Hms(24, &west)) return bad();
    r.dst_offset = -west;
  }
  auto date = [&](RuleDate* d) {
    int a = 0, b = 0, c = 0;
    if (p.Eat('J')) {
      if (!p.Number(3, &a) || a < 1 || a > 365) return false;
      d->kind = RuleDate::Kind::kJulian1;
      d->day = a;
    } else if (p.Eat('M')) {
      if (!p.Number(2, &a) || a < 1 || a > 12 || !p.Eat('.') || !p.Number(1, &b) || b < 1 ||
          b > 5 || !p.Eat('.') || !p.Number(1, &c) || c > 6) {
        return false;
      }
      d->kind = RuleDate::Kind::kMonthWeekDay;
      d->month = a;
      d->week = b;
      d->day = c;
    } else {
      if (!p.Number(3, &a) || a > 365) return false;
      d->kind = RuleDate::Kind::kJulian0;
      d->day = a;
    }
    d->time = 7200;
    return !p.Eat('/') || p.Hms(167, &d->time);
  };
  if (p.AtEnd()) {
    // No dates: the US rules POSIX prescribes as the default.
    r.start = RuleDate{RuleDate::Kind::kMonthWeekDay, 3, 2, 0, 7200};
    r.end = RuleDate{RuleDate::Kind::kMonthWeekDay, 11, 1, 0, 7200};
    return r;
  }
  if (!p.Eat(',') || !date(&r.start) || !p.Eat(',') || !date(&r.end) || !p.AtEnd()) return bad();
  if (r.dst_offset < kMinOffset || r.dst_offset > kMaxOffset) return bad();
  return r;
}

TimeZone TimeZone::Utc() {
  TimeZone z;
  z.name_ = "UTC";
  return z;
}

Result<TimeZone> TimeZone::FromPosixRule(std::string name, std::string_view rule) {
  VIGIA_ASSIGN_OR_RETURN(Rule r, ParseRule(rule));
  TimeZone z;
  z.name_ = std::move(name);
  z.initial_offset_ = r.std_offset;
  z.rule_ = r;
  return z;
}

Result<TimeZone> TimeZone::FromTzif(std::string name, std::string_view bytes) {
  if (bytes.size() > limits::kMaxZoneinfoBytes) return Status::Corruption("TZif file too large");
  Reader r(bytes);
  TzifHeader h;
  VIGIA_RETURN_IF_ERROR(ReadHeader(&r, &h));
  TimeZone z;
  z.name_ = std::move(name);
  if (h.version == '\0') {
    VIGIA_RETURN_IF_ERROR(ReadBlock(&r, h, 4, &z.times_, &z.offsets_, &z.initial_offset_));
    return z;
  }
  // Version 2+: skip the 32-bit block, read the 64-bit one and the footer.
  if (!r.Has(BlockSize(h, 4))) return Status::Corruption("TZif file truncated");
  r.Skip(BlockSize(h, 4));
  VIGIA_RETURN_IF_ERROR(ReadHeader(&r, &h));
  VIGIA_RETURN_IF_ERROR(ReadBlock(&r, h, 8, &z.times_, &z.offsets_, &z.initial_offset_));
  std::string_view footer = r.Rest();
  if (footer.size() >= 2 && footer.front() == '\n') {
    footer.remove_prefix(1);
    const size_t nl = footer.find('\n');
    if (nl == std::string_view::npos) return Status::Corruption("TZif footer not terminated");
    footer = footer.substr(0, nl);
    if (!footer.empty()) {
      auto rule = ParseRule(footer);
      if (!rule.ok()) return Status::Corruption("TZif footer: " + rule.status().message());
      z.rule_ = *rule;
      if (z.times_.empty()) z.initial_offset_ = rule->std_offset;
    }
  }
  return z;
}

Result<TimeZone> TimeZone::Load(Env* env, std::string_view name) {
  if (name.empty() || name == "UTC" || name == "Etc/UTC") return Utc();
  if (name.front() == '/' || name.find("..") != std::string_view::npos || name.size() > 128 ||
      !std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' ||
               c == '+';
      })) {
    return Status::InvalidArgument("malformed time zone name \"" + std::string(name) +
                                   "\" (an IANA name such as Europe/Berlin)");
  }
  const char* dir_env = std::getenv("TZDIR");
  const std::string dir = dir_env && *dir_env ? dir_env : "/usr/share/zoneinfo";
  const std::string path = JoinPath(dir, name);
  if (!env->FileExists(path)) {
    return Status::NotFound("unknown time zone \"" + std::string(name) + "\": no " + path +
                            " (is the tzdata package installed?)");
  }
  VIGIA_ASSIGN_OR_RETURN(uint64_t size, env->GetFileSize(path));
  if (size > limits::kMaxZoneinfoBytes) return Status::Corruption(path + ": too large for a zone");
  VIGIA_ASSIGN_OR_RETURN(std::string bytes, env->ReadFileToString(path));
  auto z = FromTzif(std::string(name), bytes);
  if (!z.ok()) return Status(z.status().code(), path + ": " + z.status().message());
  return z;
}

void TimeZone::RuleTransitionsOfYear(int64_t year, int64_t* start, int64_t* end) const {
  auto day_of = [&](const RuleDate& d) -> int64_t {
    const int64_t jan1 = civil::DaysFromCivil(year, 1, 1);
    switch (d.kind) {
      case RuleDate::Kind::kJulian1:  // 1..365, February 29 never counted
        return jan1 + d.day - 1 + (civil::IsLeapYear(year) && d.day >= 60 ? 1 : 0);
      case RuleDate::Kind::kJulian0:  // 0..365, February 29 counted
        return jan1 + d.day;
      case RuleDate::Kind::kMonthWeekDay: {
        const int64_t first = civil::DaysFromCivil(year, d.month, 1);
        int64_t off = (d.day - civil::WeekdayFromDays(first) + 7) % 7 + int64_t{d.week - 1} * 7;
        if (off >= civil::DaysInMonth(year, d.month)) off -= 7;  // week 5 = the last one
        return first + off;
      }
    }
    return jan1;
  };
  *start = day_of(rule_->start) * kDaySec + rule_->start.time - rule_->std_offset;
  *end = day_of(rule_->end) * kDaySec + rule_->end.time - rule_->dst_offset;
}

int32_t TimeZone::RuleOffsetAt(int64_t t) const {
  if (!rule_->has_dst) return rule_->std_offset;
  const int64_t year = civil::CivilFromDays(civil::FloorDiv(t + rule_->std_offset, kDaySec)).year;
  int64_t start = 0, end = 0;
  RuleTransitionsOfYear(year, &start, &end);
  const bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
  return dst ? rule_->dst_offset : rule_->std_offset;
}

int32_t TimeZone::OffsetAt(int64_t t) const {
  if (times_.empty()) return rule_ ? RuleOffsetAt(t) : initial_offset_;
  if (t < times_.front()) return initial_offset_;
  if (t >= times_.back() && rule_) return RuleOffsetAt(t);
  const size_t i =
      static_cast<size_t>(std::upper_bound(times_.begin(), times_.end(), t) - times_.begin());
  return offsets_[i - 1];
}

std::optional<TimeZone::Transition> TimeZone::NextTransition(int64_t t) const {
  int64_t from = t;
  if (!times_.empty()) {
    for (auto it = std::upper_bound(times_.begin(), times_.end(), t); it != times_.end(); ++it) {
      const size_t i = static_cast<size_t>(it - times_.begin());
      const int32_t before = i == 0 ? initial_offset_ : offsets_[i - 1];
      if (before != offsets_[i]) return Transition{*it, before, offsets_[i]};
    }
    from = std::max(t, times_.back());
  }
  if (!rule_ || !rule_->has_dst) return std::nullopt;
  const int64_t year =
      civil::CivilFromDays(civil::FloorDiv(from + rule_->std_offset, kDaySec)).year;
  std::optional<Transition> best;
  for (int64_t y = year - 1; y <= year + 2; ++y) {
    int64_t at[2] = {0, 0};
    RuleTransitionsOfYear(y, &at[0], &at[1]);
    for (int64_t a : at) {
      if (a <= from || (best && a >= best->at)) continue;
      const int32_t before = OffsetAt(a - 1), after = OffsetAt(a);
      if (before != after) best = Transition{a, before, after};
    }
  }
  return best;
}

}  // namespace vigia
