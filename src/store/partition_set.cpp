#include "store/partition_set.h"

#include <algorithm>
#include <set>

#include "common/heap_tuning.h"
#include "common/logger.h"
#include "common/thread_priority.h"
#include "event/event_fields.h"
#include "store/format/file_names.h"
#include "store/format/merge.h"
#include "store/store_checkpoint.h"

namespace vigia {
namespace {

bool HandleLess(const std::shared_ptr<const PartHandle>& a,
                const std::shared_ptr<const PartHandle>& b) {
  if (!(a->partition == b->partition)) return a->partition < b->partition;
  return a->seq < b->seq;
}

}  // namespace

namespace {

// The event's tenant field (empty when absent or not a string): its partition's tenant.
std::string_view TenantOfEvent(const EventBatch& batch, const EventBatch::EventRef& event) {
  const Value* v = batch.Find(event, fields::kTenant);
  return v != nullptr && v->type == ValueType::kString ? v->s : std::string_view();
}

}  // namespace

PartitionKey PartitionKeyOfEvent(const EventBatch& batch, const EventBatch::EventRef& event) {
  return PartitionKeyOf(event.ts_ns, TenantOfEvent(batch, event));
}

PartitionSet::PartitionSet(PartitionSetOptions options)
    : opt_(std::move(options)),
      env_(opt_.env ? opt_.env : Env::Default()),
      priority_(opt_.priority ? opt_.priority : &QueryPriority::Global()),
      parts_dir_(file_names::PartsDir(opt_.data_dir)) {
  // broken_ is initialized after current_ (declaration order), so the first snapshot is
  // built here.
  auto empty = std::make_shared<PartSnapshot>();
  empty->broken = broken_;
  current_ = std::move(empty);
}

PartitionSet::~PartitionSet() { StopBackgroundMerges(); }

Result<std::unique_ptr<PartitionSet>> PartitionSet::Open(PartitionSetOptions options) {
  std::unique_ptr<PartitionSet> set(new PartitionSet(std::move(options)));
  VIGIA_RETURN_IF_ERROR(set->Load());
  return set;
}

std::string PartitionSet::PartitionDir(const PartitionKey& key) const {
  return JoinPath(parts_dir_, PartitionDirName(key));
}

Status PartitionSet::Load() {
  VIGIA_RETURN_IF_ERROR(env_->CreateDir(parts_dir_));
  VIGIA_ASSIGN_OR_RETURN(auto names, env_->ListDir(parts_dir_));
  std::vector<std::shared_ptr<const PartHandle>> parts;
  auto broken = std::make_shared<std::vector<BrokenPart>>();
  uint64_t max_seq = 0;
  for (const std::string& pname : names) {
    const std::string pdir = JoinPath(parts_dir_, pname);
    if (pname.ends_with(file_names::kDroppedPartitionSuffix)) {
      VIGIA_RETURN_IF_ERROR(env_->RemoveDirRecursive(pdir));  // retention interrupted
      continue;
    }
    auto key = ParsePartitionDirName(pname);
    if (!key) continue;  // not ours: leave it alone
    VIGIA_ASSIGN_OR_RETURN(auto entries, env_->ListDir(pdir));
    std::vector<std::shared_ptr<PartHandle>> here;
    for (const std::string& name : entries) {
      const std::string dir = JoinPath(pdir, name);
      if (name.starts_with(file_names::kPartTmpDirPrefix)) {
        VIGIA_RETURN_IF_ERROR(env_->RemoveDirRecursive(dir));  // unfinished write or merge
        continue;
      }
      auto seq = file_names::ParsePartDirName(name);
      if (!seq) continue;
      max_seq = std::max(max_seq, *seq);
      auto reader = PartReader::Open(env_, dir, degraded_);
      if (!reader.ok()) {
        // Not served; reported (health, store check). Its rows are unreadable either way.
        stats_.corrupt_parts.push_back(reader.status().ToString());
        degraded_->Add(dir, reader.status().ToString());
        broken->push_back({*key, dir, reader.status()});
        continue;
      }
      auto h = std::make_shared<PartHandle>();
      h->partition = *key;
      h->name = name;
      h->seq = *seq;
      h->reader = std::move(*reader);
      here.push_back(std::move(h));
    }
    // A merge output that made it to disk supersedes its inputs (the merge may have crashed
    // before deleting them).
    std::set<std::string> replaced;
    for (const auto& h : here) {
      for (const auto& r : h->reader->meta().replaces) replaced.insert(r);
    }
    for (auto& h : here) {
      if (replaced.count(h->name)) {
        const std::string dir = h->reader->dir();
        h.reset();
        VIGIA_RETURN_IF_ERROR(env_->RemoveDirRecursive(dir));
      } else {
        parts.push_back(std::move(h));
      }
    }
  }
  next_seq_ = max_seq + 1;
  std::sort(parts.begin(), parts.end(), HandleLess);
  std::lock_guard<std::mutex> l(mu_);
  broken_ = std::move(broken);
  PublishLocked(std::move(parts));
  return Status::Ok();
}

void PartitionSet::PublishLocked(std::vector<std::shared_ptr<const PartHandle>> parts) {
  auto snap = std::make_shared<PartSnapshot>();
  snap->parts = std::move(parts);
  snap->broken = broken_;
  current_ = std::move(snap);
  parts_cv_.notify_all();  // a flush waiting for merges (WaitForMerges) looks again
}

Result<uint64_t> PartitionSet::LinkPartsInto(const std::string& dest_parts_dir,
                                             std::vector<std::string>* files) {
  // Same order as MergeOnce then DropPartitions take them.
  std::scoped_lock merge_lock(lane_mu_[0], lane_mu_[1]);
  std::lock_guard<std::mutex> dir_lock(dir_mu_);
  std::shared_ptr<const PartSnapshot> snap = Snapshot();
  uint64_t bytes = 0;
  for (const auto& p : snap->parts) {
    const std::string rel = JoinPath(PartitionDirName(p->partition), p->name);
    const std::string dest = JoinPath(dest_parts_dir, rel);
    VIGIA_RETURN_IF_ERROR(env_->CreateDir(dest));
    for (std::string_view f :
         {file_names::kPartDataFile, file_names::kPartBloomFile, file_names::kPartMetaFile}) {
      const std::string from = JoinPath(p->reader->dir(), f);
      VIGIA_RETURN_IF_ERROR(LinkOrCopyFile(env_, from, JoinPath(dest, f)));
      VIGIA_ASSIGN_OR_RETURN(uint64_t size, env_->GetFileSize(from));
      bytes += size;
      files->push_back(JoinPath(rel, f));
    }
  }
  return bytes;
}

std::shared_ptr<const PartSnapshot> PartitionSet::Snapshot() const {
  std::lock_guard<std::mutex> l(mu_);
  return current_;
}

Status PartitionSet::AddEvents(std::span<const EventBatch* const> batches, uint64_t wal_seq,
                               uint64_t* bytes_written) {
  std::map<PartitionKey, std::vector<RowRef>> groups;
  size_t rows = 0;
  for (const EventBatch* b : batches) rows += b->size();
  // Consecutive events mostly share a day and a tenant: the previous event's group is
  // reused without building a key and searching the map. The first group gets room for
  // every row (a flush is mostly one partition; growing its vector by doubling re-copied
  // and page-faulted it).
  std::vector<RowRef>* group = nullptr;
  int32_t group_day = 0;
  std::string_view group_tenant;
  size_t seen = 0;
  for (const EventBatch* b : batches) {
    for (uint32_t i = 0; i < b->size(); ++i, ++seen) {
      const auto& e = b->events()[i];
      const std::string_view tenant = TenantOfEvent(*b, e);
      const int32_t day = DayOf(e.ts_ns);
      if (group == nullptr || day != group_day || tenant != group_tenant) {
        group = &groups[PartitionKey{day, std::string(tenant)}];
        if (group->empty()) group->reserve(groups.size() == 1 ? rows - seen : 0);
        group_day = day;
        group_tenant = tenant;
      }
      group->push_back({b, i});
    }
  }
  if (groups.empty()) return Status::InvalidArgument("AddEvents: no events");
  if (opt_.parts_to_delay_flush > 0 && merging_.load()) {
    std::vector<PartitionKey> keys;
    for (const auto& [key, unused] : groups) keys.push_back(key);
    WaitForMerges(keys);
  }
  std::lock_guard<std::mutex> dir_lock(dir_mu_);
  std::vector<std::shared_ptr<const PartHandle>> added;
  // Parts of this call already renamed into place: all of them are published, or none stays
  // on disk. A flush that fails half-way (a full disk) is retried with the same events; a
  // part left behind would hold them twice after the next open.
  std::vector<std::string> committed;
  // Memory waits on this flush (the memtable drains only when it ends): its pauses for
  // queries are bounded in all, not per block.
  BackgroundYield yield(priority_, std::chrono::milliseconds(limits::kFlushQueryYieldBudgetMs));
  Status st = [&]() -> Status {
    for (auto& [key, rows] : groups) {
      const std::string pdir = PartitionDir(key);
      VIGIA_RETURN_IF_ERROR(env_->CreateDir(pdir));
      const uint64_t seq = next_seq_.fetch_add(1);
      const std::string final_dir = JoinPath(pdir, file_names::PartDirName(seq));
      PartWriterOptions wo;
      wo.env = env_;
      wo.block_rows = opt_.block_rows;
      wo.wal_seq = wal_seq;
      wo.yield_point = [&yield] { yield.Yield(); };
      wo.encode_threads = opt_.flush_encode_threads;
      Result<PartMeta> written = WritePartFromRows(
          std::move(rows), JoinPath(pdir, file_names::PartDirName(seq, true)), final_dir, wo);
      if (env_->FileExists(final_dir)) committed.push_back(final_dir);
      VIGIA_RETURN_IF_ERROR(written.status());
      auto h = std::make_shared<PartHandle>();
      h->partition = key;
      h->name = file_names::PartDirName(seq);
      h->seq = seq;
      VIGIA_ASSIGN_OR_RETURN(h->reader, PartReader::Open(env_, final_dir, degraded_));
      if (bytes_written) *bytes_written += h->reader->disk_bytes();
      // Before it is published: the first query to read it finds its columns decoded.
      if (opt_.fresh_data) opt_.fresh_data->PartWritten(*h->reader);
      added.push_back(std::move(h));
    }
    return Status::Ok();
  }();
  if (!st.ok()) {
    added.clear();
    for (const std::string& dir : committed) {
      Status rm = env_->RemoveDirRecursive(dir);
      if (!rm.ok()) {
        // Left on disk, the part would be loaded beside the retried flush's part at the next
        // open: the operator must delete it before restarting (docs/operations.md).
        logger::Error("store: could not remove the part of a failed flush",
                      {{"part", dir}, {"error", rm.ToString()}});
      }
    }
    return st;
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    auto parts = current_->parts;
    parts.insert(parts.end(), added.begin(), added.end());
    std::sort(parts.begin(), parts.end(), HandleLess);
    stats_.parts_written += added.size();
    PublishLocked(std::move(parts));
  }
  {
    std::lock_guard<std::mutex> l(bg_mu_);
    bg_kick_.fill(true);
  }
  bg_cv_.notify_all();
  return Status::Ok();
}

bool PartitionSet::MergeCandidate(const PartHandle& p) const {
  return p.reader->meta().rows < opt_.max_merged_part_rows && !p.reader->corrupt();
}

std::vector<size_t> PartitionSet::SelectInputs(std::span<const uint64_t> rows) const {
  return SelectMergeInputs(rows, opt_.merge_min_parts, opt_.max_parts_per_merge);
}

bool PartitionSet::MergesBehindLocked(const PartitionKey& key) const {
  std::vector<uint64_t> rows;
  for (const auto& p : current_->parts) {
    if (p->partition == key && MergeCandidate(*p)) rows.push_back(p->reader->meta().rows);
  }
  return rows.size() >= opt_.parts_to_delay_flush && !SelectInputs(rows).empty();
}

void PartitionSet::WaitForMerges(const std::vector<PartitionKey>& keys) {
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::milliseconds(opt_.flush_merge_wait_max_ms);
  auto behind = [&] {  // mu_ held
    if (!merging_.load()) return false;
    for (const PartitionKey& k : keys) {
      if (MergesBehindLocked(k)) return true;
    }
    return false;
  };
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!behind()) return;
  }
  {
    std::lock_guard<std::mutex> bg(bg_mu_);  // the merge threads may be between kicks
    bg_kick_.fill(true);
  }
  bg_cv_.notify_all();
  std::unique_lock<std::mutex> l(mu_);
  parts_cv_.wait_until(l, deadline, [&] { return !behind(); });
  ++stats_.flush_merge_waits;
  stats_.flush_merge_wait_ms +=
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - start)
                                .count());
}

uint64_t PartitionSet::CoveredWalSeq(const PartitionKey& key) const {
  auto snap = Snapshot();
  uint64_t m = 0;
  for (const auto& p : snap->parts) {
    if (p->partition == key) m = std::max(m, p->reader->meta().wal_seq);
  }
  return m;
}

size_t PartitionSet::LaneIndex(MergeLane lane) {
  switch (lane) {
    case MergeLane::kAny:
      return 0;
    case MergeLane::kSmall:
      return 1;
  }
  return 0;
}

Result<bool> PartitionSet::MergeOnce(MergeLane lane) {
  std::lock_guard<std::mutex> merge_lock(lane_mu_[LaneIndex(lane)]);
  const uint64_t max_rows = lane == MergeLane::kSmall ? opt_.small_merge_max_rows : UINT64_MAX;
  // Chosen and reserved under mu_, so the other lane never takes the same parts.
  std::vector<std::shared_ptr<const PartHandle>> inputs;
  uint64_t input_bytes = 0;
  uint64_t others_bytes = 0;  // the inputs of the merge running on the other lane
  {
    std::lock_guard<std::mutex> l(mu_);
    std::map<PartitionKey, std::vector<std::shared_ptr<const PartHandle>>> by_partition;
    for (const auto& p : current_->parts) {
      if (MergeCandidate(*p) && merge_inputs_.count(p.get()) == 0) {
        by_partition[p->partition].push_back(p);
      }
    }
    // Size tiers (merge.h SelectMergeInputs); the partition with the fullest tier goes first.
    for (const auto& [key, v] : by_partition) {
      std::vector<uint64_t> rows;
      for (const auto& p : v) rows.push_back(p->reader->meta().rows);
      std::vector<size_t> pick = SelectInputs(rows);
      if (pick.size() <= inputs.size()) continue;
      uint64_t pick_rows = 0;
      for (size_t i : pick) pick_rows += rows[i];
      if (pick_rows > max_rows) continue;
      inputs.clear();
      for (size_t i : pick) inputs.push_back(v[i]);
    }
    for (const auto& in : inputs) {
      merge_inputs_.insert(in.get());
      input_bytes += in->reader->disk_bytes();
    }
    others_bytes = merge_input_bytes_;
    merge_input_bytes_ += input_bytes;
  }
  if (inputs.empty()) return false;
  // Whatever the outcome, the inputs are no longer being merged after this call.
  struct Release {
    PartitionSet* set;
    const std::vector<std::shared_ptr<const PartHandle>>& inputs;
    uint64_t bytes;
    ~Release() {
      std::lock_guard<std::mutex> l(set->mu_);
      for (const auto& in : inputs) set->merge_inputs_.erase(in.get());
      set->merge_input_bytes_ -= bytes;
    }
  } release{this, inputs, input_bytes};
  std::sort(inputs.begin(), inputs.end(), HandleLess);

  // Room for the output first (limits::kMergeDiskSpaceFactor): a merge that fills the disk
  // fails after taking the space ingest and flushes need, and would be retried every tick.
  // The merge running on the other lane counts as not written yet (as ClickHouse keeps a
  // merge's reservation until it ends): two merges starting together never both count on
  // the same free bytes.
  Result<DiskSpace> space = env_->GetDiskSpace(opt_.data_dir);
  if (space.ok() &&
      static_cast<double>(space->free_bytes) <
          static_cast<double>(input_bytes + others_bytes) * limits::kMergeDiskSpaceFactor) {
    std::lock_guard<std::mutex> l(mu_);
    ++stats_.merges_skipped_no_space;
    return false;
  }

  const PartitionKey key = inputs[0]->partition;
  const std::string pdir = PartitionDir(key);
  const uint64_t seq = next_seq_.fetch_add(1);
  const std::string final_dir = JoinPath(pdir, file_names::PartDirName(seq));
  PartWriterOptions wo;
  wo.env = env_;
  wo.block_rows = opt_.block_rows;
  std::vector<std::shared_ptr<PartReader>> readers;
  for (const auto& in : inputs) {
    readers.push_back(in->reader);
    wo.replaces.push_back(in->name);
  }
  BackgroundYield yield(priority_, std::chrono::milliseconds(limits::kMergeQueryYieldBudgetMs));
  wo.yield_point = [&yield] { yield.Yield(); };
  MergeStats ms;
  merges_running_.fetch_add(1);
  Status merged =
      MergeParts(readers, JoinPath(pdir, file_names::PartDirName(seq, true)), final_dir, wo, &ms)
          .status();
  merges_running_.fetch_sub(1);
  if (!merged.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    ++stats_.merges_failed;
    return merged;
  }
  auto h = std::make_shared<PartHandle>();
  h->partition = key;
  h->name = file_names::PartDirName(seq);
  h->seq = seq;
  VIGIA_ASSIGN_OR_RETURN(h->reader, PartReader::Open(env_, final_dir, degraded_));
  // Before it is published (the inputs serve the queries meanwhile).
  if (opt_.fresh_data) opt_.fresh_data->PartWritten(*h->reader);

  bool still_there = true;
  {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<std::shared_ptr<const PartHandle>> parts;
    size_t found = 0;
    for (const auto& p : current_->parts) {
      bool is_input = false;
      for (const auto& in : inputs) is_input = is_input || in.get() == p.get();
      if (is_input) {
        ++found;
      } else {
        parts.push_back(p);
      }
    }
    if (found != inputs.size()) {
      still_there = false;  // retention dropped the partition meanwhile
    } else {
      parts.push_back(h);
      std::sort(parts.begin(), parts.end(), HandleLess);
      ++stats_.merges;
      ++stats_.merges_by_partition[PartitionDirName(key)];
      stats_.merged_rows += ms.rows;
      PublishLocked(std::move(parts));
    }
  }
  if (!still_there) {
    h.reset();
    if (opt_.fresh_data) opt_.fresh_data->PartRetired(final_dir);
    VIGIA_RETURN_IF_ERROR(env_->RemoveDirRecursive(final_dir));
    return false;
  }
  // Open snapshots keep reading the inputs through their open files.
  for (const auto& in : inputs) {
    if (opt_.fresh_data) opt_.fresh_data->PartRetired(in->reader->dir());
    VIGIA_RETURN_IF_ERROR(env_->RemoveDirRecursive(in->reader->dir()));
  }
  return true;
}

Result<PartitionSet::RowDeletionStats> PartitionSet::DeleteRows(
    const std::function<bool(const PartitionKey&)>& in_scope, const RowPredicate& doomed,
    const std::set<std::string>* skip) {
  std::scoped_lock merge_lock(lane_mu_[0], lane_mu_[1]);
  RowDeletionStats out;
  auto snap = Snapshot();
  for (const auto& p : snap->parts) {
    if (!in_scope(p->partition)) continue;
    if (skip != nullptr && skip->count(p->reader->dir()) != 0) continue;
    ++out.parts_scanned;
    VIGIA_ASSIGN_OR_RETURN(uint64_t n, CountRows(*p->reader, doomed));
    if (n == 0) {
      out.clean_parts.push_back(p->reader->dir());
      continue;
    }
    const std::string pdir = PartitionDir(p->partition);
    std::shared_ptr<PartHandle> h;
    std::string final_dir;
    if (n < p->reader->meta().rows) {
      const uint64_t seq = next_seq_.fetch_add(1);
      final_dir = JoinPath(pdir, file_names::PartDirName(seq));
      PartWriterOptions wo;
      wo.env = env_;
      wo.block_rows = opt_.block_rows;
      wo.replaces.push_back(p->name);
      VIGIA_RETURN_IF_ERROR(RewritePartWithout(*p->reader, doomed,
                                               JoinPath(pdir, file_names::PartDirName(seq, true)),
                                               final_dir, wo)
                                .status());
      h = std::make_shared<PartHandle>();
      h->partition = p->partition;
      h->name = file_names::PartDirName(seq);
      h->seq = seq;
      VIGIA_ASSIGN_OR_RETURN(h->reader, PartReader::Open(env_, final_dir, degraded_));
    }
    bool still_there = false;
    {
      std::lock_guard<std::mutex> l(mu_);
      std::vector<std::shared_ptr<const PartHandle>> parts;
      for (const auto& q : current_->parts) {
        if (q.get() == p.get()) {
          still_there = true;
        } else {
          parts.push_back(q);
        }
      }
      if (still_there) {
        if (h) parts.push_back(h);
        std::sort(parts.begin(), parts.end(), HandleLess);
        PublishLocked(std::move(parts));
      }
    }
    if (!still_there) {  // retention dropped the partition meanwhile: nothing to keep
      if (h) {
        h.reset();
        VIGIA_RETURN_IF_ERROR(env_->RemoveDirRecursive(final_dir));
      }
      continue;
    }
    // The old part goes by a rename to a tmp- name first (atomic; Open deletes tmp-
    // directories), so a crash mid-delete never leaves half a part that would be loaded.
    const std::string doomed_dir = JoinPath(pdir, file_names::PartDirName(p->seq, true));
    if (opt_.fresh_data) opt_.fresh_data->PartRetired(p->reader->dir());
    VIGIA_RETURN_IF_ERROR(env_->RenameFile(p->reader->dir(), doomed_dir));
    VIGIA_RETURN_IF_ERROR(env_->SyncDir(pdir));
    VIGIA_RETURN_IF_ERROR(env_->RemoveDirRecursive(doomed_dir));
    out.rows_deleted += n;
    if (h) {
      ++out.parts_rewritten;
      out.clean_parts.push_back(final_dir);
    } else {
      ++out.parts_removed;
    }
  }
  return out;
}

void PartitionSet::StartBackgroundMerges() {
  std::lock_guard<std::mutex> l(bg_mu_);
  if (!bg_.empty()) return;
  bg_stop_ = false;
  bg_.emplace_back([this] { MergeLoop(MergeLane::kAny); });
  if (opt_.small_merge_max_rows > 0) bg_.emplace_back([this] { MergeLoop(MergeLane::kSmall); });
  merging_.store(true);
}

void PartitionSet::StopBackgroundMerges() {
  {
    std::lock_guard<std::mutex> l(bg_mu_);
    bg_stop_ = true;
  }
  bg_cv_.notify_all();
  merging_.store(false);
  {
    std::lock_guard<std::mutex> l(mu_);
    parts_cv_.notify_all();  // a flush waiting for merges stops waiting
  }
  for (std::thread& t : bg_) t.join();
  bg_.clear();
}

void PartitionSet::MergeLoop(MergeLane lane) {
  SetThreadRole(ThreadRole::kMerge);
  const size_t me = LaneIndex(lane);
  for (;;) {
    {
      std::unique_lock<std::mutex> l(bg_mu_);
      bg_cv_.wait_for(l, std::chrono::seconds(1), [&] { return bg_stop_ || bg_kick_[me]; });
      if (bg_stop_) return;
      bg_kick_[me] = false;
    }
    for (;;) {
      auto merged = MergeOnce(lane);
      // A failed merge leaves the inputs in place; it is retried on the next kick.
      if (!merged.ok() || !*merged) break;
      ReleaseFreeHeap();  // the merge's decoded input blocks and output buffers
      std::lock_guard<std::mutex> l(bg_mu_);
      if (bg_stop_) return;
      // Its output may fill a tier the other lane merges.
      bg_kick_.fill(true);
      bg_cv_.notify_all();
    }
  }
}

Status PartitionSet::DropPartitions(const std::vector<PartitionKey>& keys) {
  if (keys.empty()) return Status::Ok();
  {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<std::shared_ptr<const PartHandle>> parts;
    for (const auto& p : current_->parts) {
      if (std::find(keys.begin(), keys.end(), p->partition) == keys.end()) {
        parts.push_back(p);
      } else if (opt_.fresh_data) {
        opt_.fresh_data->PartRetired(p->reader->dir());
      }
    }
    auto broken = std::make_shared<std::vector<BrokenPart>>();
    for (const BrokenPart& b : *broken_) {
      if (std::find(keys.begin(), keys.end(), b.partition) == keys.end()) broken->push_back(b);
    }
    broken_ = std::move(broken);
    PublishLocked(std::move(parts));
  }
  for (const PartitionKey& key : keys) {
    const std::string dir = PartitionDir(key);
    degraded_->RemoveUnder(dir);
    if (!env_->FileExists(dir)) continue;
    // Rename first: a crash mid-delete leaves a *.dropped directory, never half a partition.
    const std::string doomed = dir + std::string(file_names::kDroppedPartitionSuffix);
    {
      std::lock_guard<std::mutex> dir_lock(dir_mu_);
      VIGIA_RETURN_IF_ERROR(env_->RenameFile(dir, doomed));
    }
    VIGIA_RETURN_IF_ERROR(env_->SyncDir(parts_dir_));
    VIGIA_RETURN_IF_ERROR(env_->RemoveDirRecursive(doomed));
    std::lock_guard<std::mutex> l(mu_);
    ++stats_.partitions_dropped;
    stats_.merges_by_partition.erase(PartitionDirName(key));
  }
  return Status::Ok();
}

std::vector<PartitionUsage> PartitionSet::Partitions() const {
  auto snap = Snapshot();
  std::vector<PartitionUsage> out;
  for (const auto& p : snap->parts) {
    if (out.empty() || !(out.back().key == p->partition)) out.push_back({p->partition, 0});
    out.back().bytes += p->reader->disk_bytes();
  }
  return out;
}

Result<std::vector<PartitionKey>> PartitionSet::ApplyRetention(const RetentionPolicy& policy,
                                                               int64_t now_ns) {
  std::vector<PartitionUsage> usage = Partitions();
  // Partitions holding only broken parts expire like the others.
  // The snapshot is held: a merge may publish another while this loop reads it.
  const std::shared_ptr<const PartSnapshot> snap = Snapshot();
  for (const BrokenPart& b : *snap->broken) {
    bool listed = false;
    for (const PartitionUsage& u : usage) listed = listed || u.key == b.partition;
    if (!listed) usage.push_back({b.partition, 0});
  }
  std::vector<PartitionKey> drop = PlanRetention(std::move(usage), policy, now_ns);
  VIGIA_RETURN_IF_ERROR(DropPartitions(drop));
  return drop;
}

PartitionSetStats PartitionSet::Stats() const {
  std::lock_guard<std::mutex> l(mu_);
  PartitionSetStats s = stats_;
  s.merges_running = merges_running_.load();
  s.parts = current_->parts.size();
  s.partitions = 0;
  s.rows = 0;
  s.disk_bytes = 0;
  const PartitionKey* last = nullptr;
  for (const auto& p : current_->parts) {
    if (last == nullptr || !(*last == p->partition)) ++s.partitions;
    last = &p->partition;
    s.rows += p->reader->meta().rows;
    s.disk_bytes += p->reader->disk_bytes();
  }
  s.degraded_parts = degraded_->size();
  return s;
}

Status ScanSnapshot(const PartSnapshot& snapshot, const ScanSpec& spec,
                    const std::function<Status(ColumnBatch&)>& sink, ScanStats* stats) {
  VIGIA_RETURN_IF_ERROR(snapshot.CheckBroken(spec.min_ts, spec.max_ts));
  for (const auto& p : snapshot.parts) {
    const PartMeta& m = p->reader->meta();
    if (m.max_ts < spec.min_ts || m.min_ts >= spec.max_ts) {
      if (stats) {
        stats->blocks_total += m.blocks.size();
        stats->blocks_skipped_time += m.blocks.size();
      }
      continue;
    }
    VIGIA_RETURN_IF_ERROR(p->reader->Scan(spec, sink, stats));
  }
  return Status::Ok();
}

}  // namespace vigia
