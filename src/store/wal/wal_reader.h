// WalReader: replays the WAL at startup and repairs its tail.
//
// Segments are read in sequence order. Every record whose header CRC, payload CRC and
// sequence (strictly greater than the previous record's) check out is handed to the
// callback. Damage is handled so that opening never fails because of the WAL's contents:
//
//  - Torn tail: bytes at the end of the LAST segment that do not form a valid record
//    (a partial write cut short by a crash or power loss) are truncated away and counted
//    in torn_tail_bytes. Nothing after them was valid, so nothing acknowledged is lost
//    unless the disk lied about a sync.
//  - Corrupt record: a bad region followed by a valid record (in any segment), or a bad
//    region at the end of a segment that is not the last, is skipped: the reader
//    resynchronises by testing every following byte offset for a valid header + payload
//    (see wal_format.h) and resumes there. Each skipped region counts as one corrupt
//    record and is reported through logger::Warn with segment, offset and size.
//  - A record the callback rejects with Corruption (a payload that passed its CRC but
//    does not decode) also counts as corrupt and is skipped.
//
// Thread-safety: Replay is a free-standing operation; run it before any writer opens.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/status.h"

namespace vigia {

struct WalSegmentInfo {
  uint64_t first_seq = 0;  // from the file name
  uint64_t bytes = 0;      // after any truncation
};

struct WalReplayResult {
  uint64_t records = 0;                  // handed to the callback and accepted
  uint64_t corrupt_records = 0;          // skipped regions + records the callback rejected
  uint64_t torn_tail_bytes = 0;          // truncated from the last segment
  uint64_t last_seq = 0;                 // highest sequence seen in a valid record; 0 = none
  uint64_t max_segment_seq = 0;          // highest first_seq in a segment name; 0 = none
  std::vector<WalSegmentInfo> segments;  // in order
};

class WalReader {
 public:
  // Called for each valid record in order. Returning Corruption skips the record (counted);
  // any other error aborts the replay with that error.
  using RecordFn = std::function<Status(uint64_t seq, std::string_view payload)>;

  // Replays every segment in `wal_dir` (missing dir = empty WAL). Fails only on I/O errors
  // reading the files or on a callback error.
  static Result<WalReplayResult> Replay(Env* env, const std::string& wal_dir, const RecordFn& fn);
};

}  // namespace vigia
