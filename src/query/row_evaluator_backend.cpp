#include "query/row_evaluator_backend.h"

#include "query/query_explain.h"
#include "query/row_evaluator.h"

namespace vigia {

Result<QueryResult> RowEvaluatorBackend::Run(const Query& q, const QueryOptions& options,
                                             const QueryObserver& observer) {
  VIGIA_ASSIGN_OR_RETURN(auto evaluator, RowEvaluator::Create(q, options));
  VIGIA_RETURN_IF_ERROR(reader_([&](const EventBatch& batch) -> Status {
    if (observer.cancel && observer.cancel->load()) return Status::Unavailable("cancelled");
    return evaluator->Add(batch);
  }));
  return evaluator->Finish();
}

Result<std::string> RowEvaluatorBackend::Explain(const Query& q, const QueryOptions& options) {
  // The same checks as Run (unknown functions, bad arguments), so explain refuses what Run would.
  VIGIA_ASSIGN_OR_RETURN(auto evaluator, RowEvaluator::Create(q, options));
  std::string out =
      "engine: row evaluator: every event is read and the whole query evaluated on it (no "
      "index)\n";
  out += ExplainTimeRange(options.range) + "\n";
  std::string then = ExplainPipes(q, false);
  if (!then.empty()) out += then + "\n";
  return out;
}

}  // namespace vigia
