// The Elasticsearch-compatible endpoints: enough of the Elasticsearch HTTP API that log
// shippers with an Elasticsearch output (Filebeat, Logstash, Fluent Bit, Vector, rsyslog's
// omelasticsearch, syslog-ng's elasticsearch-http()) send to vigia unchanged.
//
//   POST|PUT /_bulk, POST|PUT /{index}/_bulk   the data: BulkDecoder (ingest/elasticsearch)
//       through the IngestPipeline; the answer is Elasticsearch's ({"took","errors","items"}),
//       sent once the events are in the WAL; 503 + Retry-After when nothing was stored (bulk
//       clients retry the request).
//   GET|HEAD /                       the handshake: cluster name and version.number (which
//       clients check: Beats refuse a cluster older than themselves, Vector and Logstash pick
//       the request format by its major). Only for clients that do not ask for HTML: a
//       browser's GET / (Accept: text/html) goes on to the router's fallback (the dashboard).
//   GET /_license, /_xpack, /_cluster/health, /_cat/..., /_nodes/...   harmless answers
//   GET|HEAD|PUT /_index_template/{n}, /_template/{n}, /_component_template/{n},
//       /_ilm/policy/{n}, /_ingest/pipeline/{n}, /_data_stream/{n}, PUT /{index}
//       setup calls: "exists" and "acknowledged", nothing is stored.
//
// Every answer of a handler carries `X-Elastic-Product: Elasticsearch` (clients since 7.14
// refuse a server without it). Every route needs role ingest; shippers present their key as
// the Basic-auth password, as `ApiKey <key>` or as Bearer (auth_check.h). Events are stored
// under the key's tenant (IngestTenantOf).
//
// Thread-safety: the handlers are thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "server/router.h"
#include "server/server_context.h"

namespace vigia {

// [elasticsearch]
struct ElasticsearchOptions {
  // The version.number GET / reports. Beats (Filebeat, ...) refuse a cluster older than
  // themselves unless output.elasticsearch.allow_older_versions is set.
  std::string version = "8.17.0";
  std::string cluster_name = "vigia";
  // (glob, service): an index matching the glob gives its events that service when they name
  // none (elasticsearch.index_services = "pharmacy-*=pharmacy,logs-web-*=web").
  std::vector<std::pair<std::string, std::string>> index_services;
};

// Parses "glob=service,glob=service" (spaces around items ignored).
Status ParseIndexServices(std::string_view text,
                          std::vector<std::pair<std::string, std::string>>* out);

// Adds the routes above. REQUIRES: ctx and options outlive the router.
void AddElasticsearchRoutes(const ServerContext* ctx, const ElasticsearchOptions* options,
                            Router* router);

// True when a GET / comes from an API client rather than a browser: Accept does not name
// text/html with q > 0 (content_negotiation.h IsBrowserNavigation).
bool LooksLikeApiClient(const HttpRequest& req);

}  // namespace vigia
