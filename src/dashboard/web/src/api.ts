// The dashboard's only way to the server: vigia's public HTTP API (docs/http-api.md), with the
// user's API key from sessionStorage as a bearer token. Every API path is written here and in
// the pages as one whole literal with {name} placeholders ('/v1/errors/{fingerprint}'), so the
// server's dashboard_routes_test can check each against the router's routes and the docs.
//
// Queries go through a small queue: the server lets one key run 2 queries at once
// (query.max_concurrent_per_key), so the UI never runs more, and a 429/503 is retried after
// its Retry-After.

import type { FieldStat } from './field_stats.js';

const KEY = 'vigia.key';
const MAX_QUERIES = 2;

export class ApiError extends Error {
  status: number;
  code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function getKey() {
  return sessionStorage.getItem(KEY) || '';
}
export function setKey(k: string) {
  if (k) sessionStorage.setItem(KEY, k);
  else sessionStorage.removeItem(KEY);
}

// The template with its {name} placeholders filled in, percent-encoded: request_id a/b in
// /v1/trace/{request_id} gives /v1/trace/a%2Fb.
export type Params = Record<string, string | number | undefined>;
export type Query = Record<string, string | number | boolean | undefined | null>;

export function apiPath(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, n) => encodeURIComponent(params[n] ?? ''));
}

function url(template: string, params?: Params, query?: Query): string {
  let u = apiPath(template, params);
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `${u}?${s}` : u;
}

function headers(extra?: Record<string, string>): Record<string, string> {
  const hd: Record<string, string> = Object.assign({}, extra);
  const k = getKey();
  if (k) hd.Authorization = `Bearer ${k}`;
  return hd;
}

async function errorOf(resp: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await resp.json();
  } catch (_) {
    /* not JSON */
  }
  return errorFrom(resp.status, resp.statusText, body);
}

// The ApiError of a non-2xx answer (its JSON body {"error":{code,message}} when it has one).
function errorFrom(status: number, statusText: string, body: any): ApiError {
  let code = `http_${status}`;
  let message = statusText || `HTTP ${status}`;
  if (body && body.error) {
    code = body.error.code || code;
    message = body.error.message || message;
  }
  if (status === 401) window.dispatchEvent(new CustomEvent('vigia:auth', { detail: message }));
  return new ApiError(status, code, message);
}

// The query queue (see above).
let running = 0;
const waiting: (() => void)[] = [];
async function slot() {
  if (running < MAX_QUERIES) {
    running++;
    return;
  }
  await new Promise<void>((r) => waiting.push(r));
  running++;
}
function release() {
  running--;
  const next = waiting.shift();
  if (next) next();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// fetch with the key; retries 429/503 up to 3 times after Retry-After. Throws ApiError.
export interface CallOptions {
  params?: Params;
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  accept?: string;
  contentType?: string;
  queued?: boolean;
}

export async function call(method: string, template: string, { params, query, body, signal, accept, contentType, queued }: CallOptions = {}): Promise<Response> {
  if (queued) await slot();
  try {
    for (let attempt = 0; ; attempt++) {
      const hd = headers(accept ? { Accept: accept } : { Accept: 'application/json' });
      if (body !== undefined) hd['Content-Type'] = contentType || 'application/json';
      const resp = await fetch(url(template, params, query), {
        method,
        headers: hd,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        signal,
        cache: 'no-store',
      });
      if ((resp.status === 429 || resp.status === 503) && attempt < 3) {
        const wait = Math.min(5, Number(resp.headers.get('Retry-After')) || 1);
        await sleep(wait * 1000);
        continue;
      }
      if (!resp.ok) throw await errorOf(resp);
      return resp;
    }
  } finally {
    if (queued) release();
  }
}

export async function getJson(template: string, params?: Params, query?: Query, opts: CallOptions = {}): Promise<any> {
  const resp = await call('GET', template, Object.assign({ params, query }, opts));
  return resp.json();
}

// Runs a VQL query (GET /v1/query, format=json) and returns {rows, truncated, stats}.
export interface Range {
  rel?: string;
  from?: string;
  to?: string;
}

export interface QueryAnswer {
  rows: Record<string, any>[];
  truncated?: boolean;
  stats?: Record<string, any>;
  error?: { code: string; message: string };
}

export async function query(q: string, range: Range | null, extra: Query = {}, signal?: AbortSignal): Promise<QueryAnswer> {
  const resp = await call('GET', '/v1/query', {
    query: Object.assign({ q, format: 'json' }, rangeParams(range), extra),
    signal,
    queued: true,
  });
  const j = await resp.json();
  if (j.error) throw new ApiError(200, j.error.code, j.error.message);
  return j;
}

// since/until of a time range {from, to}: a relative duration ('1h') or RFC 3339 times.
export function rangeParams(range: Range | null | undefined): Query {
  if (!range) return {};
  if (range.rel) return { since: range.rel };
  return { since: range.from, until: range.to };
}

// Gives the page a turn (input, rendering) between slices of a long synchronous loop.
function yieldToPage() {
  const s = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return s?.yield ? s.yield() : new Promise<void>((r) => setTimeout(r, 0));
}

// The longest the line loop (the live tail's) runs before it yields: a fast server can hand
// fetch several MB at once, and parsing them in one go would be a long task that freezes the
// page. (The streamed /v1/query has its own reader in query_worker.js, off the main thread.)
const SLICE_MS = 12;

// Reads a streamed body line by line; calls onLine(text) for each non-empty line.
async function readLines(resp: Response, onLine: (line: string) => void) {
  const reader = resp.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  let sliceStart = performance.now();
  let n = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      onLine(line);
      if ((++n & 63) === 0 && performance.now() - sliceStart > SLICE_MS) {
        await yieldToPage();
        sliceStart = performance.now();
      }
    }
  }
  buf += dec.decode();
  if (buf) onLine(buf);
}

// The streamed /v1/query (format=ndjson): rows are handed to onRows in batches as they
// arrive, as one string of the rows' JSON texts and where each ends (rows.ts: parse the ones
// shown), with field names seen in the batch. The body is fetched and split in a worker (query_worker.js), so the page's main
// thread only receives the batches. A trailing {"error":...} record (an error after the first
// rows) is thrown. Resolves to the worker's statistics of the fields of the rows it sampled.
export interface StreamEnd {
  sampled: number;
  fieldStats: FieldStat[];
}
export async function streamQuery(q: string, range: Range, limit: number, onRows: (text: string, ends: Int32Array, fields: string[]) => void, signal?: AbortSignal): Promise<StreamEnd> {
  if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
  await slot();
  const worker = new Worker(new URL('./query_worker.js', import.meta.url));
  try {
    return await new Promise<StreamEnd>((resolve, reject) => {
      const stop = () => reject(new DOMException('aborted', 'AbortError'));
      signal?.addEventListener('abort', stop, { once: true });
      worker.onerror = (e) => reject(new Error(e.message || 'the query worker failed'));
      worker.onmessage = ({ data: m }) => {
        if (signal?.aborted) return;
        if (m.type === 'rows') onRows(m.text, m.ends, m.fields);
        else if (m.type === 'end') m.error ? reject(new ApiError(200, m.error.code, m.error.message)) : resolve({ sampled: m.sampled, fieldStats: m.fieldStats });
        else if (m.type === 'http') reject(errorFrom(m.status, m.statusText, m.body));
        else reject(new TypeError(m.message));
      };
      worker.postMessage({
        url: url('/v1/query', {}, Object.assign({ q, format: 'ndjson', limit }, rangeParams(range))),
        headers: headers({ Accept: 'application/x-ndjson' }),
      });
    });
  } finally {
    worker.terminate();
    release();
  }
}

// GET /v1/tail as Server-Sent Events, read with fetch (EventSource cannot send the key).
// handlers: {open(), event(obj), dropped(n), error(err)}. Returns when the stream ends or the
// signal aborts.
export interface TailHandlers {
  open?: () => void;
  event: (ev: Record<string, any>) => void;
  dropped: (n: number) => void;
  error: (err: ApiError) => void;
}

export async function tail(q: string, since: string | undefined, handlers: TailHandlers, signal?: AbortSignal): Promise<void> {
  const resp = await call('GET', '/v1/tail', {
    query: { q, since, format: 'sse' },
    accept: 'text/event-stream',
    signal,
  });
  if (handlers.open) handlers.open();
  let type = 'message';
  let data: string[] = [];
  await readLines(resp, (raw) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') {
      if (data.length) {
        const text = data.join('\n');
        let obj: any = null;
        try {
          obj = JSON.parse(text);
        } catch (_) {
          obj = null;
        }
        if (type === 'dropped' || (obj && typeof obj.dropped === 'number' && Object.keys(obj).length === 1)) {
          handlers.dropped(obj ? obj.dropped : 0);
        } else if (type === 'error' && obj && obj.error) {
          handlers.error(new ApiError(200, obj.error.code, obj.error.message));
        } else if (obj) {
          handlers.event(obj);
        }
      }
      type = 'message';
      data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
  });
}
