#include "alerting/silences.h"

#include <re2/re2.h>

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "alerting/label_names.h"
#include "alerting/silence_store.h"
#include "common/limits.h"
#include "common/time_format.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

constexpr int64_t kDayNs = 86'400LL * 1'000'000'000;

Result<LabelMatcher> MakeMatcher(std::string name, LabelMatcher::Op op, std::string value) {
  if (!IsValidLabelName(name)) {
    return Status::InvalidArgument("matcher: invalid label name \"" + name + "\"");
  }
  LabelMatcher m;
  m.name = std::move(name);
  m.op = op;
  m.value = std::move(value);
  if (op == LabelMatcher::Op::kRe || op == LabelMatcher::Op::kNre) {
    RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_shared<const RE2>(m.value, options);
    if (!re->ok()) {
      return Status::InvalidArgument("matcher " + m.name + ": invalid regex \"" + m.value +
                                     "\": " + re->error());
    }
    m.re = std::move(re);
  }
  return m;
}

Result<int64_t> ParseTime(std::string_view s, const char* what) {
  std::optional<int64_t> t = ParseRfc3339(s);
  if (!t) return Status::InvalidArgument(std::string(what) + ": expected an RFC 3339 time");
  return *t;
}

}  // namespace

Result<LabelMatcher> LabelMatcher::Parse(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && text[i] != '=' && text[i] != '!') ++i;
  std::string name(text.substr(0, i));
  while (!name.empty() && name.back() == ' ') name.pop_back();
  std::string_view rest = text.substr(i);
  Op op;
  size_t skip = 0;
  if (rest.starts_with("=~")) {
    op = Op::kRe, skip = 2;
  } else if (rest.starts_with("!~")) {
    op = Op::kNre, skip = 2;
  } else if (rest.starts_with("!=")) {
    op = Op::kNe, skip = 2;
  } else if (rest.starts_with("=")) {
    op = Op::kEq, skip = 1;
  } else {
    return Status::InvalidArgument("matcher \"" + std::string(text) +
                                   "\": expected name=value, name!=value, name=~re or name!~re");
  }
  std::string value(rest.substr(skip));
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  return MakeMatcher(std::move(name), op, std::move(value));
}

bool LabelMatcher::Matches(const LabelSet& labels) const {
  auto it = labels.find(name);
  const std::string empty;
  const std::string& v = it == labels.end() ? empty : it->second;
  switch (op) {
    case Op::kEq:
      return v == value;
    case Op::kNe:
      return v != value;
    case Op::kRe:
      return RE2::FullMatch(v, *re);
    case Op::kNre:
      return !RE2::FullMatch(v, *re);
  }
  return false;
}

std::string LabelMatcher::ToString() const {
  switch (op) {
    case Op::kEq:
      return name + "=" + value;
    case Op::kNe:
      return name + "!=" + value;
    case Op::kRe:
      return name + "=~" + value;
    case Op::kNre:
      return name + "!~" + value;
  }
  return name;
}

bool MatchesAll(const std::vector<LabelMatcher>& matchers, const LabelSet& labels) {
  for (const LabelMatcher& m : matchers) {
    if (!m.Matches(labels)) return false;
  }
  return true;
}

std::string_view Silence::StatusAt(int64_t now_ns) const {
  if (now_ns < starts_at_ns) return "pending";
  if (now_ns < ends_at_ns) return "active";
  return "expired";
}

Result<Silence> ParseSilenceRequest(std::string_view json, int64_t now_ns) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) || !root.is_object()) {
    return Status::InvalidArgument("expected a JSON object");
  }
  Silence s;
  simdjson::dom::array matchers;
  if (root["matchers"].get_array().get(matchers) || matchers.size() == 0) {
    return Status::InvalidArgument("matchers: expected a non-empty array");
  }
  for (simdjson::dom::element m : matchers) {
    std::string_view text;
    if (!m.get_string().get(text)) {
      VIGIA_ASSIGN_OR_RETURN(LabelMatcher lm, LabelMatcher::Parse(text));
      s.matchers.push_back(std::move(lm));
      continue;
    }
    // Alertmanager's form.
    std::string_view name, value;
    bool is_regex = false, is_equal = true;
    if (m["name"].get_string().get(name) || m["value"].get_string().get(value)) {
      return Status::InvalidArgument("matchers: each is \"name=value\" or {\"name\",\"value\"}");
    }
    if (m["isRegex"].get_bool().get(is_regex)) is_regex = false;
    if (m["isEqual"].get_bool().get(is_equal)) is_equal = true;
    LabelMatcher::Op op = is_regex ? (is_equal ? LabelMatcher::Op::kRe : LabelMatcher::Op::kNre)
                                   : (is_equal ? LabelMatcher::Op::kEq : LabelMatcher::Op::kNe);
    VIGIA_ASSIGN_OR_RETURN(LabelMatcher lm, MakeMatcher(std::string(name), op, std::string(value)));
    s.matchers.push_back(std::move(lm));
  }
  std::string_view text;
  s.starts_at_ns = now_ns;
  if (!root["startsAt"].get_string().get(text)) {
    VIGIA_ASSIGN_OR_RETURN(s.starts_at_ns, ParseTime(text, "startsAt"));
  }
  if (!root["endsAt"].get_string().get(text)) {
    VIGIA_ASSIGN_OR_RETURN(s.ends_at_ns, ParseTime(text, "endsAt"));
  } else if (!root["duration"].get_string().get(text)) {
    std::optional<int64_t> d = ParseDurationNs(text);
    if (!d) return Status::InvalidArgument("duration: expected e.g. 30m, 2h, 1d");
    s.ends_at_ns = s.starts_at_ns + *d;
  } else {
    return Status::InvalidArgument("give endsAt or duration");
  }
  if (s.ends_at_ns <= s.starts_at_ns)
    return Status::InvalidArgument("endsAt must be after startsAt");
  if (root["comment"].get_string().get(text) || text.empty()) {
    return Status::InvalidArgument("comment: say why the alerts are silenced");
  }
  s.comment = std::string(text);
  if (!root["createdBy"].get_string().get(text)) s.created_by = std::string(text);
  return s;
}

SilenceSet::SilenceSet(Env* env, std::string path)
    : store_(path.empty() ? nullptr : std::make_unique<FileSilenceStore>(env, std::move(path))) {}

SilenceSet::SilenceSet(std::unique_ptr<SilenceStore> store) : store_(std::move(store)) {}

SilenceSet::~SilenceSet() = default;

bool SilenceSet::shared() const { return store_ != nullptr && store_->shared(); }

Status SilenceSet::Load() {
  if (store_ == nullptr) return Status::Ok();
  std::lock_guard store_lock(store_mu_);
  VIGIA_ASSIGN_OR_RETURN(std::vector<Silence> loaded, store_->Load());
  std::lock_guard lock(mu_);
  silences_ = std::move(loaded);
  return Status::Ok();
}

Status SilenceSet::SaveLocked(const Silence& changed) const {
  if (store_ == nullptr) return Status::Ok();
  return store_->Write(silences_, changed);
}

void SilenceSet::ForgetOldLocked(int64_t now_ns) {
  std::erase_if(silences_, [&](const Silence& s) { return now_ns - s.ends_at_ns > kDayNs; });
}

Result<std::string> SilenceSet::Add(Silence s, int64_t now_ns) {
  std::lock_guard store_lock(store_mu_);
  std::lock_guard lock(mu_);
  ForgetOldLocked(now_ns);
  if (silences_.size() >= limits::kMaxSilences) {
    return Status::ResourceExhausted("too many silences (" + std::to_string(limits::kMaxSilences) +
                                     ")");
  }
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char id[40];
  std::snprintf(id, sizeof id, "%016llx-%04llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(++next_seq_ & 0xffff));
  s.id = id;
  s.created_at_ns = now_ns;
  silences_.push_back(std::move(s));
  Status saved = SaveLocked(silences_.back());
  if (!saved.ok()) {
    // Shared: a silence the other nodes cannot see is not created (the caller retries).
    if (store_->shared()) silences_.pop_back();
    return saved;
  }
  return std::string(id);
}

Status SilenceSet::Expire(const std::string& id, int64_t now_ns) {
  std::lock_guard store_lock(store_mu_);
  std::lock_guard lock(mu_);
  for (Silence& s : silences_) {
    if (s.id != id) continue;
    const Silence before = s;
    if (s.ends_at_ns > now_ns) s.ends_at_ns = now_ns;
    if (s.starts_at_ns > now_ns) s.starts_at_ns = now_ns;
    Status saved = SaveLocked(s);
    if (!saved.ok() && store_->shared()) s = before;
    return saved;
  }
  return Status::NotFound("no silence " + id);
}

std::vector<Silence> SilenceSet::List() const {
  std::lock_guard lock(mu_);
  return silences_;
}

std::vector<std::string> SilenceSet::Matching(const LabelSet& labels, int64_t now_ns) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> ids;
  for (const Silence& s : silences_) {
    if (s.StatusAt(now_ns) == "active" && MatchesAll(s.matchers, labels)) ids.push_back(s.id);
  }
  return ids;
}

}  // namespace vigia
