#include "query/row_evaluator.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace vigia {
namespace {

std::optional<double> EvalMath(const MathExpr& e, const QueryRecord& r) {
  switch (e.kind) {
    case MathExpr::Kind::kNumber:
      return e.number;
    case MathExpr::Kind::kField: {
      const OwnedValue* v = r.Get(e.field);
      if (!v) return std::nullopt;
      return ValueToNumber(v->view());
    }
    case MathExpr::Kind::kNeg: {
      auto a = EvalMath(*e.args[0], r);
      if (!a) return std::nullopt;
      return -*a;
    }
    case MathExpr::Kind::kRound: {
      auto a = EvalMath(*e.args[0], r);
      if (!a) return std::nullopt;
      double digits = 0;
      if (e.args.size() > 1) {
        auto d = EvalMath(*e.args[1], r);
        if (!d) return std::nullopt;
        digits = std::clamp(std::round(*d), 0.0, 15.0);
      }
      double scale = std::pow(10.0, digits);
      return std::round(*a * scale) / scale;
    }
    case MathExpr::Kind::kAdd:
    case MathExpr::Kind::kSub:
    case MathExpr::Kind::kMul:
    case MathExpr::Kind::kDiv:
      break;  // binary: below
  }
  auto a = EvalMath(*e.args[0], r);
  auto b = EvalMath(*e.args[1], r);
  if (!a || !b) return std::nullopt;
  switch (e.kind) {
    case MathExpr::Kind::kAdd:
      return *a + *b;
    case MathExpr::Kind::kSub:
      return *a - *b;
    case MathExpr::Kind::kMul:
      return *a * *b;
    case MathExpr::Kind::kDiv:
      // x / 0 is null rather than inf: a share over an empty minute has no value.
      if (*b == 0) return std::nullopt;
      return *a / *b;
    case MathExpr::Kind::kNumber:
    case MathExpr::Kind::kField:
    case MathExpr::Kind::kNeg:
    case MathExpr::Kind::kRound:
      break;  // handled above
  }
  return std::nullopt;
}

// Plain-filter rows come out in time order (ties keep input order).
void SortByTime(std::vector<QueryRecord>* rows) {
  std::stable_sort(rows->begin(), rows->end(), [](const QueryRecord& a, const QueryRecord& b) {
    const OwnedValue* x = a.Get("ts");
    const OwnedValue* y = b.Get("ts");
    int64_t tx = x ? x->i : 0, ty = y ? y->i : 0;
    return tx < ty;
  });
}

// Orders `rows` by `keys` as a stable sort would (nulls last in both directions) and keeps
// the first `keep`. Each row's sort values are looked up once, not per comparison, and ties
// are broken by the input position, so a partial sort of the first `keep` gives exactly the
// stable sort's first `keep` (`sort by (n desc) | limit 10` over 400k groups sorts 10).
void SortRows(const std::vector<SortKey>& keys, size_t keep, std::vector<QueryRecord>* rows) {
  const size_t n = rows->size();
  const size_t nk = keys.size();
  std::vector<Value> values(n * nk);  // views into rows, which stay put until the end
  for (size_t r = 0; r < n; ++r) {
    for (size_t k = 0; k < nk; ++k) {
      const OwnedValue* v = (*rows)[r].Get(keys[k].field);
      values[r * nk + k] = v ? v->view() : Value::Null();
    }
  }
  std::vector<uint32_t> order(n);
  for (size_t r = 0; r < n; ++r) order[r] = static_cast<uint32_t>(r);
  auto before = [&](uint32_t a, uint32_t b) {
    for (size_t k = 0; k < nk; ++k) {
      const Value& vx = values[a * nk + k];
      const Value& vy = values[b * nk + k];
      int c = CompareValues(vx, vy);
      // Nulls stay last in both directions.
      if (c != 0 && vx.type != ValueType::kNull && vy.type != ValueType::kNull && keys[k].desc) {
        c = -c;
      }
      if (c != 0) return c < 0;
    }
    return a < b;
  };
  keep = std::min(keep, n);
  if (keep < n) {
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep), order.end(),
                      before);
  } else {
    std::sort(order.begin(), order.end(), before);
  }
  std::vector<QueryRecord> out;
  out.reserve(keep);
  for (size_t i = 0; i < keep; ++i) out.push_back(std::move((*rows)[order[i]]));
  *rows = std::move(out);
}

bool IsStatsPipe(const Pipe& p) { return p.kind == PipeKind::kStats || p.kind == PipeKind::kTop; }

}  // namespace

Result<std::vector<QueryRecord>> ApplyPipes(const Query& query, size_t first,
                                            std::vector<QueryRecord> rows,
                                            const QueryOptions& options, TimeRange window) {
  for (size_t pi = first; pi < query.pipes.size(); ++pi) {
    const Pipe& p = query.pipes[pi];
    switch (p.kind) {
      case PipeKind::kStats:
      case PipeKind::kTop: {
        VIGIA_ASSIGN_OR_RETURN(
            auto agg, StatsAggregator::Create(p, options.now_ns, window,
                                              {options.max_groups, options.max_memory_bytes}));
        for (const QueryRecord& r : rows) VIGIA_RETURN_IF_ERROR(agg->Add(RecordAccessor(r)));
        rows = agg->Finish();
        break;
      }
      case PipeKind::kWhere: {
        VIGIA_ASSIGN_OR_RETURN(FilterMatcher m, FilterMatcher::Compile(*p.where, options.now_ns));
        std::vector<QueryRecord> kept;
        for (QueryRecord& r : rows) {
          if (m.Matches(RecordAccessor(r))) kept.push_back(std::move(r));
        }
        rows = std::move(kept);
        break;
      }
      case PipeKind::kSort: {
        // `sort … | limit N` keeps only the first N in order: a partial sort finds them.
        size_t keep = rows.size();
        if (pi + 1 < query.pipes.size() && query.pipes[pi + 1].kind == PipeKind::kLimit) {
          keep = std::min<size_t>(keep, query.pipes[pi + 1].limit);
        }
        SortRows(p.sort, keep, &rows);
        break;
      }
      case PipeKind::kLimit:
        if (rows.size() > p.limit) rows.resize(p.limit);
        break;
      case PipeKind::kFields:
        for (QueryRecord& r : rows) {
          QueryRecord out;
          for (const std::string& f : p.fields) {
            const OwnedValue* v = r.Get(f);
            out.cols.emplace_back(f, v ? *v : OwnedValue{});
          }
          r = std::move(out);
        }
        break;
      case PipeKind::kMath:
        for (QueryRecord& r : rows) {
          for (const MathAssign& m : p.math) {
            auto v = EvalMath(*m.expr, r);
            r.Set(m.name, v && std::isfinite(*v) ? OwnedValue::Float(*v) : OwnedValue{});
          }
        }
        break;
    }
    if (options.deadline && std::chrono::steady_clock::now() > *options.deadline) {
      return Status::DeadlineExceeded("query timed out");
    }
  }
  return rows;
}

RowEvaluator::~RowEvaluator() = default;

Result<std::unique_ptr<RowEvaluator>> RowEvaluator::Create(const Query& query,
                                                           const QueryOptions& options) {
  std::unique_ptr<RowEvaluator> e(new RowEvaluator());
  e->query_ = &query;
  e->options_ = options;
  VIGIA_ASSIGN_OR_RETURN(FilterMatcher m, FilterMatcher::Compile(*query.filter, options.now_ns));
  e->range_ = m.time_range();
  e->range_.Intersect(options.range);
  e->filter_.emplace(std::move(m));
  if (!query.pipes.empty() && IsStatsPipe(query.pipes[0])) {
    VIGIA_ASSIGN_OR_RETURN(e->first_stats_,
                           StatsAggregator::Create(query.pipes[0], options.now_ns, e->range_,
                                                   {options.max_groups, options.max_memory_bytes}));
  }
  return e;
}

Status RowEvaluator::CheckLimits() {
  if (options_.deadline && std::chrono::steady_clock::now() > *options_.deadline) {
    return Status::DeadlineExceeded("query timed out");
  }
  if (options_.max_memory_bytes && memory_ > options_.max_memory_bytes) {
    return Status::ResourceExhausted("query result needs more than " +
                                     std::to_string(options_.max_memory_bytes >> 20) +
                                     " MiB; add a limit or narrow the filter");
  }
  return Status::Ok();
}

Status RowEvaluator::Add(const EventBatch& batch) {
  uint64_t n = 0;
  for (const EventBatch::EventRef& e : batch.events()) {
    ++stats_.rows_scanned;
    if ((++n & 4095) == 0) VIGIA_RETURN_IF_ERROR(CheckLimits());
    if (!range_.Contains(e.ts_ns)) continue;
    EventRowAccessor row(batch, e);
    if (!filter_->Matches(row)) continue;
    ++stats_.rows_matched;
    if (first_stats_) {
      VIGIA_RETURN_IF_ERROR(first_stats_->Add(row));
    } else {
      rows_.push_back(EventToRecord(batch, e));
      memory_ += rows_.back().MemoryUsage();
    }
  }
  return CheckLimits();
}

Status RowEvaluator::Merge(RowEvaluator&& other) {
  stats_.rows_scanned += other.stats_.rows_scanned;
  stats_.rows_matched += other.stats_.rows_matched;
  if (first_stats_) {
    VIGIA_RETURN_IF_ERROR(first_stats_->Merge(std::move(*other.first_stats_)));
  } else {
    if (rows_.empty()) {
      rows_ = std::move(other.rows_);
    } else {
      rows_.insert(rows_.end(), std::make_move_iterator(other.rows_.begin()),
                   std::make_move_iterator(other.rows_.end()));
    }
    other.rows_.clear();
    memory_ += other.memory_;
  }
  return CheckLimits();
}

Result<QueryResult> RowEvaluator::Finish() {
  QueryResult out;
  out.stats = stats_;
  size_t first = 0;
  if (first_stats_) {
    rows_ = first_stats_->Finish();
    first = 1;
  } else {
    SortByTime(&rows_);
  }
  VIGIA_ASSIGN_OR_RETURN(out.rows, ApplyPipes(*query_, first, std::move(rows_), options_, range_));
  return out;
}

}  // namespace vigia
