#include "store/format/store_check.h"

#include "store/format/file_names.h"

namespace vigia {

Status VerifyPart(const PartReader& part, PartCheckResult* result) {
  result->part = part.dir();
  const PartMeta& m = part.meta();
  result->rows = m.rows;
  result->blocks = m.blocks.size();
  for (size_t b = 0; b < m.blocks.size(); ++b) {
    ColumnBatch storage;
    for (const ChunkMeta& c : m.blocks[b].chunks) {
      ColumnVector cv;
      Status s = part.ReadChunk(b, c, &storage, &cv, &result->bytes);
      if (s.ok()) {
        ++result->chunks;
        std::string filter;
        s = part.ReadBloom(b, c, &filter, &result->bytes);
        if (s.ok() && c.bloom_size > 0) ++result->blooms;
      }
      if (!s.ok()) {
        result->status = s;
        return s;
      }
    }
  }
  return Status::Ok();
}

Result<StoreCheckReport> CheckStore(Env* env, const std::string& data_dir) {
  if (env == nullptr) env = Env::Default();
  StoreCheckReport report;
  const std::string parts_dir = file_names::PartsDir(data_dir);
  if (!env->FileExists(parts_dir)) {
    report.notes.push_back("no parts directory " + parts_dir);
    return report;
  }
  VIGIA_ASSIGN_OR_RETURN(auto partitions, env->ListDir(parts_dir));
  for (const std::string& pname : partitions) {
    const std::string pdir = JoinPath(parts_dir, pname);
    if (pname.ends_with(file_names::kDroppedPartitionSuffix)) {
      report.notes.push_back(pdir + ": partition being dropped (removed at next open)");
      continue;
    }
    auto entries = env->ListDir(pdir);
    if (!entries.ok()) continue;  // a stray file, not a partition
    ++report.partitions;
    for (const std::string& name : *entries) {
      const std::string dir = JoinPath(pdir, name);
      if (name.starts_with(file_names::kPartTmpDirPrefix)) {
        report.notes.push_back(dir + ": unfinished part (removed at next open)");
        continue;
      }
      if (!file_names::ParsePartDirName(name)) {
        report.notes.push_back(dir + ": unexpected entry");
        continue;
      }
      ++report.parts;
      PartCheckResult res;
      res.part = dir;
      auto reader = PartReader::Open(env, dir);
      if (!reader.ok()) {
        res.status = reader.status();
      } else {
        VerifyPart(**reader, &res).ok();  // the status is kept in res
      }
      report.rows += res.rows;
      report.chunks += res.chunks;
      report.bytes += res.bytes;
      report.results.push_back(std::move(res));
    }
  }
  return report;
}

std::string StoreCheckReport::ToText() const {
  std::string out;
  for (const auto& r : results) {
    if (!r.status.ok()) out += "CORRUPT " + r.status.ToString() + "\n";
  }
  for (const auto& n : notes) out += "note: " + n + "\n";
  out += std::to_string(partitions) + " partitions, " + std::to_string(parts) + " parts, " +
         std::to_string(rows) + " rows, " + std::to_string(chunks) + " chunks, " +
         std::to_string(bytes) + " bytes verified: " +
         (ok() ? std::string("OK") : std::to_string(corrupt_parts()) + " corrupt part(s)") + "\n";
  return out;
}

}  // namespace vigia
