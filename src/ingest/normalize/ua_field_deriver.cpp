#include "ingest/normalize/ua_field_deriver.h"

#include <array>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

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

// The rules, and the thread loading them (when loaded in the background).
struct UaFieldDeriver::Loader {
  std::unique_ptr<UaParser> parser;
  Status status;
  bool done = false;
  std::atomic<bool> cancel{false};
  std::mutex mu;
  std::condition_variable cv;
  std::thread thread;
};

UaFieldDeriver::UaFieldDeriver()
    : loader_(std::make_unique<Loader>()), id_(next_deriver_id.fetch_add(1)) {}

UaFieldDeriver::UaFieldDeriver(std::unique_ptr<UaParser> parser) : UaFieldDeriver() {
  loader_->parser = std::move(parser);
  loader_->done = true;
  ready_.store(loader_->parser.get(), std::memory_order_release);
}

UaFieldDeriver::~UaFieldDeriver() {
  loader_->cancel.store(true);
  if (loader_->thread.joinable()) loader_->thread.join();
}

Result<std::unique_ptr<UaFieldDeriver>> UaFieldDeriver::LoadFile(const std::string& path) {
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<UaParser> parser, UaParser::LoadFile(path));
  return std::make_unique<UaFieldDeriver>(std::move(parser));
}

std::unique_ptr<UaFieldDeriver> UaFieldDeriver::LoadFileInBackground(std::string path) {
  std::unique_ptr<UaFieldDeriver> d(new UaFieldDeriver());
  UaFieldDeriver* self = d.get();
  Loader* l = d->loader_.get();
  l->thread = std::thread([self, l, path = std::move(path)] {
    Result<std::unique_ptr<UaParser>> parser = UaParser::LoadFile(path, &l->cancel);
    std::lock_guard<std::mutex> lock(l->mu);
    if (parser.ok()) {
      l->parser = std::move(parser).value();
      self->ready_.store(l->parser.get(), std::memory_order_release);
    } else {
      l->status = parser.status();
    }
    l->done = true;
    l->cv.notify_all();
  });
  return d;
}

const UaParser* UaFieldDeriver::Parser() const {
  if (const UaParser* p = ready_.load(std::memory_order_acquire)) return p;
  std::unique_lock<std::mutex> lock(loader_->mu);
  loader_->cv.wait(lock, [&] { return loader_->done; });
  return loader_->parser.get();
}

Status UaFieldDeriver::WaitLoaded() const {
  if (Parser() != nullptr) return Status::Ok();
  std::lock_guard<std::mutex> lock(loader_->mu);
  return loader_->status;
}

bool UaFieldDeriver::IsLoaded() const {
  if (ready_.load(std::memory_order_acquire) != nullptr) return true;
  std::lock_guard<std::mutex> lock(loader_->mu);
  return loader_->done;
}

std::string UaFieldDeriver::ResolveRegexesPath(const std::string& setting) {
  if (setting == "off") return {};
  if (!setting.empty()) return setting;
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::vector<std::filesystem::path> candidates;
  if (!ec) {
    candidates.push_back(exe.parent_path() / "share/vigia/uap-core/regexes.yaml");
    candidates.push_back(exe.parent_path() / "../share/vigia/uap-core/regexes.yaml");
  }
  candidates.emplace_back("/usr/share/uap-core/regexes.yaml");
  for (const auto& c : candidates) {
    if (std::filesystem::is_regular_file(c, ec)) return c.lexically_normal().string();
  }
  return {};
}

UaFields UaFieldDeriver::Derive(std::string_view ua) const {
  UaFields f;
  const UaParser* parser = Parser();
  if (parser == nullptr) return f;
  ua = ua.substr(0, limits::kMaxUaParseBytes);
  UaAgent agent = parser->ParseAgent(ua);
  UaOs os = parser->ParseOs(ua);
  UaDevice device = parser->ParseDevice(ua);
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
      if (Parser() == nullptr) return false;
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

void UaFieldDeriver::Derive(CanonicalEvent& event) const {
  using normalize::Slot;
  if (!event.Has(Slot::kUa)) return;
  UserAgentInfo ua;
  if (!Classify(event.Get(Slot::kUa).s, &ua)) return;
  const std::pair<Slot, std::string_view> derived[] = {{Slot::kBrowser, ua.browser},
                                                       {Slot::kBrowserVersion, ua.browser_version},
                                                       {Slot::kOs, ua.os},
                                                       {Slot::kOsVersion, ua.os_version},
                                                       {Slot::kDevice, ua.device}};
  // The views live in this thread's cache until its next Classify: copied at emission.
  for (const auto& [slot, text] : derived) {
    if (!text.empty()) event.AddIfAbsent(slot, Value::String(text), /*stable=*/false);
  }
}

DeriverSlots UaFieldDeriver::Slots() const {
  using normalize::Slot;
  using normalize::SlotBit;
  return {SlotBit(Slot::kUa), SlotBit(Slot::kBrowser) | SlotBit(Slot::kBrowserVersion) |
                                  SlotBit(Slot::kOs) | SlotBit(Slot::kOsVersion) |
                                  SlotBit(Slot::kDevice)};
}

}  // namespace vigia
