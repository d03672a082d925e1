// Helpers of the tests that run vigia nodes on a real ClickHouse (clickhouse_server_it,
// clickhouse_replicated_it): clients that stream NDJSON batches and record what was
// acknowledged, waiting for a node's outbox to drain, and the exactly-once check of the
// acknowledged events against what ClickHouse holds. Uses GoogleTest assertions.
//
// Thread-safety: Acked is shared by the streaming threads (its mutex); the rest is called
// from the test's main thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "it_util.h"
#include "support/clickhouse_process.h"
#include "support/server_process.h"

namespace vigia::testing {

struct Acked {
  std::mutex mu;
  std::set<std::string> uids;
  uint64_t batches = 0;
  uint64_t refused = 0;  // 503s
  bool retry_after_missing = false;
};

// Sends batches of `per_batch` events until `stop`; records the acknowledged ones. A
// connection error (vigia killed) or a 503 acknowledges nothing. Stream's events are request
// logs (it_util.h's EventLine, request_id "req-<uid>"); StreamLines makes each event's NDJSON
// line with `line` from its uid.
void Stream(uint16_t port, const std::string& tag, int per_batch, std::atomic<bool>* stop,
            Acked* acked);
void StreamLines(uint16_t port, const std::string& tag, int per_batch, std::atomic<bool>* stop,
                 Acked* acked, std::string (*line)(const std::string& uid));
uint64_t AckedBatches(Acked* a);
uint64_t Refused(Acked* a);

// Waits (bounded) until vigia's outbox is empty: every acknowledged event is in ClickHouse.
bool WaitDrained(uint16_t port);

// Every acknowledged event in `table` of the server at `url`, none twice (request_id is
// "req-<uid>").
void CheckExactlyOnce(const std::string& url, Acked* acked, const char* phase,
                      const std::string& table = "vigia.events");

// One vigia node on the ClickHouse cluster `cluster` through the server at `ch_url`.
ServerOptions NodeOptions(const TempDir& dir, const std::string& name, const std::string& ch_url,
                          const std::string& cluster);

// `request_id:* | stats count() as n, count_distinct(request_id) as d` asked through a vigia
// node (the test's events; not the nodes' own lease audit events, which have no request_id).
std::pair<uint64_t, uint64_t> CountThrough(uint16_t port);

// Polls `pred` every 100 ms for up to `ms`.
template <typename Pred>
bool Eventually(Pred pred, int ms) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}

// GET `path` of the vigia node on `port`: the body of a 200, else "".
std::string GetBody(uint16_t port, const std::string& path);

// Two running servers as the 2-shard cluster `cluster`, with the schema of
// `vigia clickhouse init --url s1 --url s2 --cluster <cluster>` (this build's version).
// GoogleTest assertions: call with ASSERT_NO_FATAL_FAILURE.
void StartShardedCluster(ClickHouseProcess* s1, ClickHouseProcess* s2, const std::string& cluster);

}  // namespace vigia::testing
