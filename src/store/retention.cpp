#include "store/retention.h"

#include <algorithm>
#include <charconv>

namespace vigia {
namespace {

bool Matches(const RetentionRule& r, std::string_view tenant, std::string_view kind,
             std::string_view level) {
  return (!r.tenant || *r.tenant == tenant) && (r.kind.empty() || r.kind == kind) &&
         (r.level.empty() || r.level == level);
}

// Longest of two keep times, 0 being forever.
int Longest(int a, int b) { return a == 0 || b == 0 ? 0 : std::max(a, b); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

int RetentionPolicy::DaysFor(std::string_view tenant, std::string_view kind,
                             std::string_view level) const {
  for (const RetentionRule& r : rules) {
    if (Matches(r, tenant, kind, level)) return r.days;
  }
  return days;
}

int RetentionPolicy::MaxDaysFor(std::string_view tenant) const {
  int longest = -1;  // none yet
  auto add = [&longest](int d) { longest = longest < 0 ? d : Longest(longest, d); };
  for (const RetentionRule& r : rules) {
    if (r.tenant && *r.tenant != tenant) continue;
    add(r.days);
    // A rule for the whole tenant catches all its events: later rules and `days` never apply.
    if (r.tenant && r.kind.empty() && r.level.empty()) return longest;
  }
  add(days);
  return longest;
}

int RetentionPolicy::MaxDays() const {
  int longest = days;
  for (const RetentionRule& r : rules) longest = Longest(longest, r.days);
  return longest;
}

bool RetentionPolicy::ByAge() const {
  if (days > 0) return true;
  for (const RetentionRule& r : rules) {
    if (r.days > 0) return true;
  }
  return false;
}

int RetentionDaysOf(const RetentionPolicy& policy, std::span<const Field> fields) {
  if (policy.rules.empty()) return policy.days;
  std::string_view tenant, kind = "log", level = "info";
  for (const Field& f : fields) {
    if (f.value.type != ValueType::kString) continue;
    if (f.name == "tenant") {
      tenant = f.value.s;
    } else if (f.name == "kind") {
      kind = f.value.s;
    } else if (f.name == "level") {
      level = f.value.s;
    }
  }
  return policy.DaysFor(tenant, kind, level);
}

Result<std::vector<RetentionRule>> ParseRetentionRules(std::string_view text) {
  std::vector<RetentionRule> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = Trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (item.empty()) continue;
    const std::string where = "in \"" + std::string(item) + "\": ";
    size_t colon = item.rfind(':');
    if (colon == std::string_view::npos) {
      return Status::InvalidArgument(where + "expected selectors:days, e.g. kind=debug:3");
    }
    RetentionRule r;
    std::string_view days = Trim(item.substr(colon + 1));
    if (days == "forever") {
      r.days = 0;
    } else {
      int v = 0;
      auto [p, ec] = std::from_chars(days.data(), days.data() + days.size(), v);
      if (ec != std::errc() || p != days.data() + days.size() || days.empty() || v < 0 ||
          v > 36500) {
        return Status::InvalidArgument(where + "days must be 0..36500 or forever");
      }
      r.days = v;
    }
    std::string_view sel = item.substr(0, colon);
    bool any = false;
    while (!(sel = Trim(sel)).empty()) {
      size_t sp = sel.find(' ');
      std::string_view kv = sel.substr(0, sp);
      sel = sp == std::string_view::npos ? std::string_view() : sel.substr(sp);
      size_t eq = kv.find('=');
      if (eq == std::string_view::npos) {
        return Status::InvalidArgument(where + "expected tenant=, kind= or level=");
      }
      std::string_view k = kv.substr(0, eq);
      std::string v(kv.substr(eq + 1));
      if (k == "tenant") {
        r.tenant = v;
      } else if (k == "kind" && !v.empty()) {
        r.kind = v;
      } else if (k == "level" && !v.empty()) {
        r.level = v;
      } else {
        return Status::InvalidArgument(where + "unknown selector \"" + std::string(kv) +
                                       "\" (tenant=, kind=, level=)");
      }
      any = true;
    }
    if (!any) return Status::InvalidArgument(where + "no selector (tenant=, kind=, level=)");
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<PartitionKey> PlanRetention(std::vector<PartitionUsage> partitions,
                                        const RetentionPolicy& policy, int64_t now_ns) {
  std::sort(partitions.begin(), partitions.end(),
            [](const PartitionUsage& a, const PartitionUsage& b) { return a.key < b.key; });
  std::vector<PartitionKey> drop;
  std::vector<PartitionUsage> keep;
  const int32_t today = DayOf(now_ns);
  for (const PartitionUsage& p : partitions) {
    const int days = policy.MaxDaysFor(p.key.tenant);
    if (days > 0 && p.key.day <= today - days) {
      drop.push_back(p.key);
    } else {
      keep.push_back(p);
    }
  }
  if (policy.max_disk_bytes > 0 && !keep.empty()) {
    uint64_t total = 0;
    for (const auto& p : keep) total += p.bytes;
    const int32_t newest = keep.back().key.day;
    for (const auto& p : keep) {
      if (total <= policy.max_disk_bytes || p.key.day == newest) break;
      drop.push_back(p.key);
      total -= p.bytes;
    }
  }
  return drop;
}

}  // namespace vigia
