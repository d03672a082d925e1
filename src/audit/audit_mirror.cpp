#include "audit/audit_mirror.h"

#include <algorithm>

#include "audit/audit_file_names.h"
#include "audit/ledger_reader.h"

namespace vigia::audit {

AuditMirror::AuditMirror(AuditMirrorOptions options)
    : options_(std::move(options)), env_(options_.env != nullptr ? options_.env : Env::Default()) {}

AuditMirrorStats AuditMirror::stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

Status AuditMirror::RunOnce() {
  std::lock_guard<std::mutex> lock(run_mu_);
  Status st = Round();
  std::lock_guard<std::mutex> slock(stats_mu_);
  ++stats_.rounds;
  if (st.ok()) {
    stats_.error.clear();
  } else {
    ++stats_.failures;
    stats_.error = st.ToString();
    known_ = false;  // the next round asks the store where it is
    published_ = false;
  }
  return st;
}

Status AuditMirror::Round() {
  const std::string& key = public_key_hex();
  if (!published_) {
    VIGIA_RETURN_IF_ERROR(options_.store->PublishKey(key, options_.node));
    published_ = true;
  }
  if (!known_) {
    VIGIA_ASSIGN_OR_RETURN(auto heads, options_.store->Heads(key));
    for (auto& [tenant, t] : tenants_) {
      auto it = heads.find(tenant);
      t.head = it == heads.end() ? MirroredHead{} : it->second;
    }
    for (auto& [tenant, head] : heads) tenants_[tenant].head = head;
    known_ = true;
  }
  // Only what is durable: a record mirrored and then lost from the ledger by a power cut
  // would let the node chain other records at its positions.
  VIGIA_RETURN_IF_ERROR(options_.ledger->Sync());
  const std::string& dir = options_.ledger->dir();
  VIGIA_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(dir));
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    std::optional<std::string> tenant = ParseTenantDirName(name);
    if (!tenant) continue;
    VIGIA_RETURN_IF_ERROR(MirrorChain(*tenant, dir + "/" + name, &tenants_[*tenant]));
  }
  return Status::Ok();
}

Status AuditMirror::MirrorChain(const std::string& tenant, const std::string& dir, Tenant* t) {
  const std::string& key = public_key_hex();
  const std::string ledger = dir + "/" + std::string(kLedgerFile);
  if (env_->FileExists(ledger)) {
    VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<LedgerReader> reader, LedgerReader::Open(env_, ledger));
    // Continue at the last round's end when the record there is the one expected (a prune
    // rewrites the file: then from the start, passing over what the store has).
    bool resumed = false;
    if (t->offset > 0 && t->offset <= reader->file_size() &&
        t->offset_seq == t->head.last_seq + 1) {
      reader->SeekTo(t->offset);
      resumed = true;
    }
    std::vector<MirroredRecord> batch;
    size_t batch_bytes = 0;
    uint64_t batch_end = 0, batch_end_seq = 0, batch_last = 0;
    auto flush = [&]() -> Status {
      if (batch.empty()) return Status::Ok();
      VIGIA_RETURN_IF_ERROR(options_.store->AppendRecords(key, batch));
      {
        std::lock_guard<std::mutex> lock(stats_mu_);
        stats_.records += batch.size();
      }
      t->head.last_seq = batch_last;
      t->offset = batch_end;
      t->offset_seq = batch_end_seq;
      batch.clear();
      batch_bytes = 0;
      return Status::Ok();
    };
    for (bool first = true;; first = false) {
      LedgerRecord rec;
      uint64_t offset = 0;
      VIGIA_ASSIGN_OR_RETURN(LedgerReader::Step step, reader->Next(&rec, &offset));
      if (step == LedgerReader::Step::kRecord && first && resumed &&
          rec.seq != t->head.last_seq + 1) {
        // Not the record expected at the remembered offset: read the file from its start.
        reader->SeekTo(0);
        resumed = false;
        continue;
      }
      if (step == LedgerReader::Step::kMalformed && first && resumed) {
        reader->SeekTo(0);
        resumed = false;
        continue;
      }
      // The end, or an append in progress (only whole records are mirrored).
      if (step == LedgerReader::Step::kEnd || step == LedgerReader::Step::kIncomplete) break;
      if (step == LedgerReader::Step::kMalformed) {
        VIGIA_RETURN_IF_ERROR(flush());
        return Status::Corruption(ledger + ": bytes at offset " + std::to_string(offset) +
                                  " are not a record; mirrored up to position " +
                                  std::to_string(t->head.last_seq) + " (run vigia audit verify)");
      }
      const uint64_t end = offset +
                           (rec.version == 1 ? kRecordOverheadBytes : kBatchRecordOverheadBytes) +
                           rec.payload.size();
      if (rec.last_seq() <= t->head.last_seq) {
        if (batch.empty()) {
          t->offset = end;
          t->offset_seq = rec.last_seq() + 1;
        }
        continue;  // the store has it
      }
      MirroredRecord m;
      m.tenant = tenant;
      m.seq = rec.seq;
      m.last_seq = rec.last_seq();
      std::string bytes;
      AppendEncodedRecord(rec, &bytes);
      m.bytes = std::move(bytes);
      batch_bytes += m.bytes.size();
      batch_last = m.last_seq;
      batch_end = end;
      batch_end_seq = m.last_seq + 1;
      batch.push_back(std::move(m));
      if (batch_bytes >= options_.batch_bytes) VIGIA_RETURN_IF_ERROR(flush());
    }
    VIGIA_RETURN_IF_ERROR(flush());
  }

  // Checkpoints after the store's last one, up to what the store's records reach: the lines
  // appended since the last round (the file grows by a line a minute per chain, so it is not
  // read whole every second).
  const std::string cp_path = dir + "/" + std::string(kCheckpointsFile);
  std::vector<Checkpoint> cps;
  if (env_->FileExists(cp_path)) {
    VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> f, env_->NewRandomAccessFile(cp_path));
    const uint64_t size = f->Size();
    if (size < t->checkpoints_offset) t->checkpoints_offset = 0;  // rewritten by a prune
    if (size > t->checkpoints_offset) {
      std::string text(size - t->checkpoints_offset, '\0');
      VIGIA_ASSIGN_OR_RETURN(size_t got, f->Read(t->checkpoints_offset, text.size(), text.data()));
      text.resize(got);
      const size_t end = text.rfind('\n');  // only whole lines: one may be being written
      size_t start = 0;
      uint64_t consumed = 0;
      while (end != std::string::npos && start <= end) {
        const size_t eol = text.find('\n', start);
        Checkpoint c;
        if (ParseCheckpointJson(std::string_view(text).substr(start, eol - start), &c)) {
          if (c.seq > t->head.last_seq) break;  // its records are not in the store yet
          cps.push_back(std::move(c));
        }
        start = eol + 1;
        consumed = start;
      }
      t->checkpoints_offset += consumed;
    }
  }
  std::vector<ClusterLedgerStore::CheckpointRow> rows;
  uint64_t last = t->head.checkpoint_seq;
  for (const Checkpoint& c : cps) {
    if (c.seq <= t->head.checkpoint_seq) continue;
    rows.push_back({tenant, c.seq, CheckpointJson(c)});
    last = std::max(last, c.seq);
  }
  if (!rows.empty()) {
    Status st = options_.store->AppendCheckpoints(key, rows);
    if (!st.ok()) {
      t->checkpoints_offset = 0;  // read them again next round
      return st;
    }
    t->head.checkpoint_seq = last;
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.checkpoints += rows.size();
  }
  return Status::Ok();
}

}  // namespace vigia::audit
