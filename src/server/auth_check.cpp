#include "server/auth_check.h"

#include "common/ascii.h"

namespace vigia {

Principal OpenModePrincipal() {
  Principal p;
  p.key_id = "open";
  p.role = Role::kAdmin;
  p.all_tenants = true;
  p.authenticated = true;
  return p;
}

bool RequestAuthenticator::open() const {
  return !legacy_->enabled() && (store_ == nullptr || store_->empty());
}

Result<Principal> RequestAuthenticator::Authenticate(std::string_view authorization) const {
  if (open()) return OpenModePrincipal();
  constexpr std::string_view kBearer = "bearer ";
  if (authorization.empty()) {
    return Status::Unauthenticated("missing \"Authorization: Bearer <key>\" header");
  }
  if (authorization.size() <= kBearer.size() ||
      !ascii::EqualsLower(authorization.substr(0, kBearer.size()), kBearer)) {
    return Status::Unauthenticated("malformed Authorization header (expected \"Bearer <key>\")");
  }
  std::string_view key = ascii::TrimSpaces(authorization.substr(kBearer.size()));
  if (key.empty() || key.find_first_of(" \t") != std::string_view::npos) {
    return Status::Unauthenticated("malformed Authorization header (expected \"Bearer <key>\")");
  }
  if (store_ != nullptr && key.substr(0, 3) == "vk_") {
    VIGIA_ASSIGN_OR_RETURN(ApiKeyRecord r, store_->Verify(key));
    return r.ToPrincipal();
  }
  if (legacy_->Matches(key)) {
    Principal p = OpenModePrincipal();
    p.key_id = "legacy";
    return p;
  }
  return Status::Unauthenticated("invalid API key");
}

}  // namespace vigia
