#include "server/syslog_listener.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "common/logger.h"
#include "ingest/syslog/syslog_framer.h"
#include "server/config.h"
#include "server/syslog_batcher.h"
#include "server/tls_context.h"

namespace vigia {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using udp = net::ip::udp;

// Bytes asked of a TCP socket per read.
constexpr size_t kReadChunk = 64 * 1024;
// Datagrams read per readiness wakeup before other sockets get a turn.
constexpr int kDatagramsPerWakeup = 256;
// Receive buffer asked for the UDP socket (the kernel caps it at net.core.rmem_max): bursts
// wait there while the I/O thread is busy instead of being dropped.
constexpr int kUdpReceiveBuffer = 8 << 20;

// What the listener's list of open connections needs of one, plain or TLS.
class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;
  virtual void Close() = 0;
};

using TlsSocket = ssl::stream<tcp::socket>;

// One TCP connection over `Stream` (tcp::socket, or TlsSocket: RFC 5425, the handshake
// first): reads, frames, appends whole messages, parks when the batcher is full. Runs on the
// listener's one I/O thread.
template <class Stream>
class Connection : public ConnectionBase, public std::enable_shared_from_this<Connection<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsSocket>;

  Connection(tcp::socket socket, SyslogBatcher* batcher, size_t max_message_bytes) requires(!kTls)
      : stream_(std::move(socket)), batcher_(batcher), max_message_(max_message_bytes) {}
  Connection(tcp::socket socket, std::shared_ptr<ssl::context> tls, SyslogBatcher* batcher,
             size_t max_message_bytes, Counter* handshake_failures) requires(kTls)
      : tls_(std::move(tls)),
        stream_(std::move(socket), *tls_),
        batcher_(batcher),
        max_message_(max_message_bytes),
        handshake_failures_(handshake_failures),
        handshake_timer_(Lowest().get_executor()) {}

  // Starts reading (after the TLS handshake).
  void Begin() {
    if constexpr (kTls) {
      // A client that never finishes its handshake gives its slot back.
      handshake_timer_.expires_after(std::chrono::seconds(limits::kSyslogTlsHandshakeTimeoutSec));
      handshake_timer_.async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
        if (!ec && !self->handshaken_) self->Close();
      });
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](boost::system::error_code ec) {
                                self->OnHandshake(ec);
                              });
    } else {
      Read();
    }
  }

  void Close() override {
    boost::system::error_code ignored;
    Lowest().close(ignored);
  }

 private:
  tcp::socket& Lowest() {
    if constexpr (kTls) {
      return stream_.next_layer();
    } else {
      return stream_;
    }
  }

  void OnHandshake(boost::system::error_code ec) {
    if constexpr (kTls) {
      handshake_timer_.cancel();
      if (ec) {
        // An untrusting client, a client without an accepted certificate, plain syslog on the
        // TLS port, a scanner: counted, not logged per connection.
        handshake_failures_->Inc();
        Close();
        return;
      }
      handshaken_ = true;
    }
    Read();
  }

  void Read() {
    if (!Lowest().is_open()) return;
    if (buf_.size() < len_ + kReadChunk) buf_.resize(len_ + kReadChunk);
    stream_.async_read_some(net::buffer(buf_.data() + len_, buf_.size() - len_),
                            [self = this->shared_from_this()](boost::system::error_code ec,
                                                              size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(boost::system::error_code ec, size_t n) {
    len_ += n;
    if (ec) {
      Frames(true);  // the sender closed: an unterminated last line is a message
      Close();
      return;
    }
    Frames(false);
    auto self = this->shared_from_this();
    if (batcher_->ParkIfFull(
            [self] { net::post(self->Lowest().get_executor(), [self] { self->Read(); }); })) {
      return;
    }
    Read();
  }

  void Frames(bool at_end) {
    size_t pos = 0;
    while (pos < len_) {
      std::string_view frame;
      size_t used = 0;
      std::string_view rest(buf_.data() + pos, len_ - pos);
      SyslogFrameResult r = NextSyslogFrame(rest, max_message_, at_end, &state_, &frame, &used);
      if (r == SyslogFrameResult::kIncomplete) break;
      switch (r) {
        case SyslogFrameResult::kFrame:
          if (frame.find_first_not_of(" \r\t") != std::string_view::npos) {
            batcher_->Add(frame, used);
          }
          break;
        case SyslogFrameResult::kTooLong:
          batcher_->CountTooLong(used);
          break;
        case SyslogFrameResult::kSkipped:
        case SyslogFrameResult::kIncomplete:
          break;
      }
      pos += used;
    }
    if (pos > 0) {
      std::memmove(buf_.data(), buf_.data() + pos, len_ - pos);
      len_ -= pos;
    }
  }

  std::shared_ptr<ssl::context> tls_;  // TLS only: outlives stream_, which refers to it
  Stream stream_;
  SyslogBatcher* const batcher_;
  const size_t max_message_;
  Counter* handshake_failures_ = nullptr;  // TLS only
  struct NoTimer {};
  std::conditional_t<kTls, net::steady_timer, NoTimer> handshake_timer_;
  bool handshaken_ = false;
  std::string buf_;
  size_t len_ = 0;
  SyslogFramerState state_;
};

// The files of syslog.tls_*, named by their keys in errors.
TlsFiles TlsFilesOf(const SyslogOptions& o) {
  TlsFiles f;
  f.cert_file = o.tls_cert_file;
  f.key_file = o.tls_key_file;
  f.client_ca_file = o.tls_client_ca_file;
  f.cert_key = "syslog.tls_cert_file";
  f.key_key = "syslog.tls_key_file";
  f.client_ca_key = "syslog.tls_client_ca_file";
  return f;
}

Result<net::ip::address> Address(const std::string& host) {
  boost::system::error_code ec;
  net::ip::address a = net::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) return Status::InvalidArgument("bad address \"" + host + "\"");
  return a;
}

}  // namespace

struct SyslogListener::Impl {
  Impl(const SyslogOptions& o, ServerContext* c) : options(o), ctx(c), batcher(o, c) {}

  SyslogOptions options;
  ServerContext* ctx;
  net::io_context ioc{1};
  std::unique_ptr<udp::socket> udp_socket;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<tcp::acceptor> tls_acceptor;
  std::vector<std::weak_ptr<ConnectionBase>> connections;
  SyslogBatcher batcher;
  std::thread io_thread;
  std::thread flush_thread;
  bool stopped = false;

  std::string datagram;
  uint32_t kernel_drops_seen = 0;
  Counter* dropped_queue = nullptr;
  Counter* dropped_kernel = nullptr;
  Counter* too_long_udp = nullptr;
  Gauge* open_connections = nullptr;
  Counter* tls_handshake_failures = nullptr;

  // The TLS context new connections use; replaced by ReloadTls() from another thread.
  mutable std::mutex tls_mu;
  std::shared_ptr<ssl::context> tls;

  std::shared_ptr<ssl::context> CurrentTls() const {
    std::lock_guard lock(tls_mu);
    return tls;
  }

  void WaitUdp() {
    udp_socket->async_wait(udp::socket::wait_read, [this](boost::system::error_code ec) {
      if (ec) return;
      DrainUdp();
      WaitUdp();
    });
  }

  void DrainUdp() {
    const int fd = udp_socket->native_handle();
    for (int i = 0; i < kDatagramsPerWakeup; ++i) {
      iovec iov{datagram.data(), datagram.size()};
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(uint32_t))];
      msghdr mh{};
      mh.msg_iov = &iov;
      mh.msg_iovlen = 1;
      mh.msg_control = control;
      mh.msg_controllen = sizeof control;
      ssize_t n = ::recvmsg(fd, &mh, MSG_DONTWAIT);
      if (n < 0) return;  // EAGAIN: drained (other errors: wait for the next readiness)
      for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c != nullptr; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
          uint32_t drops = 0;
          std::memcpy(&drops, CMSG_DATA(c), sizeof drops);
          if (drops != kernel_drops_seen) {
            dropped_kernel->Inc(static_cast<uint32_t>(drops - kernel_drops_seen));
            kernel_drops_seen = drops;
          }
        }
      }
      const size_t size = static_cast<size_t>(n);
      if ((mh.msg_flags & MSG_TRUNC) != 0 || size > options.max_message_bytes) {
        batcher.CountTooLong(size);
        continue;
      }
      std::string_view msg(datagram.data(), size);
      if (msg.find_first_not_of(" \r\n\t") == std::string_view::npos) continue;
      if (!batcher.TryAdd(msg, size)) dropped_queue->Inc();
    }
  }

  // Accepts on `a` (the TCP or the TLS acceptor) for ever; each connection starts reading.
  void Accept(tcp::acceptor* a) {
    a->async_accept([this, a](boost::system::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !a->is_open()) return;
      if (!ec) {
        std::erase_if(connections,
                      [](const std::weak_ptr<ConnectionBase>& w) { return w.expired(); });
        if (connections.size() >= options.max_connections) {
          boost::system::error_code ignored;
          socket.close(ignored);
        } else if (a == tls_acceptor.get()) {
          auto conn = std::make_shared<Connection<TlsSocket>>(std::move(socket), CurrentTls(),
                                                              &batcher, options.max_message_bytes,
                                                              tls_handshake_failures);
          connections.push_back(conn);
          conn->Begin();
        } else {
          auto conn = std::make_shared<Connection<tcp::socket>>(std::move(socket), &batcher,
                                                                options.max_message_bytes);
          connections.push_back(conn);
          conn->Begin();
        }
        open_connections->Set(static_cast<double>(connections.size()));
      }
      Accept(a);
    });
  }

  void CloseAll() {
    boost::system::error_code ignored;
    if (acceptor) acceptor->close(ignored);
    if (tls_acceptor) tls_acceptor->close(ignored);
    if (udp_socket) udp_socket->close(ignored);
    for (auto& w : connections) {
      if (auto c = w.lock()) c->Close();
    }
    connections.clear();
  }
};

SyslogListener::SyslogListener() = default;

SyslogListener::~SyslogListener() { Stop(); }

Result<std::unique_ptr<SyslogListener>> SyslogListener::Start(const SyslogOptions& options,
                                                              ServerContext* ctx) {
  std::unique_ptr<SyslogListener> l(new SyslogListener());
  l->impl_ = std::make_unique<Impl>(options, ctx);
  Impl& s = *l->impl_;
  MetricRegistry* m = ctx->metrics;
  const char* kDropHelp = "syslog messages dropped before the pipeline (UDP cannot push back)";
  s.dropped_queue = m->GetCounter("vigia_syslog_dropped_total", kDropHelp, {"transport", "reason"},
                                  {"udp", "queue_full"});
  s.dropped_kernel = m->GetCounter("vigia_syslog_dropped_total", kDropHelp, {"transport", "reason"},
                                   {"udp", "socket_buffer"});
  s.open_connections =
      m->GetGauge("vigia_syslog_connections", "open syslog TCP connections (plain and TLS)");
  s.tls_handshake_failures = m->GetCounter(
      "vigia_syslog_tls_handshake_failures_total",
      "syslog TLS handshakes that failed (untrusted or missing client certificates, plain "
      "syslog on the TLS port, timeouts)",
      {}, {});
  try {
    if (!options.udp_listen.empty()) {
      std::string host;
      uint16_t port = 0;
      VIGIA_RETURN_IF_ERROR(ParseListenAddress(options.udp_listen, &host, &port));
      VIGIA_ASSIGN_OR_RETURN(net::ip::address addr, Address(host));
      s.udp_socket = std::make_unique<udp::socket>(s.ioc, udp::endpoint(addr, port));
      s.udp_socket->non_blocking(true);
      const int fd = s.udp_socket->native_handle();
      int one = 1;
      ::setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
      int rcvbuf = kUdpReceiveBuffer;
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
      s.datagram.resize(options.max_message_bytes + 1);
      s.WaitUdp();
    }
    if (!options.tcp_listen.empty()) {
      std::string host;
      uint16_t port = 0;
      VIGIA_RETURN_IF_ERROR(ParseListenAddress(options.tcp_listen, &host, &port));
      VIGIA_ASSIGN_OR_RETURN(net::ip::address addr, Address(host));
      s.acceptor = std::make_unique<tcp::acceptor>(s.ioc, tcp::endpoint(addr, port), true);
      s.Accept(s.acceptor.get());
    }
    if (!options.tls_listen.empty()) {
      VIGIA_ASSIGN_OR_RETURN(s.tls, LoadServerTlsContext(TlsFilesOf(options)));
      std::string host;
      uint16_t port = 0;
      VIGIA_RETURN_IF_ERROR(ParseListenAddress(options.tls_listen, &host, &port));
      VIGIA_ASSIGN_OR_RETURN(net::ip::address addr, Address(host));
      s.tls_acceptor = std::make_unique<tcp::acceptor>(s.ioc, tcp::endpoint(addr, port), true);
      s.Accept(s.tls_acceptor.get());
    }
  } catch (const boost::system::system_error& e) {
    return Status::IOError(std::string("syslog listener: ") + e.what());
  }
  s.flush_thread = std::thread([&s] { s.batcher.Run(); });
  s.io_thread = std::thread([&s] { s.ioc.run(); });
  logger::Info("syslog listening", {{"udp_port", static_cast<int>(l->udp_port())},
                                    {"tcp_port", static_cast<int>(l->tcp_port())},
                                    {"tls_port", static_cast<int>(l->tls_port())}});
  return l;
}

void SyslogListener::Stop() {
  if (!impl_ || impl_->stopped) return;
  Impl& s = *impl_;
  s.stopped = true;
  net::post(s.ioc, [&s] { s.CloseAll(); });
  if (s.io_thread.joinable()) s.io_thread.join();
  s.batcher.Stop();
  if (s.flush_thread.joinable()) s.flush_thread.join();
}

uint16_t SyslogListener::udp_port() const {
  if (!impl_->udp_socket) return 0;
  boost::system::error_code ec;
  return impl_->udp_socket->local_endpoint(ec).port();
}

uint16_t SyslogListener::tcp_port() const {
  if (!impl_->acceptor) return 0;
  boost::system::error_code ec;
  return impl_->acceptor->local_endpoint(ec).port();
}

uint16_t SyslogListener::tls_port() const {
  if (!impl_->tls_acceptor) return 0;
  boost::system::error_code ec;
  return impl_->tls_acceptor->local_endpoint(ec).port();
}

Status SyslogListener::ReloadTls() {
  if (impl_->options.tls_listen.empty()) return Status::Ok();
  VIGIA_ASSIGN_OR_RETURN(std::shared_ptr<ssl::context> fresh,
                         LoadServerTlsContext(TlsFilesOf(impl_->options)));
  std::lock_guard lock(impl_->tls_mu);
  impl_->tls = std::move(fresh);
  return Status::Ok();
}

}  // namespace vigia
