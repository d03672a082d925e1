#include "server/route_elasticsearch.h"

#include <optional>

#include "common/ascii.h"
#include "common/json_writer.h"
#include "ingest/ingest_pipeline.h"
#include "ingest/ingest_protocols.h"
#include "server/content_negotiation.h"
#include "server/http_errors.h"
#include "server/ingest_metrics.h"
#include "server/ingest_routes.h"

namespace vigia {
namespace {

constexpr std::string_view kElasticsearchProtocol = "elasticsearch";

void SetProductHeader(HttpResponse* resp) {
  resp->headers.emplace_back("X-Elastic-Product", "Elasticsearch");
}

// Wraps a handler to add the product header clients check.
HttpHandler Es(HttpHandler h) {
  return [h = std::move(h)](HttpRequest& req, HttpResponse* resp) {
    SetProductHeader(resp);
    h(req, resp);
  };
}

HttpHandler Json(std::string body) {
  return [body = std::move(body)](HttpRequest&, HttpResponse* resp) { resp->SetJson(200, body); };
}

std::string RootJson(const ElasticsearchOptions& o) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.KV("name", "vigia").KV("cluster_name", o.cluster_name).KV("cluster_uuid", "vigia");
  w.Key("version").BeginObject();
  w.KV("number", o.version).KV("build_flavor", "default").KV("build_type", "vigia");
  w.KV("build_hash", "vigia").KV("build_date", "2024-01-01T00:00:00.000Z");
  w.KV("build_snapshot", false).KV("lucene_version", "9.12.0");
  w.KV("minimum_wire_compatibility_version", "7.17.0");
  w.KV("minimum_index_compatibility_version", "7.0.0");
  w.EndObject();
  w.KV("tagline", "You Know, for Search");
  w.EndObject();
  return out;
}

void Bulk(const ServerContext* ctx, HttpRequest& req, HttpResponse* resp) {
  const IngestProtocol& protocol = *FindIngestProtocol(kElasticsearchProtocol);
  std::string_view content_type = req.Header("Content-Type");
  if (!AcceptsMediaType(protocol, content_type)) {
    ctx->ingest_metrics->RecordFailure(kElasticsearchProtocol, req.body.size(),
                                       IngestOutcome::kInvalid);
    SetError(resp, error_code::kUnsupportedMediaType,
             "Content-Type " + std::string(content_type) +
                 " is not accepted; use application/x-ndjson or application/json");
    return;
  }
  std::string decompressed;
  std::optional<std::string_view> body = DecompressedBody(ctx, req, resp, &decompressed);
  if (!body) {
    ctx->ingest_metrics->RecordFailure(kElasticsearchProtocol, req.body.size(),
                                       IngestOutcome::kInvalid);
    return;
  }
  IngestRequest in;
  in.body = *body;
  in.content_type = content_type;
  in.receive_ts_ns = req.receive_ts_ns;
  in.tenant = IngestTenantOf(req.principal);
  in.target = req.PathParam("index");
  Result<DecodeResult> decoded = ctx->ingest->Ingest(protocol, std::move(in));
  if (!decoded.ok()) {
    ctx->ingest_metrics->RecordFailure(kElasticsearchProtocol, req.body.size(),
                                       IngestOutcome::kUnavailable);
    SetError(resp, error_code::kStoreUnavailable,
             "events not stored: " + decoded.status().ToString());
    return;
  }
  const DecodeResult& result = *decoded;
  ctx->ingest_metrics->Record(kElasticsearchProtocol, req.body.size(), result);
  const int64_t took_ns = ctx->env->NowNanos() - req.receive_ts_ns;
  std::string out;
  out.reserve(result.reply.size() + 64);
  JsonWriter w(&out);
  w.BeginObject();
  w.KV("took", took_ns > 0 ? took_ns / 1'000'000 : int64_t{0});
  w.KV("errors", result.rejected > 0);
  w.Key("items").Raw(result.reply.empty() ? std::string_view("[]") : result.reply);
  w.EndObject();
  resp->SetJson(200, std::move(out));
}

// _cat answers text unless format=json is asked for.
void Cat(HttpRequest& req, HttpResponse* resp) {
  if (req.QueryParam("format") == "json") {
    resp->SetJson(200, "[]");
  } else {
    resp->status = 200;
    resp->content_type = "text/plain; charset=UTF-8";
  }
}

}  // namespace

bool LooksLikeApiClient(const HttpRequest& req) { return !IsBrowserNavigation(req); }

Status ParseIndexServices(std::string_view text,
                          std::vector<std::pair<std::string, std::string>>* out) {
  out->clear();
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = ascii::TrimSpaces(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("expected \"index-glob=service\", got \"" + std::string(item) +
                                     "\"");
    }
    std::string_view glob = ascii::TrimSpaces(item.substr(0, eq));
    std::string_view service = ascii::TrimSpaces(item.substr(eq + 1));
    if (glob.empty() || service.empty()) {
      return Status::InvalidArgument("empty index glob or service in \"" + std::string(item) +
                                     "\"");
    }
    out->emplace_back(std::string(glob), std::string(service));
  }
  return Status::Ok();
}

void AddElasticsearchRoutes(const ServerContext* ctx, const ElasticsearchOptions* options,
                            Router* router) {
  HttpHandler bulk = Es([ctx](HttpRequest& req, HttpResponse* resp) { Bulk(ctx, req, resp); });
  for (const char* method : {"POST", "PUT"}) {
    router->Add(method, "/_bulk", Access::kIngest, bulk);
    router->Add(method, "/{index}/_bulk", Access::kIngest, bulk);
  }
  // The handshake and setup calls need the shipper's key too (an ingest key), as a secured
  // Elasticsearch cluster does.
  // The answer depends on Accept (the dashboard's shell for browsers): Vary says so to caches.
  router->AddWhen("GET", "/", Access::kIngest, &LooksLikeApiClient,
                  Es([body = RootJson(*options)](HttpRequest&, HttpResponse* resp) {
                    resp->headers.emplace_back("Vary", "Accept");
                    resp->SetJson(200, body);
                  }));

  router->Add("GET", "/_license", Access::kIngest,
              Es(Json(R"({"license":{"status":"active","uid":"vigia","type":"basic",)"
                      R"("issue_date_in_millis":0,"expiry_date_in_millis":4102444800000,)"
                      R"("max_nodes":1000,"issued_to":"vigia","issuer":"vigia"}})")));
  router->Add("GET", "/_xpack", Access::kIngest,
              Es(Json(R"({"build":{"hash":"vigia","date":"2024-01-01T00:00:00.000Z"},)"
                      R"("license":{"uid":"vigia","type":"basic","mode":"basic",)"
                      R"("status":"active"},"features":{}})")));
  std::string health;
  {
    JsonWriter w(&health);
    w.BeginObject().KV("cluster_name", options->cluster_name).KV("status", "green");
    w.KV("timed_out", false).KV("number_of_nodes", 1).KV("number_of_data_nodes", 1);
    w.KV("active_primary_shards", 0).KV("active_shards", 0).KV("unassigned_shards", 0);
    w.EndObject();
  }
  router->Add("GET", "/_cluster/health", Access::kIngest, Es(Json(health)));
  router->Add("GET", "/_cat/{what}", Access::kIngest, Es(&Cat));
  std::string nodes;
  {
    JsonWriter w(&nodes);
    w.BeginObject();
    w.Key("_nodes").BeginObject().KV("total", 1).KV("successful", 1).KV("failed", 0).EndObject();
    w.KV("cluster_name", options->cluster_name).Key("nodes").BeginObject().EndObject();
    w.EndObject();
  }
  for (const char* path : {"/_nodes", "/_nodes/{a}", "/_nodes/{a}/{b}"}) {
    router->Add("GET", path, Access::kIngest, Es(Json(nodes)));
  }
  // Setup calls of shippers that manage templates and policies: everything "exists", a PUT
  // is acknowledged; vigia has no mappings to set up.
  for (const char* path :
       {"/_index_template/{name}", "/_template/{name}", "/_component_template/{name}",
        "/_ilm/policy/{name}", "/_ingest/pipeline/{name}", "/_data_stream/{name}"}) {
    router->Add("GET", path, Access::kIngest, Es(Json("{}")));
    router->Add("PUT", path, Access::kIngest, Es(Json(R"({"acknowledged":true})")));
  }
  router->Add("PUT", "/{index}", Access::kIngest, Es([](HttpRequest& req, HttpResponse* resp) {
                std::string out;
                JsonWriter w(&out);
                w.BeginObject().KV("acknowledged", true).KV("shards_acknowledged", true);
                w.KV("index", req.PathParam("index")).EndObject();
                resp->SetJson(200, std::move(out));
              }));
}

}  // namespace vigia
