#include "audit/ledger_verifier.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "audit/audit_file_names.h"

namespace vigia::audit {
namespace {

// How far ahead a missing position is looked for before it is called deleted rather than
// reordered: swaps and short shuffles are what a hand edit produces.
constexpr size_t kReorderWindow = 16;

struct Entry {
  LedgerReader::Step step = LedgerReader::Step::kRecord;
  uint64_t offset = 0;
  uint64_t seq = 0;    // its first event's position
  uint64_t last = 0;   // its last event's position (v1: seq)
  uint32_t count = 1;  // events in it
  int64_t ts_ns = 0;
  Hash prev{}, hash{};
  bool self_ok = false;  // hash == ComputeHash(record)
};

// "record 7" (v1) or "batch record 7..9 (3 events)" (v2), for break details.
std::string RecordName(const Entry& e) {
  if (e.count == 1 && e.seq == e.last) return "record " + std::to_string(e.seq);
  return "batch record " + std::to_string(e.seq) + ".." + std::to_string(e.last) + " (" +
         std::to_string(e.count) + " events)";
}

class Walker {
 public:
  Walker(LedgerReader* reader, const VerifyOptions& options, TenantReport* report)
      : reader_(reader), options_(options), report_(report) {}

  // The next entry, keeping up to kReorderWindow records read ahead.
  Result<bool> Fill() {
    while (window_.size() <= kReorderWindow && !done_) {
      Entry e;
      LedgerRecord rec;
      VIGIA_ASSIGN_OR_RETURN(LedgerReader::Step step, reader_->Next(&rec, &e.offset));
      e.step = step;
      switch (step) {
        case LedgerReader::Step::kRecord:
          e.seq = rec.seq;
          e.last = rec.last_seq();
          e.count = rec.count;
          e.ts_ns = rec.ts_ns;
          e.prev = rec.prev;
          e.hash = rec.hash;
          e.self_ok = ComputeHash(rec) == rec.hash;
          break;
        case LedgerReader::Step::kMalformed:
          VIGIA_RETURN_IF_ERROR(reader_->Resync());
          break;
        case LedgerReader::Step::kEnd:
        case LedgerReader::Step::kIncomplete:
          done_ = true;
          break;
      }
      window_.push_back(e);
    }
    return !window_.empty();
  }

  std::deque<Entry>& window() { return window_; }

  void Report(TamperKind kind, uint64_t seq, uint64_t offset, int64_t ts_ns, bool has_ts,
              std::string detail, uint64_t record_seq = 0, uint32_t record_count = 0) {
    if (has_ts && (ts_ns < options_.from_ns || ts_ns > options_.to_ns)) return;
    report_->breaks.push_back({kind, seq, offset, std::move(detail), record_seq, record_count});
  }
  // A break of record `e` itself (its whole batch record, for v2).
  void ReportRecord(TamperKind kind, const Entry& e, std::string detail) {
    Report(kind, e.seq, e.offset, e.ts_ns, true, std::move(detail), e.seq, e.count);
  }

 private:
  LedgerReader* reader_;
  const VerifyOptions& options_;
  TenantReport* report_;
  std::deque<Entry> window_;
  bool done_ = false;
};

}  // namespace

std::string_view TamperKindName(TamperKind k) {
  switch (k) {
    case TamperKind::kEdited:
      return "edited";
    case TamperKind::kDeleted:
      return "deleted";
    case TamperKind::kInserted:
      return "inserted";
    case TamperKind::kReordered:
      return "reordered";
    case TamperKind::kTruncated:
      return "truncated";
    case TamperKind::kForged:
      return "forged";
    case TamperKind::kMalformed:
      return "malformed";
  }
  return "edited";
}

Result<TenantReport> VerifyChain(std::string_view tenant, LedgerReader* reader,
                                 const std::vector<Checkpoint>& checkpoints,
                                 const VerifyOptions& options) {
  TenantReport report;
  report.tenant = std::string(tenant);
  report.signatures_checked = !options.public_key_hex.empty();
  Walker w(reader, options, &report);

  // Checkpoints: signatures first, then the hash each one vouches for, by position.
  std::map<uint64_t, const Checkpoint*> sealed;
  for (const Checkpoint& c : checkpoints) {
    ++report.checkpoints;
    if (c.tenant != tenant) {
      w.Report(TamperKind::kForged, c.seq, 0, 0, false,
               "checkpoint of tenant \"" + c.tenant + "\" in this tenant's file");
      continue;
    }
    if (report.signatures_checked && !VerifyCheckpoint(c, options.public_key_hex)) {
      w.Report(TamperKind::kForged, c.seq, 0, 0, false,
               "checkpoint at seq " + std::to_string(c.seq) +
                   ": signature does not verify with the public key");
      continue;
    }
    sealed[c.seq] = &c;
    report.sealed_seq = std::max(report.sealed_seq, c.seq);
  }

  uint64_t expected = 1;  // the next event's position
  Hash prev = GenesisHash(tenant);
  Hash prev_prev = prev;
  uint64_t prev_offset = 0;
  uint64_t prev_seq = 0;  // the first position of the last record accepted
  Entry prev_entry;       // that record
  uint64_t last_good_checkpoint = 0;
  std::set<uint64_t> displaced;  // first positions of records a reorder moved further down
  bool torn = false;
  uint64_t torn_offset = 0;

  // Retention (AuditLedger::Prune) drops whole checkpointed segments: a chain may start
  // after record 1 when its first record links to the signed hash of a checkpoint at the
  // position just before it. Anything else missing at the front is a deletion.
  {
    VIGIA_ASSIGN_OR_RETURN(bool more, w.Fill());
    if (more && w.window().front().step == LedgerReader::Step::kRecord) {
      const Entry& first = w.window().front();
      auto anchor = first.seq > 1 ? sealed.find(first.seq - 1) : sealed.end();
      if (anchor != sealed.end() && anchor->second->hash == first.prev) {
        report.pruned_seq = first.seq - 1;
        expected = first.seq;
        prev = prev_prev = first.prev;
        last_good_checkpoint = first.seq - 1;
      }
    }
  }

  for (;;) {
    VIGIA_ASSIGN_OR_RETURN(bool more, w.Fill());
    if (!more) break;
    Entry e = w.window().front();
    w.window().pop_front();
    if (e.step == LedgerReader::Step::kEnd) break;
    if (e.step == LedgerReader::Step::kIncomplete) {
      torn = true;
      torn_offset = e.offset;
      break;
    }
    if (e.step == LedgerReader::Step::kMalformed) {
      w.Report(TamperKind::kMalformed, expected, e.offset, 0, false,
               "bytes at offset " + std::to_string(e.offset) + " are not a record");
      continue;
    }
    ++report.records;
    report.events += e.count;
    report.last_seq = e.last;

    if (displaced.erase(e.seq) > 0) continue;  // already reported as reordered

    if (e.seq == expected) {
      if (!e.self_ok) {
        w.ReportRecord(TamperKind::kEdited, e, RecordName(e) + ": content does not match its hash");
      } else if (e.prev != prev) {
        w.Report(TamperKind::kEdited, prev_seq == 0 ? e.seq - 1 : prev_seq, prev_offset, e.ts_ns,
                 true,
                 (prev_seq == 0 ? "record " + std::to_string(e.seq - 1) : RecordName(prev_entry)) +
                     " was re-hashed: " + RecordName(e) + " links to a different hash",
                 prev_seq, prev_seq == 0 ? 0 : prev_entry.count);
      }
      prev_prev = prev;
      prev = e.hash;
      prev_offset = e.offset;
      prev_seq = e.seq;
      prev_entry = e;
      expected = e.last + 1;
    } else if (e.seq > expected) {
      bool later = false;
      for (const Entry& a : w.window()) {
        if (a.step == LedgerReader::Step::kRecord && a.seq == expected) later = true;
      }
      if (later) {
        for (const Entry& a : w.window()) {
          if (a.step == LedgerReader::Step::kRecord && a.seq >= expected && a.seq < e.seq) {
            displaced.insert(a.seq);
          }
        }
        w.ReportRecord(TamperKind::kReordered, e,
                       RecordName(e) + " comes before " + (e.count == 1 ? "record " : "position ") +
                           std::to_string(expected));
      } else {
        w.Report(TamperKind::kDeleted, expected, e.offset, e.ts_ns, true,
                 e.seq - expected == 1 ? "record " + std::to_string(expected) + " is missing"
                                       : "records " + std::to_string(expected) + ".." +
                                             std::to_string(e.seq - 1) + " are missing");
      }
      prev_prev = prev;
      prev = e.hash;
      prev_offset = e.offset;
      prev_seq = e.seq;
      prev_entry = e;
      expected = e.last + 1;
    } else if (e.seq == prev_seq && e.self_ok && e.prev == prev_prev && e.hash != prev) {
      // The record before this one took this one's place and this one still links past
      // it: that record was inserted.
      w.Report(TamperKind::kInserted, e.seq, prev_offset, e.ts_ns, true,
               "a record inserted before offset " + std::to_string(e.offset) + " holds position " +
                   std::to_string(e.seq),
               e.seq, prev_entry.count);
      prev = e.hash;
      prev_offset = e.offset;
      prev_entry = e;
      expected = e.last + 1;
    } else {
      w.ReportRecord(TamperKind::kInserted, e,
                     RecordName(e) + " at offset " + std::to_string(e.offset) +
                         " repeats position " + std::to_string(e.seq) + " (expected " +
                         std::to_string(expected) + ")");
      continue;
    }

    auto cp = sealed.find(e.last);
    if (cp != sealed.end()) {
      if (cp->second->hash != e.hash) {
        w.Report(TamperKind::kEdited, last_good_checkpoint + 1, e.offset, e.ts_ns, false,
                 "the chain was rewritten between records " +
                     std::to_string(last_good_checkpoint + 1) + " and " + std::to_string(e.last) +
                     ": " + RecordName(e) + "'s hash differs from the signed checkpoint at " +
                     std::to_string(e.last));
      } else {
        last_good_checkpoint = e.last;
      }
    }
  }
  for (uint64_t seq : displaced) {
    w.Report(TamperKind::kDeleted, seq, 0, 0, false,
             "record " + std::to_string(seq) + " is missing");
  }
  if (torn && report.sealed_seq <= report.last_seq) {
    // No checkpoint vouches for the record being written: an append cut short by a crash.
    report.incomplete_tail_offset = torn_offset;
    report.incomplete_tail_bytes = reader->file_size() - torn_offset;
  } else if (torn) {
    w.Report(TamperKind::kTruncated, report.last_seq + 1, torn_offset, 0, false,
             "the file ends inside a record at offset " + std::to_string(torn_offset));
  }
  if (report.sealed_seq > report.last_seq) {
    w.Report(TamperKind::kTruncated, report.last_seq + 1, reader->file_size(), 0, false,
             "records " + std::to_string(report.last_seq + 1) + ".." +
                 std::to_string(report.sealed_seq) +
                 " are missing from the end (a signed checkpoint vouches for " +
                 std::to_string(report.sealed_seq) + ")");
  }
  return report;
}

Result<std::vector<Checkpoint>> ReadCheckpoints(Env* env, const std::string& path,
                                                uint64_t* bad_lines) {
  std::vector<Checkpoint> out;
  *bad_lines = 0;
  if (!env->FileExists(path)) return out;
  VIGIA_ASSIGN_OR_RETURN(std::string text, env->ReadFileToString(path));
  size_t start = 0;
  while (start < text.size()) {
    size_t eol = text.find('\n', start);
    if (eol == std::string::npos) eol = text.size();
    std::string_view line = std::string_view(text).substr(start, eol - start);
    Checkpoint c;
    if (ParseCheckpointJson(line, &c)) {
      out.push_back(std::move(c));
    } else if (!line.empty()) {
      ++*bad_lines;
    }
    start = eol + 1;
  }
  return out;
}

Result<std::vector<TenantReport>> VerifyLedgerDir(Env* env, const std::string& audit_dir,
                                                  VerifyOptions options) {
  if (options.public_key_hex.empty() &&
      env->FileExists(audit_dir + "/" + std::string(kPublicKeyFile))) {
    VIGIA_ASSIGN_OR_RETURN(options.public_key_hex, SigningKey::ReadPublicKey(env, audit_dir));
  }
  VIGIA_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(audit_dir));
  std::sort(names.begin(), names.end());
  std::vector<TenantReport> reports;
  for (const std::string& name : names) {
    std::optional<std::string> tenant = ParseTenantDirName(name);
    if (!tenant) continue;
    std::string dir = audit_dir + "/" + name;
    uint64_t bad = 0;
    VIGIA_ASSIGN_OR_RETURN(std::vector<Checkpoint> cps,
                           ReadCheckpoints(env, dir + "/" + std::string(kCheckpointsFile), &bad));
    std::string ledger = dir + "/" + std::string(kLedgerFile);
    std::unique_ptr<LedgerReader> reader;
    if (env->FileExists(ledger)) {
      VIGIA_ASSIGN_OR_RETURN(reader, LedgerReader::Open(env, ledger));
    } else {
      reader = std::make_unique<LedgerReader>(std::string());
    }
    VIGIA_ASSIGN_OR_RETURN(TenantReport r, VerifyChain(*tenant, reader.get(), cps, options));
    if (bad > 0) {
      r.breaks.push_back({TamperKind::kForged, 0, 0,
                          std::to_string(bad) + " line(s) of checkpoints.ndjson do not parse", 0,
                          0});
    }
    reports.push_back(std::move(r));
  }
  return reports;
}

}  // namespace vigia::audit
