// @ts-nocheck — not typed yet: ported from the hand-written module as it was (docs/dashboard.md, STATUS).
// Status: server health (GET /health/ready), ingest rate, storage per partition/tenant,
// parts and merges (GET /v1/stats, admin).
import { h, clear, fmtNum, fmtBytes, errorBox } from '../dom.js';
import { getJson } from '../api.js';
import { section, table, badge } from '../widgets.js';

export async function render(main) {
  const healthEl = h('div');
  const statsEl = h('div');
  main.appendChild(h('div', { class: 'page status' }, healthEl, statsEl));
  let last = null;

  async function health() {
    // /health/ready answers 503 with the same JSON while starting or unavailable.
    const resp = await fetch('/health/ready', { cache: 'no-store' });
    const j = await resp.json();
    const rest = Object.entries(j).filter(([k]) => !['status', 'uptime_sec', 'version'].includes(k));
    healthEl.replaceChildren(section('Health', h('div', { class: 'row', 'data-testid': 'health' },
      badge(j.status, j.status === 'ok' ? 'green' : j.status === 'degraded' ? 'yellow' : 'red'),
      j.version ? h('span', null, `vigia ${j.version}`) : null,
      h('span', { class: 'muted' }, `up ${fmtNum(j.uptime_sec)} s`)),
    h('dl', { class: 'facts' }, ...rest.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, typeof v === 'object' ? JSON.stringify(v) : String(v))]))));
  }

  async function stats() {
    const s = await getJson('/v1/stats');
    const now = performance.now();
    let rate = '…';
    if (last) rate = `${fmtNum(((s.ingest.accepted - last.accepted) * 1000) / (now - last.t), 1)} events/s`;
    last = { accepted: s.ingest.accepted, t: now };
    const p = s.parts;
    statsEl.replaceChildren(
      section('Ingest and storage', h('div', { class: 'tiles small' },
        h('div', { class: 'tile' }, h('div', { class: 'tile-title' }, 'ingest rate'), h('div', { class: 'tile-value', 'data-testid': 'ingest-rate' }, rate)),
        h('div', { class: 'tile' }, h('div', { class: 'tile-title' }, 'events stored'), h('div', { class: 'tile-value' }, fmtNum(s.events))),
        h('div', { class: 'tile' }, h('div', { class: 'tile-title' }, 'accepted / rejected'), h('div', { class: 'tile-value' }, `${fmtNum(s.ingest.accepted)} / ${fmtNum(s.ingest.rejected)}`)),
        h('div', { class: 'tile' }, h('div', { class: 'tile-title' }, 'disk'), h('div', { class: 'tile-value' }, fmtBytes(p.disk_bytes)), h('div', { class: 'muted' }, `${fmtNum(p.bytes_per_row)} B/row · ×${fmtNum(p.compression_ratio)}`)),
        h('div', { class: 'tile' }, h('div', { class: 'tile-title' }, 'parts · merges'), h('div', { class: 'tile-value' }, `${fmtNum(p.parts)} · ${fmtNum(p.merges)}`), h('div', { class: 'muted' }, `${fmtNum(p.flushes)} flushes`)),
        h('div', { class: 'tile' }, h('div', { class: 'tile-title' }, 'memtable'), h('div', { class: 'tile-value' }, fmtNum(s.memtable.events)), h('div', { class: 'muted' }, fmtBytes(s.memtable.bytes))))),
      section('Partitions (UTC day · tenant)', s.partitions.length ? table(s.partitions, ['partition', 'parts', 'rows', 'bytes'], { rows: (v) => fmtNum(v), bytes: (v) => fmtBytes(v) }) : h('p', { class: 'muted' }, 'Nothing flushed to parts yet.')),
      section('Ingest by protocol', table(Object.entries(s.ingest.protocols || {}).map(([name, x]) => Object.assign({ protocol: name }, x)), ['protocol', 'accepted', 'rejected', 'bytes'], { bytes: (v) => fmtBytes(v) })),
      section('Periodic tasks', table(s.tasks || [], ['name', 'runs', 'failures', 'last_error', 'last_duration_ms'])),
      s.degraded_parts.length ? section('Degraded parts', table(s.degraded_parts, ['part', 'error'])) : null);
  }

  const tick = () => {
    health().catch((err) => clear(healthEl).appendChild(errorBox(err)));
    stats().catch((err) => clear(statsEl).appendChild(err.code === 'forbidden' ? h('p', { class: 'muted' }, 'Storage statistics (/v1/stats) need an admin key.') : errorBox(err)));
  };
  tick();
  const timer = setInterval(tick, 5000);
  return () => clearInterval(timer);
}
