// The node id of `vigia serve` in a cluster (storage.backend = "clickhouse"): the name the
// node's lease heartbeats carry (clickhouse/lease_keeper.h). `cluster.node_id` when set;
// otherwise the id persisted in <data>/cluster/node_id, created on the first start as the host
// name (reduced to [A-Za-z0-9._-]) and 8 random hex digits, so a node keeps its id across
// restarts and two nodes on one host (two data directories) get different ones.
//
// Thread-safety: a pure function apart from the file it reads or writes (call once at start).
#pragma once

#include <string>

#include "common/env.h"
#include "common/status.h"

namespace vigia {

// The configured id (`configured` non-empty, checked) or the persisted one (created when
// missing). InvalidArgument for an id that is not 1-64 of [A-Za-z0-9._-].
Result<std::string> LoadOrCreateNodeId(Env* env, const std::string& data_dir,
                                       const std::string& configured);

}  // namespace vigia
