// DuckDB, the second peer of `make bench` (bench/README.md), in-process through @duckdb/node-api.
//
//   node duckdb_bench.mjs load DB NDJSON
//       CREATE TABLE events from the NDJSON with read_json and the column types of
//       bench/clickhouse/schema.sql (columns.json beside this file); prints one JSON object:
//       {"version", "rows", "load_sec", "events_per_sec", "bytes"} (bytes = the database file
//       after CHECKPOINT).
//   node duckdb_bench.mjs queries DB QUERIES_TSV OUTDIR REPS
//       QUERIES_TSV: name <TAB> SQL per line (already substituted). For each query a fresh
//       instance is opened on DB (so its first run is cold: DuckDB's buffer pool empty, the
//       OS page cache warm), the query runs once (cold), then REPS times (warm). The answer
//       of the last run goes to OUTDIR/<name>.tsv (TSV like ClickHouse's: NULL as empty,
//       integers exact, \\ \t \n escaped); prints one JSON line per query: {"name", "cold_ms", "warm_ms": [..]}.
//   node duckdb_bench.mjs file NDJSON QUERIES_TSV OUTDIR REPS
//       The same over a file with no load step: each SQL's `events` is replaced by
//       read_json('NDJSON', ...) (the `vigia query --file` comparison).
// Times are wall clock around runAndReadAll + reading every row (the answer materialized in
// JS, as an application would), on all cores (DuckDB's default threads).
import { readFileSync, writeFileSync, statSync, existsSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";

const here = new URL(".", import.meta.url).pathname;
const columns = JSON.parse(readFileSync(here + "columns.json", "utf8"));

function sqlString(s) {
  return "'" + s.replaceAll("'", "''") + "'";
}

function readJsonOf(file) {
  const cols = Object.entries(columns)
    .map(([k, v]) => `${sqlString(k)}: ${sqlString(v)}`)
    .join(", ");
  return `read_json(${sqlString(file)}, format = 'newline_delimited', columns = {${cols}})`;
}

function cell(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "boolean") return v ? "1" : "0";
  // Escaped as ClickHouse's TSV: one row per line whatever the text holds.
  return String(v).replaceAll("\\", "\\\\").replaceAll("\t", "\\t").replaceAll("\n", "\\n");
}

async function timed(conn, sql) {
  const t0 = process.hrtime.bigint();
  const reader = await conn.runAndReadAll(sql);
  const rows = reader.getRows();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, rows };
}

function readQueries(path) {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const tab = l.indexOf("\t");
      return { name: l.slice(0, tab), sql: l.slice(tab + 1) };
    });
}

async function runQueries(open, queries, outdir, reps) {
  for (const q of queries) {
    const instance = await open();
    const conn = await instance.connect();
    const cold = await timed(conn, q.sql);
    const warm = [];
    let last = cold.rows;
    for (let i = 0; i < reps; i++) {
      const r = await timed(conn, q.sql);
      warm.push(Number(r.ms.toFixed(3)));
      last = r.rows;
    }
    writeFileSync(
      `${outdir}/${q.name}.tsv`,
      last.map((row) => row.map(cell).join("\t") + "\n").join(""),
    );
    console.log(JSON.stringify({ name: q.name, cold_ms: Number(cold.ms.toFixed(3)), warm_ms: warm }));
    conn.closeSync();
    instance.closeSync();
  }
}

async function main() {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === "load") {
    const [db, ndjson] = args;
    const instance = await DuckDBInstance.create(db);
    const conn = await instance.connect();
    const version = (await conn.runAndReadAll("SELECT version()")).getRows()[0][0];
    const t0 = process.hrtime.bigint();
    await conn.run(`CREATE TABLE events AS SELECT * FROM ${readJsonOf(ndjson)}`);
    await conn.run("CHECKPOINT");
    const sec = Number(process.hrtime.bigint() - t0) / 1e9;
    const rows = Number((await conn.runAndReadAll("SELECT count(*) FROM events")).getRows()[0][0]);
    conn.closeSync();
    instance.closeSync();
    let bytes = statSync(db).size;
    if (existsSync(db + ".wal")) bytes += statSync(db + ".wal").size;
    console.log(JSON.stringify({ version, rows, load_sec: sec, events_per_sec: rows / sec, bytes }));
  } else if (mode === "queries") {
    const [db, tsv, outdir, reps] = args;
    await runQueries(() => DuckDBInstance.create(db, { access_mode: "READ_ONLY" }), readQueries(tsv), outdir, Number(reps));
  } else if (mode === "file") {
    const [ndjson, tsv, outdir, reps] = args;
    const queries = readQueries(tsv).map((q) => ({ name: q.name, sql: q.sql.replaceAll(/\bevents\b/g, readJsonOf(ndjson)) }));
    await runQueries(() => DuckDBInstance.create(":memory:"), queries, outdir, Number(reps));
  } else {
    console.error("usage: duckdb_bench.mjs load DB NDJSON | queries DB TSV OUTDIR REPS | file NDJSON TSV OUTDIR REPS");
    process.exit(2);
  }
}

main().catch((e) => {
  console.error(`duckdb_bench: ${e.message}`);
  process.exit(1);
});
