// The search page's latency as a user sees it, measured in the browser: for each query, open
// the search page on a query that matches nothing, type the query, press Enter, and time from
// the Enter keydown to (a) the first result row drawn and (b) the histogram drawn (its canvas
// has coloured bars), each seen by a requestAnimationFrame loop (one frame, ~16 ms, of
// resolution), plus the count the page shows. Run by dashboard_bench.sh:
//   node dashboard_bench.mjs <base-url> <runs>
// playwright-core comes from tests/dashboard (its lockfile; no dependency of its own).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../tests/dashboard/package.json'));
const { chromium } = require('playwright-core');

const [base, runsArg = '5'] = process.argv.slice(2);
const runs = Number(runsArg);
// STREAM_ONLY=1 skips the per-query latencies (only the 100,000-row streaming check).
// PAGE_LOADS=N runs only the page-load check: N cold loads of the search page.
const PAGE_LOADS = Number(process.env.PAGE_LOADS || 0);
const QUERIES = process.env.STREAM_ONLY ? [] : ['*', 'level:error', 'service:sales-api'];

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}
const fmt = (st) => (st ? `${Math.round(st.median)} ms [${Math.round(st.min)}–${Math.round(st.max)}]` : 'n/a');

async function once(page, q) {
  await page.goto(`${base}/ui/search?q=${encodeURIComponent('nomatch_zz9')}&range=3h`);
  await page.waitForFunction(() => /events matched/.test(document.querySelector('[data-testid=summary]')?.textContent || ''), null, { timeout: 60000 });
  await page.click('[data-query-input]');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(q);
  await page.keyboard.press('Escape');
  await page.waitForTimeout(400);  // the as-you-type syntax check settles
  await page.evaluate(() => {
    const m = (window.__bench = { t0: 0, rows: 0, hist: 0 });
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' || m.t0) return;
      m.t0 = performance.now();
      const tick = (now) => {
        if (!m.rows && document.querySelector('.vt-row')) m.rows = now - m.t0;
        if (!m.hist) {
          const c = document.querySelector('canvas.histogram');
          if (c && c.width) {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let coloured = 0;
            for (let i = 0; i < d.length && coloured <= 50; i += 4) if (d[i + 3] > 0 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) coloured++;
            if (coloured > 50) m.hist = now - m.t0;
          }
        }
        if (!m.rows || !m.hist) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }, { capture: true });
  });
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.__bench.rows && window.__bench.hist, null, { timeout: 120000, polling: 100 });
  await page.waitForFunction(() => /^[\d,]+ events matched/.test(document.querySelector('[data-testid=summary]')?.textContent || ''), null, { timeout: 120000 });
  const summary = await page.textContent('[data-testid=summary]');
  const m = await page.evaluate(() => window.__bench);
  return { rows: m.rows, hist: m.hist, matched: Number(summary.match(/^([\d,]+)/)[1].replace(/,/g, '')) };
}

// While 100,000 rows stream into the table (limit=100000, the streamed order), every main-thread
// task longer than 50 ms (the Long Tasks API, observed from before the page's own scripts run)
// and the time until the page shows all of them; the table is scrolled meanwhile, as a user would.
async function streaming(context, browser) {
  const page = await context.newPage();
  if (process.env.TRACE) await browser.startTracing(page, { path: process.env.TRACE, categories: TRACE_CATEGORIES });
  await page.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]); })
      .observe({ type: 'longtask', buffered: true });
  });
  const t0 = Date.now();
  await page.goto(`${base}/ui/search?q=*&range=3h&limit=100000`);
  await page.mouse.move(640, 560);  // over the results table
  const scroller = setInterval(() => page.mouse.wheel(0, 400).catch(() => {}), 100);
  try {
    await page.waitForFunction(() => /showing 100,000/.test(document.querySelector('[data-testid=summary]')?.textContent || ''), null, { timeout: 180000, polling: 100 });
  } finally {
    clearInterval(scroller);
  }
  const ms = Date.now() - t0;
  const long = await page.evaluate(() => window.__long);
  const loaded = await page.evaluate(() => Math.round(performance.getEntriesByType('navigation')[0].loadEventEnd));
  if (process.env.TRACE) {
    await browser.stopTracing();
    explainLongTasks(JSON.parse(readFileSync(process.env.TRACE, 'utf8')));
  }
  await page.close();
  return { ms, long, loaded };
}

// TRACE=<file>: the streaming phase is recorded with Chrome's tracing into <file> (open it in
// chrome://tracing or Perfetto) and each main-thread task over 50 ms is printed with what took
// its time (script by function and URL, GC, style, layout, paint), to find what to fix.
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'disabled-by-default-v8.gc', 'blink.user_timing', 'toplevel', 'disabled-by-default-v8.cpu_profiler'];
function explainLongTasks(trace) {
  const all = trace.traceEvents || trace;
  const names = new Map();
  for (const e of all) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
  const onMain = (e) => names.get(`${e.pid}:${e.tid}`) === 'CrRendererMain';
  // The V8 sampling profiler's samples (ProfileChunk events): [time µs, "function file:line"].
  const nodes = new Map();
  const samples = [];
  for (const e of all) {
    if (e.name !== 'ProfileChunk' || !onMain(e)) continue;
    const c = e.args?.data?.cpuProfile || {};
    for (const n of c.nodes || []) {
      const f = n.callFrame || {};
      nodes.set(n.id, `${f.functionName || '(anonymous)'} ${(f.url || '').replace(/^.*\//, '')}:${f.lineNumber ?? ''}`);
    }
    let t = e.args.data.startTime ?? samples.at(-1)?.[0] ?? 0;
    const deltas = e.args.data.timeDeltas || [];
    (c.samples || []).forEach((id, i) => {
      t += deltas[i] || 0;
      samples.push([t, id]);
    });
  }
  const tasks = all.filter((e) => e.ph === 'X' && onMain(e) && e.name === 'ThreadControllerImpl::RunTask' && e.dur > 50000);
  for (const t of tasks) {
    const byFn = new Map();
    for (const [ts, id] of samples) {
      if (ts < t.ts || ts > t.ts + t.dur) continue;
      const f = nodes.get(id) || `node ${id}`;
      byFn.set(f, (byFn.get(f) || 0) + 1);
    }
    const top = [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([f, n]) => `${f} ×${n}`);
    console.log(`long task ${(t.dur / 1000).toFixed(1)} ms (CPU ${((t.tdur || 0) / 1000).toFixed(1)} ms): samples ${top.join(', ')}`);
  }
}

// The page's own load: N times, a new context (an empty HTTP cache) opens /ui/search?q=*
// and waits for the first rows and the editor; every main-thread task over 50 ms (Long Tasks
// API) until then, and the long animation frames' scripts (which file, which callback), to see
// what the page-load tasks are made of (issue 17: none over 50 ms).
async function pageLoads(browser, n) {
  const all = [];
  for (let i = 0; i < n; i++) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.addInitScript(() => {
      window.__long = [];
      window.__loaf = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(Math.round(e.duration)); })
        .observe({ type: 'longtask', buffered: true });
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) {
          if (e.duration <= 50) continue;
          window.__loaf.push(`${Math.round(e.duration)} ms: ` + e.scripts.map((s) =>
            `${s.invoker.replace(/^https?:.*\//, '')} ${(s.sourceURL || '').replace(/^.*\//, '')} ${Math.round(s.duration)} ms`).join(', '));
        }
      }).observe({ type: 'long-animation-frame', buffered: true });
    });
    const t0 = Date.now();
    await page.goto(`${base}/ui/search?q=*&range=3h`);
    await page.waitForSelector('.vt-row', { timeout: 60000 });
    await page.waitForSelector('.cm-editor', { timeout: 60000 });
    const ms = Date.now() - t0;
    await page.waitForTimeout(300);
    const r = await page.evaluate(() => ({ long: window.__long, loaf: window.__loaf }));
    console.log(`load ${i + 1}: first rows and editor after ${ms} ms; tasks over 50 ms: ${r.long.length ? r.long.join(', ') + ' ms' : 'none'}`);
    for (const f of r.loaf) console.log(`  long frame ${f}`);
    all.push(...r.long);
    await ctx.close();
  }
  console.log(`${n} cold loads of the search page: ${all.length} tasks over 50 ms, the longest ${Math.max(0, ...all)} ms`);
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
try {
  if (PAGE_LOADS) await pageLoads(browser, PAGE_LOADS);
  else {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    console.log('| query | events matched | Enter → first rows | Enter → histogram |');
    console.log('|---|---:|---:|---:|');
    for (const q of QUERIES) {
      await once(page, q);  // warm-up: the server's caches and the browser's modules
      const r = [];
      for (let i = 0; i < runs; i++) r.push(await once(page, q));
      console.log(`| \`${q}\` | ${r[0].matched.toLocaleString('en')} | ${fmt(stats(r.map((x) => x.rows)))} | ${fmt(stats(r.map((x) => x.hist)))} |`);
    }
    const st = await streaming(page.context(), browser);
    const worst = st.long.length ? Math.round(Math.max(...st.long.map(([, d]) => d))) : 0;
    const when = st.long.map(([t, d]) => `${Math.round(d)} ms at ${Math.round(t)} ms`).join(', ');
    console.log(`\n100,000 rows streamed into the table in ${st.ms} ms (load to "showing 100,000", scrolling meanwhile): ` +
      `${st.long.length} main-thread tasks over 50 ms, the longest ${worst} ms` +
      (st.long.length ? ` (${when} after navigation start; the page's load event at ${st.loaded} ms)` : ''));
  }
} finally {
  await browser.close();
}
