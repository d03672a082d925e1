#include "query/chunked_row_evaluator_backend.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/limits.h"
#include "query/query_explain.h"
#include "query/row_evaluator.h"

namespace vigia {
namespace {

struct Task {
  uint64_t seq = 0;
  LineChunk chunk;
};

// The state the reader, the workers and the merging thread share during one Run.
struct Pipeline {
  std::mutex mu;
  std::condition_variable reader_cv;  // room to read ahead, or failed
  std::condition_variable worker_cv;  // a task, the end of input, or failed
  std::condition_variable merge_cv;   // a chunk's evaluator done, the end of input, or failed
  std::deque<Task> tasks;
  std::vector<LineChunk> free_buffers;  // chunk buffers to reuse (no page faults per chunk)
  std::map<uint64_t, std::unique_ptr<RowEvaluator>> done;
  uint64_t read = 0;    // chunks handed out by the reader
  uint64_t merged = 0;  // chunks merged (the next one to merge)
  bool reader_done = false;
  bool failed = false;
  uint64_t error_seq = UINT64_MAX;
  Status error;

  // REQUIRES: mu held.
  void Fail(uint64_t seq, Status st) {
    if (!failed || seq < error_seq) {
      error_seq = seq;
      error = std::move(st);
    }
    failed = true;
    reader_cv.notify_all();
    worker_cv.notify_all();
    merge_cv.notify_all();
  }
};

// What a Run's reader fills and emits: recycled buffers, and the read-ahead window.
class ReaderSink final : public LineChunkSink {
 public:
  ReaderSink(Pipeline& p, uint64_t window) : p_(p), window_(window) {}
  LineChunk Buffer() override {
    std::lock_guard lock(p_.mu);
    if (p_.free_buffers.empty()) return LineChunk();
    LineChunk b = std::move(p_.free_buffers.back());
    p_.free_buffers.pop_back();
    return b;
  }
  Status Emit(LineChunk chunk) override {
    std::unique_lock lock(p_.mu);
    p_.reader_cv.wait(lock, [&] { return p_.failed || p_.read - p_.merged < window_; });
    if (p_.failed) return Status::Unavailable("stopped");
    p_.tasks.push_back({p_.read++, std::move(chunk)});
    p_.worker_cv.notify_one();
    return Status::Ok();
  }

 private:
  Pipeline& p_;
  const uint64_t window_;
};

}  // namespace

ChunkedRowEvaluatorBackend::ChunkedRowEvaluatorBackend(ChunkReader reader, DecoderFactory decoders,
                                                       unsigned threads)
    : reader_(std::move(reader)),
      decoders_(std::move(decoders)),
      threads_(threads ? threads : std::max(1u, std::thread::hardware_concurrency())) {}

Result<QueryResult> ChunkedRowEvaluatorBackend::Run(const Query& q, const QueryOptions& options,
                                                    const QueryObserver& observer) {
  // Created first: a query the evaluator refuses fails before any thread starts.
  VIGIA_ASSIGN_OR_RETURN(auto total, RowEvaluator::Create(q, options));
  Pipeline p;
  const uint64_t window = uint64_t{threads_} * limits::kFileQueryChunksPerWorker;

  auto worker = [&](ChunkDecoder decode) {
    // One batch per worker, refilled chunk after chunk: the evaluator copies what it keeps
    // (rows, group keys), so the batch's memory stays mapped and warm in cache.
    EventBatch batch;
    while (true) {
      Task t;
      {
        std::unique_lock lock(p.mu);
        p.worker_cv.wait(lock, [&] { return p.failed || !p.tasks.empty() || p.reader_done; });
        if (p.failed || p.tasks.empty()) return;
        t = std::move(p.tasks.front());
        p.tasks.pop_front();
      }
      Status st;
      std::unique_ptr<RowEvaluator> ev;
      if (observer.cancel && observer.cancel->load()) {
        st = Status::Unavailable("cancelled");
      } else {
        batch.Clear();
        st = decode(t.seq, t.chunk.text(), &batch);
        if (st.ok()) {
          Result<std::unique_ptr<RowEvaluator>> created = RowEvaluator::Create(q, options);
          if (created.ok()) {
            ev = std::move(*created);
            st = ev->Add(batch);
          } else {
            st = created.status();
          }
        }
      }
      std::lock_guard lock(p.mu);
      if (t.chunk.capacity() > 0) p.free_buffers.push_back(std::move(t.chunk));
      t.chunk = LineChunk();  // a view lets go of its file
      if (!st.ok()) {
        p.Fail(t.seq, std::move(st));
        return;
      }
      p.done.emplace(t.seq, std::move(ev));
      if (t.seq == p.merged) p.merge_cv.notify_one();
    }
  };

  std::vector<std::thread> workers;
  workers.reserve(threads_);
  for (unsigned i = 0; i < threads_; ++i) workers.emplace_back(worker, decoders_());

  std::thread reader([&] {
    ReaderSink sink(p, window);
    Status st = reader_(sink);
    std::lock_guard lock(p.mu);
    if (!st.ok() && !p.failed) p.Fail(p.read, std::move(st));
    p.reader_done = true;
    p.worker_cv.notify_all();
    p.merge_cv.notify_all();
  });

  // Merge in chunk order on this thread, while the others read and evaluate.
  {
    std::unique_lock lock(p.mu);
    while (true) {
      p.merge_cv.wait(lock, [&] {
        return p.failed || p.done.count(p.merged) > 0 || (p.reader_done && p.merged == p.read);
      });
      if (p.failed || (p.reader_done && p.merged == p.read)) break;
      auto it = p.done.find(p.merged);
      std::unique_ptr<RowEvaluator> ev = std::move(it->second);
      p.done.erase(it);
      const uint64_t seq = p.merged++;
      p.reader_cv.notify_one();
      lock.unlock();
      Status st = total->Merge(std::move(*ev));
      ev.reset();
      lock.lock();
      if (!st.ok()) p.Fail(seq, std::move(st));
    }
  }
  reader.join();
  for (std::thread& w : workers) w.join();
  if (p.failed) return p.error;
  return total->Finish();
}

Result<std::string> ChunkedRowEvaluatorBackend::Explain(const Query& q,
                                                        const QueryOptions& options) {
  // The same checks as Run (unknown functions, bad arguments), so explain refuses what Run would.
  VIGIA_ASSIGN_OR_RETURN(auto evaluator, RowEvaluator::Create(q, options));
  std::string out =
      "engine: row evaluator: every event is read and the whole query evaluated on it (no "
      "index), on " +
      std::to_string(threads_) + " thread(s) over chunks of lines, merged in input order\n";
  out += ExplainTimeRange(options.range) + "\n";
  std::string then = ExplainPipes(q, false);
  if (!then.empty()) out += then + "\n";
  return out;
}

}  // namespace vigia
