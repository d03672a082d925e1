// MemoryClusterLedgerStore: a ClusterLedgerStore in memory for tests (audit_mirror_test and
// the ClickHouse store's own tests compare against it): rows in sets, so identical rows are one
// row and different rows at one position are all kept, as in ClickHouse's tables of schema
// version 4. `fail` makes every call fail with Unavailable (a ClickHouse that is down); tests
// reach `records` and `checkpoints` to tamper with them.
//
// Thread-safety: thread-safe (one mutex).
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "audit/cluster_ledger_store.h"

namespace vigia::audit::testing {

class MemoryClusterLedgerStore final : public ClusterLedgerStore {
 public:
  // (key, tenant, seq, last_seq, bytes) and (key, tenant, seq, json), (key, node).
  using RecordRow = std::tuple<std::string, std::string, uint64_t, uint64_t, std::string>;
  using CheckpointRow_ = std::tuple<std::string, std::string, uint64_t, std::string>;

  Status PublishKey(std::string_view key, std::string_view node) override {
    std::lock_guard<std::mutex> lock(mu);
    if (fail) return Status::Unavailable("store down");
    keys.insert({std::string(key), std::string(node)});
    return Status::Ok();
  }
  Status AppendRecords(std::string_view key, const std::vector<MirroredRecord>& rs) override {
    std::lock_guard<std::mutex> lock(mu);
    if (fail) return Status::Unavailable("store down");
    ++appends;
    for (const MirroredRecord& r : rs) {
      records.insert({std::string(key), r.tenant, r.seq, r.last_seq, r.bytes});
    }
    return Status::Ok();
  }
  Status AppendCheckpoints(std::string_view key, const std::vector<CheckpointRow>& cs) override {
    std::lock_guard<std::mutex> lock(mu);
    if (fail) return Status::Unavailable("store down");
    for (const CheckpointRow& c : cs)
      checkpoints.insert({std::string(key), c.tenant, c.seq, c.json});
    return Status::Ok();
  }
  Result<std::map<std::string, MirroredHead>> Heads(std::string_view key) override {
    std::lock_guard<std::mutex> lock(mu);
    if (fail) return Status::Unavailable("store down");
    std::map<std::string, MirroredHead> out;
    for (const RecordRow& r : records) {
      if (std::get<0>(r) != key) continue;
      MirroredHead& h = out[std::get<1>(r)];
      h.last_seq = std::max(h.last_seq, std::get<3>(r));
    }
    for (const CheckpointRow_& c : checkpoints) {
      if (std::get<0>(c) != key) continue;
      MirroredHead& h = out[std::get<1>(c)];
      h.checkpoint_seq = std::max(h.checkpoint_seq, std::get<2>(c));
    }
    return out;
  }
  Result<std::vector<PublishedLog>> Logs() override {
    std::lock_guard<std::mutex> lock(mu);
    if (fail) return Status::Unavailable("store down");
    std::map<std::string, std::vector<std::string>> logs;
    for (const auto& [key, node] : keys) logs[key].push_back(node);
    for (const RecordRow& r : records) logs[std::get<0>(r)];
    for (const CheckpointRow_& c : checkpoints) logs[std::get<0>(c)];
    std::vector<PublishedLog> out;
    for (auto& [key, nodes] : logs) out.push_back({key, nodes});
    return out;
  }
  Result<std::vector<std::string>> Tenants(std::string_view key) override {
    std::lock_guard<std::mutex> lock(mu);
    if (fail) return Status::Unavailable("store down");
    std::set<std::string> t;
    for (const RecordRow& r : records) {
      if (std::get<0>(r) == key) t.insert(std::get<1>(r));
    }
    for (const CheckpointRow_& c : checkpoints) {
      if (std::get<0>(c) == key) t.insert(std::get<1>(c));
    }
    return std::vector<std::string>(t.begin(), t.end());
  }
  Result<std::string> ReadChain(std::string_view key, std::string_view tenant,
                                uint64_t max_bytes) override {
    std::lock_guard<std::mutex> lock(mu);
    if (fail) return Status::Unavailable("store down");
    std::set<std::pair<uint64_t, std::string>> rows;  // by (seq, bytes), as ClickHouse orders
    for (const RecordRow& r : records) {
      if (std::get<0>(r) == key && std::get<1>(r) == tenant)
        rows.insert({std::get<2>(r), std::get<4>(r)});
    }
    std::string out;
    for (const auto& [seq, bytes] : rows) {
      out += bytes;
      if (out.size() > max_bytes) return Status::ResourceExhausted("chain too long");
    }
    return out;
  }
  Result<std::vector<std::string>> ReadCheckpoints(std::string_view key,
                                                   std::string_view tenant) override {
    std::lock_guard<std::mutex> lock(mu);
    if (fail) return Status::Unavailable("store down");
    std::vector<std::string> out;
    for (const CheckpointRow_& c : checkpoints) {
      if (std::get<0>(c) == key && std::get<1>(c) == tenant) out.push_back(std::get<3>(c));
    }
    return out;
  }

  std::mutex mu;
  bool fail = false;
  uint64_t appends = 0;  // AppendRecords calls that succeeded
  std::set<std::pair<std::string, std::string>> keys;
  std::set<RecordRow> records;
  std::set<CheckpointRow_> checkpoints;
};

}  // namespace vigia::audit::testing
