// NotifyOutbox: delivery of notifications to receivers. A notification accepted by Enqueue is
// first written to its own file in <data>/alerts/outbox (checksummed, fsync'd), so it survives
// a crash or restart, and is removed once delivered or given up. Each receiver has its own
// worker thread and FIFO queue, so a receiver that is down or hangs delays only its own
// notifications — never evaluation, never another receiver. Each attempt is bounded by the
// receiver's timeout; failures are retried with exponential backoff (1 s doubling to 5 min,
// ±50 % jitter) until kNotifyMaxAgeNs, then dropped; a 4xx answer other than 408/429 is a
// permanent refusal and is dropped at once. Counters per receiver and result are in the
// metric registry (vigia_alerts_notifications_total{receiver,result}).
//
// Receivers (notification.h has the payloads): webhook (optionally HMAC-signed), slack,
// alertmanager (POST <url>/api/v2/alerts), log (hands the notification to `log_sink`: the
// server writes it as a vigia event).
//
// Thread-safety: thread-safe. Start and Stop from the owning thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerting/notification.h"
#include "alerting/notify_config.h"
#include "common/env.h"
#include "common/limits.h"
#include "common/metric_registry.h"

namespace vigia {

struct NotifyOutboxOptions {
  Env* env = nullptr;                                 // files and the wall clock (notification age)
  std::string dir;                                    // <data>/alerts/outbox
  const NotifyConfig* config = nullptr;               // REQUIRES: outlives the outbox
  MetricRegistry* metrics = nullptr;                  // may be null
  std::function<void(const Notification&)> log_sink;  // for `log` receivers
  int64_t retry_base_ns = limits::kNotifyRetryBaseNs;
  int64_t retry_max_ns = limits::kNotifyRetryMaxNs;
  int64_t max_age_ns = limits::kNotifyMaxAgeNs;
};

struct ReceiverDeliveryStats {
  std::string receiver;
  uint64_t delivered = 0;
  uint64_t failed_attempts = 0;
  uint64_t dropped = 0;
  uint64_t queued = 0;
  std::string last_error;
};

class NotifyOutbox {
 public:
  explicit NotifyOutbox(NotifyOutboxOptions options);
  ~NotifyOutbox();  // Stop()

  // Loads the notifications a previous run left in the directory and starts the workers.
  Status Start();
  // Stops the workers (an attempt in flight is cancelled); what is queued stays on disk.
  void Stop();

  // Switches to a new set of receivers (a reload of alerts.notify_file): stops the workers,
  // then starts one per receiver of `config` and re-reads the queued notifications from
  // disk; those of receivers that no longer exist are dropped (and logged). REQUIRES: started;
  // `config` outlives the outbox (or the next Reconfigure); no Enqueue runs concurrently.
  Status Reconfigure(const NotifyConfig* config);

  // Durably queues `n` for its receiver. ResourceExhausted when the outbox is full,
  // InvalidArgument for an unknown receiver.
  Status Enqueue(const Notification& n);

  std::vector<ReceiverDeliveryStats> Stats() const;

 private:
  struct Entry {
    uint64_t seq = 0;
    Notification n;
    int attempts = 0;
    std::chrono::steady_clock::time_point next_attempt;
  };
  struct Worker {
    const ReceiverConfig* receiver = nullptr;
    std::deque<Entry> queue;
    ReceiverDeliveryStats stats;
    Counter* delivered = nullptr;
    Counter* failed = nullptr;
    Counter* dropped = nullptr;
    std::thread thread;
  };

  // One worker (not started) per receiver of config_.
  void BuildWorkers();
  void Run(Worker* w);
  // Delivers once: OK, or the error and whether it is worth retrying.
  Status Deliver(const ReceiverConfig& r, const Notification& n, bool* retry);
  std::string PathOf(uint64_t seq) const;
  void Remove(uint64_t seq);

  const NotifyOutboxOptions options_;
  const NotifyConfig* config_;  // options_.config, then what Reconfigure installed
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
  bool started_ = false;
  uint64_t next_seq_ = 1;
  size_t total_queued_ = 0;
  std::map<std::string, std::unique_ptr<Worker>> workers_;  // by receiver name
};

}  // namespace vigia
