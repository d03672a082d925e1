#include "server/auth_check.h"

#include "server/http_errors.h"

namespace vigia {

bool RequireApiKey(const ApiKeys& keys, const HttpRequest& req, HttpResponse* resp) {
  Status st = keys.Check(req.Header("Authorization"));
  if (st.ok()) return true;
  SetError(resp, error_code::kUnauthenticated, st.message());
  resp->headers.emplace_back("WWW-Authenticate", "Bearer realm=\"vigia\"");
  return false;
}

}  // namespace vigia
