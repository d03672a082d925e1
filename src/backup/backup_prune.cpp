#include "backup/backup_prune.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "common/time_units.h"

namespace vigia {
namespace {

int64_t DayOf(int64_t ns) { return ns >= 0 ? ns / kNanosPerDay : -((-ns - 1) / kNanosPerDay) - 1; }

// 1970-01-01 was a Thursday: shifting by 3 days makes weeks start on Monday.
int64_t WeekOf(int64_t ns) {
  const int64_t d = DayOf(ns) + 3;
  return d >= 0 ? d / 7 : -((-d - 1) / 7) - 1;
}

int64_t MonthOf(int64_t ns) {
  const time_t secs = static_cast<time_t>(ns / 1'000'000'000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  return int64_t{tm.tm_year} * 12 + tm.tm_mon;
}

}  // namespace

std::vector<std::string> BackupsToKeep(const std::vector<std::string>& ids,
                                       const std::vector<int64_t>& created_ns,
                                       const BackupRetention& policy, int64_t now_ns) {
  std::vector<size_t> order(ids.size());
  std::iota(order.begin(), order.end(), 0);
  // Newest first.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return created_ns[a] != created_ns[b] ? created_ns[a] > created_ns[b] : ids[a] > ids[b];
  });
  std::set<size_t> keep;
  if (!order.empty()) keep.insert(order.front());
  for (size_t i = 0; i < order.size() && static_cast<int>(i) < policy.keep_last; ++i) {
    keep.insert(order[i]);
  }
  auto by_bucket = [&](int limit, int64_t (*bucket)(int64_t)) {
    std::set<int64_t> seen;
    for (size_t i : order) {
      if (static_cast<int>(seen.size()) >= limit) break;
      if (seen.insert(bucket(created_ns[i])).second) keep.insert(i);
    }
  };
  by_bucket(policy.keep_daily, DayOf);
  by_bucket(policy.keep_weekly, WeekOf);
  by_bucket(policy.keep_monthly, MonthOf);
  if (policy.max_age_days > 0) {
    const int64_t cutoff = now_ns - int64_t{policy.max_age_days} * kNanosPerDay;
    for (size_t i : order) {
      if (created_ns[i] >= cutoff) keep.insert(i);
    }
  }
  std::vector<std::string> out;
  for (size_t i : keep) out.push_back(ids[i]);
  std::sort(out.begin(), out.end());
  return out;
}

Result<PruneResult> PruneBackups(BackupRepository* repo, const BackupRetention& policy,
                                 int64_t now_ns) {
  if (!policy.any()) {
    return Status::InvalidArgument(
        "prune needs a policy: keep-last, keep-daily, keep-weekly, keep-monthly or max-age-days");
  }
  VIGIA_ASSIGN_OR_RETURN(auto ids, repo->ListBackups());
  std::vector<BackupManifest> manifests;
  std::vector<int64_t> created;
  for (const std::string& id : ids) {
    VIGIA_ASSIGN_OR_RETURN(BackupManifest m, repo->ReadManifest(id));
    created.push_back(m.created_ns);
    manifests.push_back(std::move(m));
  }
  PruneResult r;
  r.kept = BackupsToKeep(ids, created, policy, now_ns);
  const std::set<std::string> kept(r.kept.begin(), r.kept.end());
  std::set<std::string> live_blobs;
  for (const BackupManifest& m : manifests) {
    if (kept.count(m.id)) {
      for (const BackupFileEntry& f : m.files) live_blobs.insert(f.blob);
    }
  }
  for (const std::string& id : ids) {
    if (kept.count(id)) continue;
    VIGIA_RETURN_IF_ERROR(repo->DeleteManifest(id));
    r.deleted.push_back(id);
  }
  VIGIA_ASSIGN_OR_RETURN(auto blobs, repo->ListBlobs());
  for (const std::string& b : blobs) {
    if (live_blobs.count(b)) continue;
    auto size = repo->BlobStoredBytes(b);
    VIGIA_RETURN_IF_ERROR(repo->DeleteBlob(b));
    ++r.blobs_deleted;
    if (size.ok()) r.blob_bytes_freed += *size;
  }
  return r;
}

}  // namespace vigia
