// LeaseKeeper: one node's side of a heartbeat lease (docs/scale-out.md, "The rules lease") —
// at most one live node of a cluster holds lease "rules" and evaluates alert rules and runs
// probes; another takes over when the holder dies. The timing is that of Kubernetes' Lease
// leader election (the holder renews every renew interval; the others take over once its
// lease duration passed without a renewal), but ClickHouse has no compare-and-swap, so the
// holder is decided by a deterministic rule every node applies to the same heartbeat rows
// (LeaseTable):
//
//   Every renew interval a node reads the lease's rows, decides, then writes its own row
//   (heartbeat = now, expires = now + TTL, holder = the decision). A node is live while its
//   latest row's expires_ns is ahead of the reader's clock.
//   - The holder keeps the lease while it renews, unless another live node with a lower id
//     also claims it (two claimers after a partition healed): the higher id yields at once.
//   - A node that does not hold it takes it only when no other live node claims it, it is the
//     lowest id among the live nodes, and it has itself been heartbeating for one TTL (the
//     warm-up: by then every live node's heartbeat is visible to it, so a new node never
//     takes the lease from under a holder it has not seen yet).
//   - Held() is true only while the holder's last written heartbeat is still valid on its own
//     clock (heartbeat + TTL): a holder cut off from ClickHouse stops evaluating when the
//     others start seeing it dead — the overlap is the clock skew between the two nodes.
//   - Release() (graceful stop) writes a row that expires at once: the next lowest live node
//     takes over at its next renew instead of after the TTL.
//
// Bounds: a dead holder is replaced after TTL + up to one renew interval (+ skew); a node
// starting alone evaluates after one TTL (the warm-up).
//
// Thread-safety: thread-safe. Tick and Release serialize on a mutex (one scheduler task calls
// Tick); Held and status may be called from any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "clickhouse/lease_table.h"
#include "common/env.h"
#include "common/limits.h"
#include "common/status.h"

namespace vigia::clickhouse {

struct LeaseOptions {
  std::string lease = "rules";
  std::string node_id;  // REQUIRES: non-empty, unique in the cluster, stable across restarts
  int64_t ttl_ns = int64_t{limits::kClusterLeaseTtlMs} * 1'000'000;
  int64_t renew_ns = int64_t{limits::kClusterLeaseRenewMs} * 1'000'000;
  Env* env = nullptr;           // the wall clock (NowNanos); REQUIRES: non-null
  LeaseTable* table = nullptr;  // REQUIRES: non-null, outlives the keeper
};

struct LeaseStatus {
  bool held = false;
  std::string holder;             // the node this one believes holds it; "" when none
  std::vector<std::string> live;  // live nodes at the latest read, this one included
  int64_t valid_until_ns = 0;     // while held: when Held() turns false without a renewal
  uint64_t acquired = 0;          // times this node took the lease
  uint64_t lost = 0;              // times it gave it up (yielded, lapsed, released)
  uint64_t renew_failures = 0;    // rounds whose read or write failed
  std::string last_error;         // of the latest failed round; "" once one succeeded
};

class LeaseKeeper {
 public:
  explicit LeaseKeeper(LeaseOptions options);

  // One renew round: read, decide, write. An error (the table unreachable) leaves a held
  // lease valid until its last heartbeat's TTL runs out.
  Status Tick();
  // Gives the lease up (writes a row that expires now) when held; a no-op otherwise.
  Status Release();

  bool Held() const;
  LeaseStatus status() const;
  const LeaseOptions& options() const { return options_; }

 private:
  bool HeldLocked(int64_t now_ns) const;

  const LeaseOptions options_;
  mutable std::mutex mu_;
  int64_t first_heartbeat_ns_ = -1;  // of the first successful write (the warm-up's start)
  bool held_ = false;
  LeaseStatus status_;
};

}  // namespace vigia::clickhouse
