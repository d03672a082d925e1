#include "server/syslog_listener.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/logger.h"
#include "ingest/ingest_pipeline.h"
#include "ingest/ingest_protocols.h"
#include "ingest/syslog/syslog_framer.h"
#include "server/config.h"
#include "server/ingest_metrics.h"

namespace vigia {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using udp = net::ip::udp;

constexpr std::string_view kProtocol = "syslog";
// Bytes asked of a TCP socket per read.
constexpr size_t kReadChunk = 64 * 1024;
// Datagrams read per readiness wakeup before other sockets get a turn.
constexpr int kDatagramsPerWakeup = 256;
// Receive buffer asked for the UDP socket (the kernel caps it at net.core.rmem_max): bursts
// wait there while the I/O thread is busy instead of being dropped.
constexpr int kUdpReceiveBuffer = 8 << 20;

// Messages waiting for the pipeline, framed with octet counting (a message may hold LFs),
// and the flusher thread that stores them in batches.
class Batcher {
 public:
  Batcher(const SyslogOptions& o, ServerContext* ctx)
      : options_(o), ctx_(ctx), protocol_(FindIngestProtocol(kProtocol)) {}

  // Appends one message. Not bounded: TCP connections append what they read, then park.
  void Add(std::string_view msg, size_t wire_bytes) {
    std::lock_guard lock(mu_);
    AddLocked(msg, wire_bytes);
  }
  // Appends unless max_pending_bytes are waiting (UDP: the caller drops the datagram).
  bool TryAdd(std::string_view msg, size_t wire_bytes) {
    std::lock_guard lock(mu_);
    if (pending_.size() >= options_.max_pending_bytes) return false;
    AddLocked(msg, wire_bytes);
    return true;
  }
  // A message refused before the decoder (longer than max_message_bytes).
  void CountTooLong(size_t wire_bytes) {
    std::lock_guard lock(mu_);
    ++too_long_;
    wire_ += wire_bytes;
    if (count_ == 0 && too_long_ == 1) first_ = std::chrono::steady_clock::now();
    cv_.notify_one();
  }
  // When more than max_pending_bytes wait, keeps `resume` to run once the flusher took them
  // and returns true: the caller stops reading until then.
  bool ParkIfFull(std::function<void()> resume) {
    std::lock_guard lock(mu_);
    if (pending_.size() < options_.max_pending_bytes) return false;
    parked_.push_back(std::move(resume));
    return true;
  }

  // The flusher thread's loop; returns after Stop() once everything pending is stored.
  void Run() {
    std::unique_lock lock(mu_);
    std::string body;
    while (true) {
      if (count_ == 0 && too_long_ == 0) {
        if (stopping_) break;
        cv_.wait(lock);
        continue;
      }
      if (!BatchReady()) {
        const auto deadline = first_ + std::chrono::milliseconds(options_.batch_delay_ms);
        cv_.wait_until(lock, deadline, [&] { return BatchReady(); });
        if (!BatchReady() && std::chrono::steady_clock::now() < deadline) continue;
      }
      body.clear();
      body.swap(pending_);
      const uint64_t wire = wire_;
      const uint64_t too_long = too_long_;
      count_ = too_long_ = wire_ = 0;
      std::vector<std::function<void()>> resume;
      resume.swap(parked_);
      lock.unlock();
      Flush(body, wire, too_long);
      for (auto& r : resume) r();
      lock.lock();
    }
  }

  void Stop() {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_one();
  }

 private:
  // A batch goes now (not at its deadline): stopping, enough messages, or the pending bound
  // reached (readers wait for room).
  bool BatchReady() const {
    return stopping_ || count_ >= options_.batch_messages ||
           pending_.size() >= options_.max_pending_bytes;
  }

  void AddLocked(std::string_view msg, size_t wire_bytes) {
    const bool first = count_ == 0 && too_long_ == 0;
    if (first) first_ = std::chrono::steady_clock::now();
    pending_.append(std::to_string(msg.size())).append(" ").append(msg);
    wire_ += wire_bytes;
    ++count_;
    // The first message starts the flusher's deadline; a full batch ends it early.
    if (first || count_ == options_.batch_messages ||
        pending_.size() >= options_.max_pending_bytes) {
      cv_.notify_one();
    }
  }

  void Flush(const std::string& body, uint64_t wire, uint64_t too_long) {
    IngestRequest req;
    req.body = body;
    req.content_type = "application/x-syslog";
    // Syslog carries no key: each event's own `tenant` field (JSON messages) or the default.
    req.tenant = TenantBinding::FromEvents();
    req.receive_ts_ns = ctx_->env->NowNanos();
    Result<DecodeResult> r =
        body.empty() ? Result<DecodeResult>(DecodeResult{}) : ctx_->ingest->Ingest(*protocol_, req);
    if (!r.ok()) {
      ctx_->ingest_metrics->RecordFailure(kProtocol, wire, IngestOutcome::kUnavailable);
      logger::Warn("syslog batch not stored", {{"error", r.status().ToString()}});
      return;
    }
    DecodeResult result = std::move(*r);
    result.rejected += too_long;
    ctx_->ingest_metrics->Record(kProtocol, wire, result);
    if (!result.errors.empty()) {
      logger::Debug("syslog messages refused", {{"rejected", static_cast<int64_t>(result.rejected)},
                                                {"first", result.errors[0].error}});
    }
  }

  const SyslogOptions options_;
  ServerContext* const ctx_;
  const IngestProtocol* const protocol_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string pending_;
  uint64_t count_ = 0;
  uint64_t too_long_ = 0;
  uint64_t wire_ = 0;
  std::chrono::steady_clock::time_point first_;
  std::vector<std::function<void()>> parked_;
  bool stopping_ = false;
};

// One TCP connection: reads, frames, appends whole messages, parks when the batcher is full.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, Batcher* batcher, size_t max_message_bytes)
      : socket_(std::move(socket)), batcher_(batcher), max_message_(max_message_bytes) {}

  void Read() {
    if (!socket_.is_open()) return;
    if (buf_.size() < len_ + kReadChunk) buf_.resize(len_ + kReadChunk);
    socket_.async_read_some(net::buffer(buf_.data() + len_, buf_.size() - len_),
                            [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                              self->OnRead(ec, n);
                            });
  }

  void Close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  void OnRead(boost::system::error_code ec, size_t n) {
    len_ += n;
    if (ec) {
      Frames(true);  // the sender closed: an unterminated last line is a message
      Close();
      return;
    }
    Frames(false);
    auto self = shared_from_this();
    auto* executor_socket = &socket_;
    if (batcher_->ParkIfFull([self, executor_socket] {
          net::post(executor_socket->get_executor(), [self] { self->Read(); });
        })) {
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

  tcp::socket socket_;
  Batcher* const batcher_;
  const size_t max_message_;
  std::string buf_;
  size_t len_ = 0;
  SyslogFramerState state_;
};

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
  std::vector<std::weak_ptr<Connection>> connections;
  Batcher batcher;
  std::thread io_thread;
  std::thread flush_thread;
  bool stopped = false;

  std::string datagram;
  uint32_t kernel_drops_seen = 0;
  Counter* dropped_queue = nullptr;
  Counter* dropped_kernel = nullptr;
  Counter* too_long_udp = nullptr;
  Gauge* open_connections = nullptr;

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

  void Accept() {
    acceptor->async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
      if (!ec) {
        std::erase_if(connections, [](const std::weak_ptr<Connection>& w) { return w.expired(); });
        if (connections.size() >= options.max_connections) {
          boost::system::error_code ignored;
          socket.close(ignored);
        } else {
          auto conn =
              std::make_shared<Connection>(std::move(socket), &batcher, options.max_message_bytes);
          connections.push_back(conn);
          conn->Read();
        }
        open_connections->Set(static_cast<double>(connections.size()));
      }
      Accept();
    });
  }

  void CloseAll() {
    boost::system::error_code ignored;
    if (acceptor) acceptor->close(ignored);
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
  s.open_connections = m->GetGauge("vigia_syslog_connections", "open syslog TCP connections");
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
      s.Accept();
    }
  } catch (const boost::system::system_error& e) {
    return Status::IOError(std::string("syslog listener: ") + e.what());
  }
  s.flush_thread = std::thread([&s] { s.batcher.Run(); });
  s.io_thread = std::thread([&s] { s.ioc.run(); });
  logger::Info("syslog listening", {{"udp_port", static_cast<int>(l->udp_port())},
                                    {"tcp_port", static_cast<int>(l->tcp_port())}});
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

}  // namespace vigia
