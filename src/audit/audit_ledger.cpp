#include "audit/audit_ledger.h"

#include <algorithm>
#include <span>

#include "audit/audit_event.h"
#include "audit/audit_file_names.h"
#include "audit/ledger_reader.h"
#include "common/limits.h"
#include "common/logger.h"
#include "event/event_fields.h"
#include "store/wal/batch_codec.h"

namespace vigia::audit {
namespace {

// The last checkpoint's seq in checkpoints.ndjson (0 when none).
uint64_t LastCheckpointSeq(Env* env, const std::string& path) {
  if (!env->FileExists(path)) return 0;
  Result<std::string> text = env->ReadFileToString(path);
  if (!text.ok()) return 0;
  uint64_t seq = 0;
  size_t start = 0;
  while (start < text->size()) {
    size_t eol = text->find('\n', start);
    if (eol == std::string::npos) eol = text->size();
    Checkpoint c;
    if (ParseCheckpointJson(std::string_view(*text).substr(start, eol - start), &c)) seq = c.seq;
    start = eol + 1;
  }
  return seq;
}

// Appends `events` of `batch` to *out as v2 batch records chained from *head, the first at
// position `seq`: one record, or several when the encoding would pass
// limits::kMaxAuditRecordBytes (or kMaxBatchRecordEvents). *head gets the last one's hash.
// `audit` (optional): the batch's audit events already encoded (AppendAuditEvents), and
// `positions[k]`, the position of events[k] among them. A record of all of them is those
// bytes as they are; of some, cut from them (batch_codec::CutEvents: a memcpy per event);
// without them the events are encoded.
Status AppendBatchRecords(const EventBatch& batch, std::span<const EventBatch::EventRef> events,
                          std::span<const uint32_t> positions,
                          const batch_codec::EncodedEvents& audit, uint64_t seq, Hash* head,
                          std::string* out) {
  std::string cut;
  size_t i = 0;
  while (i < events.size()) {
    size_t n = std::min<size_t>(events.size() - i, kMaxBatchRecordEvents);
    for (;;) {
      std::string_view enc;
      if (audit.bytes.empty()) {
        enc = batch_codec::EncodeToScratch(batch, events.subspan(i, n));
      } else if (n == audit.event_offsets.size()) {
        enc = audit.bytes;  // every one of them: positions are 0..n-1
      } else {
        cut.clear();
        VIGIA_RETURN_IF_ERROR(batch_codec::CutEvents(audit, positions.subspan(i, n), &cut));
        enc = cut;
      }
      if (enc.size() <= limits::kMaxAuditRecordBytes) {
        size_t at = BeginBatchRecord(out);
        out->append(enc);
        *head = FinishBatchRecord(out, at, *head, seq, events[i].ts_ns, static_cast<uint32_t>(n));
        break;
      }
      if (n == 1) {
        return Status::InvalidArgument("an audit event's encoding is over " +
                                       std::to_string(limits::kMaxAuditRecordBytes) + " bytes");
      }
      n = (n + 1) / 2;
    }
    i += n;
    seq += n;
  }
  return Status::Ok();
}

}  // namespace

AuditLedger::AuditLedger(AuditLedgerOptions options, SigningKey key)
    : options_(std::move(options)),
      env_(options_.env ? options_.env : Env::Default()),
      key_(std::move(key)) {}

AuditLedger::~AuditLedger() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, chain] : chains_) {
    if (chain->file) (void)chain->file->Close();
  }
}

Result<std::unique_ptr<AuditLedger>> AuditLedger::Open(AuditLedgerOptions options) {
  Env* env = options.env ? options.env : Env::Default();
  VIGIA_RETURN_IF_ERROR(env->CreateDir(options.dir));
  VIGIA_ASSIGN_OR_RETURN(SigningKey key, SigningKey::LoadOrCreate(env, options.dir));
  std::unique_ptr<AuditLedger> ledger(new AuditLedger(std::move(options), std::move(key)));
  VIGIA_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(ledger->options_.dir));
  std::lock_guard<std::mutex> lock(ledger->mu_);
  for (const std::string& name : names) {
    std::optional<std::string> tenant = ParseTenantDirName(name);
    if (!tenant) continue;
    auto chain = std::make_unique<Chain>();
    VIGIA_RETURN_IF_ERROR(ledger->OpenChain(*tenant, chain.get()));
    ledger->chains_.emplace(*tenant, std::move(chain));
  }
  return ledger;
}

Status AuditLedger::OpenChain(const std::string& tenant, Chain* chain) {
  chain->tenant = tenant;
  chain->dir = options_.dir + "/" + TenantDirName(tenant);
  chain->head = GenesisHash(tenant);
  VIGIA_RETURN_IF_ERROR(env_->CreateDir(chain->dir));
  std::string path = chain->dir + "/" + std::string(kLedgerFile);
  if (env_->FileExists(path)) {
    // Find the head: the last record that decodes. The trailer of the file's last record
    // points at its start; when it does not decode (a torn tail) scan from the front.
    VIGIA_ASSIGN_OR_RETURN(uint64_t size, env_->GetFileSize(path));
    bool found = false;
    uint64_t good_end = 0;
    if (size >= kRecordOverheadBytes) {
      VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> f, env_->NewRandomAccessFile(path));
      char t[4];
      VIGIA_ASSIGN_OR_RETURN(size_t got, f->Read(size - 4, 4, t));
      uint32_t len = 0;
      for (int i = 3; i >= 0; --i) len = (len << 8) | static_cast<unsigned char>(t[i]);
      if (got == 4 && len >= kRecordOverheadBytes && len <= size &&
          len <= limits::kMaxAuditRecordBytes + kBatchRecordOverheadBytes) {
        std::string rec_bytes(len, '\0');
        VIGIA_ASSIGN_OR_RETURN(size_t n, f->Read(size - len, len, rec_bytes.data()));
        LedgerRecord rec;
        size_t rsize = 0;
        if (n == len && DecodeRecord(rec_bytes, &rec, &rsize) == DecodeOutcome::kOk &&
            rsize == len) {
          chain->seq = rec.last_seq();
          chain->head = rec.hash;
          good_end = size;
          found = true;
        }
      }
    }
    if (!found && size > 0) {
      VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<LedgerReader> r, LedgerReader::Open(env_, path));
      LedgerRecord rec;
      uint64_t offset = 0;
      for (;;) {
        VIGIA_ASSIGN_OR_RETURN(LedgerReader::Step step, r->Next(&rec, &offset));
        if (step == LedgerReader::Step::kRecord) {
          chain->seq = rec.last_seq();
          chain->head = rec.hash;
          continue;
        }
        if (step == LedgerReader::Step::kMalformed) {
          VIGIA_RETURN_IF_ERROR(r->Resync());
          continue;
        }
        good_end = offset;  // kEnd, or kIncomplete: a torn tail starts here
        break;
      }
      if (good_end < size) {
        logger::Warn("audit ledger: cutting a torn tail (an append that never returned)",
                     {{"file", path},
                      {"bytes", std::to_string(size - good_end)},
                      {"head_seq", std::to_string(chain->seq)}});
        VIGIA_RETURN_IF_ERROR(env_->TruncateFile(path, good_end));
      }
    }
  }
  VIGIA_ASSIGN_OR_RETURN(chain->file, env_->NewAppendableFile(path));
  VIGIA_RETURN_IF_ERROR(env_->SyncDir(chain->dir));
  chain->checkpointed_seq =
      LastCheckpointSeq(env_, chain->dir + "/" + std::string(kCheckpointsFile));
  return Status::Ok();
}

Result<AuditLedger::Chain*> AuditLedger::ChainFor(std::string_view tenant) {
  auto it = chains_.find(tenant);
  if (it != chains_.end()) return it->second.get();
  auto chain = std::make_unique<Chain>();
  VIGIA_RETURN_IF_ERROR(OpenChain(std::string(tenant), chain.get()));
  VIGIA_RETURN_IF_ERROR(env_->SyncDir(options_.dir));
  Chain* p = chain.get();
  chains_.emplace(std::string(tenant), std::move(chain));
  return p;
}

Status AuditLedger::Write(Chain* chain, const std::string& bytes, uint64_t records,
                          const Hash& head) {
  VIGIA_RETURN_IF_ERROR(EnsureOpen(chain));
  uint64_t before = chain->file->Size();
  Status st = chain->file->Append(bytes);
  if (st.ok() && options_.sync_each_append) st = chain->file->Sync();
  if (!st.ok()) {
    // Leave no partial record behind: cut back and reopen (the chain's head is unchanged);
    // when that fails too, the next use tries again.
    (void)chain->file->Close();
    chain->file.reset();
    chain->reopen_size = before;
    (void)EnsureOpen(chain);
    return st;
  }
  chain->seq += records;
  chain->head = head;
  chain->dirty = !options_.sync_each_append;
  appended_.fetch_add(records, std::memory_order_relaxed);
  return Status::Ok();
}

Status AuditLedger::EnsureOpen(Chain* chain) {
  if (chain->file) return Status::Ok();
  const std::string path = chain->dir + "/" + std::string(kLedgerFile);
  if (chain->reopen_size != Chain::kNoCut) {
    VIGIA_RETURN_IF_ERROR(env_->TruncateFile(path, chain->reopen_size));
  }
  VIGIA_ASSIGN_OR_RETURN(chain->file, env_->NewAppendableFile(path));
  chain->reopen_size = Chain::kNoCut;
  return Status::Ok();
}

Status AuditLedger::AppendAuditEvents(std::string_view tenant, const EventBatch& batch,
                                      SkipCounts* skip, const batch_codec::EncodedEvents& audit) {
  // Most batches hold no audit event: find out before taking the lock.
  bool any = false;
  for (const auto& e : batch.events()) {
    if (IsAuditEvent(batch, e)) {
      any = true;
      break;
    }
  }
  if (!any) return Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  // One buffer per tenant of the batch, written with one append each: the tenant's audit
  // events of the batch in v2 batch records (normally one).
  struct Pending {
    Chain* chain;
    std::vector<EventBatch::EventRef> events;
    std::vector<uint32_t> positions;  // of events[k] among the batch's audit events
    std::string bytes;
    uint64_t records = 0;  // events written (positions taken)
    Hash head;
  };
  std::vector<Pending> pending;
  SkipCounts skipped;  // applied to *skip once everything is written
  if (skip != nullptr) skipped = *skip;
  uint32_t position = 0;  // among the batch's audit events
  for (const auto& e : batch.events()) {
    if (!IsAuditEvent(batch, e)) continue;
    const uint32_t at = position++;
    std::string_view t = tenant.empty() ? StringField(batch, e, fields::kTenant) : tenant;
    if (!skipped.empty()) {
      auto it = skipped.find(t);
      if (it != skipped.end() && it->second > 0) {
        --it->second;
        continue;
      }
    }
    Pending* p = nullptr;
    for (Pending& q : pending) {
      if (q.chain->tenant == t) p = &q;
    }
    if (p == nullptr) {
      VIGIA_ASSIGN_OR_RETURN(Chain * chain, ChainFor(t));
      pending.push_back({chain, {}, {}, {}, 0, chain->head});
      p = &pending.back();
    }
    p->events.push_back(e);
    p->positions.push_back(at);
  }
  if (!audit.bytes.empty() && audit.event_offsets.size() != position) {
    return Status::Internal("audit ledger: bug: the encoded audit events are " +
                            std::to_string(audit.event_offsets.size()) + ", the batch holds " +
                            std::to_string(position));
  }
  for (Pending& p : pending) {
    VIGIA_RETURN_IF_ERROR(AppendBatchRecords(batch, p.events, p.positions, audit, p.chain->seq + 1,
                                             &p.head, &p.bytes));
    p.records = p.events.size();
  }
  for (Pending& p : pending) {
    Status st = Write(p.chain, p.bytes, p.records, p.head);
    if (!st.ok()) {
      // The tenants written before this one keep their records: a retry must pass over
      // them (every one of their audit events in this batch), so their skip grows by what
      // was written. The others' counts stay as they came.
      if (skip != nullptr) {
        for (const Pending& done : pending) {
          if (&done == &p) break;
          (*skip)[done.chain->tenant] += done.records;
        }
      }
      return st;
    }
  }
  if (skip != nullptr) {
    // Drop the spent counts, so an empty map means "nothing to skip".
    std::erase_if(skipped, [](const auto& kv) { return kv.second == 0; });
    *skip = std::move(skipped);
  }
  return Status::Ok();
}

Result<uint64_t> AuditLedger::AppendPayload(std::string_view tenant, int64_t ts_ns,
                                            std::string_view payload) {
  std::lock_guard<std::mutex> lock(mu_);
  VIGIA_ASSIGN_OR_RETURN(Chain * chain, ChainFor(tenant));
  std::string bytes;
  Hash head = AppendRecord(chain->head, chain->seq + 1, ts_ns, payload, &bytes);
  VIGIA_RETURN_IF_ERROR(Write(chain, bytes, 1, head));
  return chain->seq;
}

Status AuditLedger::Sync() {
  std::lock_guard<std::mutex> lock(mu_);
  Status first = Status::Ok();
  for (auto& [name, chain] : chains_) {
    if (!chain->dirty) continue;
    Status st = EnsureOpen(chain.get());
    if (st.ok()) st = chain->file->Sync();
    if (st.ok()) {
      chain->dirty = false;
    } else if (first.ok()) {
      first = st;
    }
  }
  return first;
}

Status AuditLedger::Checkpoint(int64_t now_ns) {
  VIGIA_RETURN_IF_ERROR(Sync());  // a checkpoint never names a record that is not durable
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, chain] : chains_) {
    if (chain->seq == chain->checkpointed_seq) continue;
    audit::Checkpoint c;
    c.tenant = chain->tenant;
    c.seq = chain->seq;
    c.hash = chain->head;
    c.ts_ns = now_ns;
    key_.Sign(&c);
    std::string path = chain->dir + "/" + std::string(kCheckpointsFile);
    VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, env_->NewAppendableFile(path));
    VIGIA_RETURN_IF_ERROR(f->Append(CheckpointJson(c) + "\n"));
    VIGIA_RETURN_IF_ERROR(f->Sync());
    VIGIA_RETURN_IF_ERROR(f->Close());
    chain->checkpointed_seq = chain->seq;
  }
  return Status::Ok();
}

std::vector<ChainHead> AuditLedger::Heads() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ChainHead> out;
  for (const auto& [name, chain] : chains_) {
    out.push_back({chain->tenant, chain->seq, chain->head, chain->checkpointed_seq});
  }
  return out;
}

}  // namespace vigia::audit
