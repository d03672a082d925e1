// Integration: the server holds 1,000 concurrent keep-alive connections, each sending a
// batch, without refusing any, and each connection stays usable for a second batch.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <memory>
#include <string>
#include <vector>

#include "it_util.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

constexpr int kConnections = 1000;
constexpr int kEventsPerBatch = 10;

TEST(ConnectionsIt, ThousandConcurrentKeepAliveConnections) {
  // The test process needs 1,000+ descriptors as well.
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  ASSERT_GE(rl.rlim_cur, rlim_t{kConnections + 100});

  TempDir dir;
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  ServerProcess server(o);
  ASSERT_TRUE(server.Start().ok()) << server.Log();

  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < kConnections; ++i) {
    clients.push_back(std::make_unique<HttpClient>(server.port(), 60000));
    Status st = clients.back()->Connect();
    ASSERT_TRUE(st.ok()) << "connection " << i << ": " << st.ToString();
  }
  // Two rounds: every connection has a request in flight at once, then reuses its socket.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < kConnections; ++i) {
      std::string batch;
      for (int e = 0; e < kEventsPerBatch; ++e) {
        batch += EventLine("c" + std::to_string(round) + "-" + std::to_string(i) + "-" +
                           std::to_string(e));
      }
      std::string req = HttpClient::BuildRequest("POST", "/v1/events", batch,
                                                 {{"Content-Type", "application/x-ndjson"}});
      ASSERT_TRUE(clients[i]->SendRaw(req).ok()) << "send on connection " << i;
    }
    int ok = 0;
    for (int i = 0; i < kConnections; ++i) {
      Result<HttpResult> r = clients[i]->ReadResponse();
      ASSERT_TRUE(r.ok()) << "connection " << i << ": " << r.status().ToString();
      EXPECT_EQ(r->status, 200) << r->body;
      EXPECT_NE(r->Header("connection"), "close");
      if (r->status == 200 && r->body == "{\"accepted\":" + std::to_string(kEventsPerBatch) +
                                             ",\"rejected\":0,\"errors\":[]}") {
        ++ok;
      }
    }
    EXPECT_EQ(ok, kConnections);
  }
  clients.clear();

  HttpClient c(server.port(), 60000);
  Result<HttpResult> dump = c.Request("GET", "/v1/query?q=*&format=ndjson&limit=100000000");
  ASSERT_TRUE(dump.ok());
  auto uids = CountUids(dump->body);
  EXPECT_EQ(uids.size(), size_t{2 * kConnections * kEventsPerBatch});
  for (const auto& [uid, n] : uids) EXPECT_EQ(n, 1) << uid;
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

}  // namespace
}  // namespace vigia::testing
