#include "ingest/syslog/syslog_framer.h"

#include <algorithm>

#include "common/ascii.h"

namespace vigia {
namespace {

// Longest MSG-LEN accepted: 9 digits (RFC 6587 puts no bound; a longer one is garbage).
constexpr size_t kMaxLenDigits = 9;

size_t LineEnd(std::string_view in) {
  size_t lf = in.find('\n');
  size_t nul = in.substr(0, lf).find('\0');
  return nul != std::string_view::npos ? nul : lf;
}

}  // namespace

SyslogFrameResult NextSyslogFrame(std::string_view in, size_t max_bytes, bool at_end,
                                  SyslogFramerState* state, std::string_view* frame, size_t* used) {
  *frame = {};
  *used = 0;
  if (state->skip_bytes > 0) {
    *used = std::min(state->skip_bytes, in.size());
    state->skip_bytes -= *used;
    return SyslogFrameResult::kSkipped;
  }
  if (state->skip_line) {
    size_t end = LineEnd(in);
    if (end == std::string_view::npos) {
      *used = in.size();
    } else {
      *used = end + 1;
      state->skip_line = false;
    }
    if (at_end) state->skip_line = false;
    return SyslogFrameResult::kSkipped;
  }
  if (in.empty()) return SyslogFrameResult::kIncomplete;

  if (ascii::IsDigit(in[0])) {
    size_t i = 0;
    size_t len = 0;
    while (i < in.size() && i < kMaxLenDigits && ascii::IsDigit(in[i]))
      len = len * 10 + (in[i++] - '0');
    if (i < in.size() && in[i] == ' ') {
      const size_t header = i + 1;
      if (len > max_bytes) {
        *used = std::min(in.size(), header + len);
        state->skip_bytes = header + len - *used;
        return SyslogFrameResult::kTooLong;
      }
      if (in.size() - header >= len) {
        *frame = in.substr(header, len);
        *used = header + len;
        return SyslogFrameResult::kFrame;
      }
      if (!at_end) return SyslogFrameResult::kIncomplete;
      *frame = in.substr(header);
      *used = in.size();
      return SyslogFrameResult::kFrame;
    }
    if (i == in.size() && i < kMaxLenDigits && !at_end) return SyslogFrameResult::kIncomplete;
    // Digits not followed by a space: a non-transparent line that starts with a digit.
  }

  size_t end = LineEnd(in);
  if (end == std::string_view::npos) {
    if (in.size() > max_bytes) {
      *used = in.size();
      state->skip_line = !at_end;
      return SyslogFrameResult::kTooLong;
    }
    if (!at_end) return SyslogFrameResult::kIncomplete;
    *frame = in;
    *used = in.size();
    return SyslogFrameResult::kFrame;
  }
  *used = end + 1;
  if (end > max_bytes) return SyslogFrameResult::kTooLong;
  *frame = in.substr(0, end);
  return SyslogFrameResult::kFrame;
}

}  // namespace vigia
