#include "server/query_stream.h"

#include <algorithm>
#include <thread>

#include "common/json_writer.h"
#include "query/result_format.h"
#include "server/http_errors.h"

namespace vigia {
namespace {

// Pieces small enough to interleave with other writers of the stream and to fit its bound
// many times over; large enough for one notification and socket write per piece.
constexpr size_t kPieceBytes = 64 << 10;
// How long one wait for room lasts before the deadline is checked again.
constexpr auto kRoomWait = std::chrono::milliseconds(200);

}  // namespace

JobThreads::~JobThreads() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [&] { return running_ == 0; });
}

void JobThreads::Start(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++running_;
  }
  std::thread([this, job = std::move(job)]() mutable {
    job();
    job = nullptr;  // its captures die before the owner may
    // Notified under the lock: once the destructor sees zero, this thread no longer touches
    // the object.
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
    idle_.notify_all();
  }).detach();
}

Status WriteAll(ResponseStream* stream, std::string_view data,
                std::optional<std::chrono::steady_clock::time_point> deadline) {
  const size_t total = data.size();
  while (!data.empty()) {
    std::string_view piece = data.substr(0, kPieceBytes);
    switch (stream->WriteWait(piece, kRoomWait)) {
      case ResponseStream::WriteResult::kOk:
        data.remove_prefix(piece.size());
        break;
      case ResponseStream::WriteResult::kClosed:
        return Status::Unavailable("the client went away");
      case ResponseStream::WriteResult::kFull:
        // Only before the first piece: giving up later would cut a row in two. A client
        // that stops reading altogether is cut off by the transport's write timeout.
        if (deadline && data.size() == total && std::chrono::steady_clock::now() > *deadline) {
          return Status::DeadlineExceeded("query timed out (the client reads too slowly)");
        }
        break;
    }
  }
  return Status::Ok();
}

std::string QueryBody::Begin() const { return json_ ? "{\"rows\":[" : ""; }

void QueryBody::AddRows(const std::vector<QueryRecord>& rows, std::string* out) {
  for (const QueryRecord& r : rows) {
    if (limit_ > 0 && rows_ >= limit_) {
      truncated_ = true;
      return;
    }
    if (json_ && rows_ > 0) out->push_back(',');
    JsonWriter w(out);
    AppendRowJson(&w, r);
    if (!json_) out->push_back('\n');
    ++rows_;
  }
}

std::string QueryBody::End(const QueryStats& stats, double elapsed_ms) const {
  const bool partial = stats.shards_unavailable > 0;
  if (!json_) {
    // NDJSON: rows are flat objects of scalars, so an object-valued first member cannot be
    // one (the same reasoning as the trailing error record).
    if (!partial) return "";
    return "{\"partial\":{\"shards_unavailable\":" + std::to_string(stats.shards_unavailable) +
           ",\"shards_total\":" + std::to_string(stats.shards_total) + "}}\n";
  }
  std::string out = "],\"truncated\":";
  out += truncated_ ? "true" : "false";
  out += ",\"partial\":";
  out += partial ? "true" : "false";
  out += ",\"stats\":";
  JsonWriter w(&out);
  w.BeginObject();
  w.KV("rows_scanned", stats.rows_scanned);
  w.KV("rows_matched", stats.rows_matched);
  w.KV("blocks_total", stats.blocks_total);
  w.KV("blocks_read", stats.blocks_read);
  w.KV("blocks_skipped", stats.blocks_skipped);
  w.KV("bytes_read", stats.bytes_read);
  if (stats.shards_total > 0) {
    w.KV("shards_total", static_cast<uint64_t>(stats.shards_total));
    w.KV("shards_unavailable", static_cast<uint64_t>(stats.shards_unavailable));
  }
  w.KV("elapsed_ms", elapsed_ms);
  w.EndObject();
  out.push_back('}');
  return out;
}

std::string QueryBody::EndWithError(const Status& st) const {
  std::string err = ErrorJson(ErrorForStatus(st), st.message());
  if (!json_) return err + "\n";
  // ErrorJson is {"error":{...}}: its inside becomes the document's last member.
  return "]," + err.substr(1);
}

}  // namespace vigia
