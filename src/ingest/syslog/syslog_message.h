// SyslogMessage: one syslog message split into its header parts, as the two formats real
// daemons send it:
//
//  - RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]
//    ("-" is nil; TIMESTAMP RFC 3339 with fraction and offset; SD [id name="value" ...]...;
//    a UTF-8 BOM before MSG is dropped);
//  - RFC 3164 (BSD) as rsyslog, syslog-ng, logger(1) and network gear send it:
//    <PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG (the colon optional after a host: the
//    first word is the tag, as rsyslog reads it), also with an RFC 3339 timestamp instead
//    (rsyslog's RSYSLOG_ForwardFormat), without HOSTNAME (a first token ending in ':' or
//    holding '[' is the tag: what /dev/log clients write), without a timestamp, or without
//    PRI (then facility user, severity notice, as RFC 3164 §4.3.3 says a relay assumes).
//    BSD timestamps carry no year and no zone: the year is the one that puts the time
//    closest before `now` (+1 day of skew), and the time is taken as UTC.
//
// Views point into the parsed text; SD values are as sent (escapes \" \\ \] still in
// them: UnescapeSdValue).
//
// Thread-safety: plain values; the functions are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace vigia {

enum class SyslogFormat { kRfc5424, kRfc3164 };

struct SyslogSdParam {
  std::string_view name;
  std::string_view value;  // escaped as sent
};

struct SyslogSdElement {
  std::string_view id;  // "exampleSDID@32473", "meta", "origin"
  std::vector<SyslogSdParam> params;
};

struct SyslogMessage {
  SyslogFormat format = SyslogFormat::kRfc3164;
  int facility = 1;  // 0..23 (kern, user, ..., local7)
  int severity = 5;  // 0 emerg .. 7 debug
  bool has_ts = false;
  int64_t ts_ns = 0;
  std::string_view hostname;  // empty when nil or absent
  std::string_view app_name;  // 5424 APP-NAME, 3164 TAG
  std::string_view procid;    // 5424 PROCID, 3164 [PID]
  std::string_view msgid;     // 5424 only
  std::vector<SyslogSdElement> sd;
  std::string_view msg;  // without a trailing newline
};

// Parses `text` (one message, framing removed) into `out`. InvalidArgument names what is
// wrong: "empty message", "PRI above 191", "RFC 5424: bad TIMESTAMP \"...\"",
// "RFC 5424: malformed STRUCTURED-DATA at byte N", "RFC 5424: missing MSGID". `now_ns` dates
// BSD timestamps (year).
Status ParseSyslogMessage(std::string_view text, int64_t now_ns, SyslogMessage* out);

// "kern", "user", ... "local7"; "unknown" beyond the table.
std::string_view SyslogFacilityName(int facility);
// "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug".
std::string_view SyslogSeverityName(int severity);
// vigia's level for a severity: emerg/alert/crit → fatal, err → error, warning → warn,
// notice/info → info, debug → debug.
std::string_view SyslogSeverityLevel(int severity);

// An SD-PARAM value without its escapes (\" \\ \] become the character; other backslashes
// stay, as RFC 5424 §6.3.3 says).
std::string UnescapeSdValue(std::string_view value);

}  // namespace vigia
