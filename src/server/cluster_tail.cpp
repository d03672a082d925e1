#include "server/cluster_tail.h"

#include <algorithm>
#include <chrono>

#include "common/json_writer.h"

namespace vigia {

ClusterTail::ClusterTail(std::unique_ptr<ClusterTailSource> source, ClusterTailOptions options)
    : options_(std::move(options)), source_(std::move(source)), feed_(options_.feed) {
  thread_ = std::thread([this] { Run(); });
}

ClusterTail::~ClusterTail() { Stop(); }

int64_t ClusterTail::Now() const {
  if (options_.now_ns) return options_.now_ns();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::shared_ptr<const void>> ClusterTail::Register(const Filter& filter, int64_t now_ns) {
  VIGIA_ASSIGN_OR_RETURN(std::string condition, source_->Compile(filter, now_ns));
  auto handle = std::make_shared<const std::string>(std::move(condition));
  {
    std::lock_guard<std::mutex> lock(mu_);
    registrations_.push_back(handle);
  }
  return std::shared_ptr<const void>(handle);
}

std::vector<std::string> ClusterTail::Conditions() {
  std::set<std::string> unique;
  std::lock_guard<std::mutex> lock(mu_);
  auto dead = std::remove_if(registrations_.begin(), registrations_.end(),
                             [&](const std::weak_ptr<const std::string>& w) {
                               auto c = w.lock();
                               if (!c) return true;
                               unique.insert(*c);
                               return false;
                             });
  registrations_.erase(dead, registrations_.end());
  return {unique.begin(), unique.end()};
}

uint64_t ClusterTail::MarkAfterNextPoll(int max_wait_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  // The poll running now may have started before the call: wait for the one after it.
  const uint64_t target = polls_started_ + 1;
  poll_now_ = true;
  cv_.notify_all();
  cv_.wait_for(lock, std::chrono::milliseconds(max_wait_ms),
               [&] { return stop_ || polls_ended_ >= target; });
  lock.unlock();
  return feed_.reserved();
}

ClusterTail::Stats ClusterTail::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void ClusterTail::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cancel_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  feed_.Stop();
}

void ClusterTail::SetState(State state, const std::string& json) {
  if (state == state_) return;
  state_ = state;
  feed_.Notify("cluster", json);
}

void ClusterTail::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    // A waiting MarkAfterNextPoll cuts the wait short: a `since` tail's seam closes after one
    // poll, not after one interval.
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms),
                 [&] { return stop_ || poll_now_; });
    if (stop_) break;
    poll_now_ = false;
    ++polls_started_;
    lock.unlock();
    PollOnce();
    lock.lock();
    ++polls_ended_;
    cv_.notify_all();
  }
}

void ClusterTail::PollOnce() {
  std::vector<std::string> conditions = Conditions();
  if (conditions.empty()) {
    // No tail: no poll, and the next tail starts a fresh window (its own floor keeps older
    // rows off it).
    active_ = false;
    seen_.clear();
    state_ = State::kOk;
    std::lock_guard<std::mutex> lock(mu_);
    stats_.window_keys = 0;
    return;
  }
  const int64_t start = Now();
  const int64_t lag_ns = int64_t{options_.lag_ms} * 1'000'000;
  if (!active_) {
    active_ = true;
    horizon_ = {start - lag_ns, 0};
    seen_.clear();
  }
  uint64_t published = 0, evicted = 0;
  auto keep = [&](int64_t ts, uint64_t seq) {
    const Key k{ts, seq};
    if (k < horizon_ || !seen_.insert(k).second) return false;
    while (seen_.size() > options_.max_window_keys) {
      const Key oldest = *seen_.begin();
      seen_.erase(seen_.begin());
      horizon_ = std::max(horizon_, Key{oldest.first, oldest.second + 1});
      ++evicted;
    }
    return true;
  };
  auto publish = [&](std::shared_ptr<EventBatch> batch) {
    if (!batch->empty()) {
      published += batch->size();
      feed_.Publish(std::move(batch));
    }
    return Status::Ok();
  };
  Result<ClusterTailSource::ReadResult> r =
      source_->Read(conditions, horizon_.first, keep, publish, &cancel_);
  if (r.ok() && r->shards_unavailable == 0) {
    // Every shard answered: rows older than the lag window are final.
    horizon_ = std::max(horizon_, Key{start - lag_ns, 0});
    seen_.erase(seen_.begin(), seen_.lower_bound(horizon_));
  }
  if (!r.ok()) {
    std::string json;
    JsonWriter w(&json);
    w.BeginObject().Key("cluster").BeginObject().KV("state", "unavailable");
    w.KV("error", "the tail's poll of ClickHouse failed (retried every " +
                      std::to_string(options_.poll_ms) + " ms): " + r.status().message());
    w.EndObject().EndObject();
    SetState(State::kUnavailable, json);
  } else if (r->shards_unavailable > 0) {
    std::string json;
    JsonWriter w(&json);
    w.BeginObject().Key("cluster").BeginObject().KV("state", "partial");
    w.KV("shards_unavailable", uint64_t{r->shards_unavailable});
    w.KV("shards_total", uint64_t{r->shards_total});
    w.EndObject().EndObject();
    SetState(State::kPartial, json);
  } else {
    SetState(State::kOk, R"({"cluster":{"state":"ok"}})");
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.polls;
  stats_.events_published += published;
  stats_.window_evictions += evicted;
  stats_.window_keys = seen_.size();
  if (r.ok()) {
    stats_.rows_read += r->rows_read;
    stats_.bytes_read += r->bytes_read;
  } else {
    ++stats_.poll_failures;
    stats_.last_error = r.status().ToString();
  }
}

}  // namespace vigia
