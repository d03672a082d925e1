// RowEvaluatorBackend: a QueryBackend that runs the row evaluator (row_evaluator.h, the
// reference engine) over the event batches a reader hands it — NDJSON files or stdin for
// `vigia query --file` (the reader lives in src/cli: decoding is ingest's), a fixed set of
// in-memory batches in tests. Every query reads every batch once; there is no index.
//
// It never streams (on_rows is not called: every row comes back in QueryResult::rows) and
// reports no progress (the reader may show its own); observer.cancel is checked between
// batches, options.deadline and the group/memory limits inside the evaluator.
//
// Thread-safety: as thread-safe as the reader (each Run has its own evaluator).
#pragma once

#include <functional>

#include "common/status.h"
#include "event/event.h"
#include "query/query_backend.h"

namespace vigia {

class RowEvaluatorBackend final : public QueryBackend {
 public:
  // Calls `add` with every batch to read, in order; stops with the first error `add`
  // returns, and returns it.
  using BatchReader = std::function<Status(const std::function<Status(const EventBatch&)>& add)>;

  explicit RowEvaluatorBackend(BatchReader reader) : reader_(std::move(reader)) {}

  Result<QueryResult> Run(const Query& q, const QueryOptions& options,
                          const QueryObserver& observer) override;
  using QueryBackend::Run;
  // Always the same plan: every event read and evaluated, no index.
  Result<std::string> Explain(const Query& q, const QueryOptions& options) override;

 private:
  BatchReader reader_;
};

}  // namespace vigia
