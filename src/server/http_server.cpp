#include "server/http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "common/ascii.h"
#include "common/limits.h"
#include "common/logger.h"
#include "common/thread_priority.h"
#include "server/body_buffer_pool.h"
#include "server/http_errors.h"
#include "server/request_id.h"
#include "server/response_stream.h"
#include "server/tls_context.h"

namespace vigia {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

int64_t WallNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// How long a closing connection keeps reading (and discarding) what the client is still
// sending, so that our error response is not destroyed by a TCP reset (RFC 9112 §9.6).
constexpr auto kLingerTime = std::chrono::seconds(2);

}  // namespace

// What the server's list of live connections needs of one, whatever its stream (plain TCP
// or TLS).
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // See Session::OnShutdown. Runs on the session's strand.
  virtual void OnShutdown(bool force) = 0;
  virtual net::any_io_executor executor() = 0;
};

// The TLS context of server.tls_cert_file / tls_key_file (tls_context.h).
static Result<std::shared_ptr<ssl::context>> LoadTlsContext(const HttpServerOptions& o) {
  TlsFiles files;
  files.cert_file = o.tls_cert_file;
  files.key_file = o.tls_key_file;
  return LoadServerTlsContext(files);
}

struct HttpServer::Impl {
  Impl(HttpServerOptions o, const Router* r, MetricRegistry* m)
      : options(std::move(o)), router(r), metrics(m) {}

  HttpServerOptions options;
  const Router* router;
  MetricRegistry* metrics;
  Counter* tls_failures_counter = nullptr;    // null without metrics
  Counter* ingest_refused_counter = nullptr;  // null without metrics
  std::unique_ptr<net::io_context> ioc;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::steady_timer> accept_retry;
  std::vector<std::thread> workers;
  // Where ingest routes' handlers run (null when server.ingest_threads < 0: inline).
  std::unique_ptr<net::thread_pool> ingest_pool;
  std::atomic<uint64_t> ingest_queued_bytes{0};
  std::atomic<uint64_t> ingest_refused{0};
  // Request bodies' memory, reused across requests (body_buffer_pool.h).
  BodyBufferPool body_pool{limits::kBodyPoolMaxIdleBytes, limits::kBodyPoolMinBufferBytes,
                           limits::kBodyPoolMaxBufferBytes};
  uint16_t bound_port = 0;
  bool running = false;
  std::atomic<bool> stopping{false};

  // Live sessions, so that Shutdown() can close idle ones.
  mutable std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;

  // The TLS context new connections use (null: plain HTTP). Replaced by ReloadTls();
  // a connection keeps the context it started with.
  mutable std::mutex tls_mu;
  std::shared_ptr<ssl::context> tls;
  std::atomic<uint64_t> tls_handshake_failures{0};

  std::shared_ptr<ssl::context> CurrentTls() const {
    std::lock_guard<std::mutex> lock(tls_mu);
    return tls;
  }

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Register(const std::shared_ptr<SessionBase>& s);
  void Unregister(SessionBase* s);
  // Calls fn on every live session (on its own strand).
  template <typename Fn>
  void ForEachSession(Fn fn);
};

// One client connection over `Stream` (beast::tcp_stream, or TlsStream: the TLS handshake
// comes first, within the request timeout). All its handlers run on its strand, so its state
// needs no lock.
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  Session(tcp::socket&& socket, HttpServer::Impl* server) requires(!kTls)
      : stream_(std::move(socket)), server_(server) {}
  Session(tcp::socket&& socket, std::shared_ptr<ssl::context> tls,
          HttpServer::Impl* server) requires(kTls)
      : tls_(std::move(tls)), stream_(std::move(socket), *tls_), server_(server) {}
  ~Session() override {
    // The io_context may destroy a streaming session without running its handlers.
    if (stream_body_) {
      stream_body_->CloseFromTransport(ResponseStream::CloseReason::kShutdown);
      stream_body_->Detach();
    }
    server_->Unregister(this);
  }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Begin, this->shared_from_this()));
  }

  // Called on the strand at shutdown: a connection between requests is closed now; one in
  // the middle of a request closes after its response.
  void OnShutdown(bool force) override {
    if (stream_body_ && !force) {
      // A live stream ends cleanly: what is buffered, then the last chunk, then close.
      stream_body_->CloseFromTransport(ResponseStream::CloseReason::kShutdown);
      return PumpStream();
    }
    if (idle_ || force) {
      beast::error_code ec;
      Lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
      Lowest().socket().close(ec);
    }
  }

  net::any_io_executor executor() override { return stream_.get_executor(); }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  // The peer's address, IPv4-mapped IPv6 shown as IPv4 (one client, one rate-limit bucket).
  std::string RemoteIp() {
    beast::error_code ec;
    tcp::endpoint ep = Lowest().socket().remote_endpoint(ec);
    if (ec) return {};
    net::ip::address a = ep.address();
    if (a.is_v6() && a.to_v6().is_v4_mapped()) {
      return net::ip::make_address_v4(net::ip::v4_mapped, a.to_v6()).to_string();
    }
    return a.to_string();
  }

  // Stage 0 (TLS only): the handshake, within the request timeout, so a client that opens
  // a connection and sends nothing holds it no longer than a slow request would.
  void Begin() {
    if constexpr (kTls) {
      idle_ = true;
      Lowest().expires_after(std::chrono::seconds(server_->options.request_timeout_sec));
      stream_.async_handshake(
          ssl::stream_base::server,
          beast::bind_front_handler(&Session::OnHandshake, this->shared_from_this()));
    } else {
      WaitForRequest();
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      // An untrusting client, a plain-HTTP request on the TLS port, a scanner: nobody to
      // answer in HTTP. Counted, not logged per connection (a scan would flood the log).
      server_->tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
      if (server_->tls_failures_counter != nullptr) server_->tls_failures_counter->Inc();
      return Close();
    }
    WaitForRequest();
  }

  // Stage 1: wait (up to the idle timeout) for the first byte of the next request.
  void WaitForRequest() {
    if (server_->stopping.load()) return Close();
    idle_ = true;
    if (buffer_.size() > 0) return ReadHeader();
    Lowest().expires_after(std::chrono::seconds(server_->options.idle_timeout_sec));
    stream_.async_read_some(
        buffer_.prepare(4096),
        beast::bind_front_handler(&Session::OnFirstBytes, this->shared_from_this()));
  }

  void OnFirstBytes(beast::error_code ec, size_t n) {
    if (ec) return Close();  // idle timeout, client closed, or shutdown
    buffer_.commit(n);
    ReadHeader();
  }

  // Stage 2: the whole request (header and body) must arrive within the request timeout.
  void ReadHeader() {
    idle_ = false;
    start_ = std::chrono::steady_clock::now();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_->options.max_header_bytes));
    parser_->body_limit(server_->options.max_body_bytes);
    Lowest().expires_after(std::chrono::seconds(server_->options.request_timeout_sec));
    http::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&Session::OnHeader, this->shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    auto& req = parser_->get();
    // A body big enough to be its own mapping is read into a recycled buffer (Handle and
    // HandleOnIngestPool give it back). The parser has not stored body bytes yet; its body
    // reader refers to the message's string, whichever buffer that holds.
    if (auto len = parser_->content_length();
        len && *len >= limits::kBodyPoolMinBufferBytes && req.body().empty()) {
      req.body() = server_->body_pool.Take();
      buffer_.reserve(limits::kBodyReadBufferBytes);
    }
    request_id_ = ChooseRequestId(std::string_view(req["X-Request-ID"]));
    auto expect = req[http::field::expect];
    if (ascii::EqualsIgnoreCase(std::string_view(expect.data(), expect.size()), "100-continue") &&
        !parser_->is_done()) {
      // curl and most clients wait for this before sending a large body.
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = this->shared_from_this()](beast::error_code wec, size_t) {
                         if (wec) return self->Close();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return Handle();
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, this->shared_from_this()));
  }

  void OnBody(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    Handle();
  }

  void OnReadError(beast::error_code ec) {
    if (request_id_.empty()) request_id_ = NewUuidV7();
    HttpResponse resp;
    if (ec == http::error::body_limit) {
      SetError(&resp, error_code::kBodyTooLarge,
               "request body exceeds limits.max_body_bytes (" +
                   std::to_string(server_->options.max_body_bytes) + " bytes)");
    } else if (ec == http::error::header_limit) {
      SetError(&resp, error_code::kHeaderTooLarge,
               "request header exceeds limits.max_header_bytes (" +
                   std::to_string(server_->options.max_header_bytes) + " bytes)");
    } else if (ec == beast::error::timeout) {
      SetError(&resp, error_code::kTimeout,
               "request not received within server.request_timeout_sec");
    } else if (ec == http::error::end_of_stream || ec == net::error::eof ||
               ec == net::error::connection_reset || ec == net::error::operation_aborted ||
               ec == http::error::partial_message) {
      return Close();  // the client went away: nobody to answer
    } else {
      SetError(&resp, error_code::kBadRequest, "malformed HTTP request: " + ec.message());
    }
    resp.close = true;
    std::string method;
    std::string path;
    if (parser_ && parser_->is_header_done()) {
      const auto& msg = parser_->get();
      method = std::string(msg.method_string());
      path = std::string(msg.target().substr(0, msg.target().find('?')));
    }
    Respond(std::move(resp), std::move(method), std::move(path));
  }

  void Handle() {
    auto& msg = parser_->get();
    HttpRequest req;
    std::string_view method(msg.method_string().data(), msg.method_string().size());
    std::string_view target(msg.target().data(), msg.target().size());
    req.method = method;
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string_view::npos) req.query = target.substr(q + 1);
    req.headers.reserve(16);
    for (const auto& f : msg) {
      req.headers.emplace_back(std::string_view(f.name_string().data(), f.name_string().size()),
                               std::string_view(f.value().data(), f.value().size()));
    }
    req.body = std::move(msg.body());
    req.request_id = request_id_;
    req.remote_ip = RemoteIp();
    req.receive_ts_ns = WallNanos();
    bytes_in_ = req.body.size();

    if (server_->ingest_pool && server_->router->IsIngest(req)) {
      return HandleOnIngestPool(std::move(req));
    }
    HttpResponse resp = Run(server_->router, req);
    Finish(std::move(resp), req);
    server_->body_pool.Give(req.body);
  }

  // Runs the handler (on the calling thread). Touches nothing of the session but `req`.
  static HttpResponse Run(const Router* router, HttpRequest& req) {
    HttpResponse resp;
    try {
      router->Dispatch(req, &resp);
    } catch (const std::exception& e) {
      // Handlers report errors through the response; an exception is a bug, but one bad
      // request must not take the server down.
      logger::Error("handler threw", {{"request_id", req.request_id}, {"error", e.what()}});
      SetError(&resp, error_code::kInternal, "internal error");
    }
    return resp;
  }

  // On the strand, once the handler has answered.
  void Finish(HttpResponse resp, const HttpRequest& req) {
    if (!parser_->get().keep_alive()) resp.close = true;
    is_head_ = req.method == "HEAD";
    Respond(std::move(resp), std::string(req.method), std::string(req.path));
  }

  // An ingest request: its handler runs on the ingest pool and the answer comes back to
  // the strand, so the I/O threads stay free for queries (which would otherwise wait for
  // a worker held by a decode or a WAL commit). The request's views point into parser_,
  // which nothing touches until Finish. Bodies waiting for the pool are bounded in bytes:
  // past server.ingest_queue_max_bytes the request is refused with 503 (the client retries).
  void HandleOnIngestPool(HttpRequest req) {
    const uint64_t bytes = req.body.size();
    const uint64_t before = server_->ingest_queued_bytes.fetch_add(bytes);
    if (before > 0 && before + bytes > server_->options.ingest_queue_max_bytes) {
      server_->ingest_queued_bytes.fetch_sub(bytes);
      server_->ingest_refused.fetch_add(1, std::memory_order_relaxed);
      if (server_->ingest_refused_counter != nullptr) server_->ingest_refused_counter->Inc();
      HttpResponse resp;
      SetError(&resp, error_code::kOverloaded,
               "ingest queue full (server.ingest_queue_max_bytes = " +
                   std::to_string(server_->options.ingest_queue_max_bytes) +
                   " bytes waiting): retry later");
      Finish(std::move(resp), req);
      server_->body_pool.Give(req.body);
      return;
    }
    auto job = std::make_shared<HttpRequest>(std::move(req));
    auto self = this->shared_from_this();
    // The io_context would return from run() once it has nothing pending (at shutdown the
    // acceptor is gone and this session waits on no socket): the guard keeps its threads
    // there for the answer.
    auto work =
        std::make_shared<net::executor_work_guard<net::any_io_executor>>(stream_.get_executor());
    net::post(*server_->ingest_pool, [self, job, bytes, work] {
      thread_local bool named = [] {
        SetThreadRole(ThreadRole::kIngest);
        return true;
      }();
      (void)named;
      auto resp = std::make_shared<HttpResponse>(Run(self->server_->router, *job));
      self->server_->ingest_queued_bytes.fetch_sub(bytes);
      net::post(self->stream_.get_executor(), [self, job, resp] {
        self->Finish(std::move(*resp), *job);
        self->server_->body_pool.Give(job->body);
      });
      work->reset();
    });
  }

  void Respond(HttpResponse resp, std::string method, std::string path) {
    if (server_->stopping.load()) resp.close = true;
    if (resp.stream && is_head_) {
      // HEAD gets the header only: nobody will read the stream.
      resp.stream->CloseFromTransport(ResponseStream::CloseReason::kClientGone);
      resp.stream.reset();
    }
    if (resp.stream) return RespondStream(std::move(resp), std::move(method), std::move(path));
    close_after_ = resp.close;
    res_.emplace();
    res_->version(11);
    res_->result(static_cast<unsigned>(resp.status));
    res_->set(http::field::server, "vigia");
    res_->set(http::field::content_type, resp.content_type);
    res_->set("X-Request-ID", request_id_);
    for (auto& [k, v] : resp.headers) res_->set(k, v);
    res_->keep_alive(!resp.close);
    size_t body_size = resp.body.size();
    res_->body() = std::move(resp.body);
    res_->prepare_payload();
    if (is_head_) {
      res_->body().clear();
      res_->content_length(body_size);
    }
    status_ = resp.status;
    method_ = std::move(method);
    path_ = std::move(path);
    // A failing response must be able to go out even when the request stalled on a read.
    Lowest().expires_after(std::chrono::seconds(server_->options.request_timeout_sec));
    if (is_head_) {
      http::response_serializer<http::string_body> sr(*res_);
      sr.split(true);
      beast::error_code ec;
      http::write_header(stream_, sr, ec);
      return OnWrite(ec, 0);
    }
    http::async_write(stream_, *res_,
                      beast::bind_front_handler(&Session::OnWrite, this->shared_from_this()));
  }

  // --- streamed responses (HttpResponse::stream) ---------------------------------------
  // The header goes out at once; then every chunk the producer writes, one write in flight
  // at a time. Meanwhile a read watches the socket so a client that goes away is noticed
  // without waiting for a write to fail. Neither the idle nor the request timeout applies
  // to a live stream; only a single write may not take longer than the request timeout
  // (a client that stopped reading). The connection closes when the stream ends.
  void RespondStream(HttpResponse resp, std::string method, std::string path) {
    stream_body_ = std::move(resp.stream);
    if (server_->stopping.load()) {
      stream_body_->CloseFromTransport(ResponseStream::CloseReason::kShutdown);
    }
    close_after_ = true;
    status_ = resp.status;
    method_ = std::move(method);
    path_ = std::move(path);
    sres_.emplace();
    sres_->version(11);
    sres_->result(static_cast<unsigned>(resp.status));
    sres_->set(http::field::server, "vigia");
    sres_->set(http::field::content_type, resp.content_type);
    sres_->set("X-Request-ID", request_id_);
    for (auto& [k, v] : resp.headers) sres_->set(k, v);
    sres_->keep_alive(false);
    sres_->chunked(true);
    ssr_.emplace(*sres_);
    Lowest().expires_after(std::chrono::seconds(server_->options.request_timeout_sec));
    http::async_write_header(
        stream_, *ssr_,
        beast::bind_front_handler(&Session::OnStreamHeader, this->shared_from_this()));
  }

  void OnStreamHeader(beast::error_code ec, size_t) {
    if (ec) return EndStream(false);
    streaming_ = true;
    Lowest().expires_never();
    WatchClient();
    // Only a weak reference: the stream may outlive this connection (and the io_context)
    // in its producer's hands.
    std::weak_ptr<Session> weak = this->weak_from_this();
    stream_body_->Attach([weak] {
      if (auto self = weak.lock()) {
        net::post(self->stream_.get_executor(), [self] { self->PumpStream(); });
      }
    });
    PumpStream();  // what was written before Attach()
  }

  void WatchClient() {
    stream_.async_read_some(net::buffer(watch_buf_),
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              // Bytes sent during a stream are discarded: the connection
                              // closes after the stream, so nothing can follow it.
                              if (!ec) return self->WatchClient();
                              if (!self->stream_ended_) return self->EndStream(false);
                              self->Close();
                            });
  }

  void PumpStream() {
    if (!streaming_ || write_in_flight_ || stream_ended_) return;
    bool ended = stream_body_->Take(&chunk_);
    if (chunk_.empty()) {
      if (ended) WriteLastChunk();
      return;
    }
    write_in_flight_ = true;
    Lowest().expires_after(std::chrono::seconds(server_->options.request_timeout_sec));
    net::async_write(stream_, http::make_chunk(net::buffer(chunk_)),
                     [self = this->shared_from_this()](beast::error_code wec, size_t n) {
                       self->write_in_flight_ = false;
                       self->bytes_out_ += n;
                       if (wec) return self->EndStream(false);
                       self->PumpStream();
                     });
  }

  void WriteLastChunk() {
    write_in_flight_ = true;
    Lowest().expires_after(std::chrono::seconds(server_->options.request_timeout_sec));
    net::async_write(stream_, http::make_chunk_last(),
                     [self = this->shared_from_this()](beast::error_code wec, size_t) {
                       self->write_in_flight_ = false;
                       self->EndStream(!wec);
                     });
  }

  // `clean`: the last chunk went out. Otherwise the client is gone or the write failed.
  void EndStream(bool clean) {
    if (stream_ended_) return;
    stream_ended_ = true;
    stream_body_->CloseFromTransport(ResponseStream::CloseReason::kClientGone);
    stream_body_->Detach();
    LogAccess(clean ? "finished" : "client_gone");
    // At shutdown the last chunk is out and nothing more will be read: close at once.
    if (!clean || server_->stopping.load()) return Close();
    // Half-close and let the watching read see the client's EOF; bounded like a linger.
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    linger_.emplace(stream_.get_executor());
    linger_->expires_after(kLingerTime);
    linger_->async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->Close();
    });
  }

  void LogAccess(std::string_view stream_end) {
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
                    .count();
    if (stream_end.empty()) {
      logger::Info("request", {{"request_id", request_id_},
                               {"method", method_},
                               {"path", path_},
                               {"status", status_},
                               {"bytes_in", static_cast<uint64_t>(bytes_in_)},
                               {"duration_ms", ms}});
      return;
    }
    logger::Info("request", {{"request_id", request_id_},
                             {"method", method_},
                             {"path", path_},
                             {"status", status_},
                             {"bytes_in", static_cast<uint64_t>(bytes_in_)},
                             {"bytes_out", bytes_out_},
                             {"stream_end", stream_end},
                             {"duration_ms", ms}});
  }

  void OnWrite(beast::error_code ec, size_t) {
    LogAccess({});
    res_.reset();
    parser_.reset();
    request_id_.clear();
    is_head_ = false;
    bytes_in_ = 0;
    if (ec) return Close();
    if (close_after_) return LingerAndClose();
    WaitForRequest();
  }

  // Half-closes, then discards what the client still sends for a moment so that it reads
  // our response before the connection goes away.
  void LingerAndClose() {
    idle_ = true;  // nothing left to answer: shutdown may cut the linger short
    beast::error_code ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    Lowest().expires_after(kLingerTime);
    Drain();
  }

  void Drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(65536),
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    if (linger_) linger_->cancel();
    beast::error_code ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    Lowest().socket().close(ec);
  }

  std::shared_ptr<ssl::context> tls_;  // TLS only: outlives stream_, which refers to it
  Stream stream_;
  beast::flat_buffer buffer_;
  HttpServer::Impl* server_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> res_;
  // Streamed response state (see RespondStream).
  std::shared_ptr<ResponseStream> stream_body_;
  std::optional<http::response<http::empty_body>> sres_;
  std::optional<http::response_serializer<http::empty_body>> ssr_;
  std::optional<net::steady_timer> linger_;
  std::string chunk_;
  std::array<char, 512> watch_buf_{};
  uint64_t bytes_out_ = 0;
  bool streaming_ = false;
  bool write_in_flight_ = false;
  bool stream_ended_ = false;
  std::string request_id_;
  std::string method_;
  std::string path_;
  int status_ = 0;
  size_t bytes_in_ = 0;
  bool idle_ = true;
  bool close_after_ = false;
  bool is_head_ = false;
  std::chrono::steady_clock::time_point start_;
};

void HttpServer::Impl::Register(const std::shared_ptr<SessionBase>& s) {
  std::lock_guard<std::mutex> lock(mu);
  sessions.emplace(s.get(), s);
}

void HttpServer::Impl::Unregister(SessionBase* s) {
  std::lock_guard<std::mutex> lock(mu);
  sessions.erase(s);
  if (sessions.empty()) cv.notify_all();
}

template <typename Fn>
void HttpServer::Impl::ForEachSession(Fn fn) {
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (auto& [p, w] : sessions) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) net::post(s->executor(), [s, fn] { fn(*s); });
}

void HttpServer::Impl::Accept() {
  acceptor->async_accept(net::make_strand(*ioc), [this](beast::error_code ec, tcp::socket s) {
    OnAccept(ec, std::move(s));
  });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping.load() || ec == net::error::operation_aborted) return;
  if (ec) {
    // Typically EMFILE: back off briefly instead of spinning on a failing accept.
    logger::Warn("accept failed", {{"error", ec.message()}});
    accept_retry->expires_after(std::chrono::milliseconds(50));
    accept_retry->async_wait([this](beast::error_code) {
      if (!stopping.load()) Accept();
    });
    return;
  }
  size_t live;
  {
    std::lock_guard<std::mutex> lock(mu);
    live = sessions.size();
  }
  if (live >= options.max_connections) {
    beast::error_code ignored;
    socket.close(ignored);
    logger::Warn("connection refused: server.max_connections reached",
                 {{"max_connections", static_cast<uint64_t>(options.max_connections)}});
  } else {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (std::shared_ptr<ssl::context> tls = CurrentTls()) {
      auto session = std::make_shared<Session<TlsStream>>(std::move(socket), std::move(tls), this);
      Register(session);
      session->Start();
    } else {
      auto session = std::make_shared<Session<beast::tcp_stream>>(std::move(socket), this);
      Register(session);
      session->Start();
    }
  }
  Accept();
}

std::string HttpServerOptions::ListenAddress() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

HttpServer::HttpServer(HttpServerOptions options, const Router* router, MetricRegistry* metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {}

HttpServer::~HttpServer() { Shutdown(); }

Status HttpServer::Start() {
  Impl& s = *impl_;
  int threads = s.options.threads > 0 ? s.options.threads
                                      : static_cast<int>(std::thread::hardware_concurrency());
  if (threads <= 0) threads = 1;
  if (s.options.tls()) {
    VIGIA_ASSIGN_OR_RETURN(s.tls, LoadTlsContext(s.options));
    if (s.metrics != nullptr) {
      s.tls_failures_counter = s.metrics->GetCounter(
          "vigia_tls_handshake_failures_total",
          "TLS handshakes that failed (untrusting clients, plain HTTP on the TLS port)", {}, {});
    }
  }
  if (s.metrics != nullptr) {
    s.ingest_refused_counter = s.metrics->GetCounter(
        "vigia_ingest_queue_refused_total",
        "Ingest requests answered 503 because server.ingest_queue_max_bytes were waiting", {}, {});
  }
  s.ioc = std::make_unique<net::io_context>(threads);
  if (s.options.ingest_threads >= 0) {
    int ingest = s.options.ingest_threads > 0
                     ? s.options.ingest_threads
                     : static_cast<int>(std::thread::hardware_concurrency());
    s.ingest_pool = std::make_unique<net::thread_pool>(static_cast<size_t>(std::max(ingest, 1)));
  }
  beast::error_code ec;
  auto addr = net::ip::make_address(s.options.host, ec);
  if (ec) {
    return Status::InvalidArgument("server.listen: bad address \"" + s.options.host +
                                   "\": " + ec.message());
  }
  tcp::endpoint ep(addr, s.options.port);
  s.acceptor = std::make_unique<tcp::acceptor>(net::make_strand(*s.ioc));
  s.accept_retry = std::make_unique<net::steady_timer>(s.acceptor->get_executor());
  s.acceptor->open(ep.protocol(), ec);
  if (!ec) s.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(ep, ec);
  if (!ec) s.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IOError("cannot listen on " + s.options.host + ":" +
                           std::to_string(s.options.port) + ": " + ec.message());
  }
  s.bound_port = s.acceptor->local_endpoint().port();
  s.Accept();
  s.running = true;
  for (int i = 0; i < threads; ++i) {
    s.workers.emplace_back([&s] { s.ioc->run(); });
  }
  return Status::Ok();
}

uint16_t HttpServer::port() const { return impl_->bound_port; }

Status HttpServer::ReloadTls() {
  if (!impl_->options.tls()) return Status::Ok();
  VIGIA_ASSIGN_OR_RETURN(std::shared_ptr<ssl::context> fresh, LoadTlsContext(impl_->options));
  std::lock_guard<std::mutex> lock(impl_->tls_mu);
  impl_->tls = std::move(fresh);
  return Status::Ok();
}

uint64_t HttpServer::tls_handshake_failures() const {
  return impl_->tls_handshake_failures.load(std::memory_order_relaxed);
}

uint64_t HttpServer::ingest_refused() const {
  return impl_->ingest_refused.load(std::memory_order_relaxed);
}

uint64_t HttpServer::ingest_queued_bytes() const {
  return impl_->ingest_queued_bytes.load(std::memory_order_relaxed);
}

uint64_t HttpServer::connections() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->sessions.size();
}

void HttpServer::Shutdown() {
  Impl& s = *impl_;
  if (!s.running) return;
  s.running = false;
  s.stopping.store(true);
  net::post(s.acceptor->get_executor(), [&s] {
    beast::error_code ec;
    s.acceptor->close(ec);
    s.accept_retry->cancel();
  });
  s.ForEachSession([](SessionBase& session) { session.OnShutdown(false); });
  {
    std::unique_lock<std::mutex> lock(s.mu);
    bool drained = s.cv.wait_for(lock, std::chrono::seconds(s.options.shutdown_grace_sec),
                                 [&s] { return s.sessions.empty(); });
    if (!drained) {
      logger::Warn("shutdown grace period over: closing remaining connections",
                   {{"connections", static_cast<uint64_t>(s.sessions.size())}});
    }
  }
  s.ForEachSession([](SessionBase& session) { session.OnShutdown(true); });
  {
    // Forced closes complete promptly; wait briefly so their handlers run before stop().
    std::unique_lock<std::mutex> lock(s.mu);
    s.cv.wait_for(lock, std::chrono::seconds(2), [&s] { return s.sessions.empty(); });
  }
  if (s.ingest_pool) {
    // Ingest handlers still queued are dropped (their connections were closed above); a
    // running one finishes and posts its answer into the io_context, which drops it.
    s.ingest_pool->stop();
    s.ingest_pool->join();
    s.ingest_pool.reset();
  }
  s.ioc->stop();
  for (auto& t : s.workers) t.join();
  s.workers.clear();
  // Destroying the io_context destroys the handlers it still holds, and with them their
  // sessions, which unregister themselves: do it while `mu` and `sessions` are alive.
  s.accept_retry.reset();
  s.acceptor.reset();
  s.ioc.reset();
}

}  // namespace vigia
