#include "ingest/syslog/syslog_message.h"

#include <gtest/gtest.h>

#include "common/time_format.h"
#include "ingest/syslog/syslog_framer.h"

namespace vigia {
namespace {

// 2024-05-01T12:00:00Z
const int64_t kNow = *ParseRfc3339("2024-05-01T12:00:00Z");

SyslogMessage Parse(std::string_view text) {
  SyslogMessage m;
  Status st = ParseSyslogMessage(text, kNow, &m);
  EXPECT_TRUE(st.ok()) << st.ToString() << " for " << text;
  return m;
}

TEST(SyslogMessageTest, Rfc5424WithStructuredData) {
  SyslogMessage m = Parse(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 "
      "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
      "[examplePriority@32473 class=\"high\" q=\"a\\\"b\\]c\\\\d\\e\"] \xEF\xBB\xBF"
      "An application event log entry...\n");
  EXPECT_EQ(m.format, SyslogFormat::kRfc5424);
  EXPECT_EQ(m.facility, 20);
  EXPECT_EQ(m.severity, 5);
  EXPECT_TRUE(m.has_ts);
  EXPECT_EQ(m.ts_ns, *ParseRfc3339("2003-10-11T22:14:15.003Z"));
  EXPECT_EQ(m.hostname, "mymachine.example.com");
  EXPECT_EQ(m.app_name, "evntslog");
  EXPECT_EQ(m.procid, "1234");
  EXPECT_EQ(m.msgid, "ID47");
  ASSERT_EQ(m.sd.size(), 2u);
  EXPECT_EQ(m.sd[0].id, "exampleSDID@32473");
  ASSERT_EQ(m.sd[0].params.size(), 3u);
  EXPECT_EQ(m.sd[0].params[1].name, "eventSource");
  EXPECT_EQ(m.sd[0].params[1].value, "Application");
  EXPECT_EQ(m.sd[1].params[1].name, "q");
  EXPECT_EQ(UnescapeSdValue(m.sd[1].params[1].value), "a\"b]c\\d\\e");
  EXPECT_EQ(m.msg, "An application event log entry...");
}

TEST(SyslogMessageTest, Rfc5424NilsOffsetsAndNoMessage) {
  SyslogMessage m = Parse("<13>1 2024-05-01T14:00:00.123456+02:00 - - - - -");
  EXPECT_EQ(m.ts_ns, *ParseRfc3339("2024-05-01T12:00:00.123456Z"));
  EXPECT_TRUE(m.hostname.empty());
  EXPECT_TRUE(m.app_name.empty());
  EXPECT_TRUE(m.sd.empty());
  EXPECT_TRUE(m.msg.empty());
  SyslogMessage n = Parse("<14>1 - host app - - - hello world");
  EXPECT_FALSE(n.has_ts);
  EXPECT_EQ(n.msg, "hello world");
}

TEST(SyslogMessageTest, Rfc5424Errors) {
  SyslogMessage m;
  Status st = ParseSyslogMessage("<13>1 yesterday host app - - - x", kNow, &m);
  EXPECT_EQ(st.message(), "RFC 5424: bad TIMESTAMP \"yesterday\"");
  st = ParseSyslogMessage("<13>1 - host app - - [id a=\"1\" x", kNow, &m);
  EXPECT_EQ(st.message().rfind("RFC 5424: malformed STRUCTURED-DATA at byte ", 0), 0u);
  st = ParseSyslogMessage("<13>1 - host app x", kNow, &m);
  EXPECT_EQ(st.message(), "RFC 5424: missing PROCID");
  st = ParseSyslogMessage("<192>hello", kNow, &m);
  EXPECT_EQ(st.message(), "PRI above 191");
  st = ParseSyslogMessage("\r\n", kNow, &m);
  EXPECT_EQ(st.message(), "empty message");
}

TEST(SyslogMessageTest, Rfc3164Forms) {
  // rsyslog's RSYSLOG_TraditionalForwardFormat.
  SyslogMessage m = Parse("<30>Apr 30 23:59:58 web-1 nginx[812]: GET / 200");
  EXPECT_EQ(m.format, SyslogFormat::kRfc3164);
  EXPECT_EQ(m.facility, 3);
  EXPECT_EQ(m.severity, 6);
  EXPECT_EQ(m.ts_ns, *ParseRfc3339("2024-04-30T23:59:58Z"));
  EXPECT_EQ(m.hostname, "web-1");
  EXPECT_EQ(m.app_name, "nginx");
  EXPECT_EQ(m.procid, "812");
  EXPECT_EQ(m.msg, "GET / 200");

  // Space-padded day, tag without pid, December read in May: this year would be in the
  // future, so it is last year's.
  m = Parse("<13>Dec  2 17:00:00 host app: text: with colons");
  EXPECT_EQ(m.ts_ns, *ParseRfc3339("2023-12-02T17:00:00Z"));
  EXPECT_EQ(m.app_name, "app");
  EXPECT_EQ(m.msg, "text: with colons");

  // No hostname (a local /dev/log sender).
  m = Parse("<86>May  1 11:00:00 sshd[99]: Accepted publickey");
  EXPECT_TRUE(m.hostname.empty());
  EXPECT_EQ(m.app_name, "sshd");
  EXPECT_EQ(m.procid, "99");

  // RFC 3339 timestamp (RSYSLOG_ForwardFormat, high precision).
  m = Parse("<134>2024-05-01T11:30:00.250+00:00 db-2 postgres[7]: checkpoint");
  EXPECT_EQ(m.ts_ns, *ParseRfc3339("2024-05-01T11:30:00.25Z"));
  EXPECT_EQ(m.hostname, "db-2");
  EXPECT_EQ(m.app_name, "postgres");

  // No timestamp, no tag; no PRI at all.
  m = Parse("<11>just text here");
  EXPECT_FALSE(m.has_ts);
  EXPECT_TRUE(m.app_name.empty());
  EXPECT_EQ(m.msg, "just text here");
  m = Parse("plain line");
  EXPECT_EQ(m.facility, 1);
  EXPECT_EQ(m.severity, 5);
  EXPECT_EQ(m.msg, "plain line");
  // After timestamp and host the first word is the tag even without a colon (rsyslog's
  // traditional forwarding of RFC 5424 messages).
  m = Parse("<13>May  1 10:00:00 host app some words");
  EXPECT_EQ(m.hostname, "host");
  EXPECT_EQ(m.app_name, "app");
  EXPECT_EQ(m.msg, "some words");
}

TEST(SyslogMessageTest, Names) {
  EXPECT_EQ(SyslogFacilityName(16), "local0");
  EXPECT_EQ(SyslogFacilityName(99), "unknown");
  EXPECT_EQ(SyslogSeverityName(4), "warning");
  EXPECT_EQ(SyslogSeverityLevel(2), "fatal");
  EXPECT_EQ(SyslogSeverityLevel(3), "error");
  EXPECT_EQ(SyslogSeverityLevel(4), "warn");
  EXPECT_EQ(SyslogSeverityLevel(5), "info");
  EXPECT_EQ(SyslogSeverityLevel(7), "debug");
}

struct Frames {
  std::vector<std::string> frames;
  int too_long = 0;
  size_t consumed = 0;
};

Frames Split(std::string_view in, size_t max, bool at_end) {
  Frames f;
  SyslogFramerState state;
  while (f.consumed < in.size()) {
    std::string_view frame;
    size_t used = 0;
    SyslogFrameResult r =
        NextSyslogFrame(in.substr(f.consumed), max, at_end, &state, &frame, &used);
    if (r == SyslogFrameResult::kIncomplete) break;
    if (r == SyslogFrameResult::kFrame) f.frames.emplace_back(frame);
    if (r == SyslogFrameResult::kTooLong) ++f.too_long;
    f.consumed += used;
  }
  return f;
}

TEST(SyslogFramerTest, OctetCountingAndLinesAutoDetected) {
  Frames f = Split("11 <13>a\nb c d<13>line one\n5 <1>xy<13>line two\n", 100, false);
  ASSERT_EQ(f.frames.size(), 4u);
  EXPECT_EQ(f.frames[0], "<13>a\nb c d");  // a newline inside an octet-counted message
  EXPECT_EQ(f.frames[1], "<13>line one");
  EXPECT_EQ(f.frames[2], "<1>xy");
  EXPECT_EQ(f.frames[3], "<13>line two");

  // Incomplete frames wait for more bytes unless at the end.
  f = Split("<13>whole\n20 <13>partial", 100, false);
  EXPECT_EQ(f.frames.size(), 1u);
  EXPECT_EQ(f.consumed, 10u);
  f = Split("<13>whole\n<13>unterminated", 100, true);
  ASSERT_EQ(f.frames.size(), 2u);
  EXPECT_EQ(f.frames[1], "<13>unterminated");
  // A line starting with digits but no length: a line.
  f = Split("2024-05-01 was a day\n", 100, false);
  ASSERT_EQ(f.frames.size(), 1u);
  EXPECT_EQ(f.frames[0], "2024-05-01 was a day");
}

TEST(SyslogFramerTest, TooLongMessagesAreDroppedWholeAcrossReads) {
  Frames f = Split("10 <13>123456<13>ok\n", 6, false);
  EXPECT_EQ(f.too_long, 1);
  ASSERT_EQ(f.frames.size(), 1u);
  EXPECT_EQ(f.frames[0], "<13>ok");

  // A long line seen in two reads: dropped up to its LF, the next line kept.
  SyslogFramerState state;
  std::string_view frame;
  size_t used = 0;
  EXPECT_EQ(NextSyslogFrame("<13>aaaaaaaaaa", 5, false, &state, &frame, &used),
            SyslogFrameResult::kTooLong);
  EXPECT_EQ(used, 14u);
  EXPECT_EQ(NextSyslogFrame("aaa\n<13>b\n", 5, false, &state, &frame, &used),
            SyslogFrameResult::kSkipped);
  EXPECT_EQ(used, 4u);
  EXPECT_EQ(NextSyslogFrame("<13>b\n", 5, false, &state, &frame, &used), SyslogFrameResult::kFrame);
  EXPECT_EQ(frame, "<13>b");
}

}  // namespace
}  // namespace vigia
