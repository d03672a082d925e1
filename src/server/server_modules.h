// The modules of `vigia serve`, in start order: the one list to extend (see server_module.h
// for what a module is and the ServerModule contract).
//
// Thread-safety: a pure function.
#pragma once

#include <memory>
#include <vector>

#include "server/config.h"
#include "server/server_module.h"

namespace vigia {

// One new instance of every built-in module, configured from `config`. Order matters: a
// module may use what the modules before it published in the ServerContext (the query
// module reads the store module's store and the ingest module's live feed).
std::vector<std::unique_ptr<ServerModule>> BuiltinServerModules(const ServerConfig& config);

}  // namespace vigia
