// Silences: label matchers with a time window and a comment (Alertmanager semantics). A
// silenced alert keeps its state and is still listed (with `silenced_by`), it is only not
// notified. Matchers are `name=value`, `name!=value`, `name=~regex`, `name!~regex`; regexes
// match the whole value (anchored, as in Alertmanager). The set is persisted through a
// SilenceStore (silence_store.h) after every change: <data>/alerts/silences.json
// (checksummed) on one node, ClickHouse's `silences` table shared by a cluster's nodes.
//
// Thread-safety: SilenceSet is thread-safe (the API and the notifier use it): one mutex for
// the set, one for its store, so matching never waits for a slow store.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/alert_rule.h"
#include "common/env.h"
#include "common/status.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace vigia {

struct LabelMatcher {
  enum class Op { kEq, kNe, kRe, kNre };
  std::string name;
  Op op = Op::kEq;
  std::string value;
  std::shared_ptr<const re2::RE2> re;  // kRe, kNre (RE2: linear time, anchored match)

  // `name=value` etc.; InvalidArgument naming the problem (bad name, bad regex).
  static Result<LabelMatcher> Parse(std::string_view text);
  bool Matches(const LabelSet& labels) const;  // an absent label matches as ""
  std::string ToString() const;
};

bool MatchesAll(const std::vector<LabelMatcher>& matchers, const LabelSet& labels);

struct Silence {
  std::string id;
  std::vector<LabelMatcher> matchers;
  int64_t starts_at_ns = 0;
  int64_t ends_at_ns = 0;
  int64_t created_at_ns = 0;
  std::string created_by;
  std::string comment;

  // "pending" (not started), "active", "expired".
  std::string_view StatusAt(int64_t now_ns) const;
};

// Parses POST /v1/silences: {"matchers": ["a=b", ...] | [{"name","value","isRegex",
// "isEqual"}, ...], "startsAt"?: RFC 3339, "endsAt"?: RFC 3339, "duration"?: "2h",
// "comment": "...", "createdBy"?: "..."}. One of endsAt / duration is required.
Result<Silence> ParseSilenceRequest(std::string_view json, int64_t now_ns);

class SilenceStore;

class SilenceSet {
 public:
  // The file store at `path`; `path` empty: not persisted (tests).
  SilenceSet(Env* env, std::string path);
  // `store` null: not persisted.
  explicit SilenceSet(std::unique_ptr<SilenceStore> store);
  ~SilenceSet();

  // Reads the persisted set (none when the file does not exist).
  Status Load();
  // Replaces the set with what the store holds now (a shared store: what every node wrote);
  // on an error the set stays as it was.
  Status Refresh() { return Load(); }
  bool shared() const;
  // Adds `s` with a fresh id; returns the id. ResourceExhausted past kMaxSilences.
  Result<std::string> Add(Silence s, int64_t now_ns);
  // Ends the silence now. NotFound for an unknown id.
  Status Expire(const std::string& id, int64_t now_ns);
  std::vector<Silence> List() const;
  // Ids of the silences active at `now_ns` that match `labels`.
  std::vector<std::string> Matching(const LabelSet& labels, int64_t now_ns) const;

 private:
  Status SaveLocked(const Silence& changed) const;
  void ForgetOldLocked(int64_t now_ns);

  const std::unique_ptr<SilenceStore> store_;  // null: not persisted
  // Every call of store_ (a read may wait for ClickHouse: Matching does not wait for it).
  // Taken before mu_.
  std::mutex store_mu_;
  mutable std::mutex mu_;
  std::vector<Silence> silences_;
  uint64_t next_seq_ = 0;
};

}  // namespace vigia
