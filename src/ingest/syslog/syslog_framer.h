// NextSyslogFrame: splits a syslog byte stream into messages, with the two framings of
// RFC 6587 told apart per message, as rsyslog and syslog-ng do on a TCP listener:
//  - octet counting ("MSG-LEN SP MSG"): a frame starting with a digit;
//  - non-transparent framing: anything else, up to a LF (a trailing CR is dropped by the
//    parser; a NUL also ends a message, as some senders use it).
// The TCP listener uses it to hand only whole messages to the pipeline; SyslogDecoder uses it
// to split a batch body (the listener's batches are octet-counted, so a message holding
// newlines survives).
//
// Thread-safety: a pure function, thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace vigia {

enum class SyslogFrameResult {
  kFrame,       // *frame is one message; *used bytes were consumed
  kIncomplete,  // more bytes are needed (*used == 0); never returned with at_end
  kTooLong,     // a message longer than max_bytes starts here: *used bytes of it were
                // dropped, the rest (if any) is dropped by the next calls (kSkipped)
  kSkipped,     // *used more bytes of a too-long message were dropped
};

// The framer's memory of a too-long message being dropped across reads.
struct SyslogFramerState {
  bool skip_line = false;  // drop up to the next LF
  size_t skip_bytes = 0;   // drop this many more bytes (octet counting)
};

// Looks at the start of `in`. With `at_end` (the end of a datagram batch or of the
// connection) an unterminated last line, or a short octet-counted frame, is a frame too.
SyslogFrameResult NextSyslogFrame(std::string_view in, size_t max_bytes, bool at_end,
                                  SyslogFramerState* state, std::string_view* frame, size_t* used);

}  // namespace vigia
