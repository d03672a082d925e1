// ChunkedRowEvaluatorBackend: the row evaluator (row_evaluator.h) on several threads over
// chunks of text — the engine of `vigia query --file`. A reader produces chunks of whole
// lines in input order on a thread of its own, in buffers it hands over (line_chunk.h) (gzip
// inflation included, so it overlaps the parsing); worker threads decode each chunk with a decoder
// of their own (the factory makes one per worker: decoding is the caller's, e.g. ingest's NDJSON
// decoder) and evaluate it with a fresh RowEvaluator; the calling thread merges those partial
// evaluators in chunk order (RowEvaluator::Merge).
//
// Merging in chunk order makes the answer independent of the thread count and of which
// worker took which chunk: matched rows keep input order for ties, the aggregates' partial
// states are folded in the same order every run. Against one evaluator fed everything, the
// only possible difference is the last bits of float sums and averages (summed per chunk).
//
// Memory stays bounded by the chunk size: the reader waits while more than a few chunks per
// worker are read but not merged yet. The first error (decoder, evaluator limits, reader,
// observer.cancel) stops every thread and is returned; when several chunks fail before the
// threads stop, the earliest chunk's error wins.
//
// Thread-safety: Run may be called from one thread at a time (the reader may read stdin);
// the reader runs on an internal thread, the decoders on the workers.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "common/status.h"
#include "event/event.h"
#include "query/line_chunk.h"
#include "query/query_backend.h"

namespace vigia {

class ChunkedRowEvaluatorBackend final : public QueryBackend {
 public:
  // Fills buffers from `sink` with consecutive chunks of whole lines and emits them, in
  // order (the buffers are handed to the workers, not copied, and recycled once decoded).
  // Stops with the first error Emit returns, and returns it.
  using ChunkReader = std::function<Status(LineChunkSink& sink)>;
  // Decodes chunk number `seq` (0-based, in reading order) into `out`. Runs on a worker.
  using ChunkDecoder = std::function<Status(uint64_t seq, std::string_view chunk, EventBatch* out)>;
  // Makes one decoder per worker thread (called on the thread that calls Run).
  using DecoderFactory = std::function<ChunkDecoder()>;

  // `threads` workers; 0 = std::thread::hardware_concurrency().
  ChunkedRowEvaluatorBackend(ChunkReader reader, DecoderFactory decoders, unsigned threads);

  Result<QueryResult> Run(const Query& q, const QueryOptions& options,
                          const QueryObserver& observer) override;
  using QueryBackend::Run;
  // Always the same plan: every event read and evaluated, no index.
  Result<std::string> Explain(const Query& q, const QueryOptions& options) override;

  unsigned threads() const { return threads_; }

 private:
  ChunkReader reader_;
  DecoderFactory decoders_;
  unsigned threads_;
};

}  // namespace vigia
