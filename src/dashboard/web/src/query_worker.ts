// The streamed /v1/query (format=ndjson) fetched and parsed off the page's main thread: at 10M
// events a fast server hands the browser tens of MB of rows in bursts, and reading them on the
// main thread was tasks of 50–300 ms (mostly the browser's own work per received byte, not the
// page's script) that froze scrolling (bench/dashboard: no task over 50 ms while 100,000 rows
// stream). api.js's streamQuery starts one worker per query and ends it on abort.
//
// In: {url, headers}. Out, in order: {type:'rows', text, ends, fields} batches (the rows' JSON
// texts one after another and where each ends, rows.ts; ≤ 1000 rows or 50 ms apart; fields:
// names seen in some of them),
// then {type:'end', error?, fieldStats} (error: a trailing {"error":…} record; fieldStats: per
// field of the sampled rows, how many had it and how many distinct values: field_stats.ts,
// the search page's facets), or {type:'http', status,
// statusText, body} for a non-2xx answer, or {type:'fail', message} (network error).
import { FieldSampler } from './field_stats.js';

// A worker's postMessage (the DOM lib types the window's, which takes a target origin).
const post = (m: unknown) => (globalThis as unknown as { postMessage(m: unknown): void }).postMessage(m);

// The rows sampled for the field statistics: every one of the first SAMPLE_ALL, then one in 32.
const SAMPLE_ALL = 2000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run({ url, headers }: { url: string; headers: Record<string, string> }) {
  let resp: Response;
  for (let attempt = 0; ; attempt++) {
    resp = await fetch(url, { headers, cache: 'no-store' });
    if ((resp.status === 429 || resp.status === 503) && attempt < 3) {
      await sleep(Math.min(5, Number(resp.headers.get('Retry-After')) || 1) * 1000);
      continue;
    }
    break;
  }
  if (!resp.ok) {
    let body = null;
    try {
      body = await resp.json();
    } catch (_) {
      /* not JSON */
    }
    post({ type: 'http', status: resp.status, statusText: resp.statusText, body });
    return;
  }
  const reader = resp.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  let batch: string[] = [];
  let fields = new Set<string>();
  let failure: unknown = null;
  let flushAt = performance.now();
  // A batch goes as one string and the offsets where each row ends (rows.ts): one copy and a
  // transfer instead of a string per row on the page's heap.
  const flush = () => {
    const ends = new Int32Array(batch.length);
    let at = 0;
    batch.forEach((t, k) => (ends[k] = at += t.length));
    (globalThis as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage({ type: 'rows', text: batch.join(''), ends, fields: [...fields] }, [ends.buffer]);
    batch = [];
    fields = new Set();
  };
  // The rows go to the page as their JSON text: it parses only those it shows (a few dozen
  // at a time), so 100,000 rows cost the page neither the parse nor a heap of 100,000 objects
  // to copy in and collect. The first SAMPLE_ALL rows, then one in 32, are parsed here for
  // the field names they have and how varied each field's values are.
  let n = 0;
  const sampler = new FieldSampler();
  const addField = (k: string) => fields.add(k);
  const line = (text: string) => {
    if (!text.trim()) return;
    if (text.startsWith('{"error":')) {
      const row = JSON.parse(text);
      if (row && typeof row.error === 'object' && row.error && Object.keys(row).length === 1) {
        failure = row.error;
        return;
      }
    }
    if (n++ < SAMPLE_ALL || (n & 31) === 0) sampler.add(JSON.parse(text), addField);
    batch.push(text);
    const now = performance.now();
    if (batch.length >= 1000 || now - flushAt > 50) {
      flush();
      flushAt = now;
    }
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let start = 0;
    let nl;
    while ((nl = buf.indexOf('\n', start)) >= 0) {
      line(buf.slice(start, nl));
      start = nl + 1;
    }
    buf = buf.slice(start);
  }
  buf += dec.decode();
  if (buf) line(buf);
  if (batch.length) flush();
  post({ type: 'end', error: failure, sampled: sampler.sampled, fieldStats: sampler.result() });
}

self.onmessage = (e: MessageEvent) => {
  run(e.data).catch((err) => post({ type: 'fail', message: String((err && err.message) || err) }));
};
