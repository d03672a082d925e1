// Every limit vigia enforces, with the reason for its default. Limits that users may change
// are also keys of vigia.toml (see vigia.example.toml); the defaults live here only.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigia::limits {

// --- ingest (POST /v1/events) ---------------------------------------------------------
// Largest request body after decompression. Bounds the memory one request can pin;
// 64 MiB holds ~180k events of 350 bytes, far above a sane batch.
inline constexpr size_t kMaxBodyBytes = 64u << 20;
// Request bodies (as received) waiting for the HTTP server's ingest pool. Ingest runs on
// its own threads so queries keep a worker; the bodies queued in front of those threads
// are what this bounds (4 × the largest body: a burst of big batches queues, a flood gets
// 503 + Retry-After instead of growing the heap).
inline constexpr uint64_t kIngestQueueMaxBytes = 4 * uint64_t{kMaxBodyBytes};
// Idle request-body buffers the HTTP server keeps for the next requests (body_buffer_pool.h):
// four connections' 20,000-line batches (~7 MB each) — make bench's load — fit, and an idle
// server holds at most this much more than before. Buffers under kBodyPoolMinBufferBytes
// come from the heap's free lists anyway and are not kept; one over
// kBodyPoolMaxBufferBytes (a rare huge body) is freed rather than pinned.
inline constexpr size_t kBodyPoolMaxIdleBytes = 32u << 20;
inline constexpr size_t kBodyPoolMinBufferBytes = 128u << 10;
inline constexpr size_t kBodyPoolMaxBufferBytes = 16u << 20;
// The read buffer of a connection once it sends a body of kBodyPoolMinBufferBytes or more
// (http_server.cpp). Beast reads at most the buffer's free capacity per read (and never more
// than 64 KiB): with the 4 KiB a connection starts with, a 7 MB ingest body took ~1,700 reads,
// each with its epoll wake-up and timer update — the HTTP threads were ~15 % of the server's
// CPU under ingest (docs/ingest-performance.md, round sixteen). Connections that only send
// small requests keep their 4 KiB.
inline constexpr size_t kBodyReadBufferBytes = 64u << 10;
// Largest compressed body accepted on the wire (a zip bomb is caught by kMaxBodyBytes).
inline constexpr size_t kMaxWireBodyBytes = 64u << 20;
// Largest single NDJSON line. Loki and VictoriaLogs use similar caps; a real log event
// larger than this is almost always a bug (a dumped blob) and would bloat a block.
inline constexpr size_t kMaxLineBytes = 1u << 20;
// Most fields in one event after flattening. Protects column count per part.
inline constexpr size_t kMaxFieldsPerEvent = 1000;
// Deepest JSON nesting in one event. Deeper objects are rejected rather than flattened
// into absurd dotted names.
inline constexpr size_t kMaxNestingDepth = 32;
// Longest field name after flattening.
inline constexpr size_t kMaxFieldNameBytes = 256;
// Most per-line errors returned in one ingest response; the counts stay exact.
inline constexpr size_t kMaxReportedErrors = 100;

// --- syslog listeners (src/server/syslog_listener.h) --------------------------------------
// Largest syslog message accepted. RFC 5425 asks receivers for at least 2 KiB and suggests
// 8 KiB (rsyslog's default maxMessageSize); 64 KiB keeps whole Java stack traces. Longer
// messages are refused alone (counted as rejected), the stream goes on.
inline constexpr size_t kMaxSyslogMessageBytes = 64u << 10;
// Messages waiting for the pipeline, in bytes. Past it TCP connections stop being read (the
// sender's socket buffer fills: back-pressure) and UDP datagrams are dropped (counted).
inline constexpr size_t kMaxSyslogPendingBytes = 16u << 20;
// A batch goes to the pipeline at this many messages, or after kSyslogBatchDelayMs: one WAL
// append per batch, not per message.
inline constexpr size_t kSyslogBatchMessages = 2000;
inline constexpr int kSyslogBatchDelayMs = 100;
// Open syslog TCP connections (plain and TLS together); more are closed at once (each holds
// a read buffer).
inline constexpr size_t kMaxSyslogConnections = 1000;
// Seconds a syslog TLS client has to finish its handshake: a connection that opens and sends
// nothing (a scanner, a plain-TCP sender on the TLS port) gives its slot back this soon. After
// the handshake a syslog connection may stay idle for ever, like a plain one.
inline constexpr int kSyslogTlsHandshakeTimeoutSec = 10;

// --- derived fields (src/ingest/normalize/ua_field_deriver.h)
// ------------------------------------------ Bytes of a User-Agent the uap-core rules look at. Real
// UAs are under 500 bytes (the longest in uap-core's corpus is 492); the cap bounds the work and
// the cache memory a hostile multi-kilobyte UA can cause. Longer values are parsed by their prefix.
inline constexpr size_t kMaxUaParseBytes = 512;
// Parsed UAs each ingest thread remembers (two generations of this many, so ~4 MB per
// thread at worst). Real traffic has a few hundred distinct UAs; a cache miss costs
// ~0.3 ms (about 1,300 regexes), a hit ~0.1 µs.
inline constexpr size_t kUaCacheEntriesPerThread = 4096;

// --- HTTP server ----------------------------------------------------------------------
// Largest request header block (Beast's default is 8 KiB; proxies add headers).
inline constexpr size_t kMaxHeaderBytes = 16u << 10;
// A client that sends nothing for this long is disconnected (slowloris protection).
inline constexpr int kIdleTimeoutSec = 60;
// Time allowed to receive one whole request once it started.
inline constexpr int kRequestReadTimeoutSec = 30;
// Most concurrent connections; beyond it new ones are refused (fd exhaustion guard).
inline constexpr size_t kMaxConnections = 10000;
// Time allowed for in-flight requests to finish at shutdown.
inline constexpr int kShutdownGraceSec = 10;
// Longest X-Request-ID accepted from a client; longer or odd ones are replaced.
inline constexpr size_t kMaxRequestIdBytes = 128;

// --- rate limits (src/server/rate_limiter.h; [rate_limit]) --------------------------------
// Token buckets: a client may send `burst` requests at once, then `per_sec` a second; past
// it 429 with Retry-After. 0 turns a limit off.
// Ingest requests per second of one API key: at the usual 100-1,000 events a batch that is
// 100k-1M events/s, more than two cores store, so a well-batching shipper never meets it;
// a client sending one event per request is held to 1,000 events/s so it cannot crowd out
// the others. The burst absorbs a fleet reconnecting after an outage (spools replaying).
inline constexpr int kKeyIngestRequestsPerSec = 1000;
inline constexpr int kKeyIngestBurst = 2000;
// Read and admin requests (queries, traces, KPIs, ...) per second of one API key: a
// dashboard refreshing 20 panels every 5 s sends 4/s; 100/s leaves room for people and
// scripts, and stops a runaway loop from using every query slot (each query may scan GBs).
inline constexpr int kKeyQueryRequestsPerSec = 100;
inline constexpr int kKeyQueryBurst = 200;
// Requests per second from one client IP address (every authenticated route, counted before
// the key is checked, so it also bounds key guessing): above any one machine's fair share
// (a host's shippers plus a browser), below what would let one address saturate the server.
inline constexpr int kIpRequestsPerSec = 2000;
inline constexpr int kIpBurst = 4000;
// Buckets kept per limit (keys, addresses). Idle buckets are full, so dropping them changes
// nothing; past the cap with none idle, new clients share one overflow bucket (an address
// scan cannot grow memory: ~100 bytes a bucket, ~10 MB at the cap).
inline constexpr size_t kMaxRateLimitBuckets = 100'000;

// --- WAL ------------------------------------------------------------------------------
// WAL segment size before rolling to a new file: small enough that deleting covered
// segments frees space promptly, large enough that file churn is negligible.
inline constexpr uint64_t kWalSegmentBytes = 64u << 20;
// Group-commit interval of fsync policy `interval` (the default).
inline constexpr int kWalSyncIntervalMs = 20;
// Largest single WAL record (one ingest batch, encoded). Above any valid batch.
inline constexpr uint32_t kMaxWalRecordBytes = 256u << 20;
// Most bytes one group commit writes with a single write(2). Bounds the leader's copy
// buffer and how long the callers queued behind a group wait; 4 MiB is ~10 batches of
// 1,000 events, enough to amortise the syscall and the fsync.
inline constexpr size_t kWalMaxGroupBytes = 4u << 20;
// Memtable size that triggers a flush to a columnar part: big enough that parts start
// with hundreds of thousands of rows (fewer merges), small enough to bound memory and
// WAL replay time (~1 s of ingest at the target rate). 192 MiB holds ~220k events of the
// canonical mix (~0.88 KB each with 40-byte Fields), as 256 MiB did with 56-byte Fields.
inline constexpr uint64_t kMemtableFlushBytes = 192u << 20;
// Hard memtable memory limit (`store.memtable_max_bytes`): bytes of batches in the memtable
// plus those admitted and on their way into it (see store/memtable_admission.h). An append
// that would go past it waits for a flush instead of letting memory grow without bound.
// Twice kMemtableFlushBytes: ingest goes on into a second memtable's worth while the first
// is written to parts (a few seconds on 2 busy cores). 384 MiB: the memtable is the largest
// part of the server's peak RSS (10M events at full speed: 1.27 GB peak with 384 MiB, 1.38 GB
// with 512 MiB, at the same ingest rate within noise; docs/ingest-performance.md).
inline constexpr uint64_t kMemtableMaxBytes = 2 * kMemtableFlushBytes;
// Idle EventBatch field and event arrays kept for the next batches (event/event_batch_pool.h):
// a flush frees a memtable's worth (kMemtableFlushBytes, mostly field arrays) at once, and
// the next seconds of ingest would fault as much back in. Up to that much is kept; the new
// batches drain it as the memtable refills, so the peak (a full memtable) does not grow.
// Arrays under kBatchPoolMinBufferBytes come from the heap's free lists anyway. An idle server
// frees the pool after kBatchPoolIdleReleaseMs.
inline constexpr size_t kBatchPoolMaxIdleBytes = kMemtableFlushBytes;
inline constexpr size_t kBatchPoolMinBufferBytes = 128u << 10;
inline constexpr int kBatchPoolIdleReleaseMs = 10'000;
// How often the store's maintenance thread checks the memtable's age (memtable_flush_age_ms)
// when no append wakes it (StoreOptions::maintenance_check_ms): the age flush is late by at
// most this much. A full memtable does not wait for it (the append that fills it, and the end
// of a flush that leaves it full, start the next flush at once).
inline constexpr int kMaintenanceCheckMs = 200;
// Longest an Append waits for the memtable to drain before failing with 503 + Retry-After
// (a flush of a full memtable takes a few seconds on 2 busy cores).
inline constexpr int kMemtableStallMaxMs = 10'000;
// Oldest memtable batch age that triggers a flush, so a quiet server still moves its
// events to compressed parts and trims the WAL.
inline constexpr int kMemtableFlushAgeMs = 30'000;
// A memtable batch's string column is built in dictionary form (query/memtable_block.h), as
// a part's dictionary chunks decode, while it has at most this many distinct values (and at
// most half as many as rows): the dashboards' group and filter fields (service, kind,
// level, route, method) have tens to hundreds. Past it the column stays one view per row and
// the build stops hashing: a request id or a message would only fill the table.
inline constexpr size_t kMemtableDictMaxEntries = 4096;

// --- queries first under ingest (common/query_priority.h) -----------------------------
// Longest, in all, an ingest batch waits while a query runs and another batch is being
// decoded or stored (one batch at a time then: ingest takes one core, the query the other),
// at its start and at its checkpoints together. A query of this server takes tens to a few
// hundred ms; past 250 ms the batch goes on anyway, so a steady stream of queries slows
// ingest by at most that per batch and never stops it (far below the clients' timeouts; the
// batch is not acknowledged, and not in the WAL, until it is stored).
inline constexpr int kIngestQueryWaitMaxMs = 250;
// Records an ingest decoder handles between two checkpoints where a batch under way gives way
// to a query (IngestCheckpoint, ingest_decoder.h): ~1 ms of decoding, well under a query's
// 5-30 ms, for one relaxed atomic load per 256 records when no query runs.
inline constexpr uint64_t kIngestCheckpointRecords = 256;
// Rows a part writer transposes between two of its yield points (PartWriterOptions::
// yield_point; it also yields before each chunk): ~1 ms of work, as above.
inline constexpr uint32_t kPartWriterYieldRows = 4096;
// Longest, in all, one memtable flush pauses (before its blocks) while queries run. Appends
// wait for a full memtable up to kMemtableStallMaxMs (10 s) before 503 + Retry-After, and a
// flush of a full memtable takes a few seconds on 2 busy cores: 1 s more keeps the memtable,
// hence memory, bounded as before and never turns a yield into a refusal. Acknowledged
// events are in the WAL already; a flush's delay only delays WAL trimming.
inline constexpr int kFlushQueryYieldBudgetMs = 1'000;
// Longest, in all, one merge pauses (before its blocks) while queries run. Merges only bound
// the number of parts (hence the files a query opens); deferring one by 10 s under a steady
// query load costs a few more small parts for that long, nothing else.
inline constexpr int kMergeQueryYieldBudgetMs = 10'000;
// Longest, in all, a background query (QueryOptions::background: the start-up refill of the
// live traffic statistics' unique IPs) pauses before its blocks while the user's queries run. The
// statistics say "refilling" meanwhile; under a dashboard's steady stream of queries the
// refill still ends within this much more than its own run time.
inline constexpr int kBackgroundQueryYieldBudgetMs = 30'000;
// How much lower than the process the background threads run (common/thread_priority.h;
// nice values, added to the process's own; CFS weights: nice 0 1024, +3 526, +5 335, +10 110).
// A merge (+10) runs on what queries and ingest leave, which on an idle server is
// everything; ingest (+3) gives a running query two thirds of a shared core and still
// acknowledges; a flush (+3, its encode helper too) runs level with ingest, not below it:
// under full ingest every append waits for the flush once the memtable is full, and a flush
// at +5 lost the cores to the very ingest threads that then stalled on it (10M ingest, 2
// cores: batch p99 597-705 ms at +5, 382-442 ms at +3; docs/ingest-performance.md round
// eight). Under queries it still pauses before its blocks (kFlushQueryYieldBudgetMs). Not lower:
// the nice value also counts against every other process on the machine, and a merge that starves
// behind a neighbour's batch job lets parts pile up (nice +19 was measured no better).
inline constexpr int kMergeThreadNice = 10;

// --- the allocator (common/heap_tuning.h) ---------------------------------------------------
// glibc arenas: its default is 8 per core; each arena keeps what was freed into it. Threads
// here are few and allocate big blocks rarely (a batch, a block, a chunk), so contention on
// 4 arenas costs nothing measurable, and freed memory has fewer places to sit.
inline constexpr int kMallocArenas = 4;
// Blocks at least this big are their own mapping, returned to the kernel when freed; smaller
// ones come from the heaps and go back with the next trim (ReleaseFreeHeap). 32 MiB, glibc's
// ceiling for its dynamic threshold, fixed: batches' string blocks, column vectors, chunk
// buffers, the WAL's and the audit chain's buffers are reused from the heaps' free lists
// between trims instead of being mapped, faulted in and unmapped each time. 128 KiB (glibc's
// starting value, fixed since round three of docs/ingest-performance.md) made every one of
// them fresh pages: 2M events at full ingest took 280k-300k faults and ~3.8 s of system time
// against 150k and ~2.3 s with 32 MiB (round sixteen), +27 % events per server CPU-second.
inline constexpr int kMallocMmapThreshold = 32 << 20;
// free() gives the top of a heap back only once this much is free there: the trims this
// module decides (ReleaseFreeHeap) do the returning, not every free().
inline constexpr int kMallocTrimThreshold = 64 << 20;
// ReleaseFreeHeap after a flush or a merge trims only while the process's resident memory is
// above this: under it, the memory a flush freed is what the next seconds of ingest allocate
// again, and handing it back to the kernel only to fault it in (~11 us per page on the
// benchmark VM) cost ~20 % of the server's CPU. Twice store.memtable_max_bytes's default:
// a server below it holds about one memtable's worth of free heap at most. Above it every
// flush and merge trims as before, which keeps the 10M-event ingest under queries at the same
// peak (~960-990 MB either way, round sixteen).
inline constexpr uint64_t kHeapReleaseAboveRssBytes = 2 * kMemtableMaxBytes;
// Free heap kept under kHeapReleaseAboveRssBytes is given back once no flush or merge has
// asked for a trim for this long (ingest stopped; a server that only answers queries), and
// resident memory over it is trimmed at most this often between flushes.
inline constexpr int kHeapIdleReleaseMs = 10'000;
inline constexpr int kHeapOverBudgetCheckMs = 1'000;
inline constexpr int kFlushThreadNice = 3;  // see kMergeThreadNice
inline constexpr int kIngestThreadNice = 3;
// The start-up refill of the live traffic statistics reads the last hour's client IPs in the
// background (monitor/traffic_refill.h: ~0.4 s of a core for 142k requests at 10M stored
// events) right as the server turns ready, which is when a restarted server's dashboards send
// their first queries. As low as a merge: the statistics are marked refilling until it ends,
// and nothing else waits for it.
inline constexpr int kRefillThreadNice = 10;

// --- columnar parts (src/store/part_*, merge, partition_set) ---------------------------
// Rows per block. Tens of thousands: large enough that per-block headers, dictionaries and
// zstd frames amortize to well under a byte per row, small enough that a needle lookup
// decodes little and one block of 350-byte events (~12 MiB decoded) stays cheap to hold.
inline constexpr uint32_t kPartBlockRows = 32768;
// Bloom filter bits per distinct key of a word filter (BloomKind::kTokens: msg, error.*):
// ~0.8% false positives with 7 probes; a word search usually matches many blocks anyway.
inline constexpr int kBloomBitsPerKey = 10;
// Bits per distinct key of a whole-value filter (BloomKind::kValues: request_id, trace_id,
// user_id, ip): ~0.12% false positives with 10 probes. A lookup by id checks every block and
// scans the false ones whole: at 10 bits, 100M events (~3,000 blocks) gave ~25 false blocks
// per lookup and a warm request_id lookup took 13 ms (issue 20: <= 10 ms); at 14, ~4.
// The filters are self-describing (probe count, bit count from the size): parts written
// with 10 bits read alike.
inline constexpr int kBloomValueBitsPerKey = 14;
// A string chunk with at most this many distinct values, none longer than
// kChunkValueCountMaxBytes, has every value and its row count in the part's metadata (format
// v2): low-cardinality fields (level, kind, service, method, browser, ...) are pruned by value
// and counted by without decoding, at ~20-100 bytes per such chunk (~0.1 % of the data).
inline constexpr size_t kChunkValueCountsMax = 16;
inline constexpr size_t kChunkValueCountMaxBytes = 64;
// zstd level for column chunks: level 3 is the speed/ratio knee for log text.
inline constexpr int kPartZstdLevel = 3;
// A partition with at least this many parts of one size tier gets a merge (= the tier
// ratio, so a merge lifts its rows a tier up; see kMergeTierRatio).
inline constexpr size_t kMergeMinParts = 8;
// Most parts merged at once. The column-streaming merge (merge.h) holds one decoded block
// per input (typed columns, not rows); 16 inputs took +10-40 MB of peak RSS over 8 in a
// 10M-event ingest (848-852 MB against 861-890 MB, docs/ingest-performance.md round eleven;
// the row merge of session 16 took 370 MB for 16). Twice kMergeMinParts: a backlog of one
// tier drains two tiers up per merge.
inline constexpr size_t kMaxPartsPerMerge = 16;
// A merge starts only when the file system has this many times its inputs' bytes free (as
// ClickHouse reserves 1.1x for a merge): its output takes about what its inputs take, and a
// merge that runs out of space half-way fails, keeps its inputs and has used the room the
// WAL and the flushes needed meanwhile. A skipped merge is tried again at the next tick.
inline constexpr double kMergeDiskSpaceFactor = 1.1;
// Size-tier width of the merge policy (merge.h SelectMergeInputs): parts merge only with
// parts of the same tier [8^t, 8^(t+1)) rows. With kMergeMinParts >= this ratio a merge
// always lifts its rows to a higher tier, so a row is rewritten about
// log8(kMaxMergedPartRows / flush size) times (~2.8 for 200k-row flushes), not once per
// merge of its partition. The width trades merge work against parts per query: 4 rewrote
// each row ~4.1 times (1.7-1.8 times in a 10M ingest against 1.0 with 8, and 13-25 % more
// server CPU until settled), while 8 keeps at most 7 parts per tier (~25 per partition at
// 100M events), like VictoriaLogs' merges of up to 15 parts and ClickHouse's of ~10.
inline constexpr uint64_t kMergeTierRatio = 8;
// Parts above this many rows are not merged again (size tier ceiling): merging
// ever-bigger parts rewrites the same data over and over for no further gain.
inline constexpr uint64_t kMaxMergedPartRows = 64ull << 20;
// Merges whose inputs hold at most this many rows in all also run on a second merge thread
// (the small lane), so a long merge of big parts never holds up the merges of fresh flushes.
// With one merge thread, a 100M-event ingest stalled for ~40 s at a day boundary: a ~55 s
// merge of the old day's big parts ran while the new day's flushes piled up to 64 parts and
// waited for merges (kPartsToDelayFlush), batch p99 1.4 s (docs/ingest-performance.md round
// fourteen). 8M rows holds a merge of 16 flushed parts (~200k rows each) and none of the
// tier above (8 parts of ~1.6M rows); such a merge takes a few seconds. ClickHouse and
// VictoriaLogs likewise keep small merges from queueing behind big ones (a pool of merge
// threads; separate small and big part workers).
inline constexpr uint64_t kSmallMergeMaxRows = 8ull << 20;
// A flush waits while a partition it writes to holds this many parts a merge could take
// (under kMaxMergedPartRows rows, not corrupt) and a merge is possible there: merges have
// fallen behind. Under a sustained full-speed ingest the merge thread (nice +10) gets almost
// no CPU, and parts piled up to 109 (tiers of 4) and 216 (tiers of 8) per partition in a
// 100M-event run (bench/README.md, "Scale"). While the flush waits the memtable fills and the
// appends wait for room, which leaves the cores to the merge: the ingest rate follows what
// merges sustain, as ClickHouse delays inserts past parts_to_delay_insert (150). Above the
// ~7 parts per tier x 7 tiers that can stand with no merge possible, so waiting always has a
// merge to wait for.
inline constexpr size_t kPartsToDelayFlush = 64;
// Longest a flush waits for merges in all: with the flush's pauses for queries
// (kFlushQueryYieldBudgetMs) well under kMemtableStallMaxMs, so the wait slows ingest down
// but never turns appends into 503s by itself.
inline constexpr int kFlushMergeWaitMaxMs = 5'000;
// Default retention: a month of logs answers most incident and audit look-backs while
// bounding disk use; `retention.days` changes it.
inline constexpr int kRetentionDays = 30;
// Events dated further ahead than this are refused at ingest (`ingest.max_future_sec`): a
// day covers every time zone mistake and clock skew; beyond it the timestamp is wrong and
// the event would sit in a partition of a day that has not happened.
inline constexpr int64_t kMaxFutureSec = 86'400;
// How often retention is re-checked: partitions are whole UTC days, so a minute's delay in
// dropping one is irrelevant, and the check (a list of partitions) costs nothing.
inline constexpr int kRetentionIntervalMs = 60'000;
// How often the server logs a one-line store summary (`log.stats_interval_sec`): frequent
// enough to follow ingest and merges in a log, rare enough not to drown it.
inline constexpr int kStatsLogIntervalSec = 60;
// Free space below which ingest is refused (`disk.reserve_bytes`): a memtable flush writes
// parts of up to a few hundred MB before the WAL segments they cover are deleted, and a
// merge needs room for a copy of the parts it rewrites; refusing early keeps that room, so
// the store can still turn the WAL into parts and stays consistent. 4 WAL segments.
inline constexpr uint64_t kDiskReserveBytes = 4 * kWalSegmentBytes;
// Free space below which the server alerts and drops the oldest partitions
// (`disk.low_watermark_bytes`): a few minutes of a busy server's ingest above the reserve, so
// there is time to act before ingest stops.
inline constexpr uint64_t kDiskLowWatermarkBytes = 1ull << 30;
// How long a free-space reading is reused by the ingest gate: statvfs is cheap but not free
// on every batch, and at 1 GB/s of ingest 100 ms is 100 MB, well inside the reserve.
inline constexpr int kDiskSampleIntervalMs = 100;
// How often the low-disk watermark is checked (`disk.check_interval_sec`).
inline constexpr int kDiskCheckIntervalSec = 10;

}  // namespace vigia::limits

namespace vigia::limits {

// --- queries (VQL) --------------------------------------------------------------------
// Most result groups one `stats` may build. A million groups of a few columns is ~100 MB;
// beyond that the query is almost certainly a mistake (grouping by request_id).
inline constexpr uint64_t kMaxQueryGroups = 1'000'000;
// Approximate memory one query may hold (kept rows, groups, quantile values). Leaves room
// for the ingest path and a few concurrent queries on a small server.
inline constexpr uint64_t kMaxQueryMemoryBytes = 1ull << 30;
// Values one `stats` group keeps per percentile to answer it exactly; past this it switches
// to a log-bucket sketch (≤ 1% relative error, query/quantile_sketch.h). Selecting among
// 64k doubles takes well under a millisecond and holds 512 KB; beyond that, keeping and
// selecting every value cost most of a 5M-row percentile query, while the sketch adds one
// bucket increment per value and a few KB per group.
inline constexpr uint64_t kMaxExactQuantileValues = 1u << 16;
// Exact percentile states past this many values take a buffer of kMaxExactQuantileValues + 1
// from a pool (query/value_buffer_pool.h) instead of doubling: the doublings past glibc's
// mmap threshold (128 KiB, common/heap_tuning.h) were new mappings every query — ~9k page
// faults on each run of p95 by route over 5M requests. 8192 values (64 KiB) stay below it.
inline constexpr size_t kQuantilePooledFromValues = 8192;
// Idle pooled percentile buffers kept (bytes, all of them): 64 of 512 KiB covers the
// groups of a p95 by ~30 routes on two worker threads.
inline constexpr size_t kQuantileBufferPoolBytes = size_t{32} << 20;
// Default wall-clock time a query may run before failing with DeadlineExceeded (HTTP 408).
inline constexpr int kQueryTimeoutMs = 30'000;
// Rows a plain filter returns when the query has no `limit` (HTTP and CLI default).
inline constexpr uint64_t kDefaultQueryRowLimit = 1000;
// Queries running at once over HTTP; more get 503. Two cores serve ingest too, and a query
// already uses every core for big scans, so queueing more only makes all of them slower.
inline constexpr int kMaxConcurrentQueries = 4;
// Of those, queries one API key may run at once; more get 429. Half the slots: one
// dashboard (or one runaway script) cannot hold them all, so other users' queries and the
// CPU that ingest needs are never all taken by one key.
inline constexpr int kMaxConcurrentQueriesPerKey = 2;
// Threads one columnar query scans with (query_engine.h): the machine has two cores, and a
// block is the unit of work, so two workers keep both busy without oversubscribing.
inline constexpr int kQueryWorkerThreads = 2;
// Fewest blocks to read for which the engine starts worker threads: below that, starting
// threads costs more than it saves (a needle lookup reads one to three blocks).
inline constexpr size_t kQueryParallelMinBlocks = 4;
// Time a query scans alone before it offers its blocks to the idle scan helpers
// (scan_helpers.h, Job): on this 2-vCPU VM waking a helper costs 0.1-1 ms of latency and a
// cross-CPU wake-up, and the caller then waits for the helper's block; a warm query reading
// a dozen blocks (errors_1h: ~0.15 ms of scanning) finished later with a helper than
// without. A long scan loses at most this much of its second thread.
inline constexpr int kQueryHelpersAfterUs = 250;
// Chunks `vigia query --file` reads ahead of the merge point, per worker thread
// (chunked_row_evaluator_backend.h): one being parsed and one or two waiting keep every
// worker busy while the reader inflates gzip; more only cost memory (a chunk is 4 MiB, plus
// its decoded batch and partial state).
inline constexpr size_t kFileQueryChunksPerWorker = 3;
// Bytes per chunk of `vigia query --file` (whole lines; a longer line makes a longer
// chunk): big enough to amortize a chunk's evaluator and merge, small enough that a file of
// a few tens of MiB still spreads over both cores and the read-ahead stays small.
inline constexpr size_t kFileQueryChunkBytes = size_t{4} << 20;
// Room for the partial last line a chunk of `vigia query --file` carries into the next
// buffer (ndjson_file_source.h): buffers are allocated with it up front, so one only grows
// for a line longer than this (events are ~350 bytes; an ingest line may be up to 1 MiB).
inline constexpr size_t kFileQueryCarryBytes = size_t{64} << 10;
// Compressed bytes per read(2) of a gzip file of `vigia query --file`: a few hundred
// inflate calls per 100 MB, and small next to the 4 MiB chunks it inflates into.
inline constexpr size_t kFileQueryInputBlockBytes = size_t{1} << 20;
// glibc's mmap and trim thresholds during a `vigia query --file` scan (a short-lived CLI
// process, unlike the server's heap_tuning.h): every chunk allocates a batch and its
// arena of several MiB and frees them; at glibc's defaults those went back to the kernel
// and were faulted in and zeroed again for the next chunk (page faults were ~8 % of the
// scan). Keeping them in the heap bounds nothing new: the read-ahead window bounds what is
// live.
inline constexpr int kFileQueryMmapThreshold = 64 << 20;
inline constexpr int kFileQueryTrimThreshold = 512 << 20;
// Decoded column chunks (and bloom filters) kept between queries (query/chunk_cache.h);
// the server's query.cache_bytes. Decoding is most of a scan's CPU, and an LRU cache smaller
// than one query's working set gets no hits on a sequential scan at all. Decoded, a
// dictionary string costs ~3 B a row and a number 9 B, so the 4-5 columns of a typical
// dashboard query over 10M events (ts, kind, route, duration...) take 250-400 MB; 1 GiB
// keeps a few such working sets warm on an ingest server sized for a few GiB of RAM.
inline constexpr size_t kQueryChunkCacheBytes = size_t{1} << 30;
// Blocks whose bloom filters of one column are read, checked and cached together
// (query/bloom_group.h). A needle lookup over 100M events probes ~3,000 blocks; one cache
// entry per block cost a string key, a hash-map lookup under the cache's mutex and a list
// splice each (~a quarter of a warm lookup). 64 blocks (2M rows) make that 64x rarer, while
// a cold query over a narrow time range reads at most 63 blocks' filters it did not need at
// each end of its range (~56 KB each for a request_id column).
inline constexpr size_t kBloomGroupBlocks = 64;
// Sorted runs of timestamps kept per decoded `_time` chunk (CachedChunk::time_runs): rows are
// sorted by (service, kind, ts), so a block holds one run per service and kind in it — one
// for most blocks, a few dozen for a block of rare kinds. A time range then costs two binary
// searches per run instead of a test per row; beyond this many runs the searches save little
// over the row test (a 32k-row block) and the list would be memory for nothing.
inline constexpr size_t kMaxTimeRunsPerBlock = 256;
// The chunk cache keeps a decoded chunk on its second read, not its first (chunk_cache.h): a
// chunk read once is decoded into recycled memory instead, which on this class of machine is
// ~15x cheaper per byte than fresh pages (a cold scan of 10M events spent half its CPU
// faulting in the cache's new memory). The doorkeeper remembers this many chunk keys (8-byte
// hashes; ~4 chunks per block are read by a typical query, so 2^18 keys cover the blocks of
// ~2 billion events) and forgets them all when full, as TinyLFU's doorkeeper resets.
inline constexpr size_t kChunkCacheDoorkeeperKeys = size_t{1} << 18;
// Work done ahead of the queries on fresh data (query/fresh_data_warmer.h: a memtable
// batch's columns built when it is appended, a new part's chunks decoded into the chunk cache
// when a flush or merge writes it) covers the field names queries read lately
// (query/hot_columns.h): a name read by no query for this long is dropped (dashboards refresh
// every 5-60 s and alert rules run every minute or so; 10 minutes outlasts a closed browser
// tab for a while, not for a day)...
inline constexpr int64_t kHotColumnTtlMs = 10 * 60 * 1000;
// ...and at most this many names are kept (the least recently read go first). Each costs the
// ingest path one column per appended batch (~17 B/event: presence + value) and the flushes
// and merges a decode of its chunks (~3-9 B/row in the cache); the dashboards measured read
// 3-5 names, so 16 covers several different ones without warming whole events.
inline constexpr size_t kHotColumnsMax = 16;
// Decoded chunks read but not kept are recycled through a pool (chunk_pool.h): this many idle
// ones at most, holding at most this much memory (a query holds the chunks of one block per
// worker thread at a time, ~1-3 MB; the rest covers concurrent queries).
inline constexpr size_t kChunkPoolMaxIdle = 64;
inline constexpr size_t kChunkPoolMaxIdleBytes = size_t{32} << 20;

}  // namespace vigia::limits

namespace vigia::limits {

// --- streamed responses and /v1/tail ----------------------------------------------------
// Bytes one streamed response may hold that the socket has not taken yet. Beyond it a
// producer's write is refused (tail drops events), so a client that reads slowly costs at
// most this much memory: ~3,000 events of 350 bytes, seconds of a busy tail.
inline constexpr size_t kMaxStreamBufferBytes = 1u << 20;
// Open /v1/tail streams at once; more get 503. Each one filters every ingested event on
// the feed thread, so this bounds the feed's work per event.
inline constexpr size_t kMaxTailSubscribers = 64;
// Events waiting for the feed thread (published by ingest, not yet matched). Ingest never
// waits for tail subscribers: past this bound whole batches are skipped and counted as
// dropped for every subscriber.
inline constexpr size_t kMaxLiveFeedQueuedEvents = 200'000;
// A `since` tail skips the live events its backfill already sent for this long after the
// backfill ended (server/tail_seam.h): a batch stored before the backfill ended is published
// to the tail microseconds to one fsync later (ingest's commit hooks), or later still when the
// ingest thread is preempted on a loaded machine; 10 s covers that with a wide margin, and
// then the seam's keys (up to kMaxLiveFeedQueuedEvents, ~50 bytes each) are freed.
inline constexpr int kTailSeamHoldMs = 10'000;
// Heartbeat on an idle tail stream (SSE comment / blank NDJSON line), so proxies keep the
// connection and a dead client is detected by the failing write.
inline constexpr int kTailKeepAliveMs = 15'000;
// In a cluster (storage.backend = "clickhouse") a node's tails are served by polling
// ClickHouse (server/cluster_tail.h; docs/scale-out.md "The live tail in a cluster"), one
// poll per node for all its tails (tail.cluster_poll_ms). 1 s: an event shows on a tail
// ~1-1.5 s after it was acknowledged on any node (the outbox ships within 200 ms), at one
// small SELECT per second per node with open tails; none without.
inline constexpr int kTailClusterPollMs = 1'000;
// Each poll re-reads the rows of the last tail.cluster_lag_ms before it (by event time) and
// shows the ones not shown yet: events reach ClickHouse after their ts — the outbox's batch
// delay, INSERTs of full batches under load, retries while ClickHouse was briefly away,
// another node's clock a little behind — and an event up to this late is still shown, once.
// An event later than this is not shown on the tail (it is stored and queryable). 10 s covers
// the shipping delays with room for a few seconds of clock skew; the cost is that every poll
// reads the matching rows of 10 s again.
inline constexpr int kTailClusterLagMs = 10'000;
// The (ts, seq) keys of the rows shown in the lag window that a node keeps to show each row
// once (~64 bytes each: ~13 MB). Past it the oldest key is forgotten and the window starts
// after it: under more than ~20k matching events/s at the default lag, the window is shorter
// than tail.cluster_lag_ms (never an event shown twice).
inline constexpr size_t kMaxTailClusterWindowKeys = 200'000;
// One poll's statement may take this long before it is abandoned (and retried at the next).
inline constexpr int kTailClusterPollTimeoutMs = 10'000;
// A `since` tail in a cluster ends its seam after the first poll that started after its
// backfill (server/route_tail.h); it waits at most this long for that poll.
inline constexpr int kTailClusterSeamWaitMs = 30'000;

// --- metrics (src/common/metric_registry.h) -------------------------------------------
// Label sets one metric family may hold. Labels come partly from clients (routes,
// services); 10,000 series of ~100 bytes each bound a family to ~1 MB and a scrape to a
// size Prometheus ingests comfortably. Past it, new label sets share an "other" series.
inline constexpr size_t kMaxSeriesPerMetricFamily = 10'000;

// --- errors (src/errors/) ----------------------------------------------------------------
// Stack lines the fingerprinter reads and in-app frames it keys on: real traces of one bug
// differ below the top ~30 frames only by framework depth (recursion, middleware chains),
// and a bound keeps a 1 MB stack from costing more than its first lines at ingest.
inline constexpr size_t kMaxFingerprintStackLines = 200;
inline constexpr size_t kMaxFingerprintFrames = 30;
// Bytes of a group title (type + first message line): enough to read, bounded for the table.
inline constexpr size_t kMaxErrorTitleBytes = 200;
// Error groups the server's table holds (src/errors/error_group_table.h). Each costs ~2 KB
// (1 KB of it the users-affected HyperLogLog), so 20k groups stay under ~40 MB; a real
// application has tens to hundreds of groups, and a flood of distinct fingerprints (a
// client sending random ones) must not grow the table without bound. Events of groups over
// the cap are still stored and queryable; they are counted in vigia_error_groups_dropped_total.
inline constexpr size_t kMaxErrorGroups = 20'000;
// Distinct services, releases and environments kept per group (oldest kept, later ones
// counted as "+N more"): the table row shows where a bug lives, not a full inventory.
inline constexpr size_t kMaxErrorGroupValues = 32;
// HyperLogLog precision of a group's users-affected estimate: 2^10 one-byte registers,
// standard error 1.04/sqrt(1024) = 3.3 %.
inline constexpr int kErrorUsersHllPrecision = 10;
// Seconds between saves of the error-group table (and flushes of the regression audit
// events): an unclean stop loses at most this many seconds of counts, never a status change
// (those are saved at once).
inline constexpr int kErrorGroupsPersistIntervalSec = 5;
// Events a group may receive in one minute before the rate hook fires (0 = never).
inline constexpr uint64_t kErrorGroupRateThresholdPerMin = 100;
// Cluster mode (storage.backend = "clickhouse"): milliseconds between refreshes of a node's
// error-group table from ClickHouse (errors.cluster_refresh_ms). Each refresh is one pushed-
// down GROUP BY over the error events plus a read of the errors' audit events; 5 s keeps a
// status change or a new group visible on every node within a few seconds at a cost of one
// scan of the error events' few columns per node every 5 s (docs/errors.md "In a cluster").
inline constexpr int kErrorGroupsClusterRefreshMs = 5000;
// Groups named in one statement of a refresh (fingerprint:in(...) or an `or` of one clause
// per group): keeps the SQL under a few tens of KB, far below ClickHouse's max_query_size.
inline constexpr size_t kErrorGroupsPerRefreshStatement = 100;
// Groups whose title or sample a refresh fetches (their occurrences at first and last seen):
// the first refresh of a node with many groups spreads them over several refreshes instead
// of reading thousands of rows at once; the rest keep a placeholder title until then.
inline constexpr size_t kErrorGroupSamplesPerRefresh = 500;
// Latest events GET /v1/errors/{fingerprint} returns.
inline constexpr size_t kErrorDetailLatestEvents = 10;

// --- Sentry-compatible ingest (src/ingest/sentry/) -----------------------------------------
// One Sentry event (an envelope's event item or a store body) after decompression: Sentry's
// own limit for an event payload is 1 MB; a larger one is refused with 413.
inline constexpr size_t kMaxSentryEventBytes = 1u << 20;
// Items of one envelope the decoder reads (an SDK sends one event with a few attachments or
// a session); more is malformed.
inline constexpr size_t kMaxSentryEnvelopeItems = 100;
// Breadcrumbs kept per event, the latest ones (the SDKs' own default maximum is 100).
inline constexpr size_t kMaxSentryBreadcrumbs = 100;

// --- audit (src/audit/) --------------------------------------------------------------
// One audit ledger record's payload: a v1 record's event JSON, or a v2 batch record's codec
// bytes (a tenant's audit events of one batch above it are split over several records); 1 MB
// is generous for one event and bounds what verify and export hold per record.
inline constexpr uint32_t kMaxAuditRecordBytes = 1u << 20;
// Seconds between signed checkpoints of each tenant's chain (when it grew): the window an
// attacker with write access could rewrite the unsealed tail undetected by a third party.
inline constexpr int kAuditCheckpointIntervalSec = 60;
// Memory the audit chainer (audit/audit_chainer.h) may hold queued — batches written to the
// WAL whose audit events are not chained yet — before ingest of audit events waits for it.
// The batches are the memtable's own (shared, not copied) until a flush drops them there, so
// this bounds what the chain's lag can keep alive past a flush: 64 MiB is ~50k request-sized
// events, about a second of the audit-heavy mix on 2 cores, far above the lag of a chainer
// that keeps up (one group, a few ms) and small beside kMemtableMaxBytes.
inline constexpr uint64_t kAuditChainMaxLagBytes = 64u << 20;
// How often, under wal.fsync = interval, the audit chainer fsyncs the ledger and rewrites
// chained.pos (tmp, fsync, rename, directory fsync). No acknowledged audit event depends on it:
// the WAL holds every record the position has not passed, and a restart chains them again
// (audit_chainer.h). What it bounds is how much WAL a crash leaves to chain again and how
// long the WAL's segments are held past a flush. 1 s: audit_bench measured the persist at
// ~1 ms of the chainer's CPU each (inode create, rename, two fsyncs on ext4), ~270 ns per
// audit event at the WAL's 20 ms — 45 % of the chain's cost and half the 5 % budget;
// at 1 s it is under 10 ns per event, and the re-chained WAL after a crash is one second.
inline constexpr int kAuditChainSyncIntervalMs = 1'000;
// Longest an audit ingest waits for the chainer to get under kAuditChainMaxLagBytes before
// it is refused with 503 + Retry-After (the chainer chains ~1M records/s: a full queue
// drains in well under this unless the ledger cannot be written).
inline constexpr int kAuditChainStallMaxMs = 5'000;
// How long /v1/audit/verify and /v1/audit/export wait for the chainer to chain everything
// written before the request; after that they answer with what is chained and say by how
// much the chain is behind.
inline constexpr int kAuditChainWaitMs = 10'000;
// Cluster mode (storage.backend = "clickhouse"; audit/audit_mirror.h): how often a node copies
// the records and checkpoints its ledger made durable into ClickHouse. A verifier on another
// node sees this node's chain at most about this far behind; each round is one fsync of the
// chains that grew, a read of the ledger from where the last round stopped and one INSERT
// per kAuditMirrorBatchBytes.
inline constexpr int kAuditMirrorIntervalMs = 1'000;
// Record bytes per INSERT of the mirror: a catch-up after ClickHouse was down goes in steps of
// this size (4 MiB: ~40k audit events of ~90 bytes, a few ms of ClickHouse's insert each).
inline constexpr size_t kAuditMirrorBatchBytes = 4u << 20;
// Deadline of one statement of the mirror or of the cluster verification.
inline constexpr int kAuditClusterRequestTimeoutMs = 30'000;
// The most record bytes one chain may have for the cluster verification
// (audit/cluster_verifier.h), which holds a chain read back from ClickHouse in memory while
// it verifies it: 1 GiB is ~10M audit events of one node and tenant. A longer chain fails
// its verification with ResourceExhausted instead of exhausting the node's memory.
inline constexpr uint64_t kMaxClusterAuditChainBytes = 1ull << 30;
// How long Store::Erase waits for the WAL's observer (the audit chainer) to release the
// records written before the erase — it is asked to chain and persist them at once, a few
// fsyncs — so the WAL segments holding the erased value can be deleted. Past this (a ledger
// that cannot be written) the erase fails with Unavailable and erases nothing: the client
// retries; it must never report an erasure while the value is still in the WAL.
inline constexpr int kEraseWalReleaseWaitMs = 10'000;

// --- backups (src/backup, Store::Checkpoint) ------------------------------------------
// Read size when a checkpoint copies a WAL segment or a part across file systems.
inline constexpr size_t kCheckpointCopyBufferBytes = 1u << 20;
// Plaintext bytes per encrypted message of a backup blob (zstd output is cut into messages
// of at most this size, each with its own 17-byte tag): large enough that the tags cost
// nothing, small enough that a reader holds little memory and a tampered byte is detected
// within one message.
inline constexpr size_t kBackupMessageBytes = 1u << 20;
// zstd level of backup blobs: level 3 is zstd's default, ~300 MB/s per core. Parts are
// already compressed (mostly zstd chunks), so higher levels gain almost nothing there.
inline constexpr int kBackupZstdLevel = 3;
// Argon2id cost for a passphrase-derived backup key: libsodium's "moderate" limits (3
// passes, 256 MiB), ~0.7 s per derivation on one core: expensive for a guesser, once per
// command for an operator.
inline constexpr uint64_t kBackupKdfOpsLimit = 3;
inline constexpr size_t kBackupKdfMemLimit = 256u << 20;
// Events of the newest rows a backup verification reads back as its sample query.
inline constexpr size_t kBackupVerifySampleRows = 10;
// How often the backup module checks whether a scheduled backup is due: a minute late is
// nothing for a daily backup, and the check (two timestamps) costs nothing.
inline constexpr int kBackupScheduleCheckSec = 60;
// A failed scheduled backup (target unmounted, full) is retried after this long, not every
// minute: each attempt checkpoints the store and logs an error and an alert event.
inline constexpr int kBackupRetrySec = 15 * 60;
// Time zones (time_zone.h) for schedules in local time. The largest zoneinfo file of tzdata
// 2025 is ~4 KB (a "fat" one ~8 KB with every transition to 2037): 1 MiB refuses a file that
// is not a zone before reading it whole, and bounds what the fuzzer's TZif parser allocates.
inline constexpr size_t kMaxZoneinfoBytes = 1u << 20;
// The most transitions (and leap-second records) a TZif file may list: real zones list < 300.
inline constexpr uint32_t kMaxZoneTransitions = 100'000;
// How far ahead a cron schedule (cron_schedule.h) is searched for its next firing: the rarest
// valid schedule, February 29, fires every 4 years (8 across a skipped century leap year), so
// a schedule with no firing in 10 years never fires (e.g. "0 0 30 2 *") and is refused.
inline constexpr int kCronSearchYears = 10;

// --- monitoring (src/monitor/) ----------------------------------------------------------
// Label sets of each derived RED family (http_requests_total{service,route,method,
// status_class}); a histogram series is ~15 lines of exposition, so 2,000 keep a scrape
// under ~1 MB. Past it new label sets go to an "other" series. [monitor] red_max_series.
inline constexpr size_t kMaxRedSeries = 2'000;
// KPIs and SLOs in one definitions file: each costs one or two queries per /v1/kpis call.
inline constexpr size_t kMaxKpis = 200;
// Points of one /v1/kpis/{name}/series answer (one query per point).
inline constexpr size_t kMaxKpiSeriesPoints = 288;
// Groups one KPI query may return (a KPI "per IP" keeps the worst ones).
inline constexpr size_t kMaxKpiGroups = 100;
// `vigia check` (monitor/check_report.h): rows of each "top" list (new error types, IPs
// with failed logins) — a morning report people read, not a query result.
inline constexpr size_t kCheckTopItems = 5;
// An error type is new when its fingerprint was first seen in the last 24 h of this many
// days: a weekly job's error is not new every Monday.
inline constexpr int64_t kCheckNewErrorLookbackDays = 7;
// Free space of the data directory's file system, in percent: below 15 % yellow (days of
// ingest left at typical rates, time to act), below 5 % red (retention or ingest will soon
// fail). Defaults of monitor.disk_free_yellow_percent / disk_free_red_percent and of
// `vigia check --data`'s --disk-free-yellow-percent / --disk-free-red-percent: a machine
// whose disk is shared with other data sets its own.
inline constexpr int kCheckDiskFreeYellowPercent = 15;
inline constexpr int kCheckDiskFreeRedPercent = 5;
// An SLO with less than a quarter of its period's error budget left is yellow.
inline constexpr double kCheckSloBudgetYellow = 0.25;
// Live traffic statistics (monitor/traffic_stats.h, GET /v1/stats/traffic): one-minute
// buckets of the last hour per tenant — "live" is minutes; longer periods are VQL queries
// over the store. An hour of buckets is ~60 x (16 KiB HyperLogLog + the label counts).
inline constexpr size_t kTrafficMaxWindowMinutes = 60;
// Distinct endpoints / browsers / OS / devices / performance classes counted per bucket;
// later ones count as "other" (a scanner requesting random paths must not grow memory).
inline constexpr size_t kTrafficMaxKeys = 500;
// Tenants with live statistics; requests of later ones are not counted (~1 MB per busy
// tenant: 64 MB at most).
inline constexpr size_t kTrafficMaxTenants = 64;
// Rows of each list in a /v1/stats/traffic answer.
inline constexpr size_t kTrafficTopItems = 10;

}  // namespace vigia::limits

namespace vigia::limits {

// --- alerting (src/alerting, docs/alerting.md) ------------------------------------------
// Errors listed per rule file; past it only a count (a wholly wrong file would otherwise
// print thousands of lines).
inline constexpr size_t kMaxReportedRuleErrors = 50;
// A group's evaluation interval when its file gives none (Prometheus' default).
inline constexpr int64_t kDefaultRuleIntervalNs = 60'000'000'000;
// Shortest interval: below a second the evaluations would be scans back to back.
inline constexpr int64_t kMinRuleIntervalNs = 1'000'000'000;
// Rules loaded at once: the benchmark runs 200 at 30 s in < 5 % of a core; 10,000 bounds a
// runaway generated rule set.
inline constexpr size_t kMaxAlertRules = 10'000;
// Instances (result rows) one rule may track; past it the extra rows are ignored and the
// rule's health says so. A `by (ip)` over an attack must not make a million alerts.
inline constexpr size_t kMaxAlertInstancesPerRule = 1'000;
// Longest one rule's query may run: the group's interval, at most this. A slow rule fails
// with a deadline error (its health shows it) and the group's other rules still run.
inline constexpr int64_t kMaxRuleEvalNs = 30'000'000'000;
// How long a resolved instance stays listed (and its resolved notification can be sent)
// before it is forgotten.
inline constexpr int64_t kResolvedAlertRetentionNs = 15LL * 60 * 1'000'000'000;
// Error-group events (new group, regression, rate) waiting for the next evaluation of the
// built-in error-group alerts (alerting/error_group_alerts.h): the ingest thread only queues
// them; a flood of new fingerprints past this is dropped and counted, never blocks ingest.
inline constexpr size_t kMaxQueuedErrorGroupEvents = 10'000;
// One delivery attempt to a receiver: a hanging receiver costs at most this per attempt.
inline constexpr int kNotifyTimeoutMs = 10'000;
// Retry backoff: first wait, doubling up to the cap, with ±50 % jitter.
inline constexpr int64_t kNotifyRetryBaseNs = 1'000'000'000;
inline constexpr int64_t kNotifyRetryMaxNs = 5LL * 60 * 1'000'000'000;
// A notification still undelivered after this long is dropped (and counted): a later one
// of the same group carries the current state anyway.
inline constexpr int64_t kNotifyMaxAgeNs = 6LL * 3600 * 1'000'000'000;
// Notifications waiting in the outbox; past it new ones are dropped (and counted) so a
// receiver that is down for days cannot fill the disk.
inline constexpr size_t kMaxOutboxEntries = 10'000;
// Silences kept (active and pending); expired ones are forgotten after a day.
inline constexpr size_t kMaxSilences = 10'000;

// --- ClickHouse backend (storage.backend = "clickhouse", docs/clickhouse.md) ------------
// Acknowledged events not yet in ClickHouse (the outbox WAL's unshipped records, also held
// in memory for the shipper). Past it ingest answers 503: 1 GiB is ~3M events of 350 bytes,
// minutes of a busy node's ingest — long enough to ride out a ClickHouse restart, short
// enough that a node never hoards a day of events nobody can query
// (`clickhouse.max_backlog_bytes`).
inline constexpr uint64_t kClickHouseMaxBacklogBytes = uint64_t{1} << 30;
// One INSERT carries at most this much of the outbox (WAL payload bytes; the RowBinary is
// ~1.5x): ClickHouse wants few large inserts (each makes a part per shard), and 8 MiB is
// ~25k events, well under a second of insert work.
inline constexpr uint64_t kClickHouseShipBatchBytes = 8u << 20;
// The shipper waits this long for a batch to fill before sending what it has: the delay
// between an acknowledgement and the event being queryable on a quiet node.
inline constexpr int kClickHouseShipDelayMs = 200;
// One INSERT may take this long before the node gives up on it (and, before re-sending,
// waits for ClickHouse to finish or drop it: exactly once).
inline constexpr int kClickHouseInsertTimeoutMs = 60'000;
// INSERTs one node has in flight at once (clickhouse.insert_concurrency), one shipper thread
// each. ClickHouse parses, sorts and compresses one INSERT on one thread, and with one INSERT
// at a time the node waited for each answer before encoding the next batch, so the two took
// turns (one node shipped 46-49k events/s, docs/scale-out.md). With 4 in flight the encode of
// the next batches overlaps the inserts and ClickHouse uses more cores; the outbox releases in
// WAL order whatever the order the INSERTs complete in (clickhouse_ship_window.h).
inline constexpr int kClickHouseInsertConcurrency = 4;
// Backoff while ClickHouse is down or refusing: first wait, doubling up to the cap.
inline constexpr int kClickHouseRetryBaseMs = 100;
inline constexpr int kClickHouseRetryMaxMs = 5'000;
// Cluster leases (storage.backend = "clickhouse", clickhouse/lease_keeper.h, docs/scale-out.md):
// a node's heartbeat row is valid this long (`cluster.lease_ttl_ms`), and it renews every
// `cluster.lease_renew_ms`. A dead holder is replaced within TTL + one renew interval (+ the
// clock skew between the nodes); a holder that cannot renew stops TTL after its last
// heartbeat. The renew interval must leave room for a few failed renewals inside the TTL
// (config refuses renew > TTL / 2).
inline constexpr int kClusterLeaseTtlMs = 10'000;
inline constexpr int kClusterLeaseRenewMs = 2'000;
// One renew round (a read and a write) may take this long before it counts as failed.
inline constexpr int kClusterLeaseRequestTimeoutMs = 5'000;
// One read or write of the alert state or the silences a cluster shares in ClickHouse
// (docs/scale-out.md): the holder of the rules lease does one of each per evaluation round
// that changes something, and it re-reads the silences every round, on the alerts task (1 s);
// a ClickHouse that hangs delays a round by at most this much (each failed read or write is
// tried again at the next round).
inline constexpr int kSharedAlertStateRequestTimeoutMs = 5'000;

// Events in one outbox record: the row's seq is (record << 24) + index (clickhouse_outbox.h).
// A batch above it is refused; 16M events is more than a 64 MiB body can hold but for `{}`.
inline constexpr size_t kClickHouseMaxEventsPerRecord = size_t{1} << 24;

}  // namespace vigia::limits
