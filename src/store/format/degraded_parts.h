// DegradedParts: the store's record of parts found corrupt — at open (not served) or by a
// read at query, merge or dump time (still listed, reads touching the bad block fail). It
// feeds /health/ready ("store":"degraded"), /v1/stats and the server log: each part is
// logged once, when first reported, so a query loop over a bad part does not flood the log.
//
// Entries leave the set only when their partition is dropped (retention): a corrupt part
// stays degraded until an operator removes or restores it and restarts.
//
// Thread-safety: thread-safe (one mutex; reports are rare, reads are a copy of a small list).
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace vigia {

struct DegradedPart {
  std::string part;    // the part's directory
  std::string reason;  // the first error seen (Status::ToString())
};

class DegradedParts {
 public:
  // Records `part` as degraded; logs it (level error) the first time. True when new.
  bool Add(const std::string& part, const std::string& reason);
  // Forgets every part whose directory is `dir` or below it (a dropped partition).
  void RemoveUnder(std::string_view dir);
  bool Contains(std::string_view part) const;
  // Sorted by directory.
  std::vector<DegradedPart> List() const;
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string, std::less<>> parts_;  // guarded by mu_; dir -> reason
};

}  // namespace vigia
