// LiveFeed: fans newly stored event batches out to live subscribers (/v1/tail). Ingest
// publishes each batch after Store::Append succeeded; one feed thread hands every batch to
// every subscriber that was already subscribed when the batch was published, and ticks
// them periodically (heartbeats, noticing closed clients).
//
// Ingest never waits for subscribers: Publish() is a relaxed atomic load when nobody
// listens, else a short locked push. The queue between ingest and the feed thread holds at
// most `max_queued_events` events; past it whole batches are skipped and reported to every
// subscriber through Missed(). Per-subscriber bounds (slow clients) are the subscriber's
// business (TailSubscriber drops events when its stream is full).
//
// Thread-safety: Publish, Subscribe, Stop and the accessors are thread-safe. Subscriber
// callbacks run on the feed thread only, one at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/limits.h"
#include "common/status.h"
#include "event/event.h"
#include "ingest/ingest_pipeline.h"

namespace vigia {

// The IngestPipeline's BatchSink: the pipeline publishes each batch it stored.
class LiveFeed final : public BatchSink {
 public:
  // One published batch as subscribers see it, with each event's canonical JSON rendered at
  // most once however many subscribers want it (feed thread only).
  class Delivery {
   public:
    // REQUIRES: batch != nullptr.
    explicit Delivery(std::shared_ptr<const EventBatch> batch, uint64_t ticket = 0)
        : shared_(std::move(batch)), batch_(*shared_), ticket_(ticket) {}
    const EventBatch& batch() const { return batch_; }
    // The batch's Reserve() ticket, taken before it was stored (see reserved()).
    uint64_t ticket() const { return ticket_; }
    // The published pointer itself (a subscriber may hold on to it, or recognize it).
    const std::shared_ptr<const EventBatch>& shared() const { return shared_; }
    // AppendEventJson of event `i`, cached.
    const std::string& Json(size_t i);

   private:
    std::shared_ptr<const EventBatch> shared_;
    const EventBatch& batch_;
    uint64_t ticket_;
    std::vector<std::string> json_;
    std::vector<bool> rendered_;
  };

  class Subscriber {
   public:
    virtual ~Subscriber() = default;
    // One published batch; return false to unsubscribe.
    virtual bool Deliver(Delivery& delivery) = 0;
    // `events` published events this subscriber will never see (the feed queue overflowed).
    virtual void Missed(uint64_t events) = 0;
    // Called about every tick; return false to unsubscribe (e.g. the client is gone).
    virtual bool Tick(std::chrono::steady_clock::time_point now) = 0;
    // Called once when the subscriber is removed (unsubscribed or the feed stopped).
    virtual void Ended() = 0;
    // A notice about the feed itself (Notify), in publication order with the batches: an SSE
    // event name and its JSON object. Return false to unsubscribe. Default: ignored.
    virtual bool Notice(const std::string& /*event*/, const std::string& /*json*/) { return true; }
  };

  struct Options {
    size_t max_subscribers = limits::kMaxTailSubscribers;
    size_t max_queued_events = limits::kMaxLiveFeedQueuedEvents;
    int tick_ms = 200;
  };

  explicit LiveFeed(Options options);
  ~LiveFeed() override;  // Stop()
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // A ticket for a batch about to be stored (thread-safe, lock-free, taken whether or not
  // anyone listens).
  uint64_t Reserve() override { return next_ticket_.fetch_add(1); }
  // Hands `batch` (already stored, its ticket taken before) to the current subscribers,
  // asynchronously.
  void PublishReserved(std::shared_ptr<const EventBatch> batch, uint64_t ticket) override;
  // PublishReserved with a ticket taken now (a batch that was not visible anywhere before).
  void Publish(std::shared_ptr<const EventBatch> batch) override;
  // Hands a notice (Subscriber::Notice) to the current subscribers, after the batches
  // published before it. Not bounded by max_queued_events (notices are rare: state changes).
  void Notify(std::string event, std::string json);
  // Adds a subscriber that sees batches published from now on. ResourceExhausted when
  // max_subscribers are subscribed, Unavailable after Stop().
  Status Subscribe(std::shared_ptr<Subscriber> subscriber);
  // Ends every subscriber (Ended()) and joins the feed thread. Idempotent.
  void Stop();

  // The next ticket: every batch whose ticket was taken before this call — so every batch
  // that was visible in the store before it — is delivered with a smaller ticket(), however
  // late it is published (the seam of a tail's backfill, server/tail_seam.h).
  uint64_t reserved() const { return next_ticket_.load(); }

  size_t subscribers() const { return count_.load(std::memory_order_relaxed); }
  // Events skipped because the feed queue was full (all subscribers missed them).
  uint64_t overflowed_events() const { return overflowed_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    uint64_t seq;  // publication order (a subscriber sees the entries from its joining on)
    uint64_t ticket = 0;
    std::shared_ptr<const EventBatch> batch;  // null: `missed` events were skipped, or a notice
    uint64_t missed = 0;
    std::string notice_event;  // non-empty: a notice (Notify)
    std::string notice_json;
  };
  struct Active {
    std::shared_ptr<Subscriber> sub;
    uint64_t first_seq;  // sees entries from this sequence number on
  };

  void Run();

  const Options options_;
  std::atomic<size_t> count_{0};
  std::atomic<uint64_t> overflowed_{0};
  std::atomic<uint64_t> next_ticket_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Entry> queue_;
  size_t queued_events_ = 0;
  uint64_t next_seq_ = 0;
  std::vector<Active> joining_;
  bool stop_ = false;
  std::vector<Active> active_;  // feed thread only
  std::thread thread_;
};

}  // namespace vigia
