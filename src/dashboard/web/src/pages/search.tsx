// Search: the VQL editor (CodeMirror 6: highlighting, completion of fields and values, the
// server's syntax error at line:column while typing), the time picker, the histogram by level
// (uPlot, drag to zoom), the streamed virtualized results table with click-to-filter, field
// facets, and stats queries as a table and a chart. The query, range, columns, order and row
// limit live in the URL (/ui/search?q=...&range=1h): a change navigates, and the page renders
// the new URL from scratch.
import { render as draw, type ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { fmtTime, fmtNum, debounce, toMs, timeZone, setTimeZone } from '../dom.js';
import { call, query, streamQuery, getJson, ApiError, type Range } from '../api.js';
import { splitPipes, addFilter, quoteValue } from '../vql.js';
import type { EditorOptions, QueryEditor } from '../editor.js';
import type { Series } from '../chart.js';
import { valueMenu, rangeFromParams, rangeToParams, rangeBounds, RELATIVE, toInput, fromInput } from '../widgets.js';
import { navigate } from '../nav.js';
import type { Route } from '../app.js';
import { ErrorBox, EventView, Table } from '../ui.js';
import { RowStore } from '../rows.js';
import { FieldSampler, facetFields, type ColumnStat, type FieldStat } from '../field_stats.js';

const ROW_H = 26;
const DEFAULT_COLS = ['ts', 'level', 'service', 'msg'];
const KNOWN_FIELDS = [
  'ts', 'kind', 'level', 'service', 'env', 'host', 'version', 'tenant', 'request_id', 'trace_id', 'span_id',
  'user_id', 'session_id', 'msg', 'method', 'route', 'path', 'status', 'duration_ms', 'ip', 'ua', 'bytes_in',
  'bytes_out', 'browser', 'browser_version', 'os', 'os_version', 'device', 'perf_class', 'error.type',
  'error.message', 'error.stack', 'fingerprint', 'action', 'actor', 'entity', 'entity_id', 'outcome',
  'metric', 'value', 'unit',
];
const BUCKETS = [1e3, 5e3, 1e4, 3e4, 6e4, 3e5, 6e5, 18e5, 36e5, 108e5, 216e5, 432e5, 864e5];
const BUCKET_NAMES: Record<number, string> = { 1e3: '1s', 5e3: '5s', 1e4: '10s', 3e4: '30s', 6e4: '1m', 3e5: '5m', 6e5: '10m', 18e5: '30m', 36e5: '1h', 108e5: '3h', 216e5: '6h', 432e5: '12h', 864e5: '1d' };

type Ev = Record<string, any>;
interface State {
  q: string;
  range: Range;
  cols: string[];
  order: 'stream' | 'newest';
  limit: number;
}

// Shared by every visit of the page: the field names for completion, the values per field,
// the store's column statistics (null until fetched; [] when the key may not read them).
const fieldNames = new Set(KNOWN_FIELDS);
let storeColumns: Promise<ColumnStat[]> | null = null;
function columnStats(): Promise<ColumnStat[]> {
  storeColumns ??= getJson('/v1/stats', {}, {}, {}).then((s) => (s.columns || []) as ColumnStat[], () => []);
  return storeColumns;
}
const valueCache = new Map<string, Promise<unknown[]>>();

// The text a results cell shows for the message column when an event has no msg.
function summary(ev: Ev): string {
  if (ev.msg !== undefined) return String(ev.msg);
  if (ev['error.message'] !== undefined) return `${ev['error.type'] ?? 'error'}: ${ev['error.message']}`;
  if (ev.kind === 'request') return [ev.method, ev.path ?? ev.route, ev.status, ev.duration_ms !== undefined ? `${fmtNum(ev.duration_ms)} ms` : ''].filter((x) => x !== undefined && x !== '').join(' ');
  if (ev.action !== undefined) return `${ev.actor ?? ''} ${ev.action} ${ev.entity ?? ''} ${ev.entity_id ?? ''}`.trim();
  return '';
}

function cellText(ev: Ev, col: string): string {
  if (col === 'ts') return fmtTime(ev.ts);
  if (col === 'msg') return summary(ev);
  const v = ev[col];
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function urlFor(s: State): string {
  const p = new URLSearchParams();
  p.set('q', s.q);
  rangeToParams(s.range, p);
  if (s.cols.join(',') !== DEFAULT_COLS.join(',')) p.set('cols', s.cols.join(','));
  if (s.order !== 'stream') p.set('order', s.order);
  if (s.limit !== 1000) p.set('limit', String(s.limit));
  return `/ui/search?${p}`;
}

// The time picker: relative choices, or absolute from/to in UTC or local time.
function TimePicker({ range, onChange }: { range: Range; onChange: (r: Range | null) => void }) {
  const [mode, setMode] = useState(range.rel ?? 'abs');
  const [f, t] = rangeBounds(range);
  const fromRef = useRef<HTMLInputElement>(null);
  const toRef = useRef<HTMLInputElement>(null);
  const emitAbs = () => {
    const a = fromInput(fromRef.current!.value);
    const b = fromInput(toRef.current!.value);
    if (Number.isFinite(a) && Number.isFinite(b) && b > a) onChange({ from: new Date(a).toISOString(), to: new Date(b).toISOString() });
  };
  return (
    <span class="time-picker">
      <select aria-label="Time range" class="range-select" value={mode} onChange={(e) => {
        const v = (e.target as HTMLSelectElement).value;
        setMode(v);
        if (v !== 'abs') onChange({ rel: v });
        else emitAbs();
      }}>
        {RELATIVE.map((r) => <option value={r}>Last {r}</option>)}
        <option value="abs">Absolute…</option>
      </select>
      <span class="abs-range" style={{ display: mode === 'abs' ? '' : 'none' }}>
        <input ref={fromRef} type="datetime-local" step={1} aria-label="From" value={toInput(f)} onChange={emitAbs} />→
        <input ref={toRef} type="datetime-local" step={1} aria-label="To" value={toInput(t)} onChange={emitAbs} />
      </span>
      <button type="button" class="ghost tz" title="Show times in UTC or local time" onClick={() => {
        setTimeZone(timeZone() === 'utc' ? 'local' : 'utc');
        onChange(null);
      }}>{timeZone() === 'utc' ? 'UTC' : 'local'}</button>
    </span>
  );
}

// The stream's redraws: the table and the summary re-render once per frame while rows
// arrive, not the whole page.
interface Live {
  listeners: Set<() => void>;
  summary: string;
  done: boolean; // the rows are all there
}
function useLive(live: Live): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    const f = () => setN((x) => x + 1);
    live.listeners.add(f);
    return () => { live.listeners.delete(f); };
  }, [live]);
  return n;
}
function Summary({ live }: { live: Live }) {
  useLive(live);
  return <div class="summary" data-testid="summary">{live.summary}</div>;
}
function NoRows({ live, rows }: { live: Live; rows: RowStore }) {
  useLive(live);
  return live.done && !rows.length ? <p class="muted empty">No events match this query in this time range.</p> : null;
}

// The charts' module (uPlot: a third of the search page's script) is imported when a chart is
// first drawn, not with the page: its parsing is a task of its own, not part of the page
// chunk's evaluation (issue 17: no task over 50 ms at page load).
let chartModule: Promise<typeof import('../chart.js')> | null = null;
const charts = () => (chartModule ??= import('../chart.js'));

// The virtualized results table: only the rows in view (and a few around) are in the page.
// rows is the page's RowStore (a row parsed when first shown); `live` says when it grew (once
// per frame while rows stream).
function ResultsTable({ rows, live, cols, selected, onOpen, onValue, onCols }: {
  rows: RowStore; live: Live; cols: string[]; selected: number;
  onOpen: (i: number) => void; onValue: (e: MouseEvent, field: string, value: unknown) => void; onCols: (cols: string[]) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const tick = useLive(live);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);
  const frame = useRef(0);
  useEffect(() => {
    const el = scroller.current!;
    setHeight(el.clientHeight || 600);
    const onScroll = () => {
      if (frame.current) return;
      frame.current = requestAnimationFrame(() => {
        frame.current = 0;
        setTop(el.scrollTop);
        setHeight(el.clientHeight || 600);
      });
    };
    el.addEventListener('scroll', onScroll);
    return () => {
      el.removeEventListener('scroll', onScroll);
      cancelAnimationFrame(frame.current);
    };
  }, []);
  const first = Math.max(0, Math.floor(top / ROW_H) - 5);
  const n = Math.ceil(height / ROW_H) + 10;
  const shown: ComponentChildren[] = [];
  for (let i = first; i < Math.min(rows.length, first + n); i++) {
    const ev = rows.at(i);
    shown.push(
      <div class={`vt-row${i === selected ? ' selected' : ''}`} role="row" data-i={i} key={i} style={{ top: `${i * ROW_H}px` }}
        onClick={(e) => {
          const val = (e.target as Element).closest<HTMLElement>('.val');
          const f = val?.dataset.field;
          if (f && f !== 'msg' && f !== 'ts') return onValue(e, f, ev[f] ?? null);
          onOpen(i);
        }}>
        {cols.map((c) => (
          <div class={`vt-cell c-${c.replace(/\W/g, '_')}${c === 'level' ? ` lvl-${ev[c]}` : ''}`} role="cell">
            <span class="val" data-field={c}>{cellText(ev, c)}</span>
          </div>
        ))}
      </div>,
    );
  }
  // The columns to add: those of the first rows and the known fields (recomputed only while
  // the first 200 rows arrive).
  const firstRows = Math.min(rows.length, 200);
  const addable = useMemo(() => {
    const seen = new Set<string>();
    for (let i = 0; i < firstRows; i++) for (const k of Object.keys(rows.at(i))) seen.add(k);
    return [...new Set([...seen, ...KNOWN_FIELDS])].filter((f) => !cols.includes(f)).sort();
  }, [firstRows, cols]);
  return (
    <div class="vt" role="table" aria-label="Results" data-testid="results" ref={scroller}>
      <div class="vt-head" role="row">
        {cols.map((c) => (
          <div class={`vt-cell c-${c.replace(/\W/g, '_')}`} role="columnheader">
            {c}
            <button type="button" class="x" title={`Remove column ${c}`} aria-label={`Remove column ${c}`} onClick={() => onCols(cols.filter((x) => x !== c))}>×</button>
          </div>
        ))}
        <div class="vt-add">
          <select aria-label="Add a column" value="" onChange={(e) => { const v = (e.target as HTMLSelectElement).value; if (v) onCols([...cols, v]); }}>
            <option value="">+ column</option>
            {addable.map((f) => <option value={f}>{f}</option>)}
          </select>
        </div>
      </div>
      <div class="vt-body" role="rowgroup" style={{ height: `${rows.length * ROW_H}px` }}>{shown}</div>
    </div>
  );
}

interface Facet {
  field: string;
  vals: Ev[];
  total: number;
}

function Facets({ facets, onFilter }: { facets: Facet[]; onFilter: (f: string, v: unknown, negate: boolean) => void }) {
  return (
    <>
      <h3>Fields</h3>
      {facets.map(({ field: f, vals, total }) => (
        <div class="facet" data-facet={f}>
          <div class="facet-name">{f}</div>
          {vals.map((x) => (
            <div class="facet-row">
              <button type="button" class="facet-val" title={`Filter for ${f}:${x[f]}`} onClick={() => onFilter(f, x[f], false)}>{String(x[f])}</button>
              <span class="facet-bar"><i style={{ width: `${Math.round((100 * x.hits) / Math.max(1, total))}%` }} /></span>
              <span class="facet-n">{fmtNum(x.hits)}</span>
              <button type="button" class="ghost small" title={`Filter out ${f}:${x[f]}`} aria-label={`Filter out ${f}:${x[f]}`} onClick={() => onFilter(f, x[f], true)}>−</button>
            </div>
          ))}
        </div>
      ))}
    </>
  );
}

// An element built outside Preact (a uPlot chart) placed in the tree.
function Mount({ el }: { el: HTMLElement | null }) {
  const slot = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => { slot.current!.replaceChildren(...(el ? [el] : [])); }, [el]);
  return <div ref={slot} />;
}

function StatsChart({ rows, cols }: { rows: Ev[]; cols: string[] }) {
  const [kind, setKind] = useState('line');
  const keys = cols.filter((c) => c !== '_time' && rows.some((x) => typeof x[c] === 'string'));
  const nums = cols.filter((c) => c !== '_time' && !keys.includes(c) && rows.some((x) => typeof x[c] === 'number'));
  const series = new Map<string, [number, number | null][]>();
  for (const row of rows) {
    for (const n of keys.length ? nums.slice(0, 1) : nums) {
      const name = keys.length ? keys.map((k) => row[k]).join(' · ') : n;
      if (!series.has(name)) series.set(name, []);
      series.get(name)!.push([toMs(row._time), row[n]]);
    }
  }
  const list: Series[] = [...series].slice(0, 12).map(([name, points]) => ({ name, points }));
  const [chart, setChart] = useState<HTMLElement | null>(null);
  useEffect(() => {
    let live = true;
    charts().then((m) => { if (live) setChart(m.lineChart(list, { bars: kind === 'bar' })); }, () => {});
    return () => { live = false; };
  }, [kind, rows]);
  return (
    <div class="card">
      <div class="row">
        <strong>Chart</strong>
        <select aria-label="Chart type" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
          <option value="line">lines</option>
          <option value="bar">bars</option>
        </select>
      </div>
      <Mount el={chart} />
    </div>
  );
}

function StatsResult({ rows }: { rows: Ev[] }) {
  const cols: string[] = [];
  for (const row of rows.slice(0, 100)) for (const k of Object.keys(row)) if (!cols.includes(k)) cols.push(k);
  return (
    <>
      {cols.includes('_time') ? <StatsChart rows={rows} cols={cols} /> : null}
      <div class="card stats-table" data-testid="stats-table"><Table rows={rows} cols={cols} fmt={{ _time: (v) => fmtTime(v) }} /></div>
    </>
  );
}

type Results =
  | { kind: 'running' }
  | { kind: 'table' }
  | { kind: 'stats'; rows: Ev[] }
  | { kind: 'error'; err: unknown };

// The query editor as the page uses it: CodeMirror once loaded, a plain textarea until then.
interface PageEditor {
  text(): string;
  setText(text: string): void;
  showError(pos: { line: number; col: number; message: string } | null): void;
  destroy(): void;
}

// CodeMirror (most of the search page's script) is a chunk of its own, loaded after the page
// has drawn and its queries are sent: until it is there a plain textarea holds the query (Enter
// runs, typing is kept), then the editor takes its place with the text, the caret and the
// focus. The chunk's evaluation and the editor's first layout are separate tasks, after the
// page's own first render: on one task, they were the page-load long task of issue 17.
function lazyEditor(parent: HTMLElement, doc: string, o: Omit<EditorOptions, 'parent' | 'doc'>): PageEditor {
  const ta = document.createElement('textarea');
  ta.className = 'plain';
  ta.rows = 1;
  ta.value = doc;
  ta.spellcheck = false;
  ta.setAttribute('aria-label', o.label);
  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      o.onSubmit();
    }
  });
  ta.addEventListener('input', () => o.onChange(ta.value));
  parent.append(ta);
  let cm: QueryEditor | null = null;
  let error: Parameters<PageEditor['showError']>[0] = null;
  let gone = false;
  import('../editor.js').then(async (m) => {
    await nextTask();
    if (gone) return;
    const focused = document.activeElement === ta;
    const [from, to] = [ta.selectionStart, ta.selectionEnd];
    cm = m.queryEditor({ ...o, parent, doc: ta.value });
    ta.remove();
    if (error) cm.showError(error);
    if (focused) {
      cm.view.focus();
      cm.view.dispatch({ selection: { anchor: from, head: to } });
    }
  }).catch(() => {
    /* the chunk of another version (the shell's reload notice says so): the textarea stays */
  });
  return {
    text: () => (cm ? cm.text() : ta.value),
    setText(text) {
      if (cm) cm.setText(text);
      else ta.value = text;
    },
    showError(pos) {
      error = pos;
      cm?.showError(pos);
    },
    destroy() {
      gone = true;
      cm?.view.destroy();
    },
  };
}
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function SearchPage({ params }: { params: URLSearchParams }) {
  const st = useRef<State>({
    q: params.get('q') || '*',
    range: rangeFromParams(params),
    cols: (params.get('cols') || DEFAULT_COLS.join(',')).split(',').filter(Boolean),
    order: params.get('order') === 'newest' ? 'newest' : 'stream',
    limit: Number(params.get('limit')) || 1000,
  }).current;
  const editorSlot = useRef<HTMLDivElement>(null);
  const ed = useRef<PageEditor | null>(null);
  const rows = useRef(new RowStore()).current;
  const live = useRef<Live>({ listeners: new Set(), summary: 'Running…', done: false }).current;
  const redrawNow = () => { for (const f of live.listeners) f(); };
  const setSummary = (text: string) => {
    live.summary = text;
    redrawNow();
  };
  const [syntax, setSyntax] = useState('');
  const [hist, setHist] = useState<HTMLElement | null>(null);
  const [facets, setFacets] = useState<Facet[]>([]);
  const [results, setResults] = useState<Results>({ kind: 'running' });
  const [selected, setSelected] = useState(-1);
  const abort = useRef(new AbortController());

  const showSyntax = (err: unknown) => {
    const m = err instanceof Error ? /^(\d+):(\d+): (.*)$/s.exec(err.message || '') : null;
    if (m) {
      setSyntax(`Syntax error at line ${m[1]}, column ${m[2]}: ${m[3]}`);
      ed.current?.showError({ line: Number(m[1]), col: Number(m[2]), message: m[3]! });
    } else {
      setSyntax('');
      ed.current?.showError(null);
    }
  };

  // Runs the editor's text: the URL changes (a new history entry), then the page renders it.
  const submit = () => {
    st.q = ed.current!.text().trim() || '*';
    const href = urlFor(st);
    if (href === location.pathname + location.search) run();
    else navigate(href);
  };
  const setQuery = (q: string) => {
    ed.current!.setText(q);
    submit();
  };
  const onValue = (e: MouseEvent, field: string, value: unknown) => {
    e.stopPropagation();
    valueMenu(e, field, value, [
      { label: `Filter for ${field}:${value === null ? '*' : quoteValue(value)}`, run: () => setQuery(addFilter(ed.current!.text(), field, value)) },
      { label: `Filter out -${field}:…`, run: () => setQuery(addFilter(ed.current!.text(), field, value, true)) },
      st.cols.includes(field)
        ? { label: `Remove column ${field}`, run: () => { st.cols = st.cols.filter((c) => c !== field); submit(); } }
        : { label: `Add column ${field}`, run: () => { st.cols = [...st.cols, field]; submit(); } },
      field === 'request_id' ? { label: 'Open the trace', run: () => navigate(`/ui/trace/${encodeURIComponent(String(value))}`) } : null,
    ].filter(Boolean));
  };

  // The facets of the fields the results have (their sampled statistics), top values each.
  async function loadFacets(filter: string, sample: { sampled: number; fieldStats: FieldStat[] }, signal: AbortSignal) {
    const columns = await columnStats();
    const out: Facet[] = [];
    for (const f of facetFields(sample.fieldStats, sample.sampled, columns)) {
      if (signal.aborted) return;
      let r;
      try {
        r = await query(`${filter} | top 5 by (${f})`, st.range, {}, signal);
      } catch (_) {
        if (signal.aborted) return;
        continue;
      }
      const vals = r.rows.filter((x) => x[f] !== null && x[f] !== undefined);
      if (!vals.length) continue;
      out.push({ field: f, vals, total: r.rows.reduce((a, x) => a + x.hits, 0) });
      setFacets([...out]);
    }
  }

  async function loadHistogram(filter: string, signal: AbortSignal): Promise<number> {
    const [from, to] = rangeBounds(st.range);
    const span = Math.max(1000, to - from);
    const bucketMs = BUCKETS.find((b) => span / b <= 120) || BUCKETS[BUCKETS.length - 1]!;
    const r = await query(`${filter} | stats count() by (_time:${BUCKET_NAMES[bucketMs]}, level)`, st.range, { limit: 100000 }, signal);
    const buckets = new Map<number, Record<string, number>>();
    let total = 0;
    for (const row of r.rows) {
      const t = toMs(row._time);
      const lvl = row.level ?? 'other';
      const c = buckets.get(t) || {};
      c[lvl] = (c[lvl] || 0) + row['count()'];
      total += row['count()'];
      buckets.set(t, c);
    }
    const startAligned = Math.floor(from / bucketMs) * bucketMs;
    if (!signal.aborted) {
      const { histogram } = await charts();
      if (signal.aborted) return total;
      setHist(histogram({ from: startAligned, to, bucketMs, buckets }, (a, b) => {
        st.range = { from: new Date(a).toISOString(), to: new Date(b).toISOString() };
        submit();
      }));
    }
    return total;
  }

  async function run() {
    abort.current.abort();
    abort.current = new AbortController();
    const signal = abort.current.signal;
    const { filter, pipes } = splitPipes(st.q);
    rows.clear();
    redrawNow();
    setSelected(-1);
    setHist(null);
    setFacets([]);
    live.done = false;
    setSummary('Running…');
    showSyntax(null);
    if (pipes) {
      setResults({ kind: 'running' });
      try {
        const r = await query(st.q, st.range, { limit: 100000 }, signal);
        setSummary(`${fmtNum(r.rows.length)} result rows · ${fmtNum(r.stats?.rows_matched)} events matched · ${fmtNum(r.stats?.elapsed_ms)} ms`);
        setResults({ kind: 'stats', rows: r.rows });
      } catch (err) {
        if (signal.aborted) return;
        showSyntax(err);
        setSummary('');
        setResults({ kind: 'error', err });
      }
      return;
    }
    setResults({ kind: 'table' });
    const started = performance.now();
    let matched: number | null = null;
    let frame = 0;
    const say = () => {
      const ms = Math.round(performance.now() - started);
      setSummary(`${matched === null ? '…' : fmtNum(matched)} events matched · showing ${fmtNum(rows.length)}${matched !== null && rows.length < matched ? ` (limit ${fmtNum(st.limit)})` : ''} · ${ms} ms`);
    };
    // Streamed batches are drawn once per frame.
    const redraw = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (signal.aborted) return;
        say();
      });
    };
    const results = (async () => {
      if (st.order === 'newest') {
        const r = await query(`${filter} | sort by (ts desc) | limit ${st.limit}`, st.range, {}, signal);
        rows.addObjects(r.rows);
        redraw();
        const sampler = new FieldSampler();
        for (const row of r.rows.slice(0, 2000)) sampler.add(row);
        return { sampled: sampler.sampled, fieldStats: sampler.result() };
      }
      return await streamQuery(filter, st.range, st.limit, (text, ends, fields) => {
        rows.addText(text, ends);
        for (const k of fields) fieldNames.add(k);
        redraw();
      }, signal);
    })();
    const histDone = loadHistogram(filter, signal).then((n) => { matched = n; say(); });
    let sample;
    try {
      [sample] = await Promise.all([results, histDone]);
      cancelAnimationFrame(frame);
      frame = 0;
      say();
      live.done = true;
      redrawNow();
    } catch (failed) {
      // The rows' own error first: its line:column are those of the text as typed (the
      // histogram's query appends a `| stats …` that moves an unterminated string's error).
      let err = failed;
      try {
        await results;
      } catch (e) {
        err = e;
      }
      if (signal.aborted) return;
      showSyntax(err);
      setSummary('');
      setResults({ kind: 'error', err });
      return;
    }
    loadFacets(filter, sample, signal);
  }

  useEffect(() => {
    // Asks the server's parser about the text (an empty time range: nothing is scanned).
    let checkSeq = 0;
    const checkSyntax = debounce(async () => {
      const seq = ++checkSeq;
      try {
        await call('GET', '/v1/query', {
          query: { q: ed.current!.text(), since: '1970-01-01T00:00:00Z', until: '1970-01-01T00:00:00.001Z', limit: 1, format: 'json' },
          queued: true,
        });
        if (seq === checkSeq) showSyntax(null);
      } catch (err) {
        if (seq === checkSeq && err instanceof ApiError && err.code === 'bad_request') showSyntax(err);
      }
    }, 350);
    const opts: Omit<EditorOptions, 'parent' | 'doc'> = {
      label: 'VQL query (Enter runs, Shift+Enter for a new line)',
      onSubmit: submit,
      onChange: () => checkSyntax(),
      fields: async () => {
        // Column statistics of the store (admin keys); a read key may not see /v1/stats: known
        // and seen fields only.
        for (const c of await columnStats()) fieldNames.add(c.name);
        return fieldNames;
      },
      values: (field) => {
        const key = `${field}|${JSON.stringify(st.range)}`;
        if (!valueCache.has(key)) {
          valueCache.set(key, query(`${field}:* | top 12 by (${field})`, st.range)
            .then((r) => r.rows.map((x) => x[field]).filter((v) => v !== null && v !== undefined))
            .catch(() => []));
        }
        return valueCache.get(key)!;
      },
    };
    ed.current = lazyEditor(editorSlot.current!, st.q, opts);
    const esc = (e: KeyboardEvent) => { if (e.key === 'Escape') setSelected(-1); };
    document.addEventListener('keydown', esc);
    // The queries are sent in a task of their own (the effects of the page's first render are
    // one task already), and the charts' module is fetched meanwhile.
    const start = setTimeout(() => {
      run();
      charts().catch(() => {
        /* the chunk of another version (the shell's reload notice says so): no chart */
      });
    }, 0);
    return () => {
      clearTimeout(start);
      abort.current.abort();
      document.removeEventListener('keydown', esc);
      ed.current?.destroy();
    };
  }, []);

  const ev = selected >= 0 && selected < rows.length ? rows.at(selected) : null;
  let main: ComponentChildren;
  if (results.kind === 'error') main = <ErrorBox err={results.err} />;
  else if (results.kind === 'stats') main = <StatsResult rows={results.rows} />;
  else if (results.kind === 'running') main = <p class="muted">Running…</p>;
  else {
    main = (
      <>
        <ResultsTable rows={rows} live={live} cols={st.cols} selected={selected} onOpen={setSelected} onValue={onValue}
          onCols={(cols) => { st.cols = cols; submit(); }} />
        <NoRows live={live} rows={rows} />
      </>
    );
  }
  const statsMode = results.kind === 'stats' || (results.kind !== 'table' && splitPipes(st.q).pipes !== '');
  return (
    <div class="page search">
      <div class="query-bar">
        <div class="editor" ref={editorSlot} />
        <div class="controls">
          <TimePicker range={st.range} onChange={(r) => { if (r) st.range = r; submit(); }} />
          <select aria-label="Order" value={st.order} onChange={(e) => { st.order = (e.target as HTMLSelectElement).value as State['order']; submit(); }}>
            <option value="stream">oldest first (streamed)</option>
            <option value="newest">newest first</option>
          </select>
          <select aria-label="Rows" value={String(st.limit)} onChange={(e) => { st.limit = Number((e.target as HTMLSelectElement).value); submit(); }}>
            {[100, 1000, 10000, 100000].map((n) => <option value={String(n)}>{`${fmtNum(n)} rows`}</option>)}
          </select>
          <button type="button" class="primary" onClick={submit}>Run</button>
        </div>
      </div>
      <div class={`syntax${syntax ? ' show' : ''}`} role="alert" aria-live="polite">{syntax}</div>
      <Summary live={live} />
      <div class="hist-slot"><Mount el={hist} /></div>
      <div class={`results${statsMode ? ' no-facets' : ''}`}>
        <aside class="facets" aria-label="Field facets" style={{ display: statsMode ? 'none' : '' }}>
          <Facets facets={facets} onFilter={(f, v, neg) => setQuery(addFilter(ed.current!.text(), f, v, neg))} />
        </aside>
        <div class="results-main">{main}</div>
      </div>
      <div class={`drawer${ev ? ' open' : ''}`} role="region" aria-label="Event">
        {ev ? (
          <div class="drawer-box">
            <div class="drawer-head">
              <strong>{`Event ${selected + 1} of ${rows.length}`}</strong>
              {ev.request_id ? <a href={`/ui/trace/${encodeURIComponent(ev.request_id)}`}>trace</a> : null}
              <button type="button" class="ghost" onClick={() => setSelected(-1)}>close</button>
            </div>
            <EventView ev={ev} onValue={(e, f, v) => onValue(e as MouseEvent, f, v)} />
            <details><summary>JSON</summary><pre class="json">{JSON.stringify(ev, null, 2)}</pre></details>
          </div>
        ) : null}
      </div>
    </div>
  );
}

export function render(main: HTMLElement, route: Route) {
  draw(<SearchPage params={route.params} />, main);
  return () => draw(null, main);
}
