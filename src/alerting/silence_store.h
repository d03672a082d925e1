// SilenceStore: where a SilenceSet (silences.h) keeps its silences. The embedded store keeps
// them in <data>/alerts/silences.json (FileSilenceStore: the whole set rewritten after each
// change, read once at start); with storage.backend = "clickhouse" every node writes the
// silences it creates or expires to ClickHouse and reads everyone's
// (clickhouse/clickhouse_silence_store.h), so a silence created through any node silences the
// notifications of the node that holds the rules lease (docs/alerting.md, "In a cluster").
//
// Also the JSON of a silence list, {"silences":[{id, created_by, comment, starts_at, ends_at,
// created_at, matchers: ["a=b", ...]}]}, which both stores use.
//
// Thread-safety: EncodeSilences/DecodeSilences are pure; a store is externally synchronized
// (SilenceSet calls it under its mutex).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alerting/silences.h"
#include "common/env.h"
#include "common/status.h"

namespace vigia {

class SilenceStore {
 public:
  virtual ~SilenceStore() = default;
  // Every stored silence (none when nothing was stored); Corruption when damaged.
  virtual Result<std::vector<Silence>> Load() = 0;
  // `changed` was just added or expired; `all` is the node's whole set after the change (the
  // file rewrites `all`, a shared store writes `changed` only). OK once a later Load on any
  // node sees it.
  virtual Status Write(const std::vector<Silence>& all, const Silence& changed) = 0;
  // True when other nodes write the same silences (SilenceSet::Refresh reads them).
  virtual bool shared() const = 0;
};

std::string EncodeSilences(const std::vector<Silence>& silences);
// Corruption naming what is malformed.
Result<std::vector<Silence>> DecodeSilences(std::string_view json);

class FileSilenceStore final : public SilenceStore {
 public:
  FileSilenceStore(Env* env, std::string path) : env_(env), path_(std::move(path)) {}
  // None when the file does not exist.
  Result<std::vector<Silence>> Load() override;
  Status Write(const std::vector<Silence>& all, const Silence& changed) override;
  bool shared() const override { return false; }

 private:
  Env* const env_;
  const std::string path_;
};

}  // namespace vigia
