#include "clickhouse/clickhouse_alert_state_store.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace vigia::clickhouse {
namespace {

constexpr char kSep = '\x1f';

std::string InstanceKey(const AlertInstance& a) {
  return std::string("i") + kSep + a.group + kSep + a.rule + kSep + a.fingerprint;
}

std::string GroupKey(const NotifiedGroup& g) { return std::string("g") + kSep + g.key; }

// The snapshot's rows: key → body.
std::map<std::string, std::string> Rows(const AlertStateSnapshot& s) {
  std::map<std::string, std::string> out;
  for (const AlertInstance& a : s.instances) {
    AlertStateSnapshot one;
    one.instances.push_back(a);
    out[InstanceKey(a)] = EncodeAlertState(one);
  }
  for (const NotifiedGroup& g : s.groups) {
    AlertStateSnapshot one;
    one.groups.push_back(g);
    out[GroupKey(g)] = EncodeAlertState(one);
  }
  return out;
}

}  // namespace

ClickHouseAlertStateStore::ClickHouseAlertStateStore(std::unique_ptr<VersionedRowTable> table,
                                                     Env* env)
    : table_(std::move(table)), env_(env) {}

Result<AlertStateSnapshot> ClickHouseAlertStateStore::Load() {
  VIGIA_ASSIGN_OR_RETURN(std::vector<VersionedRow> rows, table_->Read());
  AlertStateSnapshot out;
  std::map<std::string, std::string> written;
  uint64_t version = version_;
  for (VersionedRow& r : rows) {
    version = std::max(version, r.version);
    if (r.deleted) continue;
    Result<AlertStateSnapshot> one = DecodeAlertState(r.body);
    if (!one.ok() || one->instances.size() + one->groups.size() != 1) {
      ++skipped_rows_;
      continue;
    }
    for (AlertInstance& a : one->instances) out.instances.push_back(std::move(a));
    for (NotifiedGroup& g : one->groups) out.groups.push_back(std::move(g));
    written[std::move(r.key)] = std::move(r.body);
  }
  written_ = std::move(written);
  version_ = version;
  return out;
}

Status ClickHouseAlertStateStore::Save(const AlertStateSnapshot& s) {
  std::map<std::string, std::string> now = Rows(s);
  const uint64_t version = std::max<uint64_t>(
      static_cast<uint64_t>(std::max<int64_t>(env_->NowNanos(), 0)), version_ + 1);
  std::vector<VersionedRow> rows;
  for (const auto& [key, body] : now) {
    auto it = written_.find(key);
    if (it != written_.end() && it->second == body) continue;
    rows.push_back(VersionedRow{key, version, false, body});
  }
  for (const auto& [key, body] : written_) {
    if (!now.count(key)) rows.push_back(VersionedRow{key, version, true, ""});
  }
  if (rows.empty()) return Status::Ok();
  // On a failure nothing is remembered as written: the next save writes the difference again.
  VIGIA_RETURN_IF_ERROR(table_->Write(rows));
  written_ = std::move(now);
  version_ = version;
  return Status::Ok();
}

}  // namespace vigia::clickhouse
