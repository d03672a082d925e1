#include "query/row_evaluator_backend.h"

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

}  // namespace vigia
