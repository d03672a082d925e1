#include "server/module_store.h"

#include "server/route_erase.h"
#include "server/server_context.h"

namespace vigia {

Status StoreModule::Start(ServerContext* ctx) {
  VIGIA_ASSIGN_OR_RETURN(const StorageBackendKind* kind, FindStorageBackend(options_.backend));
  VIGIA_ASSIGN_OR_RETURN(storage_, kind->open(options_, ctx));
  ctx->store = storage_->store();
  ctx->storage = storage_.get();
  ctx->data_dir = options_.store.data_dir;
  // Ingest admits what any retention rule still keeps; rows of a shorter rule (debug for
  // 3 days) are then removed by the store as their days pass.
  ctx->retention_days = options_.store.retention.MaxDays();
  ctx_ = ctx;
  return Status::Ok();
}

void StoreModule::RegisterRoutes(Router* router) { AddEraseRoutes(ctx_, router); }

Status StoreModule::Stop() {
  if (!storage_) return Status::Ok();
  return storage_->Close();
}

HealthState StoreModule::Health(JsonWriter* details) const { return storage_->Health(details); }

}  // namespace vigia
