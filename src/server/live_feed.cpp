#include "server/live_feed.h"

#include <optional>
#include <utility>

#include "event/event_json.h"

namespace vigia {

const std::string& LiveFeed::Delivery::Json(size_t i) {
  if (json_.empty()) {
    json_.resize(batch_.size());
    rendered_.resize(batch_.size(), false);
  }
  if (!rendered_[i]) {
    AppendEventJson(batch_, batch_.events()[i], &json_[i]);
    rendered_[i] = true;
  }
  return json_[i];
}

LiveFeed::LiveFeed(Options options) : options_(options) {
  thread_ = std::thread([this] { Run(); });
}

LiveFeed::~LiveFeed() { Stop(); }

void LiveFeed::Publish(std::shared_ptr<const EventBatch> batch) {
  PublishReserved(std::move(batch), Reserve());
}

void LiveFeed::PublishReserved(std::shared_ptr<const EventBatch> batch, uint64_t ticket) {
  // The common case on a busy ingest path: nobody tails.
  if (count_.load() == 0 || !batch || batch->empty()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    uint64_t n = batch->size();
    if (queued_events_ + n > options_.max_queued_events) {
      overflowed_.fetch_add(n, std::memory_order_relaxed);
      // Consecutive skips collapse into one entry, so the queue stays bounded too.
      if (!queue_.empty() && !queue_.back().batch && queue_.back().notice_event.empty()) {
        queue_.back().missed += n;
      } else {
        queue_.push_back({next_seq_++, 0, nullptr, n, {}, {}});
      }
    } else {
      queued_events_ += n;
      queue_.push_back({next_seq_++, ticket, std::move(batch), 0, {}, {}});
    }
  }
  cv_.notify_one();
}

void LiveFeed::Notify(std::string event, std::string json) {
  if (count_.load() == 0) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    queue_.push_back({next_seq_++, 0, nullptr, 0, std::move(event), std::move(json)});
  }
  cv_.notify_one();
}

Status LiveFeed::Subscribe(std::shared_ptr<Subscriber> subscriber) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return Status::Unavailable("the server is shutting down");
    if (count_.load() >= options_.max_subscribers) {
      return Status::ResourceExhausted("too many live tails open (limit " +
                                       std::to_string(options_.max_subscribers) + ")");
    }
    count_.fetch_add(1);
    joining_.push_back({std::move(subscriber), next_seq_});
  }
  cv_.notify_one();
  return Status::Ok();
}

void LiveFeed::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void LiveFeed::Run() {
  const auto tick = std::chrono::milliseconds(options_.tick_ms);
  auto last_tick = std::chrono::steady_clock::now();
  std::deque<Entry> work;
  while (true) {
    bool stopping;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, tick, [&] { return stop_ || !queue_.empty() || !joining_.empty(); });
      stopping = stop_;
      work.swap(queue_);
      queued_events_ = 0;
      for (Active& a : joining_) active_.push_back(std::move(a));
      joining_.clear();
    }
    if (stopping) break;
    std::vector<std::optional<Delivery>> deliveries(work.size());
    for (size_t w = 0; w < work.size(); ++w) {
      if (work[w].batch) deliveries[w].emplace(work[w].batch, work[w].ticket);
    }
    auto now = std::chrono::steady_clock::now();
    bool do_tick = now - last_tick >= tick;
    if (do_tick) last_tick = now;
    for (size_t i = 0; i < active_.size();) {
      Active& a = active_[i];
      bool keep = true;
      for (size_t w = 0; w < work.size() && keep; ++w) {
        const Entry& e = work[w];
        if (e.seq < a.first_seq) continue;
        if (e.batch) {
          keep = a.sub->Deliver(*deliveries[w]);
        } else if (!e.notice_event.empty()) {
          keep = a.sub->Notice(e.notice_event, e.notice_json);
        } else {
          a.sub->Missed(e.missed);
        }
      }
      if (keep && do_tick) keep = a.sub->Tick(now);
      if (keep) {
        ++i;
        continue;
      }
      a.sub->Ended();
      active_[i] = std::move(active_.back());
      active_.pop_back();
      count_.fetch_sub(1);
    }
    work.clear();
  }
  std::vector<Active> rest;
  {
    std::lock_guard<std::mutex> lock(mu_);
    rest = std::move(joining_);
    joining_.clear();
    queue_.clear();
  }
  for (Active& a : active_) a.sub->Ended();
  for (Active& a : rest) a.sub->Ended();
  count_.fetch_sub(active_.size() + rest.size());
  active_.clear();
}

}  // namespace vigia
