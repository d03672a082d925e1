#include "store/store_usage.h"

#include <algorithm>
#include <cstdio>

#include "store/format/file_names.h"
#include "store/format/part_reader.h"
#include "store/partition_set.h"

namespace vigia {
namespace {

std::string Row(const char* fmt, const std::string& name, uint64_t a, uint64_t b, uint64_t c,
                double d) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, name.c_str(), static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b), static_cast<unsigned long long>(c), d);
  return buf;
}

double Ratio(uint64_t num, uint64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

}  // namespace

void StoreUsageBuilder::AddPart(std::string_view partition, const PartReader& part) {
  const PartMeta& m = part.meta();
  auto pit = partitions_.find(partition);
  if (pit == partitions_.end()) {
    pit = partitions_.emplace(std::string(partition), PartitionUsageRow{}).first;
    pit->second.partition = std::string(partition);
  }
  ++pit->second.parts;
  pit->second.rows += m.rows;
  pit->second.bytes += part.disk_bytes();
  for (const ColumnMeta& c : m.columns) {
    auto cit = columns_.find(c.name);
    if (cit == columns_.end()) {
      cit = columns_.emplace(c.name, ColumnUsage{}).first;
      cit->second.name = c.name;
    }
    cit->second.stored_bytes += c.stored_bytes;
    cit->second.bloom_bytes += c.bloom_bytes;
    cit->second.values += c.values;
  }
  ++usage_.parts;
  usage_.rows += m.rows;
  usage_.bytes += part.disk_bytes();
}

StoreUsage StoreUsageBuilder::Finish() {
  StoreUsage out = std::move(usage_);
  for (auto& [name, row] : partitions_) out.partitions.push_back(std::move(row));
  for (auto& [name, col] : columns_) out.columns.push_back(std::move(col));
  std::stable_sort(out.columns.begin(), out.columns.end(), [](const auto& a, const auto& b) {
    return a.stored_bytes + a.bloom_bytes > b.stored_bytes + b.bloom_bytes;
  });
  partitions_.clear();
  columns_.clear();
  usage_ = StoreUsage();
  return out;
}

uint64_t RawEventBytes(const EventBatch& b) {
  uint64_t n = 0;
  for (const auto& e : b.events()) {
    n += sizeof(int64_t);  // the timestamp
    for (const Field& f : b.fields(e)) {
      switch (f.value.type) {
        case ValueType::kNull:
          break;
        case ValueType::kBool:
          n += 1;
          break;
        case ValueType::kInt:
        case ValueType::kFloat:
          n += 8;
          break;
        case ValueType::kString:
          n += f.value.s.size();
          break;
      }
    }
  }
  return n;
}

StoreUsage UsageOfSnapshot(const PartSnapshot& snapshot) {
  StoreUsageBuilder b;
  for (const auto& p : snapshot.parts) b.AddPart(PartitionDirName(p->partition), *p->reader);
  return b.Finish();
}

Result<StoreUsage> CollectStoreUsage(Env* env, const std::string& data_dir) {
  if (env == nullptr) env = Env::Default();
  StoreUsageBuilder b;
  std::vector<std::string> unreadable;
  const std::string parts_dir = file_names::PartsDir(data_dir);
  if (env->FileExists(parts_dir)) {
    VIGIA_ASSIGN_OR_RETURN(auto partitions, env->ListDir(parts_dir));
    std::sort(partitions.begin(), partitions.end());
    for (const std::string& pname : partitions) {
      if (!ParsePartitionDirName(pname)) continue;  // *.dropped, stray files
      auto entries = env->ListDir(JoinPath(parts_dir, pname));
      if (!entries.ok()) continue;
      for (const std::string& name : *entries) {
        if (!file_names::ParsePartDirName(name)) continue;  // tmp-* and strays
        auto reader = PartReader::Open(env, JoinPath(JoinPath(parts_dir, pname), name));
        if (!reader.ok()) {
          unreadable.push_back(reader.status().ToString());
          continue;
        }
        b.AddPart(pname, **reader);
      }
    }
  }
  StoreUsage u = b.Finish();
  u.unreadable = std::move(unreadable);
  return u;
}

std::string StoreUsage::ToText() const {
  std::string out;
  char head[256];
  std::snprintf(head, sizeof head, "%-28s %8s %14s %16s %12s\n", "partition", "parts", "rows",
                "bytes", "bytes/row");
  out += head;
  for (const auto& p : partitions) {
    out += Row("%-28s %8llu %14llu %16llu %12.1f\n", p.partition, p.parts, p.rows, p.bytes,
               Ratio(p.bytes, p.rows));
  }
  std::snprintf(head, sizeof head, "\n%-28s %14s %14s %14s %12s\n", "column", "stored", "bloom",
                "values", "bytes/row");
  out += head;
  for (const auto& c : columns) {
    out += Row("%-28s %14llu %14llu %14llu %12.2f\n", c.name, c.stored_bytes, c.bloom_bytes,
               c.values, Ratio(c.stored_bytes + c.bloom_bytes, rows));
  }
  for (const auto& u : unreadable) out += "UNREADABLE " + u + "\n";
  char total[256];
  std::snprintf(total, sizeof total,
                "\n%zu partitions, %llu parts, %llu rows, %llu bytes (%.1f bytes/row)\n",
                partitions.size(), static_cast<unsigned long long>(parts),
                static_cast<unsigned long long>(rows), static_cast<unsigned long long>(bytes),
                Ratio(bytes, rows));
  out += total;
  return out;
}

}  // namespace vigia
