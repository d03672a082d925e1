// @ts-nocheck — not typed yet: ported from the hand-written module as it was (docs/dashboard.md, STATUS).
// Audit: the trail of an actor or an entity from the tamper-evident ledger (GET /v1/audit),
// with the chain verification status (GET /v1/audit/verify, admin).
import { h, clear, fmtTime, errorBox } from '../dom.js';
import { getJson } from '../api.js';
import { section, table, badge } from '../widgets.js';
import { navigate } from '../nav.js';

const FIELDS = ['actor', 'entity', 'entity_id', 'action', 'tenant'];

export async function render(main, route) {
  const p = route.params;
  const inputs = Object.fromEntries(FIELDS.map((f) => [f, h('input', { value: p.get(f) || '', placeholder: f, 'aria-label': f, size: 12 })]));
  const since = h('select', { 'aria-label': 'Since' }, ...['1h', '24h', '7d', '30d', '365d'].map((s) => h('option', { value: s, selected: (p.get('since') || '7d') === s }, `last ${s}`)));
  const go = () => {
    const q = new URLSearchParams();
    for (const f of FIELDS) if (inputs[f].value.trim()) q.set(f, inputs[f].value.trim());
    q.set('since', since.value);
    navigate(`/ui/audit?${q}`);
  };
  for (const i of Object.values(inputs)) i.addEventListener('keydown', (e) => e.key === 'Enter' && go());
  const verifyEl = h('div');
  const body = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  main.appendChild(h('div', { class: 'page audit' },
    h('div', { class: 'query-bar' }, ...Object.values(inputs), since, h('button', { type: 'button', class: 'primary', onclick: go }, 'Show')),
    verifyEl, body));

  getJson('/v1/audit/verify').then((v) => {
    verifyEl.replaceChildren(section('Chain verification', h('div', { class: 'row', 'data-testid': 'audit-verify' },
      badge(v.ok ? 'all chains intact' : 'TAMPERING DETECTED', v.ok ? 'green' : 'red'),
      ...v.tenants.map((t) => h('span', null, `${t.tenant || '(default)'}: ${t.records} records, ${t.checkpoints} checkpoints${t.breaks.length ? ` · ${t.breaks.map((b) => `${b.kind} at #${b.seq}`).join(', ')}` : ''}`)))));
  }).catch((err) => verifyEl.replaceChildren(section('Chain verification', err.code === 'forbidden'
    ? h('p', { class: 'muted' }, 'Verifying the chains needs an admin key.') : errorBox(err))));

  const query = { format: 'json', since: since.value, limit: 1000 };
  for (const f of FIELDS) if (p.get(f)) query[f] = p.get(f);
  let r;
  try {
    r = await getJson('/v1/audit', {}, query);
  } catch (err) {
    return clear(body).appendChild(errorBox(err));
  }
  const recs = (r.records || []).slice().reverse();
  clear(body).appendChild(section(`Trail · ${recs.length} records${r.tenant ? ` · tenant ${r.tenant}` : ''}`, recs.length
    ? h('div', { 'data-testid': 'audit-trail' }, table(recs, ['seq', 'time', 'actor', 'action', 'entity', 'outcome', 'hash'], {
      time: (_, x) => fmtTime(x.event.ts),
      actor: (_, x) => x.event.actor ?? '',
      action: (_, x) => h('span', null, x.event.action ?? '', x.event.catalogued === false ? badge('uncatalogued', 'yellow') : null),
      entity: (_, x) => `${x.event.entity ?? ''} ${x.event.entity_id ?? ''}`,
      outcome: (_, x) => badge(x.event.outcome ?? '', x.event.outcome === 'failure' ? 'red' : 'green'),
      hash: (v) => h('code', { title: v }, String(v).slice(0, 12)),
    }))
    : h('p', { class: 'muted' }, 'No audit record matches.')));
}
