// IoLanes: the HTTP server's I/O threads as lanes — one io_context per thread — with a
// thread lent to a lane whose own thread is stuck in a long handler.
//
// Why lanes: with one io_context run by two threads, Asio's scheduler hands each step of a
// request (accept, read, handler, write) to whichever thread is free and wakes the other to
// wait in epoll_wait, so the two threads pass every request between them: ~12 context
// switches per request on a 2-vCPU VM, ~0.3 ms of a warm query's 1.7 ms round trip
// (bench/README.md, "where a warm query's round trip goes"). A lane's connection is read,
// handled and answered on one thread, as nginx's workers do.
//
// Why lending: handlers run on the lane's thread and may block (a query scans for seconds).
// The lane's other connections would wait for it. A supervisor thread looks at every lane
// each `poll` period; a lane whose threads were all inside handlers (BusyScope) at two
// looks in a row gets a lent thread, which runs the lane's io_context beside its owner until
// no handler of the lane is running. So a short handler is never handed off, and a long one
// delays its neighbours by one to two periods. New connections are not affected: every
// lane accepts on the same listening socket, and a busy thread is not waiting to accept.
//
// Lanes' handlers must therefore be safe to run on two threads at once: the HTTP server
// runs each connection on its own strand.
//
// Status (2026-12-06): not used by HttpServer yet. Wired in (e2c8b3b) it took ~30 % of the
// server's CPU per request, but backup_it failed 2 of 5 release ctests (a query answer lost
// after ~30 s) and the cause was not found in time, so the server went back to one shared
// io_context (the limits kHttpLanePollMs / kHttpMaxLentThreads wait for it too).
//
// Thread-safety: Start/Stop from one controlling thread; context() and BusyScope from any
// thread; lent_threads() from any thread.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace vigia {

class IoLanes {
 public:
  struct Options {
    int lanes = 1;
    // How often the supervisor looks for a starved lane.
    std::chrono::milliseconds poll{20};
    // How often it looks once no lane was busy at `idle_looks` looks in a row: an idle
    // server wakes 10 times a second instead of 100, and the first long handler after a
    // quiet spell is helped up to idle_poll later.
    std::chrono::milliseconds idle_poll{100};
    int idle_looks = 100;
    // Threads lent at once, over all lanes (0: never lend).
    int max_lent = 4;
  };

  class Lane;

  // Marks the calling thread, which runs `lane`, as inside a handler that may block.
  class BusyScope {
   public:
    explicit BusyScope(Lane* lane);
    ~BusyScope();
    BusyScope(const BusyScope&) = delete;
    BusyScope& operator=(const BusyScope&) = delete;

   private:
    Lane* lane_;
  };

  // REQUIRES: options.lanes >= 1, options.max_lent >= 0.
  explicit IoLanes(Options options);
  ~IoLanes();
  IoLanes(const IoLanes&) = delete;
  IoLanes& operator=(const IoLanes&) = delete;

  size_t size() const { return lanes_.size(); }
  Lane* lane(size_t i) { return lanes_[i].get(); }
  boost::asio::io_context& context(size_t i);

  // Starts one thread per lane and the supervisor. Each lane's io_context runs until Stop().
  void Start();
  // Stops every io_context (handlers not yet run are dropped when the contexts are destroyed)
  // and joins every thread. A handler running at that moment finishes first.
  void Stop();

  // Threads lent to lanes right now.
  int lent_threads() const { return lent_.load(); }
  // Times a thread was lent since Start (tests, stats).
  uint64_t lends() const { return lends_.load(); }

 private:
  struct Lender;

  void Supervise();
  void Lend(Lane* lane);
  void RunLender(Lender* lender);

  Options options_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<std::thread> owners_;
  std::thread supervisor_;

  std::mutex mu_;
  std::condition_variable cv_;  // the supervisor's sleep and lenders waiting for a lane
  bool stopping_ = false;
  std::deque<std::unique_ptr<Lender>> lenders_;
  std::atomic<int> lent_{0};
  std::atomic<uint64_t> lends_{0};
};

}  // namespace vigia
