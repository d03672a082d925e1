#include "audit/export_batch_lines.h"

#include <algorithm>

#include "audit/ledger_events.h"

namespace vigia::audit {

void BatchLines::Start(const LedgerRecord& rec, uint64_t line_no, std::vector<ChainBreak>* breaks) {
  Finish(breaks);
  record_seq_ = rec.seq;
  record_count_ = rec.count;
  line_no_ = line_no;
  next_ = 0;
  events_.clear();
  state_ = rec.version == 2 ? State::kExpecting : State::kNone;
  if (state_ == State::kNone) return;
  Status st = ForEachEvent(rec, [&](const LedgerEvent& ev) {
    events_.emplace_back(ev.payload);
    return true;
  });
  if (!st.ok()) {
    breaks->push_back({TamperKind::kEdited, rec.seq, line_no,
                       "line " + std::to_string(line_no) + ": " + std::string(st.message()),
                       rec.seq, rec.count});
    state_ = State::kBroken;
  }
}

void BatchLines::Event(uint64_t record, uint64_t index, std::string_view event, uint64_t line_no,
                       std::vector<ChainBreak>* breaks) {
  switch (state_) {
    case State::kBroken:
      return;  // this batch record's break is reported already
    case State::kNone:
      breaks->push_back({TamperKind::kEdited, record + index, line_no,
                         "line " + std::to_string(line_no) +
                             ": an event line that follows no batch record it belongs to",
                         record, 0});
      state_ = State::kBroken;
      return;
    case State::kExpecting:
      break;
  }
  if (record != record_seq_ || index != next_ || next_ >= events_.size() ||
      events_[next_] != event) {
    breaks->push_back({TamperKind::kEdited, record_seq_ + std::min<uint64_t>(next_, index), line_no,
                       "line " + std::to_string(line_no) + ": event line " +
                           std::to_string(record) + "/" + std::to_string(index) +
                           " disagrees with the hashed batch record " + std::to_string(record_seq_),
                       record_seq_, record_count_});
    state_ = State::kBroken;  // one break per batch record
    return;
  }
  ++next_;
}

void BatchLines::Finish(std::vector<ChainBreak>* breaks) {
  if (state_ == State::kExpecting && next_ < events_.size()) {
    breaks->push_back({TamperKind::kEdited, record_seq_ + next_, line_no_,
                       "line " + std::to_string(line_no_) + ": batch record " +
                           std::to_string(record_seq_) + " is followed by " +
                           std::to_string(next_) + " of its " + std::to_string(events_.size()) +
                           " event lines",
                       record_seq_, record_count_});
  }
  state_ = State::kNone;
  events_.clear();
}

}  // namespace vigia::audit
