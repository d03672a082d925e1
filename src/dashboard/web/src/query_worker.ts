// The streamed /v1/query (format=ndjson) fetched and parsed off the page's main thread: at 10M
// events a fast server hands the browser tens of MB of rows in bursts, and reading them on the
// main thread was tasks of 50–300 ms (mostly the browser's own work per received byte, not the
// page's script) that froze scrolling (bench/dashboard: no task over 50 ms while 100,000 rows
// stream). api.js's streamQuery starts one worker per query and ends it on abort.
//
// In: {url, headers}. Out, in order: {type:'rows', rows} batches (≤ 500 rows or 50 ms apart),
// then {type:'end', error?} (error: a trailing {"error":…} record), or {type:'http', status,
// statusText, body} for a non-2xx answer, or {type:'fail', message} (network error).
// A worker's postMessage (the DOM lib types the window's, which takes a target origin).
const post = (m: unknown) => (globalThis as unknown as { postMessage(m: unknown): void }).postMessage(m);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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
  let batch: unknown[] = [];
  let failure: unknown = null;
  let flushAt = performance.now();
  const line = (text: string) => {
    if (!text.trim()) return;
    const row = JSON.parse(text);
    if (row && typeof row.error === 'object' && row.error && Object.keys(row).length === 1) {
      failure = row.error;
      return;
    }
    batch.push(row);
    const now = performance.now();
    if (batch.length >= 500 || now - flushAt > 50) {
      post({ type: 'rows', rows: batch });
      batch = [];
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
  if (batch.length) post({ type: 'rows', rows: batch });
  post({ type: 'end', error: failure });
}

self.onmessage = (e: MessageEvent) => {
  run(e.data).catch((err) => post({ type: 'fail', message: String((err && err.message) || err) }));
};
