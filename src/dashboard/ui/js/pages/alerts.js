// Alerts: firing and pending alerts with their values and labels, rule health, silences
// (create one from an alert's labels, expire one) and the history of transitions (the
// kind=alert events). GET /v1/alerts, /v1/rules, /v1/silences, POST /v1/silences,
// DELETE /v1/silences/{id}, /v1/query. These routes need an admin key.
import { h, clear, fmtTime, fmtNum, errorBox, toast } from '../dom.js';
import { getJson, call, query } from '../api.js';
import { section, table, badge } from '../widgets.js';

const STATE_CLS = { firing: 'red', pending: 'yellow', resolved: 'green', inactive: '' };

function labels(obj) {
  return h('span', { class: 'labels' }, ...Object.entries(obj || {}).map(([k, v]) => h('code', null, `${k}=${v}`)));
}

export async function render(main) {
  const alertsEl = h('div');
  const silencesEl = h('div');
  const rulesEl = h('div');
  const historyEl = h('div');
  main.appendChild(h('div', { class: 'page alerts' }, alertsEl, silencesEl, rulesEl, historyEl));

  async function silence(a) {
    const matchers = Object.entries(a.labels || {}).map(([k, v]) => `${k}=${v}`);
    const dur = prompt(`Silence ${matchers.join(', ')} for how long? (e.g. 2h)`, '2h');
    if (!dur) return;
    try {
      await call('POST', '/v1/silences', { body: { matchers, duration: dur, comment: 'from the dashboard', createdBy: 'dashboard' } });
      toast('Silence created');
      load();
    } catch (err) {
      toast(err.message, 'error');
    }
  }
  async function expire(id) {
    try {
      await call('DELETE', '/v1/silences/{id}', { params: { id } });
      toast('Silence expired');
      load();
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  async function loadAlerts() {
    const r = await getJson('/v1/alerts');
    const active = r.alerts.filter((a) => a.state === 'firing' || a.state === 'pending');
    alertsEl.replaceChildren(section(`Alerts · ${active.length} firing or pending`,
      r.alerts.length ? h('div', { 'data-testid': 'alerts-list' }, table(r.alerts, ['state', 'rule', 'value', 'labels', 'since', 'summary', ''], {
        state: (v, a) => badge(a.silenced_by && a.silenced_by.length ? `${v} (silenced)` : v, STATE_CLS[v] ?? ''),
        value: (v) => fmtNum(v),
        labels: (v) => labels(v),
        since: (_, a) => fmtTime(a.firedAt || a.activeAt),
        summary: (_, a) => a.annotations?.summary ?? '',
        '': (_, a) => h('button', { type: 'button', class: 'small', onclick: () => silence(a) }, 'Silence…'),
      })) : h('p', { class: 'muted' }, 'No alert instance.')));
  }
  async function loadSilences() {
    const r = await getJson('/v1/silences');
    silencesEl.replaceChildren(section('Silences', r.silences.length ? table(r.silences, ['status', 'matchers', 'startsAt', 'endsAt', 'comment', ''], {
      status: (v) => badge(v, v === 'active' ? 'yellow' : ''),
      matchers: (v) => labels(Object.fromEntries((v || []).map((m) => [typeof m === 'string' ? m : `${m.name}${m.isEqual === false ? '!' : ''}${m.isRegex ? '=~' : '='}`, typeof m === 'string' ? '' : m.value]))),
      startsAt: (v) => fmtTime(v),
      endsAt: (v) => fmtTime(v),
      '': (_, s) => (s.status !== 'expired' ? h('button', { type: 'button', class: 'small', onclick: () => expire(s.id) }, 'Expire') : ''),
    }) : h('p', { class: 'muted' }, 'No silence.')));
  }
  async function loadRules() {
    const r = await getJson('/v1/rules');
    const rules = [];
    for (const g of r.groups || []) for (const rule of g.rules || []) rules.push(Object.assign({ group: g.name }, rule));
    rulesEl.replaceChildren(section(`Rules · ${rules.length}${r.load_error ? ' · load error' : ''}`,
      r.load_error ? errorBox({ message: r.load_error }) : null,
      rules.length ? table(rules, ['group', 'name', 'health', 'query', 'lastError'], {
        health: (v) => badge(v || 'unknown', v === 'ok' ? 'green' : v === 'err' || v === 'error' ? 'red' : ''),
        query: (v) => h('code', null, v),
      }) : h('p', { class: 'muted' }, 'No rule loaded (alerts.rules_dir).')));
  }
  async function loadHistory() {
    const r = await query('kind:alert | sort by (ts desc) | limit 50', { rel: '7d' });
    historyEl.replaceChildren(section('Transitions (last 7 days)', r.rows.length ? table(r.rows, ['ts', 'alert.name', 'alert.previous', 'alert.state', 'alert.value', 'msg'], {
      ts: (v) => fmtTime(v),
      'alert.state': (v) => badge(v ?? '', STATE_CLS[v] ?? ''),
    }) : h('p', { class: 'muted' }, 'No transition stored.')));
  }
  function load() {
    for (const [fn, el] of [[loadAlerts, alertsEl], [loadSilences, silencesEl], [loadRules, rulesEl], [loadHistory, historyEl]]) {
      fn().catch((err) => clear(el).appendChild(errorBox(err)));
    }
  }
  load();
  const timer = setInterval(load, 30000);
  return () => clearInterval(timer);
}
