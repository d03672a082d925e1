#include "ingest/syslog/syslog_message.h"

#include <array>
#include <optional>

#include "common/ascii.h"
#include "common/civil_date.h"
#include "common/time_format.h"
#include "common/time_units.h"

namespace vigia {
namespace {

int64_t YearOf(int64_t ts_ns) {
  return civil::CivilFromDays(civil::FloorDiv(ts_ns, kNanosPerDay)).year;
}

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int Two(std::string_view s, size_t at) {
  if (!ascii::IsDigit(s[at]) || !ascii::IsDigit(s[at + 1])) return -1;
  return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

// "Mmm dd hh:mm:ss" (dd space- or zero-padded) at the start of `s`, optionally with a
// fraction (".123"); returns the bytes used (0 when not one) and the time in `ts_ns`.
size_t ParseBsdTimestamp(std::string_view s, int64_t now_ns, int64_t* ts_ns) {
  if (s.size() < 15 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':') return 0;
  int month = -1;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (s.substr(0, 3) == kMonths[i]) month = static_cast<int>(i) + 1;
  }
  if (month < 0) return 0;
  int day = s[4] == ' ' && ascii::IsDigit(s[5]) ? s[5] - '0' : Two(s, 4);
  int hh = Two(s, 7), mm = Two(s, 10), ss = Two(s, 13);
  if (day < 1 || day > 31 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60) {
    return 0;
  }
  size_t used = 15;
  int64_t frac_ns = 0;
  if (used < s.size() && s[used] == '.') {
    int64_t scale = kNanosPerSecond / 10;
    size_t i = used + 1;
    while (i < s.size() && ascii::IsDigit(s[i])) {
      frac_ns += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i > used + 1) used = i;
  }
  const int64_t secs = int64_t{hh} * 3600 + mm * 60 + ss;
  // No year: the one that puts the time closest before now (a day of skew allowed), so a
  // December message read in January is last year's.
  int64_t year = YearOf(now_ns);
  int64_t ts =
      civil::DaysFromCivil(year, month, day) * kNanosPerDay + secs * kNanosPerSecond + frac_ns;
  if (ts > now_ns + kNanosPerDay) {
    ts = civil::DaysFromCivil(year - 1, month, day) * kNanosPerDay + secs * kNanosPerSecond +
         frac_ns;
  }
  *ts_ns = ts;
  return used;
}

// The token up to the next space (or the end).
std::string_view Token(std::string_view s) { return s.substr(0, s.find(' ')); }

// An RFC 3339 timestamp token ("2024-05-01T10:00:00.5+02:00"); nullopt when not one.
std::optional<int64_t> Rfc3339Token(std::string_view tok) {
  if (tok.size() < 20 || !ascii::IsDigit(tok[0]) || tok[4] != '-' || tok[10] != 'T')
    return std::nullopt;
  return ParseRfc3339(tok);
}

// Reads "<PRI>" at the start of `*s`. Returns false (and leaves `*s`) when there is none.
Status ReadPri(std::string_view* s, SyslogMessage* out, bool* had_pri) {
  *had_pri = false;
  if (s->empty() || (*s)[0] != '<') return Status::Ok();
  size_t i = 1;
  int pri = 0;
  while (i < s->size() && i <= 4 && ascii::IsDigit((*s)[i])) pri = pri * 10 + ((*s)[i++] - '0');
  if (i == 1 || i >= s->size() || (*s)[i] != '>') return Status::Ok();  // not a PRI: text
  if (pri > 191) return Status::InvalidArgument("PRI above 191");
  out->facility = pri / 8;
  out->severity = pri % 8;
  *had_pri = true;
  s->remove_prefix(i + 1);
  return Status::Ok();
}

std::string_view Nil(std::string_view v) { return v == "-" ? std::string_view() : v; }

Status Fail5424(std::string what) { return Status::InvalidArgument("RFC 5424: " + what); }

// STRUCTURED-DATA at the start of `*s` ("-" or [..]...); leaves `*s` after it.
Status ReadStructuredData(std::string_view* s, size_t base, SyslogMessage* out) {
  std::string_view in = *s;
  if (!in.empty() && in[0] == '-') {
    s->remove_prefix(1);
    return Status::Ok();
  }
  size_t i = 0;
  auto bad = [&](size_t at) {
    return Fail5424("malformed STRUCTURED-DATA at byte " + std::to_string(base + at));
  };
  if (in.empty() || in[0] != '[') return bad(0);
  while (i < in.size() && in[i] == '[') {
    ++i;
    size_t id_start = i;
    while (i < in.size() && in[i] != ' ' && in[i] != ']' && in[i] != '=' && in[i] != '"') ++i;
    if (i == id_start || i >= in.size()) return bad(i);
    SyslogSdElement el;
    el.id = in.substr(id_start, i - id_start);
    while (i < in.size() && in[i] == ' ') {
      ++i;
      size_t name_start = i;
      while (i < in.size() && in[i] != '=' && in[i] != ' ' && in[i] != ']' && in[i] != '"') ++i;
      if (i == name_start || i + 1 >= in.size() || in[i] != '=' || in[i + 1] != '"') return bad(i);
      std::string_view name = in.substr(name_start, i - name_start);
      i += 2;
      size_t value_start = i;
      while (i < in.size() && in[i] != '"') i += in[i] == '\\' && i + 1 < in.size() ? 2 : 1;
      if (i >= in.size()) return bad(i);
      el.params.push_back({name, in.substr(value_start, i - value_start)});
      ++i;  // closing quote
    }
    if (i >= in.size() || in[i] != ']') return bad(i);
    ++i;
    out->sd.push_back(std::move(el));
  }
  s->remove_prefix(i);
  return Status::Ok();
}

Status Parse5424(std::string_view s, size_t base, SyslogMessage* out) {
  const char* const start = s.data();
  out->format = SyslogFormat::kRfc5424;
  std::string_view fields[5];  // TIMESTAMP HOSTNAME APP-NAME PROCID MSGID
  static constexpr const char* kNames[5] = {"TIMESTAMP", "HOSTNAME", "APP-NAME", "PROCID", "MSGID"};
  size_t used = 0;
  for (int f = 0; f < 5; ++f) {
    size_t sp = s.find(' ');
    if (sp == std::string_view::npos || sp == 0) {
      return Fail5424(std::string("missing ") + kNames[f]);
    }
    fields[f] = s.substr(0, sp);
    s.remove_prefix(sp + 1);
    used += sp + 1;
  }
  if (fields[0] != "-") {
    std::optional<int64_t> ts = Rfc3339Token(fields[0]);
    if (!ts) return Fail5424("bad TIMESTAMP \"" + std::string(fields[0].substr(0, 40)) + "\"");
    out->has_ts = true;
    out->ts_ns = *ts;
  }
  out->hostname = Nil(fields[1]);
  out->app_name = Nil(fields[2]);
  out->procid = Nil(fields[3]);
  out->msgid = Nil(fields[4]);
  VIGIA_RETURN_IF_ERROR(ReadStructuredData(&s, base + used, out));
  if (!s.empty()) {
    if (s[0] != ' ') {
      return Fail5424("malformed STRUCTURED-DATA at byte " +
                      std::to_string(base + static_cast<size_t>(s.data() - start)));
    }
    s.remove_prefix(1);
  }
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  out->msg = s;
  return Status::Ok();
}

// TAG[PID]: at the start of `s`; returns the bytes used (0 when there is no tag). After a
// timestamp and host (`after_header`) the first word is the tag, colon or not, as RFC 3164
// §4.1.3 and rsyslog read it (rsyslog forwards RFC 5424 messages in the traditional format
// with "app msg", no colon); without a header only "word:" or "word[pid]" is a tag.
size_t ReadTag(std::string_view s, bool after_header, SyslogMessage* out) {
  size_t i = 0;
  while (i < s.size() && i < 64 && s[i] != ':' && s[i] != '[' && s[i] != ' ') ++i;
  if (i == 0 || i >= s.size()) return 0;
  std::string_view tag = s.substr(0, i);
  std::string_view pid;
  if (s[i] == '[') {
    size_t close = s.find(']', i);
    if (close == std::string_view::npos || close - i > 32) return 0;
    pid = s.substr(i + 1, close - i - 1);
    i = close + 1;
  }
  if (i < s.size() && s[i] == ':') {
    ++i;
  } else if (pid.empty() && !(after_header && s[i] == ' ')) {
    return 0;  // "word " is text, not a tag
  }
  if (i < s.size() && s[i] == ' ') ++i;
  out->app_name = tag;
  out->procid = pid;
  return i;
}

void Parse3164(std::string_view s, int64_t now_ns, SyslogMessage* out) {
  out->format = SyslogFormat::kRfc3164;
  bool have_ts = false;
  if (size_t used = ParseBsdTimestamp(s, now_ns, &out->ts_ns)) {
    have_ts = true;
    s.remove_prefix(used);
  } else if (std::optional<int64_t> ts = Rfc3339Token(Token(s))) {
    have_ts = true;
    out->ts_ns = *ts;
    s.remove_prefix(Token(s).size());
  }
  out->has_ts = have_ts;
  bool have_host = false;
  if (have_ts) {
    while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
    // HOSTNAME, unless the first word is already the tag (local senders omit the host).
    std::string_view word = Token(s);
    bool is_tag = !word.empty() && (word.back() == ':' || word.find('[') != std::string_view::npos);
    if (!is_tag && word.size() < s.size()) {
      out->hostname = word;
      s.remove_prefix(word.size() + 1);
      have_host = true;
    }
  }
  s.remove_prefix(ReadTag(s, have_host, out));
  out->msg = s;
}

}  // namespace

Status ParseSyslogMessage(std::string_view text, int64_t now_ns, SyslogMessage* out) {
  *out = SyslogMessage();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == '\0')) {
    text.remove_suffix(1);
  }
  if (text.empty()) return Status::InvalidArgument("empty message");
  std::string_view s = text;
  bool had_pri = false;
  VIGIA_RETURN_IF_ERROR(ReadPri(&s, out, &had_pri));
  if (had_pri && s.size() >= 2 && s[0] == '1' && s[1] == ' ') {
    return Parse5424(s.substr(2), static_cast<size_t>(s.data() - text.data()) + 2, out);
  }
  Parse3164(s, now_ns, out);
  return Status::Ok();
}

std::string_view SyslogFacilityName(int facility) {
  static constexpr std::array<std::string_view, 24> kNames = {
      "kern",   "user",   "mail",     "daemon", "auth",   "syslog",   "lpr",     "news",
      "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "security", "console", "solaris-cron",
      "local0", "local1", "local2",   "local3", "local4", "local5",   "local6",  "local7"};
  if (facility < 0 || facility >= static_cast<int>(kNames.size())) return "unknown";
  return kNames[static_cast<size_t>(facility)];
}

std::string_view SyslogSeverityName(int severity) {
  static constexpr std::array<std::string_view, 8> kNames = {"emerg",   "alert",  "crit", "err",
                                                             "warning", "notice", "info", "debug"};
  if (severity < 0 || severity > 7) return "unknown";
  return kNames[static_cast<size_t>(severity)];
}

std::string_view SyslogSeverityLevel(int severity) {
  static constexpr std::array<std::string_view, 8> kLevels = {"fatal", "fatal", "fatal", "error",
                                                              "warn",  "info",  "info",  "debug"};
  if (severity < 0 || severity > 7) return "info";
  return kLevels[static_cast<size_t>(severity)];
}

std::string UnescapeSdValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size() &&
        (value[i + 1] == '"' || value[i + 1] == '\\' || value[i + 1] == ']')) {
      out.push_back(value[++i]);
    } else {
      out.push_back(value[i]);
    }
  }
  return out;
}

}  // namespace vigia
