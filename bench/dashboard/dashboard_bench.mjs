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

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../tests/dashboard/package.json'));
const { chromium } = require('playwright-core');

const [base, runsArg = '5'] = process.argv.slice(2);
const runs = Number(runsArg);
const QUERIES = ['*', 'level:error', 'service:sales-api'];

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
async function streaming(context) {
  const page = await context.newPage();
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
  await page.close();
  return { ms, long, loaded };
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  console.log('| query | events matched | Enter → first rows | Enter → histogram |');
  console.log('|---|---:|---:|---:|');
  for (const q of QUERIES) {
    await once(page, q);  // warm-up: the server's caches and the browser's modules
    const r = [];
    for (let i = 0; i < runs; i++) r.push(await once(page, q));
    console.log(`| \`${q}\` | ${r[0].matched.toLocaleString('en')} | ${fmt(stats(r.map((x) => x.rows)))} | ${fmt(stats(r.map((x) => x.hist)))} |`);
  }
  const st = await streaming(page.context());
  const worst = st.long.length ? Math.round(Math.max(...st.long.map(([, d]) => d))) : 0;
  const when = st.long.map(([t, d]) => `${Math.round(d)} ms at ${Math.round(t)} ms`).join(', ');
  console.log(`\n100,000 rows streamed into the table in ${st.ms} ms (load to "showing 100,000", scrolling meanwhile): ` +
    `${st.long.length} main-thread tasks over 50 ms, the longest ${worst} ms` +
    (st.long.length ? ` (${when} after navigation start; the page's load event at ${st.loaded} ms)` : ''));
} finally {
  await browser.close();
}
