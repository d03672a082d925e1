// @ts-nocheck — not typed yet: ported from the hand-written module as it was (docs/dashboard.md, STATUS).
// Overview: the KPI board (green/yellow/red tiles with trend and sparkline), SLOs with the
// remaining error budget and burn rates, probe targets with uptime and TLS expiry, and live
// traffic statistics (GET /v1/kpis, /v1/kpis/{name}/series, /v1/slos, /v1/probes,
// /v1/stats/traffic).
import { h, clear, fmtNum, fmtTime, errorBox } from '../dom.js';
import { getJson } from '../api.js';
import { sparkline } from '../chart.js';
import { section, table, badge } from '../widgets.js';

const TREND = { better: '▲ better', worse: '▼ worse', same: '= same' };

function pctBar(frac, cls) {
  const w = Math.max(0, Math.min(100, Math.round(frac * 100)));
  return h('span', { class: `bar ${cls}` }, h('i', { style: { width: `${w}%` } }));
}

async function kpiBoard(el) {
  const k = await getJson('/v1/kpis');
  const tiles = k.kpis.map((kpi) => {
    const spark = h('span', { class: 'spark-slot' });
    const tile = h('div', { class: `tile ${kpi.color}`, 'data-kpi': kpi.name, 'data-color': kpi.color, title: kpi.name },
      h('div', { class: 'tile-title' }, kpi.title || kpi.name),
      h('div', { class: 'tile-value' }, kpi.value === null || kpi.value === undefined ? '–' : fmtNum(kpi.value), h('small', null, ` ${kpi.unit ?? ''}`)),
      h('div', { class: 'tile-meta' },
        h('span', null, `window ${kpi.window}`),
        kpi.trend ? h('span', { class: `trend ${kpi.trend}` }, TREND[kpi.trend] ?? kpi.trend) : null,
        h('span', { class: 'muted' }, `green ≤ ${kpi.thresholds?.green} · yellow ≤ ${kpi.thresholds?.yellow}`.replace(/≤/g, kpi.direction === 'higher' ? '≥' : '≤'))),
      kpi.error ? h('div', { class: 'error-box' }, kpi.error) : null,
      spark);
    return { tile, spark, name: kpi.name };
  });
  el.replaceChildren(section(`KPIs · overall ${k.color}`, h('div', { class: 'tiles', 'data-testid': 'kpi-tiles' }, ...tiles.map((t) => t.tile))));
  // Sparklines one after another: each series is one query per step on the server.
  for (const t of tiles) {
    try {
      const s = await getJson('/v1/kpis/{name}/series', { name: t.name }, { step: '1h', window: '24h' });
      t.spark.replaceChildren(sparkline(s.points.map((p) => p.value), { width: 180, height: 30 }));
    } catch (_) {
      /* the tile stands without its sparkline */
    }
  }
}

async function slos(el) {
  const s = await getJson('/v1/slos');
  if (!s.slos.length) return el.replaceChildren(section('SLOs', h('p', { class: 'muted' }, 'No SLO defined (monitor.kpis_file).')));
  el.replaceChildren(section('SLOs', table(s.slos, ['name', 'target', 'attainment', 'budget', 'fast burn', 'slow burn', 'firing'], {
    name: (v, r) => h('span', { title: r.title }, v),
    target: (v, r) => `${v}% / ${r.period}`,
    attainment: (v) => (v === null ? '–' : `${fmtNum(v, 3)}%`),
    budget: (_, r) => h('span', null, pctBar(r.error_budget.remaining_fraction, r.error_budget.remaining_fraction < 0.25 ? 'red' : r.error_budget.remaining_fraction < 0.5 ? 'yellow' : 'green'),
      ` ${fmtNum(r.error_budget.remaining_fraction * 100, 1)}% (${fmtNum(r.error_budget.remaining_minutes, 0)} min)`),
    'fast burn': (_, r) => `${fmtNum(r.burn_alerts.fast.long.burn_rate)} / ${fmtNum(r.burn_alerts.fast.short.burn_rate)} (> ${r.burn_alerts.fast.threshold})`,
    'slow burn': (_, r) => `${fmtNum(r.burn_alerts.slow.long.burn_rate)} / ${fmtNum(r.burn_alerts.slow.short.burn_rate)} (> ${r.burn_alerts.slow.threshold})`,
    firing: (v) => badge(v ? 'firing' : 'ok', v ? 'red' : 'green'),
  })));
}

async function probes(el) {
  const p = await getJson('/v1/probes');
  if (!p.probes.length) return el.replaceChildren(section('Probes', h('p', { class: 'muted' }, 'No probe configured.')));
  el.replaceChildren(section('Probes', table(p.probes, ['name', 'target', 'uptime_24h', 'last', 'latency', 'tls'], {
    target: (_, r) => r.url ?? r.address ?? '',
    uptime_24h: (v) => (v === null ? '–' : `${fmtNum(v * 100, 2)}%`),
    last: (v) => (v ? badge(v.ok ? `ok ${v.status ?? ''}` : `failed ${v.error ?? v.status ?? ''}`, v.ok ? 'green' : 'red') : '–'),
    latency: (_, r) => (r.last ? `${fmtNum(r.last.latency_ms)} ms` : '–'),
    tls: (_, r) => (r.last && r.last.cert_expiry_days !== undefined
      ? badge(`${fmtNum(r.last.cert_expiry_days, 0)} days`, r.last.cert_state === 'ok' ? 'green' : r.last.cert_state === 'warning' ? 'yellow' : 'red') : '–'),
  })));
}

function shareList(items, label = 'name') {
  return h('ul', { class: 'shares' }, ...items.slice(0, 8).map((x) => h('li', null,
    h('span', null, x[label]), pctBar(x.share, 'blue'), h('span', { class: 'muted' }, ` ${fmtNum(x.requests)} (${fmtNum(x.share * 100, 1)}%)`))));
}

async function traffic(el) {
  const t = await getJson('/v1/stats/traffic', {}, { window: '15m' });
  const sc = t.status_classes;
  el.replaceChildren(section(`Traffic · last ${Math.round(t.window_seconds / 60)} min${t.refilling ? ' (refilling)' : ''}`,
    h('div', { class: 'tiles small' },
      h('div', { class: 'tile' }, h('div', { class: 'tile-title' }, 'requests'), h('div', { class: 'tile-value' }, fmtNum(t.requests)), h('div', { class: 'muted' }, `${fmtNum(t.requests_per_second)}/s`)),
      h('div', { class: 'tile' }, h('div', { class: 'tile-title' }, 'unique IPs'), h('div', { class: 'tile-value' }, fmtNum(t.unique_ips))),
      h('div', { class: 'tile' }, h('div', { class: 'tile-title' }, 'status classes'), h('div', { class: 'status-classes' },
        ...Object.entries(sc).filter(([, n]) => n).map(([k, n]) => badge(`${k} ${fmtNum(n)}`, k === '5xx' ? 'red' : k === '4xx' ? 'yellow' : 'green')))),
      h('div', { class: 'tile' }, h('div', { class: 'tile-title' }, 'bots'), h('div', { class: 'tile-value' }, `${fmtNum(t.bots.share * 100, 1)}%`))),
    h('div', { class: 'cols3' },
      h('div', null, h('h3', null, 'Top endpoints'), shareList(t.top_endpoints, 'endpoint')),
      h('div', null, h('h3', null, 'Browsers'), shareList(t.browsers), h('h3', null, 'Devices'), shareList(t.devices)),
      h('div', null, h('h3', null, 'Performance'), shareList(t.performance), h('h3', null, 'OS'), shareList(t.os)))));
}

export async function render(main) {
  const parts = [h('div'), h('div'), h('div'), h('div')];
  main.appendChild(h('div', { class: 'page overview' }, h('p', { class: 'muted' }, `As of ${fmtTime(Date.now())}`), ...parts));
  const fns = [kpiBoard, slos, probes, traffic];
  await Promise.all(fns.map((f, i) => f(parts[i]).catch((err) => clear(parts[i]).appendChild(errorBox(err)))));
}
