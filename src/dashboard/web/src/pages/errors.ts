// @ts-nocheck — not typed yet: ported from the hand-written module as it was (docs/dashboard.md, STATUS).
// Errors: the error groups (count, users affected, sparkline, first/last seen, status) and a
// group's page (stack, latest events, breakdown by release/route/browser, resolve/ignore).
// GET /v1/errors, GET|PATCH /v1/errors/{fingerprint}.
import { h, clear, fmtTime, fmtNum, errorBox, toast } from '../dom.js';
import { getJson, call } from '../api.js';
import { sparkline } from '../chart.js';
import { section, table, badge } from '../widgets.js';
import { navigate } from '../nav.js';

const STATUS_CLS = { unresolved: 'red', regressed: 'red', resolved: 'green', ignored: '' };

async function list(main, route) {
  const status = route.params.get('status') || 'unresolved,regressed';
  const sort = route.params.get('sort') || 'last_seen';
  const since = route.params.get('since') || '24h';
  const sel = (name, value, opts) => h('select', { 'aria-label': name, onchange: (e) => {
    const p = new URLSearchParams(location.search);
    p.set(name, e.target.value);
    navigate(`/ui/errors?${p}`);
  } }, ...opts.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
  const body = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  main.appendChild(h('div', { class: 'page errors' },
    h('div', { class: 'query-bar' },
      sel('status', status, [['unresolved,regressed', 'open'], ['unresolved,regressed,resolved,ignored', 'all'], ['resolved', 'resolved'], ['ignored', 'ignored']]),
      sel('sort', sort, [['last_seen', 'last seen'], ['first_seen', 'first seen'], ['count', 'count'], ['users', 'users']]),
      sel('since', since, [['1h', 'last hour'], ['24h', 'last 24 h'], ['7d', 'last 7 days'], ['30d', 'last 30 days']])),
    body));
  let r;
  try {
    r = await getJson('/v1/errors', {}, { status, sort, since, limit: 200 });
  } catch (err) {
    return clear(body).appendChild(errorBox(err));
  }
  if (!r.errors.length) return clear(body).appendChild(h('p', { class: 'muted' }, 'No error group matches.'));
  clear(body).appendChild(h('div', { class: 'card', 'data-testid': 'error-groups' }, table(r.errors, ['title', 'status', 'events', 'count', 'users', 'trend', 'first_seen', 'last_seen', 'services'], {
    title: (v, g) => h('div', null, h('a', { href: `/ui/errors/${encodeURIComponent(g.fingerprint)}` }, v), h('div', { class: 'muted small' }, g.culprit ?? '')),
    status: (v) => badge(v, STATUS_CLS[v] ?? ''),
    events: (v) => fmtNum(v),
    count: (v) => fmtNum(v),
    users: (v) => fmtNum(v),
    trend: (_, g) => sparkline(g.sparkline || [], { width: 110, height: 24 }),
    first_seen: (v) => fmtTime(v),
    last_seen: (v) => fmtTime(v),
    services: (v) => (v || []).join(', '),
  })));
}

function distribution(name, items) {
  const total = (items || []).reduce((a, x) => a + x.count, 0) || 1;
  return h('div', null, h('h3', null, name), (items || []).length
    ? h('ul', { class: 'shares' }, ...items.slice(0, 8).map((x) => h('li', null, h('span', null, x.value ?? '(none)'),
      h('span', { class: 'bar blue' }, h('i', { style: { width: `${Math.round((100 * x.count) / total)}%` } })), h('span', { class: 'muted' }, ` ${fmtNum(x.count)}`))))
    : h('p', { class: 'muted' }, '–'));
}

async function group(main, fp) {
  const body = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  main.appendChild(h('div', { class: 'page error-group' }, h('p', null, h('a', { href: '/ui/errors' }, '← all errors')), body));
  let r;
  try {
    r = await getJson('/v1/errors/{fingerprint}', { fingerprint: fp });
  } catch (err) {
    return clear(body).appendChild(errorBox(err));
  }
  const g = r.group;
  const act = async (change, label) => {
    try {
      await call('PATCH', '/v1/errors/{fingerprint}', { params: { fingerprint: fp }, body: change });
      toast(label);
      navigate(location.pathname, true);
    } catch (err) {
      toast(err.code === 'forbidden' ? 'Changing a group needs an admin key' : err.message, 'error');
    }
  };
  const latest = r.latest_events || [];
  const stack = latest.find((e) => e['error.stack'])?.['error.stack'];
  const d = r.distribution || {};
  clear(body).append(
    section(g.title,
      h('div', { class: 'row' }, badge(g.status, STATUS_CLS[g.status] ?? ''), h('span', { class: 'muted' }, g.culprit ?? ''),
        h('span', null, `${fmtNum(g.count)} events · ${fmtNum(g.users)} users`),
        h('span', { class: 'muted' }, `first ${fmtTime(g.first_seen)} · last ${fmtTime(g.last_seen)}`)),
      h('div', { class: 'row' },
        h('button', { type: 'button', onclick: () => act({ status: 'resolved' }, 'Resolved') }, 'Resolve'),
        h('button', { type: 'button', onclick: () => act({ status: 'resolved', in_next_release: true }, 'Resolved in the next release') }, 'Resolve in next release'),
        h('button', { type: 'button', onclick: () => act({ status: 'ignored', for: '24h' }, 'Ignored for 24 h') }, 'Ignore 24 h'),
        h('button', { type: 'button', onclick: () => act({ status: 'unresolved' }, 'Unresolved') }, 'Unresolve')),
      r.sparkline ? sparkline(r.sparkline.counts || [], { width: 400, height: 40 }) : null),
    stack ? section('Stack', h('pre', { class: 'stack' }, stack)) : null,
    section('Breakdown', h('div', { class: 'cols3' }, distribution('release', d.release), distribution('route', d.route), distribution('browser', d.browser),
      distribution('environment', d.environment), distribution('host', d.host))),
    section('Latest events', table(latest, ['ts', 'service', 'release', 'request_id', 'error.message'], {
      ts: (v) => fmtTime(v),
      release: (_, e) => e.version ?? e.release ?? '',
      request_id: (v) => (v ? h('a', { href: `/ui/trace/${encodeURIComponent(v)}` }, v) : ''),
    })));
}

export async function render(main, route) {
  if (route.rest[0]) return group(main, route.rest[0]);
  return list(main, route);
}
