#include "clickhouse/clickhouse_silence_store.h"

#include <algorithm>
#include <utility>

namespace vigia::clickhouse {
namespace {

constexpr int64_t kDayNs = 86'400LL * 1'000'000'000;

}  // namespace

ClickHouseSilenceStore::ClickHouseSilenceStore(std::unique_ptr<VersionedRowTable> table, Env* env)
    : table_(std::move(table)), env_(env) {}

Result<std::vector<Silence>> ClickHouseSilenceStore::Load() {
  VIGIA_ASSIGN_OR_RETURN(std::vector<VersionedRow> rows, table_->Read());
  const int64_t now = env_->NowNanos();
  std::vector<Silence> out;
  for (const VersionedRow& r : rows) {
    version_ = std::max(version_, r.version);
    if (r.deleted) continue;
    Result<std::vector<Silence>> one = DecodeSilences(r.body);
    if (!one.ok() || one->size() != 1) continue;
    if (now - (*one)[0].ends_at_ns > kDayNs) continue;  // forgotten, as SilenceSet does
    out.push_back(std::move((*one)[0]));
  }
  // The order of creation, as a node's own set lists them.
  std::stable_sort(out.begin(), out.end(), [](const Silence& a, const Silence& b) {
    return a.created_at_ns < b.created_at_ns;
  });
  return out;
}

Status ClickHouseSilenceStore::Write(const std::vector<Silence>&, const Silence& changed) {
  const uint64_t version = std::max<uint64_t>(
      static_cast<uint64_t>(std::max<int64_t>(env_->NowNanos(), 0)), version_ + 1);
  VIGIA_RETURN_IF_ERROR(
      table_->Write({VersionedRow{changed.id, version, false, EncodeSilences({changed})}}));
  version_ = version;
  return Status::Ok();
}

}  // namespace vigia::clickhouse
