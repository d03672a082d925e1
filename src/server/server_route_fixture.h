// ServerRouteFixture: a real Server as `vigia serve` wires it (its module list, the store on
// a temp dir, an ephemeral port, UA rules off so it is ready at once, no retention so
// events of any date are kept), called through its router without sockets. For the route
// tests of the ingest protocols. Thread-safety: test-only, single-threaded.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/server.h"

namespace vigia::testing {

class ServerRouteFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigia_route_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    config_.store.store.data_dir = (dir_ / "data").string();
    config_.store.store.retention.days = 0;
    config_.http.port = 0;
    config_.http.threads = 1;
    config_.ingest.ua_regexes = "off";
  }
  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Stop().ok());
    }
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Start() {
    Result<std::unique_ptr<Server>> s = Server::Start(config_, nullptr);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }
  HttpResponse Call(std::string_view method, std::string_view target, std::string body = "",
                    std::vector<std::pair<std::string_view, std::string_view>> headers = {}) {
    HttpRequest req;
    req.method = method;
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string_view::npos) req.query = target.substr(q + 1);
    req.headers = std::move(headers);
    req.body = std::move(body);
    req.receive_ts_ns = 1'700'000'000'000'000'000;
    HttpResponse resp;
    server_->router().Dispatch(req, &resp);
    return resp;
  }

  std::filesystem::path dir_;
  ServerConfig config_;
  std::unique_ptr<Server> server_;
};

}  // namespace vigia::testing
