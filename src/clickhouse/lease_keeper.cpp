#include "clickhouse/lease_keeper.h"

#include <algorithm>
#include <utility>

#include "common/logger.h"

namespace vigia::clickhouse {

LeaseKeeper::LeaseKeeper(LeaseOptions options) : options_(std::move(options)) {}

bool LeaseKeeper::HeldLocked(int64_t now_ns) const {
  return held_ && now_ns < status_.valid_until_ns;
}

bool LeaseKeeper::Held() const {
  std::lock_guard lock(mu_);
  return HeldLocked(options_.env->NowNanos());
}

LeaseStatus LeaseKeeper::status() const {
  std::lock_guard lock(mu_);
  LeaseStatus s = status_;
  s.held = HeldLocked(options_.env->NowNanos());
  if (!s.held && s.holder == options_.node_id) s.holder.clear();
  return s;
}

Status LeaseKeeper::Tick() {
  std::lock_guard lock(mu_);
  const int64_t now = options_.env->NowNanos();
  const std::string& me = options_.node_id;
  const bool was_held = HeldLocked(now);
  if (held_ && !was_held) {
    // The last heartbeat ran out before this round: the others may have taken over.
    held_ = false;
    ++status_.lost;
    logger::Warn("cluster lease lapsed",
                 {{"lease", options_.lease}, {"node", me}, {"error", status_.last_error}});
  }

  Result<std::vector<LeaseRow>> rows = options_.table->Read(options_.lease);
  if (!rows.ok()) {
    ++status_.renew_failures;
    status_.last_error = rows.status().ToString();
    return rows.status();
  }
  std::vector<std::string> live;
  std::string lowest_claimer;  // among the other live nodes
  bool lower_live = false;     // another live node has a lower id
  for (const LeaseRow& r : *rows) {
    if (r.node == me || r.expires_ns <= now) continue;
    live.push_back(r.node);
    if (r.node < me) lower_live = true;
    if (r.holder && (lowest_claimer.empty() || r.node < lowest_claimer)) lowest_claimer = r.node;
  }
  bool want;
  if (was_held) {
    want = lowest_claimer.empty() || lowest_claimer > me;
  } else {
    const bool warmed_up = first_heartbeat_ns_ >= 0 && now - first_heartbeat_ns_ >= options_.ttl_ns;
    want = lowest_claimer.empty() && !lower_live && warmed_up;
  }
  if (was_held && !want) {
    // Yield before writing: from here on this node does not evaluate.
    held_ = false;
    ++status_.lost;
    logger::Warn("cluster lease yielded",
                 {{"lease", options_.lease}, {"node", me}, {"to", lowest_claimer}});
  }

  LeaseRow row;
  row.node = me;
  row.heartbeat_ns = now;
  row.expires_ns = now + options_.ttl_ns;
  row.holder = want;
  Status written = options_.table->Write(options_.lease, row);
  live.push_back(me);
  std::sort(live.begin(), live.end());
  status_.live = std::move(live);
  if (!written.ok()) {
    ++status_.renew_failures;
    status_.last_error = written.ToString();
    // Not taken when the claim was not written; still held (until valid_until_ns) when only
    // this renewal failed.
    status_.holder = HeldLocked(now) ? me : lowest_claimer;
    return written;
  }
  status_.last_error.clear();
  if (first_heartbeat_ns_ < 0) first_heartbeat_ns_ = now;
  if (want) {
    if (!was_held) {
      ++status_.acquired;
      logger::Info("cluster lease acquired", {{"lease", options_.lease}, {"node", me}});
    }
    held_ = true;
    status_.valid_until_ns = row.expires_ns;
  }
  status_.holder = want ? me : lowest_claimer;
  return Status::Ok();
}

Status LeaseKeeper::Release() {
  std::lock_guard lock(mu_);
  const int64_t now = options_.env->NowNanos();
  if (!held_) return Status::Ok();
  held_ = false;
  ++status_.lost;
  status_.holder.clear();
  LeaseRow row;
  row.node = options_.node_id;
  row.heartbeat_ns = now;
  row.expires_ns = now;  // dead at once: the next node need not wait out the TTL
  row.holder = false;
  logger::Info("cluster lease released", {{"lease", options_.lease}, {"node", options_.node_id}});
  return options_.table->Write(options_.lease, row);
}

}  // namespace vigia::clickhouse
