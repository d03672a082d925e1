// WalReader: replay, resynchronisation after damage, torn-tail truncation.
#include "store/wal/wal_reader.h"

#include <algorithm>

#include "common/limits.h"
#include "common/logger.h"
#include "store/format/file_names.h"
#include "store/wal/wal_format.h"

namespace vigia {
namespace {

// A full valid record starts at `pos`: header CRC, sane type/length, payload CRC, and a
// sequence above `last_seq` and below `seq_limit` (the next segment's first sequence).
// The sequence bounds also keep resynchronisation from accepting a record-shaped byte
// string that a client embedded in an event and that damage happened to expose.
bool ValidRecordAt(std::string_view d, size_t pos, uint64_t last_seq, uint64_t seq_limit,
                   wal::RecordHeader* h) {
  if (d.size() - pos < wal::kHeaderSize) return false;
  if (!wal::DecodeHeader(d.data() + pos, h)) return false;
  if (h->type != wal::kRecordBatch || h->length > limits::kMaxWalRecordBytes) return false;
  if (d.size() - pos - wal::kHeaderSize < h->length) return false;
  if (h->seq <= last_seq || h->seq >= seq_limit) return false;
  return crc32c::Value(d.data() + pos + wal::kHeaderSize, h->length) == h->payload_crc;
}

}  // namespace

Result<WalReplayResult> WalReader::Replay(Env* env, const std::string& wal_dir,
                                          const RecordFn& fn) {
  WalReplayResult res;
  if (!env->FileExists(wal_dir)) return res;
  VIGIA_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(wal_dir));
  std::vector<std::pair<uint64_t, std::string>> segments;
  for (const std::string& name : names) {
    if (auto seq = file_names::ParseWalSegmentName(name)) segments.emplace_back(*seq, name);
  }
  std::sort(segments.begin(), segments.end());

  for (size_t si = 0; si < segments.size(); ++si) {
    const bool last_segment = si + 1 == segments.size();
    const std::string path = JoinPath(wal_dir, segments[si].second);
    res.max_segment_seq = std::max(res.max_segment_seq, segments[si].first);
    VIGIA_ASSIGN_OR_RETURN(std::string data, env->ReadFileToString(path));
    std::string_view d(data);
    uint64_t kept_bytes = d.size();
    const uint64_t seq_limit = last_segment ? UINT64_MAX : segments[si + 1].first;

    size_t pos = 0;
    while (pos < d.size()) {
      wal::RecordHeader h;
      // Records of this segment have sequences >= its name's.
      const uint64_t floor = std::max(res.last_seq, segments[si].first - (segments[si].first > 0));
      if (ValidRecordAt(d, pos, floor, seq_limit, &h)) {
        std::string_view payload = d.substr(pos + wal::kHeaderSize, h.length);
        Status st = fn(h.seq, payload);
        if (st.ok()) {
          ++res.records;
        } else if (st.code() == StatusCode::kCorruption) {
          ++res.corrupt_records;
          logger::Warn("wal: skipping record that does not decode",
                       {{"path", path},
                        {"offset", static_cast<uint64_t>(pos)},
                        {"seq", h.seq},
                        {"error", st.message()}});
        } else {
          return st;
        }
        // A record that failed to decode still consumed its sequence number: a later
        // record reusing it would be a duplicate.
        res.last_seq = h.seq;
        pos += wal::kHeaderSize + h.length;
        continue;
      }
      // Damage at `pos`: look for the next valid record.
      size_t next = pos + 1;
      while (next < d.size() && !ValidRecordAt(d, next, floor, seq_limit, &h)) ++next;
      if (next < d.size()) {
        ++res.corrupt_records;
        logger::Warn("wal: skipped corrupt region", {{"path", path},
                                                     {"offset", static_cast<uint64_t>(pos)},
                                                     {"bytes", static_cast<uint64_t>(next - pos)}});
        pos = next;
        continue;
      }
      uint64_t bad = d.size() - pos;
      if (last_segment) {
        res.torn_tail_bytes += bad;
        kept_bytes = pos;
        logger::Warn("wal: truncating torn tail",
                     {{"path", path}, {"offset", static_cast<uint64_t>(pos)}, {"bytes", bad}});
        Status st = env->TruncateFile(path, pos);
        if (!st.ok()) {
          // The writer starts a new segment anyway, so the garbage can only cost a corrupt-
          // record warning at the next start; not a reason to refuse to open.
          logger::Warn("wal: could not truncate torn tail", {{"error", st.ToString()}});
          kept_bytes = d.size();
        }
      } else {
        ++res.corrupt_records;
        logger::Warn("wal: skipped corrupt end of segment",
                     {{"path", path}, {"offset", static_cast<uint64_t>(pos)}, {"bytes", bad}});
      }
      break;
    }
    res.segments.push_back({segments[si].first, kept_bytes});
  }
  return res;
}

}  // namespace vigia
