// BatchLines: the check of an export's v2 batch records against their readable event
// lines or rows (audit_log.h NDJSON, export_csv.h CSV): each batch record (its hashed codec
// bytes) must be followed by one line per event, in order, holding exactly that event's
// canonical JSON — an edited, missing or extra event line is a break (edited), as an edited
// copy column is for v1 records.
//
// Thread-safety: externally synchronized (one per export being verified).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/ledger_record.h"
#include "audit/ledger_verifier.h"

namespace vigia::audit {

class BatchLines {
 public:
  // A new record (line `line_no`): the event lines of the previous one must all have come.
  void Start(const LedgerRecord& rec, uint64_t line_no, std::vector<ChainBreak>* breaks);
  // An event line: the next event of the current batch record.
  void Event(uint64_t record, uint64_t index, std::string_view event, uint64_t line_no,
             std::vector<ChainBreak>* breaks);
  // The end of the export (or a line that is no event line).
  void Finish(std::vector<ChainBreak>* breaks);

 private:
  enum class State {
    kNone,       // no batch record: an event line here is extra
    kExpecting,  // inside a batch record's event lines
    kBroken,     // this batch record's break is reported: its other lines are not checked
  };
  State state_ = State::kNone;
  uint64_t record_seq_ = 0;
  uint32_t record_count_ = 0;
  uint64_t line_no_ = 0;
  size_t next_ = 0;
  std::vector<std::string> events_;
};

}  // namespace vigia::audit
