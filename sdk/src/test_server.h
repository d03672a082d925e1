// TestServer (tests only): a real HTTP server (cpp-httplib) speaking the vigia ingest contract
// — POST /v1/events, zstd/gzip NDJSON — that records every line it accepts and can be told to
// answer 503/429/400 or to go down and come back on the same port.
//
// Thread-safety: all methods thread-safe.
#pragma once

#include <httplib.h>
#include <zlib.h>
#include <zstd.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vigia::sdk::testing {

class TestServer {
 public:
  TestServer() { start(0); }
  ~TestServer() { stop(); }

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // HTTP status to answer with (200 = accept).
  std::atomic<int> status{200};
  std::atomic<int> retry_after{0};
  std::atomic<int> requests{0};

  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> g(mu_);
    return lines_;
  }
  size_t line_count() {
    std::lock_guard<std::mutex> g(mu_);
    return lines_.size();
  }
  std::string last_auth() {
    std::lock_guard<std::mutex> g(mu_);
    return auth_;
  }

  void stop() {
    if (!svr_) return;
    svr_->stop();
    if (thread_.joinable()) thread_.join();
    svr_.reset();
  }
  // Starts again (same port after a stop()).
  bool start(int port) {
    svr_ = std::make_unique<httplib::Server>();
    svr_->Post("/v1/events", [this](const httplib::Request& req, httplib::Response& res) {
      ++requests;
      int st = status.load();
      if (st != 200) {
        if (retry_after.load() > 0)
          res.set_header("Retry-After", std::to_string(retry_after.load()));
        res.status = st;
        res.set_content("{\"error\":{\"code\":\"test\",\"message\":\"test\"}}", "application/json");
        return;
      }
      std::string body = req.body;
      std::string enc = req.get_header_value("Content-Encoding");
      if (enc == "zstd") {
        unsigned long long n = ZSTD_getFrameContentSize(body.data(), body.size());
        std::string out(n, '\0');
        size_t r = ZSTD_decompress(out.data(), out.size(), body.data(), body.size());
        if (ZSTD_isError(r)) {
          res.status = 400;
          return;
        }
        out.resize(r);
        body = out;
      } else if (enc == "gzip" && body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f &&
                 static_cast<unsigned char>(body[1]) == 0x8b) {
        // (Debian's httplib is built with zlib and may already have inflated the body.)
        std::string out;
        z_stream zs{};
        inflateInit2(&zs, 15 + 16);
        zs.next_in = reinterpret_cast<Bytef*>(body.data());
        zs.avail_in = static_cast<uInt>(body.size());
        char chunk[65536];
        int rc = Z_OK;
        while (rc == Z_OK) {
          zs.next_out = reinterpret_cast<Bytef*>(chunk);
          zs.avail_out = sizeof chunk;
          rc = inflate(&zs, Z_NO_FLUSH);
          out.append(chunk, sizeof chunk - zs.avail_out);
        }
        inflateEnd(&zs);
        if (rc != Z_STREAM_END) {
          res.status = 400;
          return;
        }
        body = out;
      }
      size_t accepted = 0, p = 0;
      {
        std::lock_guard<std::mutex> g(mu_);
        auth_ = req.get_header_value("Authorization");
        while (p < body.size()) {
          size_t e = body.find('\n', p);
          if (e == std::string::npos) e = body.size();
          if (e > p) {
            lines_.push_back(body.substr(p, e - p));
            ++accepted;
          }
          p = e + 1;
        }
      }
      res.set_content(
          "{\"accepted\":" + std::to_string(accepted) + ",\"rejected\":0,\"errors\":[]}",
          "application/json");
    });
    if (port == 0) {
      port_ = svr_->bind_to_any_port("127.0.0.1");
    } else if (!svr_->bind_to_port("127.0.0.1", port)) {
      return false;
    }
    thread_ = std::thread([this] { svr_->listen_after_bind(); });
    while (!svr_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return true;
  }

 private:
  std::unique_ptr<httplib::Server> svr_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<std::string> lines_;
  std::string auth_;
};

}  // namespace vigia::sdk::testing
