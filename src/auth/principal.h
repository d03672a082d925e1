// Principal, Role and Access: who sent a request (the key's tenant and role, set by the
// server's authenticator before any route runs) and what a route requires. Every route
// states its Access when it is registered (Router::Add), so a new route cannot forget it;
// every read a route runs is scoped to the principal's tenant by the query backend
// (query/tenant_scope.h). docs/security.md describes the model.
//
//   role    may                                                   tenant
//   ingest  POST events (Access::kIngest)                         the key's; a client
//                                                                 `tenant` field is replaced
//   read    query, trace, tail and the other reads (kRead)        the key's only
//   admin   everything: keys, stats, metrics, rules (kAdmin),     all tenants
//           and the ingest and read routes
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigia {

enum class Role : uint8_t { kIngest, kRead, kAdmin };

// What a route requires of the request's principal.
enum class Access : uint8_t {
  kPublic,  // no key at all (/health/*, the dashboard's static files)
  kIngest,  // role ingest or admin
  kRead,    // role read or admin
  kAdmin,   // role admin
};

struct Principal {
  // "open" (no key configured), "legacy" (a key of VIGIA_API_KEYS / auth.api_keys_file), or
  // the id of a stored key. Never the key itself.
  std::string key_id;
  Role role = Role::kAdmin;
  // True: the key sees and writes every tenant (admin, open mode, legacy keys); events keep
  // the `tenant` field the client sent. False: only `tenant`.
  bool all_tenants = false;
  std::string tenant;
  bool authenticated = false;  // set by the authenticator; false on public routes
};

std::string_view RoleName(Role role);             // "ingest", "read", "admin"
std::optional<Role> ParseRole(std::string_view);  // the names above
std::string_view AccessName(Access access);       // "public", "ingest", "read", "admin"

// Whether `role` may use a route requiring `access`.
bool Permits(Role role, Access access);

// A tenant name a key may be bound to: 1..64 bytes of [A-Za-z0-9_-] (it names partition
// directories and is matched exactly by queries).
bool ValidTenantName(std::string_view tenant);

}  // namespace vigia
