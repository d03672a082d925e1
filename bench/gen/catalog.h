// Catalog: the static vocabulary of the synthetic web backend that vigia-gen simulates —
// services, routes with their latency and status profiles, user agents, log-message
// templates, audit actions and recurring error signatures. Modelled on the seed
// applications (FastAPI auth/teams API, pharmacy sales backend, Quarkus catalog API, a
// background worker): the same routes, messages and fields their documents show.
//
// Thread-safety: immutable constant data, thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace vigia::bench {

// What a route does, which decides the application logs and audit events it emits.
enum class RouteAction : uint8_t {
  kLogin,
  kLogout,
  kRefresh,
  kPasswordReset,
  kTwoFactor,
  kCreateSale,
  kGetSale,
  kPaySale,
  kCloseCash,
  kStock,
  kListProducts,
  kGetProduct,
  kTeams,
  kAddMember,
  kHealth,
  kDailyReport,
};

struct Route {
  std::string_view service;
  std::string_view method;
  std::string_view tmpl;      // route template, "/sales/{id}/pay"
  std::string_view function;  // handler function, for slow-operation warnings and stacks
  RouteAction action;
  uint32_t weight;   // relative request frequency
  double median_ms;  // log-normal latency: median and sigma of log(latency)
  double sigma;
  double slow_threshold_ms;  // above it the app logs "Slow operation detected"
  double fail_4xx;           // probability of a client error (route specific)
};

struct UserAgent {
  std::string_view ua;
  uint32_t weight;
};

// A recurring application error: same type, message shape and stack → one fingerprint.
struct ErrorSignature {
  std::string_view type;
  std::string_view message;
  std::string_view code;  // internal error code (seed 004 asks for one)
  std::string_view file;
  uint32_t line;
  std::string_view function;
  std::string_view stack;  // Python-style traceback text, newline separated
  uint32_t weight;
};

struct AuditAction {
  std::string_view action;  // entity.verb, as in seed 001's catalogue
  std::string_view entity;
  bool sensitive;
};

std::span<const Route> Routes();
std::span<const UserAgent> UserAgents();
std::span<const ErrorSignature> ErrorSignatures();

// Services, environments and hosts (index by the route's service where relevant).
std::span<const std::string_view> Services();
std::span<const std::string_view> Hosts();
std::string_view AppVersion();
std::string_view Environment();

// Background-worker log messages (service reports-worker) that are not tied to requests.
std::span<const std::string_view> WorkerMessages();

// The rare word planted in a few messages for the "rare word" query; its count is in the
// generator's ground truth.
inline constexpr std::string_view kRareWord = "deadlock";

// The attacker of the brute-force incident and the user agent its script sends.
inline constexpr std::string_view kBruteForceIp = "203.0.113.77";
inline constexpr std::string_view kBruteForceUa = "python-requests/2.31.0";

}  // namespace vigia::bench
