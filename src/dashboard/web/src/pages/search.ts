// @ts-nocheck — not typed yet: ported from the hand-written module as it was (docs/dashboard.md, STATUS).
// Search: the VQL editor (highlighting, autocomplete of fields and values, syntax errors at
// line:column while typing), the time picker, the histogram by level (drag to zoom), the
// streamed virtualized results table with click-to-filter, field facets, and stats queries
// as a table and chart. The query and range live in the URL (/ui/search?q=...&range=1h).
import { h, clear, fmtTime, fmtNum, debounce, errorBox, toMs } from '../dom.js';
import { call, query, streamQuery, getJson, rangeParams, ApiError } from '../api.js';
import { splitPipes, addFilter, quoteValue } from '../vql.js';
import { queryEditor } from '../editor.js';
import { histogram, lineChart } from '../chart.js';
import { valueMenu, timePicker, rangeFromParams, rangeToParams, rangeBounds, eventView, table } from '../widgets.js';
import { navigate } from '../nav.js';

const ROW_H = 26;
const DEFAULT_COLS = ['ts', 'level', 'service', 'msg'];
const FACETS = ['service', 'level', 'kind', 'route', 'status', 'browser', 'host'];
const KNOWN_FIELDS = [
  'ts', 'kind', 'level', 'service', 'env', 'host', 'version', 'tenant', 'request_id', 'trace_id', 'span_id',
  'user_id', 'session_id', 'msg', 'method', 'route', 'path', 'status', 'duration_ms', 'ip', 'ua', 'bytes_in',
  'bytes_out', 'browser', 'browser_version', 'os', 'os_version', 'device', 'perf_class', 'error.type',
  'error.message', 'error.stack', 'fingerprint', 'action', 'actor', 'entity', 'entity_id', 'outcome',
  'metric', 'value', 'unit',
];
const BUCKETS = [1e3, 5e3, 1e4, 3e4, 6e4, 3e5, 6e5, 18e5, 36e5, 108e5, 216e5, 432e5, 864e5];
const BUCKET_NAMES = { 1e3: '1s', 5e3: '5s', 1e4: '10s', 3e4: '30s', 6e4: '1m', 3e5: '5m', 6e5: '10m', 18e5: '30m', 36e5: '1h', 108e5: '3h', 216e5: '6h', 432e5: '12h', 864e5: '1d' };

const fieldNames = new Set(KNOWN_FIELDS);
let statsColumnsLoaded = false;
const valueCache = new Map();

// The text a results cell shows for the message column when an event has no msg.
function summary(ev) {
  if (ev.msg !== undefined) return ev.msg;
  if (ev['error.message'] !== undefined) return `${ev['error.type'] ?? 'error'}: ${ev['error.message']}`;
  if (ev.kind === 'request') return [ev.method, ev.path ?? ev.route, ev.status, ev.duration_ms !== undefined ? `${fmtNum(ev.duration_ms)} ms` : ''].filter((x) => x !== undefined && x !== '').join(' ');
  if (ev.action !== undefined) return `${ev.actor ?? ''} ${ev.action} ${ev.entity ?? ''} ${ev.entity_id ?? ''}`.trim();
  return '';
}

function cellText(ev, col) {
  if (col === 'ts') return fmtTime(ev.ts);
  if (col === 'msg') return summary(ev);
  const v = ev[col];
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export async function render(main, route) {
  const params = route.params;
  const state = {
    q: params.get('q') || '*',
    range: rangeFromParams(params),
    cols: (params.get('cols') || DEFAULT_COLS.join(',')).split(',').filter(Boolean),
    order: params.get('order') === 'newest' ? 'newest' : 'stream',
    limit: Number(params.get('limit')) || 1000,
  };
  let abort = new AbortController();
  // The results: objects, or (streamed) each row's JSON text until it is first shown.
  let rows = [];
  const rowAt = (i) => {
    const r = rows[i];
    if (typeof r !== 'string') return r;
    const ev = JSON.parse(r);
    rows[i] = ev;
    return ev;
  };
  let selected = -1;

  // ---- the editor (CodeMirror 6, editor.ts) ----
  const editorSlot = h('div', { class: 'editor' });
  const syntax = h('div', { class: 'syntax', role: 'alert', 'aria-live': 'polite' });
  let ed = null;

  function showSyntax(err) {
    const m = err && /^(\d+):(\d+): (.*)$/s.exec(err.message || '');
    if (m) {
      syntax.textContent = `Syntax error at line ${m[1]}, column ${m[2]}: ${m[3]}`;
      syntax.className = 'syntax show';
      ed?.showError({ line: Number(m[1]), col: Number(m[2]), message: m[3] });
    } else {
      syntax.textContent = '';
      syntax.className = 'syntax';
      ed?.showError(null);
    }
  }

  // Asks the server's parser about the text (an empty time range: nothing is scanned).
  let checkSeq = 0;
  const checkSyntax = debounce(async () => {
    const seq = ++checkSeq;
    const text = ed.text();
    try {
      await call('GET', '/v1/query', {
        query: { q: text, since: '1970-01-01T00:00:00Z', until: '1970-01-01T00:00:00.001Z', limit: 1, format: 'json' },
        queued: true,
      });
      if (seq === checkSeq) showSyntax(null);
    } catch (err) {
      if (seq === checkSeq && err instanceof ApiError && err.code === 'bad_request') showSyntax(err);
    }
  }, 350);

  // ---- autocomplete sources ----
  async function loadStatsColumns() {
    if (statsColumnsLoaded) return;
    statsColumnsLoaded = true;
    try {
      // Column statistics of the store (admin keys); other keys use the fields seen.
      const s = await getJson('/v1/stats', {}, {}, {});
      for (const c of s.columns || []) fieldNames.add(c.name);
    } catch (_) {
      /* a read key may not see /v1/stats: known and seen fields only */
    }
  }
  async function valuesOf(field) {
    const key = `${field}|${JSON.stringify(state.range)}`;
    if (valueCache.has(key)) return valueCache.get(key);
    const p = query(`${field}:* | top 12 by (${field})`, state.range)
      .then((r) => r.rows.map((x) => x[field]).filter((v) => v !== null && v !== undefined))
      .catch(() => []);
    valueCache.set(key, p);
    return p;
  }
  ed = queryEditor({
    parent: editorSlot,
    doc: state.q,
    label: 'VQL query (Enter runs, Shift+Enter for a new line)',
    onSubmit: () => submit(),
    onChange: () => checkSyntax(),
    fields: async () => { await loadStatsColumns(); return fieldNames; },
    values: valuesOf,
  });

  // ---- controls ----
  const picker = timePicker(state.range, (r) => {
    if (r) state.range = r;
    submit();
  });
  const limitSel = h('select', { 'aria-label': 'Rows', onchange: () => { state.limit = Number(limitSel.value); submit(); } },
    ...[100, 1000, 10000, 100000].map((n) => h('option', { value: n, selected: n === state.limit }, `${fmtNum(n)} rows`)));
  const orderSel = h('select', { 'aria-label': 'Order', onchange: () => { state.order = orderSel.value; submit(); } },
    h('option', { value: 'stream', selected: state.order === 'stream' }, 'oldest first (streamed)'),
    h('option', { value: 'newest', selected: state.order === 'newest' }, 'newest first'));
  const runBtn = h('button', { type: 'button', class: 'primary', onclick: () => submit() }, 'Run');
  const summaryEl = h('div', { class: 'summary', 'data-testid': 'summary' });
  const histEl = h('div', { class: 'hist-slot' });
  const facetsEl = h('aside', { class: 'facets', 'aria-label': 'Field facets' });
  const resultsEl = h('div', { class: 'results-main' });
  const drawer = h('div', { class: 'drawer', role: 'region', 'aria-label': 'Event' });
  const resultsBox = h('div', { class: 'results' }, facetsEl, resultsEl);

  main.appendChild(h('div', { class: 'page search' },
    h('div', { class: 'query-bar' },
      editorSlot,
      h('div', { class: 'controls' }, picker, orderSel, limitSel, runBtn)),
    syntax, summaryEl, histEl,
    resultsBox,
    drawer));

  function urlFor(s) {
    const p = new URLSearchParams();
    p.set('q', s.q);
    rangeToParams(s.range, p);
    if (s.cols.join(',') !== DEFAULT_COLS.join(',')) p.set('cols', s.cols.join(','));
    if (s.order !== 'stream') p.set('order', s.order);
    if (s.limit !== 1000) p.set('limit', String(s.limit));
    return `/ui/search?${p}`;
  }

  // Runs the editor's text: the URL changes (a new history entry), then the page renders it.
  function submit() {
    state.q = ed.text().trim() || '*';
    const href = urlFor(state);
    if (href === location.pathname + location.search) run();
    else navigate(href);
  }
  function setQuery(q) {
    ed.setText(q);
    submit();
  }
  function onValue(e, field, value) {
    e.stopPropagation();
    valueMenu(e, field, value, [
      { label: `Filter for ${field}:${value === null ? '*' : quoteValue(value)}`, run: () => setQuery(addFilter(ed.text(), field, value)) },
      { label: `Filter out -${field}:…`, run: () => setQuery(addFilter(ed.text(), field, value, true)) },
      state.cols.includes(field)
        ? { label: `Remove column ${field}`, run: () => { state.cols = state.cols.filter((c) => c !== field); submit(); } }
        : { label: `Add column ${field}`, run: () => { state.cols = [...state.cols, field]; submit(); } },
      field === 'request_id' ? { label: 'Open the trace', run: () => navigate(`/ui/trace/${encodeURIComponent(value)}`) } : null,
    ].filter(Boolean));
  }

  // ---- the virtualized table ----
  let vt = null;
  function buildTable() {
    const head = h('div', { class: 'vt-head', role: 'row' },
      ...state.cols.map((c) => h('div', { class: `vt-cell c-${c.replace(/\W/g, '_')}`, role: 'columnheader' }, c,
        h('button', { type: 'button', class: 'x', title: `Remove column ${c}`, 'aria-label': `Remove column ${c}`,
          onclick: () => { state.cols = state.cols.filter((x) => x !== c); submit(); } }, '×'))),
      h('div', { class: 'vt-add' }, addColumnSelect()));
    const body = h('div', { class: 'vt-body', role: 'rowgroup' });
    const scroller = h('div', { class: 'vt', role: 'table', 'aria-label': 'Results', 'data-testid': 'results' }, head, body);
    let scheduled = false;
    const draw = () => {
      scheduled = false;
      body.style.height = `${rows.length * ROW_H}px`;
      const top = Math.max(0, Math.floor(scroller.scrollTop / ROW_H) - 5);
      const n = Math.ceil((scroller.clientHeight || 600) / ROW_H) + 10;
      const out = [];
      for (let i = top; i < Math.min(rows.length, top + n); i++) {
        const ev = rowAt(i);
        const r = h('div', {
          class: `vt-row${i === selected ? ' selected' : ''}`, role: 'row', dataset: { i },
          style: { top: `${i * ROW_H}px` },
        }, ...state.cols.map((c) => {
          const v = ev[c];
          const cls = `vt-cell c-${c.replace(/\W/g, '_')}${c === 'level' ? ` lvl-${v}` : ''}`;
          return h('div', { class: cls, role: 'cell' }, h('span', { class: 'val', dataset: { field: c } }, cellText(ev, c)));
        }));
        out.push(r);
      }
      body.replaceChildren(...out);
    };
    const schedule = () => {
      if (!scheduled) {
        scheduled = true;
        requestAnimationFrame(draw);
      }
    };
    scroller.addEventListener('scroll', schedule);
    body.addEventListener('click', (e) => {
      const row = e.target.closest('.vt-row');
      if (!row) return;
      const i = Number(row.dataset.i);
      const val = e.target.closest('.val');
      if (val && val.dataset.field && val.dataset.field !== 'msg' && val.dataset.field !== 'ts') {
        const f = val.dataset.field;
        return onValue(e, f, rowAt(i)[f] ?? null);
      }
      openEvent(i);
    });
    vt = { scroller, schedule };
    return scroller;
  }
  function addColumnSelect() {
    const seen = new Set();
    for (let i = 0; i < Math.min(rows.length, 200); i++) for (const k of Object.keys(rowAt(i))) seen.add(k);
    const opts = [...new Set([...seen, ...KNOWN_FIELDS])].filter((f) => !state.cols.includes(f)).sort();
    const sel = h('select', { 'aria-label': 'Add a column', onchange: () => { if (sel.value) { state.cols = [...state.cols, sel.value]; submit(); } } },
      h('option', { value: '' }, '+ column'), ...opts.map((f) => h('option', { value: f }, f)));
    return sel;
  }
  function openEvent(i) {
    selected = i;
    vt?.schedule();
    const ev = rowAt(i);
    clear(drawer).appendChild(h('div', { class: 'drawer-box' },
      h('div', { class: 'drawer-head' }, h('strong', null, `Event ${i + 1} of ${rows.length}`),
        ev.request_id ? h('a', { href: `/ui/trace/${encodeURIComponent(ev.request_id)}` }, 'trace') : null,
        h('button', { type: 'button', class: 'ghost', onclick: () => { drawer.classList.remove('open'); selected = -1; vt?.schedule(); } }, 'close')),
      eventView(ev, onValue),
      h('details', null, h('summary', null, 'JSON'), h('pre', { class: 'json' }, JSON.stringify(ev, null, 2)))));
    drawer.classList.add('open');
  }
  document.addEventListener('keydown', escDrawer);
  function escDrawer(e) {
    if (e.key === 'Escape') {
      drawer.classList.remove('open');
      selected = -1;
      vt?.schedule();
    }
  }

  // ---- facets ----
  async function loadFacets(filter, signal) {
    clear(facetsEl).appendChild(h('h3', null, 'Fields'));
    for (const f of FACETS) {
      if (signal.aborted) return;
      let r;
      try {
        r = await query(`${filter} | top 5 by (${f})`, state.range, {}, signal);
      } catch (err) {
        if (signal.aborted) return;
        continue;
      }
      const vals = r.rows.filter((x) => x[f] !== null && x[f] !== undefined);
      if (!vals.length) continue;
      const total = r.rows.reduce((a, x) => a + x.hits, 0);
      facetsEl.appendChild(h('div', { class: 'facet', 'data-facet': f },
        h('div', { class: 'facet-name' }, f),
        ...vals.map((x) => h('div', { class: 'facet-row' },
          h('button', { type: 'button', class: 'facet-val', title: `Filter for ${f}:${x[f]}`, onclick: () => setQuery(addFilter(ed.text(), f, x[f])) }, String(x[f])),
          h('span', { class: 'facet-bar' }, h('i', { style: { width: `${Math.round((100 * x.hits) / Math.max(1, total))}%` } })),
          h('span', { class: 'facet-n' }, fmtNum(x.hits)),
          h('button', { type: 'button', class: 'ghost small', title: `Filter out ${f}:${x[f]}`, 'aria-label': `Filter out ${f}:${x[f]}`, onclick: () => setQuery(addFilter(ed.text(), f, x[f], true)) }, '−')))));
    }
  }

  // ---- histogram ----
  async function loadHistogram(filter, signal) {
    const [from, to] = rangeBounds(state.range);
    const span = Math.max(1000, to - from);
    const bucketMs = BUCKETS.find((b) => span / b <= 120) || BUCKETS[BUCKETS.length - 1];
    const r = await query(`${filter} | stats count() by (_time:${BUCKET_NAMES[bucketMs]}, level)`, state.range, { limit: 100000 }, signal);
    const buckets = new Map();
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
    histEl.replaceChildren(histogram({ from: startAligned, to, bucketMs, buckets }, (a, b) => {
      state.range = { from: new Date(a).toISOString(), to: new Date(b).toISOString() };
      submit();
    }));
    return total;
  }

  // ---- stats queries ----
  async function runStats(signal) {
    const r = await query(state.q, state.range, { limit: 100000 }, signal);
    const cols = [];
    for (const row of r.rows.slice(0, 100)) for (const k of Object.keys(row)) if (!cols.includes(k)) cols.push(k);
    summaryEl.textContent = `${fmtNum(r.rows.length)} result rows · ${fmtNum(r.stats?.rows_matched)} events matched · ${fmtNum(r.stats?.elapsed_ms)} ms`;
    const parts = [];
    if (cols.includes('_time')) {
      const keys = cols.filter((c) => c !== '_time' && r.rows.some((x) => typeof x[c] === 'string'));
      const nums = cols.filter((c) => c !== '_time' && !keys.includes(c) && r.rows.some((x) => typeof x[c] === 'number'));
      const series = new Map();
      for (const row of r.rows) {
        for (const n of keys.length ? nums.slice(0, 1) : nums) {
          const name = keys.length ? keys.map((k) => row[k]).join(' · ') : n;
          if (!series.has(name)) series.set(name, []);
          series.get(name).push([toMs(row._time), row[n]]);
        }
      }
      const kind = h('select', { 'aria-label': 'Chart type' }, h('option', { value: 'line' }, 'lines'), h('option', { value: 'bar' }, 'bars'));
      const slot = h('div');
      const draw = () => slot.replaceChildren(lineChart([...series].slice(0, 12).map(([name, points]) => ({ name, points })), { bars: kind.value === 'bar' }));
      kind.addEventListener('change', draw);
      draw();
      parts.push(h('div', { class: 'card' }, h('div', { class: 'row' }, h('strong', null, 'Chart'), kind), slot));
    }
    parts.push(h('div', { class: 'card stats-table', 'data-testid': 'stats-table' }, table(r.rows, cols, {
      _time: (v) => fmtTime(v),
    })));
    resultsEl.replaceChildren(...parts);
  }

  // ---- run ----
  async function run() {
    abort.abort();
    abort = new AbortController();
    const signal = abort.signal;
    const { filter, pipes } = splitPipes(state.q);
    rows = [];
    selected = -1;
    drawer.classList.remove('open');
    histEl.replaceChildren();
    clear(facetsEl);
    summaryEl.textContent = 'Running…';
    showSyntax(null);
    if (pipes) {
      facetsEl.style.display = 'none';
      resultsBox.classList.add('no-facets');
      resultsEl.replaceChildren(h('p', { class: 'muted' }, 'Running…'));
      try {
        await runStats(signal);
      } catch (err) {
        if (signal.aborted) return;
        showSyntax(err);
        summaryEl.textContent = '';
        resultsEl.replaceChildren(errorBox(err));
      }
      return;
    }
    facetsEl.style.display = '';
    resultsBox.classList.remove('no-facets');
    resultsEl.replaceChildren(buildTable());
    const started = performance.now();
    let matched = null;
    let streamed = 0;
    const say = () => {
      const ms = Math.round(performance.now() - started);
      summaryEl.textContent = `${matched === null ? '…' : fmtNum(matched)} events matched · showing ${fmtNum(rows.length)}${matched !== null && rows.length < matched ? ` (limit ${fmtNum(state.limit)})` : ''} · ${ms} ms`;
    };
    const results = (async () => {
      if (state.order === 'newest') {
        const r = await query(`${filter} | sort by (ts desc) | limit ${state.limit}`, state.range, {}, signal);
        rows = r.rows;
        vt.schedule();
        return;
      }
      await streamQuery(filter, state.range, state.limit, (lines, fields) => {
        for (const l of lines) rows.push(l);
        streamed += lines.length;
        for (const k of fields) fieldNames.add(k);
        vt.schedule();
        say();
      }, signal);
    })();
    const hist = loadHistogram(filter, signal).then((n) => { matched = n; say(); });
    try {
      await Promise.all([results, hist]);
      say();
      const sel = resultsEl.querySelector('.vt-add');
      if (sel) sel.replaceChildren(addColumnSelect());
      if (!rows.length) resultsEl.appendChild(h('p', { class: 'muted empty' }, 'No events match this query in this time range.'));
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
      summaryEl.textContent = '';
      resultsEl.replaceChildren(errorBox(err));
      return;
    }
    loadFacets(filter, signal);
  }

  run();
  return () => {
    abort.abort();
    document.removeEventListener('keydown', escDrawer);
  };
}
