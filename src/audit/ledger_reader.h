// LedgerReader: reads a ledger.bin front to back, one record at a time, through a bounded
// window (it never holds the whole file), reporting where the bytes stop being records:
// a torn or truncated tail (kIncomplete) or bytes that do not decode (kMalformed), after
// which it can skip ahead to the next offset where a record decodes (Resync), so a verifier
// reports every break and not only the first.
//
// Thread-safety: externally synchronized (one reader per thread).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "audit/ledger_record.h"
#include "common/env.h"
#include "common/status.h"

namespace vigia::audit {

class LedgerReader {
 public:
  // REQUIRES: env outlives the reader.
  static Result<std::unique_ptr<LedgerReader>> Open(Env* env, const std::string& path);
  // Reads from an in-memory copy instead (exports, tests).
  explicit LedgerReader(std::string bytes);

  enum class Step { kRecord, kEnd, kIncomplete, kMalformed };
  // kRecord: *rec is valid (its payload until the next call) and *offset is its position.
  // kIncomplete / kMalformed: *offset is where the undecodable bytes start.
  Result<Step> Next(LedgerRecord* rec, uint64_t* offset);
  // After kMalformed: advances to the next offset holding a decodable record (or the end).
  Status Resync();
  // Continues at `offset` (a record's start, e.g. where an earlier reader of the same file
  // stopped): the next Next() decodes there.
  void SeekTo(uint64_t offset) { pos_ = offset; }

  uint64_t file_size() const { return size_; }

 private:
  LedgerReader() = default;
  Status Fill(size_t need);  // makes [pos_, pos_+need) resident when the file has it

  std::unique_ptr<RandomAccessFile> file_;
  uint64_t size_ = 0;
  std::string buf_;  // file bytes [buf_start_, buf_start_ + buf_.size())
  uint64_t buf_start_ = 0;
  uint64_t pos_ = 0;  // next record's offset
};

}  // namespace vigia::audit
