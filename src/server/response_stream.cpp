#include "server/response_stream.h"

#include <utility>

namespace vigia {

ResponseStream::ResponseStream(size_t max_buffered_bytes)
    : max_buffered_bytes_(max_buffered_bytes) {}

std::function<void()> ResponseStream::NeedNotifyLocked() {
  // Once the transport closed the stream it pumps by itself (or is gone): no calls into it.
  if (!notify_ || notify_pending_ || reason_ == CloseReason::kClientGone ||
      reason_ == CloseReason::kShutdown) {
    return {};
  }
  notify_pending_ = true;
  return notify_;
}

ResponseStream::WriteResult ResponseStream::Write(std::string_view chunk) {
  std::function<void()> notify;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_ || reason_ != CloseReason::kNone) return WriteResult::kClosed;
    if (chunk.empty()) return WriteResult::kOk;
    if (!buffer_.empty() && buffer_.size() + chunk.size() > max_buffered_bytes_) {
      return WriteResult::kFull;
    }
    buffer_.append(chunk);
    bytes_written_ += chunk.size();
    notify = NeedNotifyLocked();
  }
  if (notify) notify();
  return WriteResult::kOk;
}

ResponseStream::WriteResult ResponseStream::WriteWait(std::string_view chunk,
                                                      std::chrono::milliseconds timeout) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait_for(lock, timeout, [&] {
      return finished_ || reason_ != CloseReason::kNone || buffer_.empty() ||
             buffer_.size() + chunk.size() <= max_buffered_bytes_;
    });
  }
  // Another producer may take the room in between; Write() rechecks under the lock.
  return Write(chunk);
}

void ResponseStream::Finish() {
  std::function<void()> notify;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    finished_ = true;
    if (reason_ == CloseReason::kNone) reason_ = CloseReason::kFinished;
    notify = NeedNotifyLocked();
  }
  room_.notify_all();
  if (notify) notify();
}

void ResponseStream::Fail(std::string_view last_line) {
  std::function<void()> notify;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    if (reason_ == CloseReason::kNone) {
      buffer_.append(last_line);
      bytes_written_ += last_line.size();
      reason_ = CloseReason::kFinished;
    }
    finished_ = true;
    notify = NeedNotifyLocked();
  }
  room_.notify_all();
  if (notify) notify();
}

bool ResponseStream::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return finished_ || reason_ != CloseReason::kNone;
}

ResponseStream::CloseReason ResponseStream::close_reason() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reason_;
}

void ResponseStream::SetOnClose(std::function<void()> fn) {
  bool run_now = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (reason_ == CloseReason::kClientGone || reason_ == CloseReason::kShutdown) {
      run_now = true;
    } else {
      on_close_ = fn;
    }
  }
  if (run_now && fn) fn();
}

void ResponseStream::Attach(std::function<void()> notify) {
  std::lock_guard<std::mutex> lock(mu_);
  notify_ = std::move(notify);
  notify_pending_ = false;
}

void ResponseStream::Detach() {
  std::function<void()> old;
  std::lock_guard<std::mutex> lock(mu_);
  old.swap(notify_);
}

bool ResponseStream::Take(std::string* out) {
  bool ended;
  {
    std::lock_guard<std::mutex> lock(mu_);
    out->clear();
    out->swap(buffer_);
    notify_pending_ = false;
    ended = finished_ || reason_ != CloseReason::kNone;
  }
  room_.notify_all();
  return ended;
}

void ResponseStream::CloseFromTransport(CloseReason reason) {
  std::function<void()> on_close;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (reason_ == CloseReason::kNone) reason_ = reason;
    if (reason_ == CloseReason::kClientGone || reason_ == CloseReason::kShutdown) {
      on_close = std::move(on_close_);
      on_close_ = nullptr;
    }
  }
  room_.notify_all();
  if (on_close) on_close();
}

size_t ResponseStream::buffered_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buffer_.size();
}

uint64_t ResponseStream::bytes_written() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_written_;
}

}  // namespace vigia
