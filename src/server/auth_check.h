// RequestAuthenticator: who sent a request, from its "Authorization: Bearer <key>" header —
// the Router's authenticator (router.h), so it runs before every non-public route. Log
// shippers that only speak Basic auth or Elasticsearch API keys present the same key as the
// Basic password (any user name) or as "ApiKey <key>" (or base64 of "id:<key>").
//
//   a stored key ("vk_<id>_<secret>", KeyStore)  → that key's tenant and role
//   a key of VIGIA_API_KEYS / auth.api_keys_file → role admin, every tenant (what any key
//                                                  could do before tenants and roles)
//   no key configured at all (open mode)         → role admin, every tenant, header ignored
//
// Sentry SDKs authenticate with the key of their DSN (http://<key>@host/<project_id>), sent
// in X-Sentry-Auth or as ?sentry_key=: it is looked up like a Bearer key (SentryKeyOf).
//
// Open mode ends with the first stored key (created through the admin API or `vigia keys`):
// revoking every key later does not reopen the server. Errors say what is wrong (missing,
// malformed, invalid, revoked, expired) and never echo the key.
//
// Thread-safety: thread-safe (ApiKeys is immutable; KeyStore is thread-safe).
#pragma once

#include <string>
#include <string_view>

#include "auth/key_store.h"
#include "auth/principal.h"
#include "server/api_keys.h"
#include "server/http_message.h"

namespace vigia {

class RequestAuthenticator {
 public:
  // `legacy` must not be null; `store` may be (no data directory). Both outlive this.
  RequestAuthenticator(const ApiKeys* legacy, const KeyStore* store)
      : legacy_(legacy), store_(store) {}

  // No key of any kind: every request is the open-mode principal.
  bool open() const;
  Result<Principal> Authenticate(std::string_view authorization) const;
  // The Authorization header's key; without one, the DSN key of a Sentry SDK (SentryKeyOf).
  Result<Principal> Authenticate(const HttpRequest& req) const;

 private:
  const ApiKeys* const legacy_;
  const KeyStore* const store_;
};

// The DSN key a Sentry SDK presents (docs/errors.md): `X-Sentry-Auth: Sentry sentry_key=<key>,
// sentry_version=7, ...`, or `?sentry_key=<key>` (browser SDKs, which cannot set headers
// without a preflight) — the query parameter only on the Sentry ingest routes under /api/,
// so no other route takes a key in its URL. Empty when none.
std::string SentryKeyOf(const HttpRequest& req);

// The key an Authorization header presents (Bearer, Basic password, ApiKey); empty when none.
std::string KeyFromAuthorization(std::string_view authorization);

// The principal of open mode and of server-internal work: admin over every tenant.
Principal OpenModePrincipal();

}  // namespace vigia
