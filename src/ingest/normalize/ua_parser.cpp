#include "ingest/normalize/ua_parser.h"

#include <re2/filtered_re2.h>
#include <re2/re2.h>
#include <re2/set.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <optional>
#include <sstream>

#include "common/ascii.h"

namespace vigia {
namespace {

// Why not one RE2::Set over the rules themselves: uap-core's counted repetitions
// (`.{0,100}?`) make the combined DFA explode, and the Set then costs ~6 ms per string.
// Literal atoms keep the DFA small; 64 MiB is headroom over what uap-core's ~3,000 atoms
// touch, and a Set that still runs out falls back to the ordered scan.
constexpr int64_t kAtomSetMaxMem = 64 << 20;
// Shortest literal FilteredRE2 keeps as an atom: shorter ones are in almost every UA and
// filter nothing (3 measured best on uap-core's corpus).
constexpr int kMinAtomLen = 3;
// Rules have at most 9 groups addressable by $1..$9; uap-core uses up to 5.
constexpr int kMaxGroups = 9;

// One output field of a list: the YAML key of its replacement and the capture group used
// when the rule has none (0: absent).
struct FieldSpec {
  const char* replacement_key;
  int default_group;
};

constexpr std::array<FieldSpec, 5> kAgentFields = {{{"family_replacement", 1},
                                                    {"v1_replacement", 2},
                                                    {"v2_replacement", 3},
                                                    {"v3_replacement", 4},
                                                    {"v4_replacement", 5}}};
constexpr std::array<FieldSpec, 5> kOsFields = {{{"os_replacement", 1},
                                                 {"os_v1_replacement", 2},
                                                 {"os_v2_replacement", 3},
                                                 {"os_v3_replacement", 4},
                                                 {"os_v4_replacement", 5}}};
constexpr std::array<FieldSpec, 3> kDeviceFields = {
    {{"device_replacement", 1}, {"brand_replacement", 0}, {"model_replacement", 1}}};

// "$1 Mobile" with group 1 = "Chrome" → "Chrome Mobile"; a group that did not take part
// substitutes nothing (ua-parser's reference implementations do the same).
std::string Substitute(std::string_view repl, const re2::StringPiece* groups, int ngroups) {
  std::string out;
  out.reserve(repl.size() + 16);
  for (size_t i = 0; i < repl.size(); ++i) {
    if (repl[i] == '$' && i + 1 < repl.size() && repl[i + 1] >= '1' && repl[i + 1] <= '9') {
      int g = repl[i + 1] - '0';
      if (g <= ngroups && groups[g].data() != nullptr)
        out.append(groups[g].data(), groups[g].size());
      ++i;
    } else {
      out.push_back(repl[i]);
    }
  }
  return out;
}

}  // namespace

class UaParser::RuleList {
 public:
  Status Load(const YAML::Node& root, const char* list_name, const FieldSpec* fields,
              size_t nfields, const std::atomic<bool>* cancel) {
    fields_ = fields;
    nfields_ = nfields;
    YAML::Node list = root[list_name];
    if (!list || !list.IsSequence()) {
      return Status::InvalidArgument(std::string("regexes.yaml: no ") + list_name + " list");
    }
    for (size_t i = 0; i < list.size(); ++i) {
      if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
        return Status::Unavailable("loading UA rules cancelled");
      }
      const YAML::Node& node = list[i];
      const YAML::Node regex = node["regex"];
      if (!node.IsMap() || !regex || !regex.IsScalar()) {
        return Status::InvalidArgument(std::string("regexes.yaml: ") + list_name + "[" +
                                       std::to_string(i) + "]: no regex");
      }
      const YAML::Node flag = node["regex_flag"];
      re2::RE2::Options opts;
      opts.set_log_errors(false);
      opts.set_case_sensitive(!(flag && flag.IsScalar() && flag.Scalar() == "i"));
      int id = -1;
      if (filter_.Add(regex.Scalar(), opts, &id) != re2::RE2::NoError) {
        ++skipped_;
        continue;
      }
      Replacements r;
      for (size_t f = 0; f < nfields; ++f) {
        const YAML::Node value = node[fields[f].replacement_key];
        if (value && value.IsScalar()) r[f] = value.Scalar();
      }
      replacements_.push_back(std::move(r));
    }
    std::vector<std::string> atoms;
    filter_.Compile(&atoms);
    re2::RE2::Options atom_opts;
    atom_opts.set_literal(true);
    atom_opts.set_log_errors(false);
    atom_opts.set_max_mem(kAtomSetMaxMem);
    atoms_ = std::make_unique<re2::RE2::Set>(atom_opts, re2::RE2::UNANCHORED);
    for (const std::string& a : atoms) {
      if (atoms_->Add(a, nullptr) < 0) {
        atoms_.reset();
        break;
      }
    }
    if (atoms_ != nullptr && !atoms_->Compile()) atoms_.reset();
    return Status::Ok();
  }

  // Fills out[0..nfields) from the first matching rule; false when none matches.
  bool Match(std::string_view text, std::string* out) const {
    const re2::StringPiece piece(text.data(), text.size());
    const int index = FirstMatch(piece);
    if (index < 0) return false;
    const re2::RE2& re = filter_.GetRE2(index);
    const Replacements& repl = replacements_[static_cast<size_t>(index)];
    re2::StringPiece groups[kMaxGroups + 1];
    const int ngroups = std::min(re.NumberOfCapturingGroups(), kMaxGroups);
    if (!re.Match(piece, 0, piece.size(), re2::RE2::UNANCHORED, groups, ngroups + 1)) {
      return false;  // FirstMatch said it matches; cannot happen, but stay total
    }
    for (size_t f = 0; f < nfields_; ++f) {
      std::string value;
      if (repl[f]) {
        value = Substitute(*repl[f], groups, ngroups);
      } else {
        const int g = fields_[f].default_group;
        if (g > 0 && g <= ngroups && groups[g].data() != nullptr) {
          value.assign(groups[g].data(), groups[g].size());
        }
      }
      out[f] = std::string(ascii::TrimSpaces(value));
    }
    return true;
  }

  size_t size() const { return replacements_.size(); }
  size_t skipped() const { return skipped_; }

 private:
  using Replacements = std::array<std::optional<std::string>, 5>;

  // Index of the first rule matching `text`, or -1. FilteredRE2 runs only the rules whose
  // required literals ("atoms", lower-cased) occur in the text, in rule order; one Set
  // pass over the lower-cased text finds the atoms.
  int FirstMatch(const re2::StringPiece& text) const {
    if (atoms_ == nullptr) return filter_.SlowFirstMatch(text);
    thread_local std::string lower;
    thread_local std::vector<int> hits;
    lower.assign(text.data(), text.size());
    for (char& c : lower) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    hits.clear();
    re2::RE2::Set::ErrorInfo error;
    if (!atoms_->Match(lower, &hits, &error) && error.kind != re2::RE2::Set::kNoError) {
      return filter_.SlowFirstMatch(text);  // DFA out of memory: the plain ordered scan
    }
    std::sort(hits.begin(), hits.end());
    return filter_.FirstMatch(text, hits);
  }

  const FieldSpec* fields_ = nullptr;
  size_t nfields_ = 0;
  re2::FilteredRE2 filter_{kMinAtomLen};
  std::vector<Replacements> replacements_;  // by FilteredRE2 id
  std::unique_ptr<re2::RE2::Set> atoms_;    // null: scan every rule
  size_t skipped_ = 0;
};

UaParser::UaParser() = default;
UaParser::~UaParser() = default;

Result<std::unique_ptr<UaParser>> UaParser::LoadFile(const std::string& path,
                                                     const std::atomic<bool>* cancel) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read UA rules " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read UA rules " + path);
  auto parser = LoadYaml(text.str(), cancel);
  if (!parser.ok() && parser.status().code() == StatusCode::kInvalidArgument) {
    return Status::InvalidArgument(path + ": " + parser.status().message());
  }
  return parser;
}

Result<std::unique_ptr<UaParser>> UaParser::LoadYaml(std::string_view yaml_text,
                                                     const std::atomic<bool>* cancel) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("invalid YAML: ") + e.what());
  }
  if (!root.IsMap()) return Status::InvalidArgument("regexes.yaml: not a mapping");
  std::unique_ptr<UaParser> p(new UaParser());
  p->agents_ = std::make_unique<RuleList>();
  p->oses_ = std::make_unique<RuleList>();
  p->devices_ = std::make_unique<RuleList>();
  try {
    VIGIA_RETURN_IF_ERROR(p->agents_->Load(root, "user_agent_parsers", kAgentFields.data(),
                                           kAgentFields.size(), cancel));
    VIGIA_RETURN_IF_ERROR(
        p->oses_->Load(root, "os_parsers", kOsFields.data(), kOsFields.size(), cancel));
    VIGIA_RETURN_IF_ERROR(p->devices_->Load(root, "device_parsers", kDeviceFields.data(),
                                            kDeviceFields.size(), cancel));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("regexes.yaml: ") + e.what());
  }
  return p;
}

namespace {

// Runs `list`, whose fields are the family then `rest` in order, on `ua`. The family stays
// "Other" when no rule matches or the rule leaves it empty; the other fields stay empty
// (absent) when no rule matches.
template <size_t N>
void MatchInto(const UaParser::RuleList& list, std::string_view ua, std::string* family,
               const std::array<std::string*, N>& rest) {
  std::string f[N + 1];
  if (!list.Match(ua, f)) return;
  if (!f[0].empty()) *family = std::move(f[0]);
  for (size_t i = 0; i < N; ++i) *rest[i] = std::move(f[i + 1]);
}

}  // namespace

UaAgent UaParser::ParseAgent(std::string_view ua) const {
  UaAgent out;
  MatchInto<kAgentFields.size() - 1>(*agents_, ua, &out.family,
                                     {&out.major, &out.minor, &out.patch, &out.patch_minor});
  return out;
}

UaOs UaParser::ParseOs(std::string_view ua) const {
  UaOs out;
  MatchInto<kOsFields.size() - 1>(*oses_, ua, &out.family,
                                  {&out.major, &out.minor, &out.patch, &out.patch_minor});
  return out;
}

UaDevice UaParser::ParseDevice(std::string_view ua) const {
  UaDevice out;
  MatchInto<kDeviceFields.size() - 1>(*devices_, ua, &out.family, {&out.brand, &out.model});
  return out;
}

size_t UaParser::rule_count() const { return agents_->size() + oses_->size() + devices_->size(); }

size_t UaParser::skipped_rules() const {
  return agents_->skipped() + oses_->skipped() + devices_->skipped();
}

}  // namespace vigia
