// Integrity check of the columnar store (`vigia store check --data DIR`): opens every part of
// every partition and verifies every checksum — metadata, each column chunk (and that it
// decodes), each bloom filter — and returns a report. It only reads; nothing is repaired.
//
// Thread-safety: thread-safe (no shared state); safe to run while a server uses the
// directory, though parts merged away mid-check may then be reported missing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "store/format/part_reader.h"

namespace vigia {

struct PartCheckResult {
  std::string part;  // directory
  uint64_t rows = 0;
  uint64_t blocks = 0;
  uint64_t chunks = 0;
  uint64_t blooms = 0;
  uint64_t bytes = 0;  // bytes verified
  Status status;       // first problem found, OK when clean
};

struct StoreCheckReport {
  uint64_t partitions = 0;
  uint64_t parts = 0;
  uint64_t rows = 0;
  uint64_t chunks = 0;
  uint64_t bytes = 0;
  std::vector<PartCheckResult> results;  // one per part
  std::vector<std::string> notes;        // non-fatal findings (leftover temp dirs...)

  uint64_t corrupt_parts() const {
    uint64_t n = 0;
    for (const auto& r : results) n += !r.status.ok();
    return n;
  }
  bool ok() const { return corrupt_parts() == 0; }
  // Human-readable, one line per corrupt part plus a summary line.
  std::string ToText() const;
};

// Verifies every chunk and bloom checksum of an open part (and decodes every chunk). Fills
// `result` and returns its status.
Status VerifyPart(const PartReader& part, PartCheckResult* result);

// Checks every part under `data_dir` (file_names::PartsDir). Fails only when the directory
// cannot be listed; per-part problems go into the report.
Result<StoreCheckReport> CheckStore(Env* env, const std::string& data_dir);

}  // namespace vigia
