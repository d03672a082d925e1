// The right to erasure over HTTP (docs/security.md, "Right to erasure"; docs/http-api.md):
//
//   POST /v1/admin/erase   {"tenant":"acme","field":"user_id","value":"u-1842"}   role admin
//     → 200 {"tenant":..,"field":..,"events":N,"parts_scanned":..,"parts_rewritten":..,
//            "parts_removed":..}
//
// Removes from the store (parts, WAL, memtable) every event of the tenant whose field equals
// the value (Store::Erase), then records the erasure as a kind=audit event in that tenant
// (action data.erased, actor = the admin key's id, entity tenant, entity_id = the tenant,
// details: the field and the counts — never the value, which would otherwise be stored
// again). `vigia erase --data DIR` does the same offline (src/cli/erase_command.cpp).
//
// Thread-safety: the handler runs on any HTTP thread; Store::Erase is thread-safe.
#pragma once

#include <string>

#include "server/router.h"
#include "server/server_context.h"
#include "store/store.h"

namespace vigia {

// REQUIRES: ctx->store set (the store module registers it from RegisterRoutes).
void AddEraseRoutes(ServerContext* ctx, Router* router);

// The kind=audit NDJSON line of an erasure (shared with the offline `vigia erase`).
std::string ErasureAuditLine(const EraseRequest& request, const EraseResult& result,
                             std::string_view actor);

}  // namespace vigia
