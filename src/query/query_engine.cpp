#include "query/query_engine.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <thread>
#include <tuple>

#include "common/limits.h"
#include "common/query_priority.h"
#include "query/block_window.h"
#include "query/column_filter.h"
#include "query/column_stats.h"
#include "query/hot_columns.h"
#include "query/memtable_block.h"
#include "query/metadata_counter.h"
#include "query/part_block_reader.h"
#include "query/query_plan.h"
#include "query/row_evaluator.h"
#include "query/scan_helpers.h"
#include "query/time_mask.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

struct BlockTask {
  uint32_t part = 0;
  uint32_t block = 0;
  int64_t min_ts = 0;
  int64_t max_ts = 0;
};

// A matching row of a plain filter with its position in the row evaluator's input order
// (parts in snapshot order, then memtable batches), so the final order is the same.
struct OrderedRow {
  int64_t ts = 0;
  uint32_t source = 0;  // part index, or parts + memtable batch index
  uint32_t block = 0;
  uint32_t row = 0;
  QueryRecord rec;
};

bool RowBefore(const OrderedRow& a, const OrderedRow& b) {
  if (a.ts != b.ts) return a.ts < b.ts;
  if (a.source != b.source) return a.source < b.source;
  if (a.block != b.block) return a.block < b.block;
  return a.row < b.row;
}

// One scanning thread's state and partial results.
struct Worker {
  std::unique_ptr<ColumnStats> stats;  // when the first pipe is stats/top
  std::vector<OrderedRow> rows;        // otherwise
  uint64_t memory = 0;
  QueryStats qs;
  DecodedBlock block;
  BlockRows rest;        // the other columns of a block's matching rows (plain filters)
  BloomMemo bloom_memo;  // the bloom groups this worker probes (bloom_group.h)
  // The columns of an output row, in part column order.
  struct RowColumn {
    uint32_t column;  // index in the part's columns
    const ColumnVector* values;
    bool by_block_row;  // indexed by block row (whole chunk), else by matching row
  };
  std::vector<RowColumn> row_columns;
  BlockView memtable_view;  // of the memtable batch being scanned
  std::vector<uint8_t> mask;
  BlockWindow window;          // the rows of `block` a time range keeps (stats queries)
  std::vector<RowSpan> spans;  // the rows of `block` in the time range (or around them)
  std::vector<uint8_t> window_mask;
};

uint64_t RowsMemory(std::vector<OrderedRow>::const_iterator b,
                    std::vector<OrderedRow>::const_iterator e) {
  uint64_t m = 0;
  for (; b != e; ++b) m += b->rec.MemoryUsage();
  return m;
}

class Engine {
 public:
  Engine(const StoreSnapshot& snap, const Query& q, const QueryOptions& opt, QueryPlan plan,
         ColumnFilter filter, const QueryObserver& obs)
      : snap_(snap),
        q_(q),
        opt_(opt),
        plan_(std::move(plan)),
        filter_(std::move(filter)),
        obs_(obs) {}

  Result<QueryResult> Run();

 private:
  // Before each block: a background query first waits while the user's queries run
  // (QueryOptions::background), then the deadline and cancellation are checked.
  Status BeforeBlock() const {
    if (opt_.background) YieldToQueries();
    return CheckDeadline();
  }
  void YieldToQueries() const {
    // One budget for the whole query, shared by its threads: once spent, it runs on.
    const int64_t left = yield_left_ns_.load(std::memory_order_relaxed);
    if (left <= 0) return;
    const std::chrono::nanoseconds waited =
        QueryPriority::Global().WaitWhileQueriesRun(std::chrono::nanoseconds(left));
    if (waited.count() > 0) yield_left_ns_.fetch_sub(waited.count(), std::memory_order_relaxed);
  }
  Status CheckDeadline() const {
    if (opt_.deadline && std::chrono::steady_clock::now() > *opt_.deadline) {
      return Status::DeadlineExceeded("query timed out");
    }
    if (obs_.cancel && obs_.cancel->load(std::memory_order_relaxed)) {
      return Status::Unavailable("query cancelled");
    }
    return Status::Ok();
  }
  // The rows of `v` (timestamps within [min_ts, max_ts]) inside the query's time range. Most
  // blocks lie wholly inside it: no per-row test then.
  void TimeMask(const BlockView& v, int64_t min_ts, int64_t max_ts,
                std::vector<uint8_t>* mask) const {
    if (min_ts >= plan_.min_ts && max_ts < plan_.max_ts) {
      mask->assign(v.num_rows, 1);
      return;
    }
    mask->resize(v.num_rows);
    SetTimeRange(v.ts, v.num_rows, plan_.min_ts, plan_.max_ts, mask->data());
  }
  // Counts one scanned block; the calling thread (`report`) also tells the observer.
  void Progress(uint64_t rows, bool report) const {
    uint64_t done = blocks_done_.fetch_add(1, std::memory_order_relaxed) + 1;
    uint64_t scanned = rows_done_.fetch_add(rows, std::memory_order_relaxed) + rows;
    if (report && obs_.on_progress) obs_.on_progress({done, tasks_.size(), scanned});
  }
  Status CheckRowMemory(const Worker& w) const {
    if (opt_.max_memory_bytes && w.memory > opt_.max_memory_bytes) {
      return Status::ResourceExhausted("query result needs more than " +
                                       std::to_string(opt_.max_memory_bytes >> 20) +
                                       " MiB; add a limit or narrow the filter");
    }
    return Status::Ok();
  }
  Result<Worker> NewWorker() const {
    Worker w;
    if (plan_.stats_first) {
      VIGIA_ASSIGN_OR_RETURN(w.stats, ColumnStats::Create(q_.pipes[0], opt_, plan_.range));
    }
    return w;
  }
  Status ScanBlock(const BlockTask& t, Worker* w) const;
  // Plain rows into w->rows, or folded into `stats` when given.
  Status ScanMemtable(Worker* w, ColumnStats* stats) const;
  // The same for memtable batch `bi` alone.
  Status ScanMemtableBatch(size_t bi, Worker* w, ColumnStats* stats) const;
  // Memtable batches scanned by ScanParallel's threads beside the part blocks (the stats
  // pipe's partial aggregates merge in any order); otherwise by ScanMemtable afterwards.
  size_t ParallelMemtableTasks() const { return plan_.stats_first ? snap_.memtable.size() : 0; }
  Status ScanParallel(std::vector<Worker>* workers) const;
  Status ScanCapped(Worker* w) const;
  Status ScanStreaming(Worker* w) const;
  // Hands rows [b, e) (final, in order) to the observer, through the row-wise pipes.
  Status Emit(std::vector<OrderedRow>::iterator b, std::vector<OrderedRow>::iterator e) const;
  // Keeps the first row_cap rows (in output order) of w->rows.
  void Trim(Worker* w) const;

  const StoreSnapshot& snap_;
  const Query& q_;
  const QueryOptions& opt_;
  const QueryPlan plan_;
  const ColumnFilter filter_;
  const QueryObserver& obs_;
  std::vector<std::unique_ptr<PartBlockReader>> readers_;  // per part; null when out of range
  std::vector<BlockTask> tasks_;
  // Counts blocks from their metadata when the stats pipe and the filter allow it.
  std::optional<MetadataCounter> meta_counter_;
  mutable std::atomic<uint64_t> blocks_done_{0};
  mutable std::atomic<uint64_t> rows_done_{0};
  mutable std::atomic<int64_t> yield_left_ns_{int64_t{limits::kBackgroundQueryYieldBudgetMs} *
                                              1'000'000};
};

Status Engine::ScanBlock(const BlockTask& t, Worker* w) const {
  VIGIA_RETURN_IF_ERROR(BeforeBlock());
  const PartBlockReader& pr = *readers_[t.part];
  VIGIA_ASSIGN_OR_RETURN(bool may, pr.MayMatch(t.block, &w->bloom_memo, &w->qs.bytes_read));
  if (!may) return Status::Ok();
  if (meta_counter_) {
    uint64_t matched = 0;
    VIGIA_ASSIGN_OR_RETURN(bool counted,
                           meta_counter_->Count(pr, t.block, w->stats.get(), &matched));
    if (counted) {
      const uint32_t rows = pr.reader().meta().blocks[t.block].num_rows;
      ++w->qs.blocks_read;
      w->qs.rows_scanned += rows;
      w->qs.rows_matched += matched;
      return Status::Ok();
    }
  }
  ++w->qs.blocks_read;
  // A block wholly inside the time range needs its timestamps only when the query reads them
  // per row: a cold count by level then decodes no `_time` chunk (its largest column).
  const bool inside = t.min_ts >= plan_.min_ts && t.max_ts < plan_.max_ts;
  VIGIA_RETURN_IF_ERROR(pr.ReadFilterColumns(t.block, &w->block, &w->qs.bytes_read,
                                             plan_.reads_time || !inside,
                                             /*ts_runs=*/!inside));
  const BlockView& v = w->block.view;
  w->qs.rows_scanned += v.num_rows;
  // A block the time range cuts. Rows are sorted by (service, kind, ts), so the timestamps
  // are one sorted run per service and kind in the block (CachedChunk::time_runs), and the
  // rows in range are found by a binary search in each run; without the runs every row is
  // tested. A stats query filters and folds only the rows in range when they are at most
  // half the block (block_window.h): of a block of several runs, only their rows in range.
  const std::vector<uint32_t>* runs =
      w->block.ts != nullptr && !w->block.ts->time_runs.empty() ? &w->block.ts->time_runs : nullptr;
  size_t in_range = v.num_rows;
  if (inside) {
    w->mask.assign(v.num_rows, 1);
  } else if (runs != nullptr) {
    in_range = TimeRangeSpans(v.ts, v.num_rows, *runs, plan_.min_ts, plan_.max_ts, &w->spans);
  } else {
    TimeMask(v, t.min_ts, t.max_ts, &w->mask);
    const auto [begin, end] = MaskSpan(w->mask);
    w->spans.assign(1, {static_cast<uint32_t>(begin), static_cast<uint32_t>(end)});
    in_range = end - begin;  // at most: a window keeps the mask's zeros between
  }
  if (in_range == 0) return Status::Ok();
  const bool windowed = w->stats && !inside && in_range * 2 <= v.num_rows;
  if (windowed) {
    w->window.Set(v, w->spans);
    if (runs != nullptr) {
      w->window_mask.assign(in_range, 1);
    } else {
      w->window_mask.assign(w->mask.begin() + w->spans[0].begin, w->mask.begin() + w->spans[0].end);
    }
  } else if (runs != nullptr && !inside) {
    w->mask.assign(v.num_rows, 0);
    for (const RowSpan& s : w->spans) {
      std::fill(w->mask.begin() + s.begin, w->mask.begin() + s.end, 1);
    }
  }
  std::vector<uint8_t>& mask = windowed ? w->window_mask : w->mask;
  filter_.ApplyInTimeRange(windowed ? w->window.view() : v, &mask);
  uint64_t matched = 0;
  for (uint8_t m : mask) matched += m;
  w->qs.rows_matched += matched;
  if (matched == 0) return Status::Ok();
  if (w->stats) {
    VIGIA_RETURN_IF_ERROR(pr.ReadRest(t.block, &w->block, &w->qs.bytes_read));
    if (!windowed) return w->stats->AddBlock(v, mask);
    w->window.Extend(v);  // the columns ReadRest added
    return w->stats->AddBlock(w->window.view(), mask);
  }
  // Whole rows: the other columns' values of the matching rows only (a cold needle or rare
  // word decodes a few rows of each column, not the block).
  BlockRows& rest = w->rest;
  rest.rows.clear();
  AppendMaskRows(w->mask.data(), v.num_rows, &rest.rows);
  VIGIA_RETURN_IF_ERROR(pr.ReadRestRows(t.block, &rest, &w->qs.bytes_read));
  auto& cols = w->row_columns;
  cols.clear();
  for (size_t i = 0; i < w->block.chunks.size(); ++i) {
    cols.push_back({w->block.col_index[i], &w->block.chunks[i]->col, true});
  }
  for (size_t i = 0; i < rest.chunks.size(); ++i) {
    cols.push_back({rest.col_index[i], &rest.chunks[i]->col, rest.whole[i] != 0});
  }
  std::sort(cols.begin(), cols.end(),
            [](const auto& a, const auto& b) { return a.column < b.column; });
  for (size_t i = 0; i < rest.rows.size(); ++i) {
    const uint32_t r = rest.rows[i];
    OrderedRow row;
    row.ts = v.ts[r];
    row.source = t.part;
    row.block = t.block;
    row.row = r;
    // As the row evaluator's records of decoded parts: ts, then fields in column order.
    row.rec.cols.reserve(cols.size() + 1);
    row.rec.cols.emplace_back("ts", OwnedValue::Int(v.ts[r]));
    for (const auto& col : cols) {
      const ColumnVector* c = col.values;
      const size_t at = col.by_block_row ? r : i;
      if (c->IsPresent(at)) row.rec.cols.emplace_back(c->name, OwnedValue::From(c->Get(at)));
    }
    w->memory += row.rec.MemoryUsage();
    w->rows.push_back(std::move(row));
  }
  return CheckRowMemory(*w);
}

// Memtable batches through their cached columnar form (memtable_block.h) and the same
// column kernels as part blocks; matching rows keep the event's own field order.
Status Engine::ScanMemtable(Worker* w, ColumnStats* stats) const {
  for (size_t bi = 0; bi < snap_.memtable.size(); ++bi) {
    VIGIA_RETURN_IF_ERROR(ScanMemtableBatch(bi, w, stats));
  }
  return Status::Ok();
}

Status Engine::ScanMemtableBatch(size_t bi, Worker* w, ColumnStats* stats) const {
  const uint32_t base = static_cast<uint32_t>(snap_.parts->parts.size());
  VIGIA_RETURN_IF_ERROR(BeforeBlock());
  const EventBatch& batch = *snap_.memtable[bi];
  w->qs.rows_scanned += batch.size();
  if (batch.empty()) return Status::Ok();
  std::shared_ptr<const MemtableBlock> block =
      MemtableBlockCache::Default().Get(snap_.memtable[bi]);
  if (block->max_ts() < plan_.min_ts || block->min_ts() >= plan_.max_ts) return Status::Ok();
  // Only the columns the filter reads, and the aggregation's: matching rows are taken
  // from the batch itself.
  block->View(batch, stats ? plan_.columns : plan_.filter_columns, &w->memtable_view);
  const BlockView& v = w->memtable_view;
  TimeMask(v, block->min_ts(), block->max_ts(), &w->mask);
  filter_.ApplyInTimeRange(v, &w->mask);
  uint64_t matched = 0;
  for (uint8_t m : w->mask) matched += m;
  w->qs.rows_matched += matched;
  if (matched == 0) return Status::Ok();
  if (stats) return stats->AddBlock(v, w->mask);
  const auto& events = batch.events();
  for (size_t ei = 0; ei < events.size(); ++ei) {
    if (!w->mask[ei]) continue;
    OrderedRow r;
    r.ts = events[ei].ts_ns;
    r.source = base + static_cast<uint32_t>(bi);
    r.row = static_cast<uint32_t>(ei);
    r.rec = EventToRecord(batch, events[ei]);
    w->memory += r.rec.MemoryUsage();
    w->rows.push_back(std::move(r));
  }
  return CheckRowMemory(*w);
}

Status Engine::ScanParallel(std::vector<Worker>* workers) const {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<Status> status(workers->size());
  // The memtable's batches first: each costs more than a part block of as many rows.
  const size_t mem = ParallelMemtableTasks();
  const size_t total = mem + tasks_.size();
  ScanHelpers::Job* job = nullptr;  // set below when helpers may join
  const auto offer_at =
      std::chrono::steady_clock::now() + std::chrono::microseconds(limits::kQueryHelpersAfterUs);
  std::function<void(size_t)> work = [&](size_t wi) {
    Worker& w = (*workers)[wi];
    for (size_t i; !failed.load(std::memory_order_relaxed) && (i = next.fetch_add(1)) < total;) {
      Status s;
      if (i < mem) {
        s = ScanMemtableBatch(i, &w, w.stats.get());
      } else {
        const uint64_t before = w.qs.rows_scanned;
        s = ScanBlock(tasks_[i - mem], &w);
        Progress(w.qs.rows_scanned - before, wi == 0);
      }
      if (!s.ok()) {
        status[wi] = std::move(s);
        failed = true;
      }
      // The caller, still scanning after kQueryHelpersAfterUs with blocks left, asks for help.
      if (wi == 0 && job != nullptr && !job->offered() && i + 1 < total &&
          std::chrono::steady_clock::now() >= offer_at) {
        job->OfferSlots();
      }
    }
  };
  if (opt_.background) {
    // Threads of its own, which inherit the caller's lowered priority (scan_helpers.h).
    std::vector<std::thread> threads;
    for (size_t wi = 1; wi < workers->size(); ++wi) threads.emplace_back(work, wi);
    work(0);
    for (std::thread& t : threads) t.join();
  } else {
    // Idle helpers join in once the scan has run kQueryHelpersAfterUs; it never waits for
    // one to start (scan_helpers.h).
    ScanHelpers::Job helpers(&ScanHelpers::Default(), workers->size() - 1, &work);
    if (workers->size() > 1) job = &helpers;
    work(0);
    helpers.Finish();
  }
  for (Status& s : status) VIGIA_RETURN_IF_ERROR(s);
  return Status::Ok();
}

void Engine::Trim(Worker* w) const {
  if (w->rows.size() <= plan_.row_cap) return;
  std::sort(w->rows.begin(), w->rows.end(), RowBefore);
  w->rows.resize(plan_.row_cap);
  w->memory = 0;
  for (const OrderedRow& r : w->rows) w->memory += r.rec.MemoryUsage();
}

// Blocks in time order on one thread, stopping once row_cap rows are certain to come first:
// every row not yet seen has ts >= the next block's min_ts.
Status Engine::ScanCapped(Worker* w) const {
  for (size_t i = 0; i < tasks_.size(); ++i) {
    const uint64_t before = w->qs.rows_scanned;
    VIGIA_RETURN_IF_ERROR(ScanBlock(tasks_[i], w));
    Progress(w->qs.rows_scanned - before, true);
    if (w->rows.size() > 2 * plan_.row_cap) Trim(w);
    if (w->rows.size() >= plan_.row_cap && i + 1 < tasks_.size()) {
      const int64_t next_min = tasks_[i + 1].min_ts;
      uint64_t settled = 0;
      for (const OrderedRow& r : w->rows) settled += r.ts < next_min;
      if (settled >= plan_.row_cap) break;
    }
  }
  return Status::Ok();
}

Status Engine::Emit(std::vector<OrderedRow>::iterator b,
                    std::vector<OrderedRow>::iterator e) const {
  std::vector<QueryRecord> rows;
  rows.reserve(static_cast<size_t>(e - b));
  for (; b != e; ++b) rows.push_back(std::move(b->rec));
  // Only limit/fields/math pipes (StreamableQuery), and never more rows than the smallest
  // limit: applying them to a slice is applying them to the whole.
  if (!q_.pipes.empty()) {
    VIGIA_ASSIGN_OR_RETURN(rows, ApplyPipes(q_, 0, std::move(rows), opt_, plan_.range));
  }
  return obs_.on_rows(std::move(rows));
}

// Like ScanCapped, but every row that is final (ts below every unread block's min_ts) goes
// to the observer as soon as its block is scanned. w->rows holds the memtable's matches on
// entry and the last, not yet emitted rows (at most the cap left) on return.
Status Engine::ScanStreaming(Worker* w) const {
  const uint64_t cap = plan_.row_cap > 0 ? plan_.row_cap : std::numeric_limits<uint64_t>::max();
  uint64_t emitted = 0;
  auto& rows = w->rows;
  std::sort(rows.begin(), rows.end(), RowBefore);
  for (size_t i = 0; i < tasks_.size(); ++i) {
    const size_t old = rows.size();
    const uint64_t before = w->qs.rows_scanned;
    VIGIA_RETURN_IF_ERROR(ScanBlock(tasks_[i], w));
    Progress(w->qs.rows_scanned - before, true);
    if (rows.size() > old) {
      const auto mid = rows.begin() + static_cast<std::ptrdiff_t>(old);
      std::sort(mid, rows.end(), RowBefore);
      std::inplace_merge(rows.begin(), mid, rows.end(), RowBefore);
    }
    if (i + 1 == tasks_.size()) break;  // the rest is final when the scan ends
    const int64_t next_min = tasks_[i + 1].min_ts;
    const auto settled_end = std::partition_point(
        rows.begin(), rows.end(), [&](const OrderedRow& r) { return r.ts < next_min; });
    const uint64_t settled = static_cast<uint64_t>(settled_end - rows.begin());
    if (settled >= cap - emitted) break;  // the cap is reached: these rows end the result
    if (settled > 0) {
      w->memory -= RowsMemory(rows.begin(), settled_end);
      VIGIA_RETURN_IF_ERROR(Emit(rows.begin(), settled_end));
      rows.erase(rows.begin(), settled_end);
      emitted += settled;
    }
    // Rows past the cap left can never be returned: later rows only push them further back.
    if (rows.size() > cap - emitted) {
      const auto keep = rows.begin() + static_cast<std::ptrdiff_t>(cap - emitted);
      w->memory -= RowsMemory(keep, rows.end());
      rows.erase(keep, rows.end());
    }
  }
  if (rows.size() > cap - emitted) rows.resize(static_cast<size_t>(cap - emitted));
  return Status::Ok();
}

Result<QueryResult> Engine::Run() {
  QueryResult out;
  // What the fresh-data warmer prepares for the next queries (hot_columns.h): the names read
  // from every block and memtable batch scanned, not the other fields of a plain filter's
  // matching rows. Background scans (the start-up refill) run once and do not count.
  // One note per query and name (a name is hot on its second read): the filter's names, and
  // the others an aggregation reads.
  if (!opt_.background) {
    std::vector<std::string> read = plan_.filter_columns;
    if (!plan_.all_columns) {
      for (const std::string& c : plan_.columns) {
        if (std::find(read.begin(), read.end(), c) == read.end()) read.push_back(c);
      }
    }
    HotColumns::Default().Note(read, plan_.reads_time);
  }
  // A part that could not be opened holds unknown rows of its day: fail naming it rather
  // than answer partially (partition_set.h, PartSnapshot::CheckBroken).
  VIGIA_RETURN_IF_ERROR(snap_.parts->CheckBroken(plan_.min_ts, plan_.max_ts));
  const auto& parts = snap_.parts->parts;
  readers_.resize(parts.size());
  for (size_t pi = 0; pi < parts.size(); ++pi) {
    const PartMeta& m = parts[pi]->reader->meta();
    out.stats.blocks_total += m.blocks.size();
    if (m.blocks.empty() || m.max_ts < plan_.min_ts || m.min_ts >= plan_.max_ts) continue;
    readers_[pi] = std::make_unique<PartBlockReader>(*parts[pi]->reader, plan_);
    for (size_t b = 0; b < m.blocks.size(); ++b) {
      if (!readers_[pi]->InTimeRange(b)) continue;
      tasks_.push_back({static_cast<uint32_t>(pi), static_cast<uint32_t>(b), m.blocks[b].min_ts,
                        m.blocks[b].max_ts});
    }
  }

  if (plan_.stats_first) {
    VIGIA_ASSIGN_OR_RETURN(auto probe, ColumnStats::Create(q_.pipes[0], opt_, plan_.range));
    VIGIA_ASSIGN_OR_RETURN(meta_counter_, MetadataCounter::Create(q_, plan_, *probe, opt_.now_ns));
  }

  std::vector<Worker> workers;
  const bool stream = obs_.on_rows && StreamableQuery(q_);
  const bool capped = !plan_.stats_first && plan_.row_cap > 0;
  const size_t nthreads =
      capped || stream || tasks_.size() + ParallelMemtableTasks() < limits::kQueryParallelMinBlocks
          ? 1
          : static_cast<size_t>(limits::kQueryWorkerThreads);
  for (size_t i = 0; i < nthreads; ++i) {
    VIGIA_ASSIGN_OR_RETURN(Worker w, NewWorker());
    workers.push_back(std::move(w));
  }
  if (capped || stream) {
    // The memtable first: its rows may be the earliest, and it costs no I/O.
    VIGIA_RETURN_IF_ERROR(ScanMemtable(&workers[0], nullptr));
    if (capped) Trim(&workers[0]);
    std::stable_sort(tasks_.begin(), tasks_.end(),
                     [](const BlockTask& a, const BlockTask& b) { return a.min_ts < b.min_ts; });
    VIGIA_RETURN_IF_ERROR(stream ? ScanStreaming(&workers[0]) : ScanCapped(&workers[0]));
  } else {
    VIGIA_RETURN_IF_ERROR(ScanParallel(&workers));
  }

  Worker& main = workers[0];
  for (size_t i = 1; i < workers.size(); ++i) {
    const QueryStats& s = workers[i].qs;
    main.qs.rows_scanned += s.rows_scanned;
    main.qs.rows_matched += s.rows_matched;
    main.qs.blocks_read += s.blocks_read;
    main.qs.bytes_read += s.bytes_read;
  }
  std::vector<QueryRecord> rows;
  size_t first_pipe = 0;
  if (plan_.stats_first) {
    StatsAggregator& agg = main.stats->aggregator();
    for (size_t i = 1; i < workers.size(); ++i) {
      VIGIA_RETURN_IF_ERROR(agg.Merge(std::move(*workers[i].stats->Release())));
    }
    rows = agg.Finish();  // the memtable's batches were folded in by ScanParallel
    first_pipe = 1;
  } else {
    if (!capped && !stream) VIGIA_RETURN_IF_ERROR(ScanMemtable(&main, nullptr));
    for (size_t i = 1; i < workers.size(); ++i) {
      for (OrderedRow& r : workers[i].rows) main.rows.push_back(std::move(r));
      workers[i].rows.clear();
    }
    if (capped) {
      Trim(&main);
    }
    std::sort(main.rows.begin(), main.rows.end(), RowBefore);
    rows.reserve(main.rows.size());
    for (OrderedRow& r : main.rows) rows.push_back(std::move(r.rec));
  }
  out.stats.rows_scanned = main.qs.rows_scanned;
  out.stats.rows_matched = main.qs.rows_matched;
  out.stats.blocks_read = main.qs.blocks_read;
  out.stats.bytes_read = main.qs.bytes_read;
  out.stats.blocks_skipped = out.stats.blocks_total - out.stats.blocks_read;
  VIGIA_ASSIGN_OR_RETURN(out.rows, ApplyPipes(q_, first_pipe, std::move(rows), opt_, plan_.range));
  if (obs_.on_progress) {
    obs_.on_progress({blocks_done_.load(), tasks_.size(), out.stats.rows_scanned});
  }
  return out;
}

}  // namespace

Result<QueryResult> RunQuery(const StoreSnapshot& snap, const Query& q, const QueryOptions& opt) {
  return RunQuery(snap, q, opt, QueryObserver{});
}

Result<QueryResult> RunQuery(const StoreSnapshot& snap, const Query& q, const QueryOptions& opt,
                             const QueryObserver& observer) {
  VIGIA_ASSIGN_OR_RETURN(QueryPlan plan, PlanQuery(q, opt));
  VIGIA_ASSIGN_OR_RETURN(ColumnFilter filter, ColumnFilter::Compile(*q.filter, opt.now_ns));
  Engine e(snap, q, opt, std::move(plan), std::move(filter), observer);
  return e.Run();
}

}  // namespace vigia
