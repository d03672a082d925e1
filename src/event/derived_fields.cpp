#include "event/derived_fields.h"

#include <array>
#include <atomic>
#include <unordered_map>

#include "common/limits.h"

namespace vigia {
namespace {

// uap-core families of HTTP libraries, scripts and headless browsers: traffic from
// programs, which dashboards want apart from people (uap-core marks only crawlers Spider).
constexpr std::array<std::string_view, 12> kAutomationFamilies = {
    "curl",           "Wget",           "Python Requests",
    "Python-urllib",  "Go-http-client", "Apache-HttpClient",
    "HeadlessChrome", "PhantomJS",      "Java",
    "libwww-perl",    "aiohttp",        "Scrapy"};
// Health checkers uap-core does not know (it says "Other"); matched as UA prefixes.
constexpr std::array<std::string_view, 5> kProbePrefixes = {
    "kube-probe/", "ELB-HealthChecker/", "GoogleHC/", "Prometheus/", "Consul Health Check"};
constexpr std::array<std::string_view, 11> kPhoneOses = {
    "iOS",        "Android", "Windows Phone", "BlackBerry OS", "KaiOS",   "Firefox OS",
    "Symbian OS", "Tizen",   "HarmonyOS",     "webOS",         "Sailfish"};
constexpr std::array<std::string_view, 14> kDesktopOses = {
    "Windows", "Mac OS X", "Mac OS",  "Linux",  "Ubuntu", "Chrome OS",  "Fedora",
    "Debian",  "FreeBSD",  "OpenBSD", "NetBSD", "Mint",   "Arch Linux", "Red Hat"};

template <size_t N>
bool OneOf(std::string_view s, const std::array<std::string_view, N>& set) {
  for (std::string_view x : set) {
    if (s == x) return true;
  }
  return false;
}

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

struct Hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using Cache = std::unordered_map<std::string, UaFields, Hash, std::equal_to<>>;

// Two generations approximate an LRU without per-hit bookkeeping: when `current` is full it
// becomes `previous`; a hit in `previous` moves the entry back. A UA seen at least once
// per kUaCacheEntriesPerThread distinct UAs stays cached.
struct ThreadCache {
  uint64_t owner = 0;
  Cache current, previous;
};

std::atomic<uint64_t> next_deriver_id{1};

}  // namespace

std::string_view DeviceClass(std::string_view ua, const UaAgent& agent, const UaOs& os,
                             const UaDevice& device) {
  if (device.family == "Spider" || OneOf(agent.family, kAutomationFamilies)) return "bot";
  for (std::string_view p : kProbePrefixes) {
    if (ua.substr(0, p.size()) == p) return "bot";
  }
  if (Contains(device.family, "iPad") || Contains(device.family, "Kindle") ||
      Contains(device.family, "Tablet") || Contains(device.brand, "Tablet") ||
      Contains(device.model, "Tablet")) {
    return "tablet";
  }
  if (OneOf(os.family, kPhoneOses)) return "mobile";
  // uap-core names hardware it recognises; apart from Macs (desktops) that is handhelds.
  if (device.family != "Other" && device.family != "Mac") return "mobile";
  if (OneOf(os.family, kDesktopOses) || os.family.starts_with("Windows")) return "desktop";
  return "other";
}

std::string VersionText(std::string_view major, std::string_view minor) {
  if (major.empty()) return {};
  std::string out(major);
  if (!minor.empty()) {
    out.push_back('.');
    out.append(minor);
  }
  return out;
}

Result<std::unique_ptr<UaFieldDeriver>> UaFieldDeriver::LoadFile(const std::string& path) {
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<UaParser> parser, UaParser::LoadFile(path));
  return std::make_unique<UaFieldDeriver>(std::move(parser));
}

UaFieldDeriver::UaFieldDeriver(std::unique_ptr<UaParser> parser)
    : parser_(std::move(parser)), id_(next_deriver_id.fetch_add(1)) {}

UaFieldDeriver::~UaFieldDeriver() = default;

UaFields UaFieldDeriver::Derive(std::string_view ua) const {
  ua = ua.substr(0, limits::kMaxUaParseBytes);
  UaAgent agent = parser_->ParseAgent(ua);
  UaOs os = parser_->ParseOs(ua);
  UaDevice device = parser_->ParseDevice(ua);
  UaFields f;
  f.device = std::string(DeviceClass(ua, agent, os, device));
  f.browser_version = VersionText(agent.major, agent.minor);
  f.os_version = VersionText(os.major, os.minor);
  f.browser = std::move(agent.family);
  f.os = std::move(os.family);
  return f;
}

bool UaFieldDeriver::Classify(std::string_view ua, UserAgentInfo* out) const {
  if (ua.empty()) return false;
  const std::string_view key = ua.substr(0, limits::kMaxUaParseBytes);
  thread_local ThreadCache cache;
  if (cache.owner != id_) {
    cache.current.clear();
    cache.previous.clear();
    cache.owner = id_;
  }
  auto it = cache.current.find(key);
  if (it == cache.current.end()) {
    UaFields fields;
    if (auto old = cache.previous.find(key); old != cache.previous.end()) {
      fields = std::move(old->second);
      cache.previous.erase(old);
    } else {
      fields = Derive(key);
    }
    if (cache.current.size() >= limits::kUaCacheEntriesPerThread) {
      cache.previous = std::move(cache.current);
      cache.current.clear();
    }
    it = cache.current.emplace(std::string(key), std::move(fields)).first;
  }
  const UaFields& f = it->second;
  out->browser = f.browser;
  out->browser_version = f.browser_version;
  out->os = f.os;
  out->os_version = f.os_version;
  out->device = f.device;
  return true;
}

}  // namespace vigia
