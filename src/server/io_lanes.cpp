#include "server/io_lanes.h"

#include <pthread.h>

#include <boost/asio/executor_work_guard.hpp>
#include <cassert>
#include <string>

namespace vigia {

namespace net = boost::asio;

class IoLanes::Lane {
 public:
  // Not concurrency hint 1, although one thread runs the lane most of the time: under that
  // hint Asio never wakes a second thread of the context (a thread leaving run_for with the
  // reactor's turn pending does not hand it on), so the owner could sleep while the lent
  // thread sits in a long handler with the lane's work queued behind it.
  Lane() : guard(net::make_work_guard(ioc)) {}

  net::io_context ioc;
  // Keeps run() going while the lane has nothing pending (between connections).
  net::executor_work_guard<net::io_context::executor_type> guard;
  std::atomic<int> runners{0};  // threads inside run() on this lane (owner + lent)
  std::atomic<int> busy{0};     // of those, inside a BusyScope
  int starved_looks = 0;        // the supervisor's; looks in a row with every runner busy
};

struct IoLanes::Lender {
  std::thread thread;
  Lane* lane = nullptr;  // guarded by mu_: the lane to run, null while parked
};

IoLanes::BusyScope::BusyScope(Lane* lane) : lane_(lane) { lane_->busy.fetch_add(1); }

IoLanes::BusyScope::~BusyScope() { lane_->busy.fetch_sub(1); }

IoLanes::IoLanes(Options options) : options_(options) {
  assert(options_.lanes >= 1 && options_.max_lent >= 0);
  for (int i = 0; i < options_.lanes; ++i) lanes_.push_back(std::make_unique<Lane>());
}

IoLanes::~IoLanes() { Stop(); }

net::io_context& IoLanes::context(size_t i) { return lanes_[i]->ioc; }

void IoLanes::Start() {
  for (size_t i = 0; i < lanes_.size(); ++i) {
    Lane* lane = lanes_[i].get();
    lane->runners.store(1);
    owners_.emplace_back([lane, i] {
      std::string name = "vigia-http-" + std::to_string(i);
      pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
      lane->ioc.run();
    });
  }
  if (options_.max_lent > 0) supervisor_ = std::thread([this] { Supervise(); });
}

void IoLanes::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();  // no new lender after this
  for (auto& lane : lanes_) {
    lane->guard.reset();
    lane->ioc.stop();
  }
  for (auto& t : owners_) t.join();
  owners_.clear();
  for (auto& l : lenders_) l->thread.join();
  lenders_.clear();
}

void IoLanes::Supervise() {
  pthread_setname_np(pthread_self(), "vigia-http-lend");
  std::unique_lock<std::mutex> lock(mu_);
  int idle_looks = 0;
  std::chrono::milliseconds period = options_.poll;
  while (!cv_.wait_for(lock, period, [this] { return stopping_; })) {
    bool any_busy = false;
    for (auto& lane : lanes_) {
      const int runners = lane->runners.load();
      const int busy = lane->busy.load();
      any_busy = any_busy || busy > 0;
      if (runners > 0 && busy >= runners) {
        if (++lane->starved_looks >= 2 && lent_.load() < options_.max_lent) {
          lane->starved_looks = 0;
          Lend(lane.get());
        }
      } else {
        lane->starved_looks = 0;
      }
    }
    idle_looks = any_busy ? 0 : idle_looks + 1;
    period = idle_looks >= options_.idle_looks ? options_.idle_poll : options_.poll;
  }
}

// REQUIRES: mu_ held, !stopping_.
void IoLanes::Lend(Lane* lane) {
  lane->runners.fetch_add(1);
  lent_.fetch_add(1);
  lends_.fetch_add(1);
  for (auto& l : lenders_) {
    if (l->lane == nullptr) {
      l->lane = lane;
      cv_.notify_all();
      return;
    }
  }
  lenders_.push_back(std::make_unique<Lender>());
  Lender* l = lenders_.back().get();
  l->lane = lane;
  l->thread = std::thread([this, l] { RunLender(l); });
}

void IoLanes::RunLender(Lender* lender) {
  pthread_setname_np(pthread_self(), "vigia-http-lent");
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || lender->lane != nullptr; });
    if (stopping_) return;
    Lane* lane = lender->lane;
    lock.unlock();
    // Runs the lane's handlers beside its owner until none of them is inside a handler
    // (checked once a period: a lent thread parked too early would only be lent again).
    do {
      lane->ioc.run_for(options_.poll);
    } while (!lane->ioc.stopped() && lane->busy.load() > 0);
    lane->runners.fetch_sub(1);
    lock.lock();
    lender->lane = nullptr;
    lent_.fetch_sub(1);
  }
}

}  // namespace vigia
