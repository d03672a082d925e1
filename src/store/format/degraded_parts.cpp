#include "store/format/degraded_parts.h"

#include "common/logger.h"

namespace vigia {

bool DegradedParts::Add(const std::string& part, const std::string& reason) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!parts_.emplace(part, reason).second) return false;
  }
  // Outside the lock: the logger may block on stderr.
  logger::Error("store: part degraded (corrupt; queries touching it fail)",
                {{"part", part}, {"error", reason}});
  return true;
}

void DegradedParts::RemoveUnder(std::string_view dir) {
  std::lock_guard<std::mutex> l(mu_);
  for (auto it = parts_.lower_bound(dir); it != parts_.end();) {
    const std::string& p = it->first;
    if (!p.starts_with(dir)) break;
    // "<dir>" itself or "<dir>/...", not a sibling such as "<dir>.x".
    if (p.size() == dir.size() || p[dir.size()] == '/') {
      it = parts_.erase(it);
    } else {
      ++it;
    }
  }
}

bool DegradedParts::Contains(std::string_view part) const {
  std::lock_guard<std::mutex> l(mu_);
  return parts_.find(part) != parts_.end();
}

std::vector<DegradedPart> DegradedParts::List() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<DegradedPart> out;
  out.reserve(parts_.size());
  for (const auto& [part, reason] : parts_) out.push_back({part, reason});
  return out;
}

size_t DegradedParts::size() const {
  std::lock_guard<std::mutex> l(mu_);
  return parts_.size();
}

}  // namespace vigia
