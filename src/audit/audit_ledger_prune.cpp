// AuditLedger::Prune: audit retention in whole checkpointed segments (audit_ledger.h).
#include <algorithm>

#include "audit/audit_file_names.h"
#include "audit/audit_ledger.h"
#include "audit/ledger_reader.h"
#include "audit/ledger_verifier.h"
#include "common/logger.h"

namespace vigia::audit {
namespace {

// Copies [from, to) of `src` to the end of `dst`, in bounded reads.
Status CopyRange(const RandomAccessFile& src, uint64_t from, uint64_t to, WritableFile* dst) {
  std::string buf;
  while (from < to) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(to - from, 4u << 20));
    buf.resize(n);
    VIGIA_ASSIGN_OR_RETURN(size_t got, src.Read(from, n, buf.data()));
    if (got == 0) return Status::Corruption("audit ledger shrank while it was pruned");
    VIGIA_RETURN_IF_ERROR(dst->Append(std::string_view(buf.data(), got)));
    from += got;
  }
  return Status::Ok();
}

// Writes `text` to path.tmp, fsyncs, renames over `path`.
Status ReplaceFile(Env* env, const std::string& path, std::string_view text) {
  std::string tmp = path + ".tmp";
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, env->NewWritableFile(tmp));
  VIGIA_RETURN_IF_ERROR(f->Append(text));
  VIGIA_RETURN_IF_ERROR(f->Sync());
  VIGIA_RETURN_IF_ERROR(f->Close());
  return env->RenameFile(tmp, path);
}

}  // namespace

Result<uint64_t> AuditLedger::Prune(int64_t cutoff_ns) {
  std::lock_guard<std::mutex> prune_lock(prune_mu_);  // one prune at a time
  std::vector<Chain*> chains;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [name, chain] : chains_) chains.push_back(chain.get());
  }
  uint64_t dropped = 0;
  for (Chain* chain : chains) {
    VIGIA_ASSIGN_OR_RETURN(uint64_t n, PruneChain(chain, cutoff_ns));
    dropped += n;
  }
  return dropped;
}

Result<uint64_t> AuditLedger::PruneChain(Chain* chain, int64_t cutoff_ns) {
  const std::string ledger_path = chain->dir + "/" + std::string(kLedgerFile);
  const std::string cp_path = chain->dir + "/" + std::string(kCheckpointsFile);
  uint64_t head_seq = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    head_seq = chain->seq;
  }
  // The anchor: the newest checkpoint signed before the cutoff that leaves at least one
  // record after it (the chain's head is found from its last record).
  uint64_t bad = 0;
  VIGIA_ASSIGN_OR_RETURN(std::vector<audit::Checkpoint> cps, ReadCheckpoints(env_, cp_path, &bad));
  const audit::Checkpoint* anchor = nullptr;
  for (const audit::Checkpoint& c : cps) {
    if (c.tenant != chain->tenant || c.ts_ns >= cutoff_ns || c.seq >= head_seq) continue;
    if (anchor == nullptr || c.seq > anchor->seq) anchor = &c;
  }
  if (anchor == nullptr) return uint64_t{0};

  // Where record anchor+1 starts (records before it go), checking that the anchor's hash is
  // the one the chain holds: a segment is dropped only when its checkpoint vouches for it.
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<LedgerReader> reader,
                         LedgerReader::Open(env_, ledger_path));
  LedgerRecord rec;
  uint64_t offset = 0, keep_from = 0, first_seq = 0;
  bool found = false;
  for (;;) {
    VIGIA_ASSIGN_OR_RETURN(LedgerReader::Step step, reader->Next(&rec, &offset));
    if (step != LedgerReader::Step::kRecord) break;
    if (first_seq == 0) first_seq = rec.seq;
    if (rec.seq == anchor->seq + 1) {
      found = rec.prev == anchor->hash;
      keep_from = offset;
      break;
    }
  }
  if (first_seq > anchor->seq) return uint64_t{0};  // already pruned up to here
  if (!found) {
    logger::Warn(
        "audit retention: not pruning a chain whose checkpoint does not match it "
        "(run vigia audit verify)",
        {{"tenant", chain->tenant}, {"checkpoint_seq", std::to_string(anchor->seq)}});
    return uint64_t{0};
  }

  // Checkpoints first (a crash between the two renames leaves records the kept checkpoints
  // still cover): the anchor and the later ones stay.
  std::string kept_cps;
  for (const audit::Checkpoint& c : cps) {
    if (c.seq >= anchor->seq) kept_cps += CheckpointJson(c) + "\n";
  }
  const uint64_t anchor_seq = anchor->seq;
  {
    std::lock_guard<std::mutex> lock(mu_);  // Checkpoint() appends under it
    VIGIA_RETURN_IF_ERROR(ReplaceFile(env_, cp_path, kept_cps));
  }

  // The kept records: most copied without the lock, the tail appended meanwhile under it.
  const std::string tmp = ledger_path + ".tmp";
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> out, env_->NewWritableFile(tmp));
  uint64_t copied_to = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    VIGIA_RETURN_IF_ERROR(EnsureOpen(chain));
    copied_to = chain->file->Size();  // whole records only: appends hold the lock
  }
  {
    VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> src,
                           env_->NewRandomAccessFile(ledger_path));
    VIGIA_RETURN_IF_ERROR(CopyRange(*src, keep_from, copied_to, out.get()));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    VIGIA_RETURN_IF_ERROR(EnsureOpen(chain));
    VIGIA_RETURN_IF_ERROR(chain->file->Sync());
    uint64_t end = chain->file->Size();
    VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> src,
                           env_->NewRandomAccessFile(ledger_path));
    VIGIA_RETURN_IF_ERROR(CopyRange(*src, copied_to, end, out.get()));
    VIGIA_RETURN_IF_ERROR(out->Sync());
    VIGIA_RETURN_IF_ERROR(out->Close());
    // From here the chain's file is reopened whatever happens: appends must go on.
    Status st = chain->file->Close();
    if (st.ok()) st = env_->RenameFile(tmp, ledger_path);
    if (st.ok()) st = env_->SyncDir(chain->dir);
    chain->file.reset();  // closed: reopened here, or by the next use (EnsureOpen)
    VIGIA_RETURN_IF_ERROR(EnsureOpen(chain));
    chain->dirty = false;
    VIGIA_RETURN_IF_ERROR(st);
  }
  uint64_t dropped = anchor_seq - first_seq + 1;
  logger::Info("audit retention: pruned a checkpointed segment",
               {{"tenant", chain->tenant},
                {"records", std::to_string(dropped)},
                {"first_kept_seq", std::to_string(anchor_seq + 1)}});
  return dropped;
}

}  // namespace vigia::audit
