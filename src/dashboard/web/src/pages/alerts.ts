// @ts-nocheck — not typed yet: ported from the hand-written module as it was (docs/dashboard.md, STATUS).
// Alerts: firing and pending alerts with their values and labels, rule health, silences
// (create one from an alert's labels, expire one) and the history of transitions (the
// kind=alert events). GET /v1/alerts, /v1/rules, /v1/silences, POST /v1/silences,
// DELETE /v1/silences/{id}, /v1/query. These routes need an admin key. A silence is made in
// a form (one matcher per label, duration, comment, author) that shows the API's error.
import { h, clear, fmtTime, fmtNum, errorBox, toast } from '../dom.js';
import { getJson, call, query } from '../api.js';
import { section, table, badge } from '../widgets.js';

const STATE_CLS = { firing: 'red', pending: 'yellow', resolved: 'green', inactive: '' };

function labels(obj) {
  return h('span', { class: 'labels' }, ...Object.entries(obj || {}).map(([k, v]) => h('code', null, `${k}=${v}`)));
}

const OPS = ['=', '!=', '=~', '!~'];

// A matcher as the API lists it ("name=value", "route=~/sales.*"); Alertmanager's object
// form is accepted too.
function matcherText(m) {
  if (typeof m === 'string') return m;
  const op = m.isRegex ? (m.isEqual === false ? '!~' : '=~') : m.isEqual === false ? '!=' : '=';
  return `${m.name}${op}${m.value}`;
}

function matchers(list) {
  return h('span', { class: 'labels', 'data-testid': 'silence-matchers' }, ...(list || []).map((m) => h('code', null, matcherText(m))));
}

// The silence dialog: one matcher row per label of `initial` (an alert's labels; one empty
// row when null), the duration, a comment and the author (remembered in localStorage).
// POST /v1/silences; an API error is shown in the form, which stays open.
function silenceForm(initial, onCreated) {
  document.getElementById('silence-dialog')?.remove();
  const rows = h('div', { class: 'matcher-rows' });
  function addRow(name = '', op = '=', value = '') {
    const row = h('div', { class: 'matcher-row', 'data-testid': 'matcher-row' },
      h('input', { class: 'm-name', 'aria-label': 'Label name', placeholder: 'label', value: name, autocomplete: 'off' }),
      h('select', { class: 'm-op', 'aria-label': 'Operator' }, ...OPS.map((o) => h('option', { value: o, selected: o === op }, o))),
      h('input', { class: 'm-value', 'aria-label': 'Value', placeholder: 'value', value, autocomplete: 'off' }),
      h('button', { type: 'button', class: 'small ghost', title: 'Remove this matcher', 'aria-label': 'Remove matcher', onclick: () => row.remove() }, '×'));
    rows.appendChild(row);
    return row;
  }
  const entries = Object.entries(initial || {});
  if (entries.length) for (const [k, v] of entries) addRow(k, '=', v);
  else addRow();
  const duration = h('input', { id: 'silence-duration', value: '2h', autocomplete: 'off', 'aria-describedby': 'silence-duration-hint' });
  const comment = h('input', { id: 'silence-comment', placeholder: 'why, e.g. deploy 4.2', autocomplete: 'off' });
  const author = h('input', { id: 'silence-author', value: localStorage.getItem('vigia.author') || '', placeholder: 'your name', autocomplete: 'off' });
  const error = h('div', { 'data-testid': 'silence-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create silence');
  const close = () => dlg.remove();
  async function save(e) {
    e.preventDefault();
    const list = [];
    for (const row of rows.querySelectorAll('.matcher-row')) {
      const name = row.querySelector('.m-name').value.trim();
      const op = row.querySelector('.m-op').value;
      const value = row.querySelector('.m-value').value;
      if (!name && !value) continue;
      list.push({ name, value, isRegex: op.endsWith('~'), isEqual: !op.startsWith('!') });
    }
    const body = { matchers: list, duration: duration.value.trim(), comment: comment.value.trim() };
    if (author.value.trim()) body.createdBy = author.value.trim();
    clear(error);
    submit.disabled = true;
    try {
      await call('POST', '/v1/silences', { body });
      if (body.createdBy) localStorage.setItem('vigia.author', body.createdBy);
      close();
      onCreated();
    } catch (err) {
      error.appendChild(errorBox(err));
    } finally {
      submit.disabled = false;
    }
  }
  const field = (label, input, hint) => h('label', { class: 'field' }, h('span', null, label), input, hint || null);
  const dlg = h('div', { class: 'modal', id: 'silence-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'silence-title',
    onkeydown: (e) => { if (e.key === 'Escape') close(); } },
    h('form', { class: 'modal-box silence-form', onsubmit: save },
      h('h2', { id: 'silence-title' }, 'New silence'),
      h('p', { class: 'muted' }, 'Alerts whose labels match every matcher are not notified while the silence lasts (=~ and !~ match the whole value with a regular expression).'),
      rows,
      h('button', { type: 'button', class: 'small', 'data-testid': 'add-matcher', onclick: () => addRow().querySelector('.m-name').focus() }, '+ matcher'),
      field('Duration', duration, h('span', { id: 'silence-duration-hint', class: 'muted small' }, 'e.g. 30m, 2h, 1d')),
      field('Comment', comment),
      field('Author', author),
      error,
      h('div', { class: 'row' }, submit, h('button', { type: 'button', onclick: close }, 'Cancel'))));
  document.body.appendChild(dlg);
  (entries.length ? duration : rows.querySelector('.m-name')).focus();
}

export async function render(main) {
  const alertsEl = h('div');
  const silencesEl = h('div');
  const rulesEl = h('div');
  const historyEl = h('div');
  main.appendChild(h('div', { class: 'page alerts' }, alertsEl, silencesEl, rulesEl, historyEl));

  function silence(a) {
    silenceForm(a ? a.labels : null, () => {
      toast('Silence created');
      load();
    });
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
    silencesEl.replaceChildren(section('Silences',
      h('div', { class: 'row' }, h('button', { type: 'button', class: 'small', 'data-testid': 'new-silence', onclick: () => silence(null) }, 'New silence…')),
      r.silences.length ? h('div', { 'data-testid': 'silences-table' }, table(r.silences, ['status', 'matchers', 'startsAt', 'endsAt', 'createdBy', 'comment', ''], {
      status: (v) => badge(v, v === 'active' ? 'yellow' : ''),
      matchers: (v) => matchers(v),
      startsAt: (v) => fmtTime(v),
      endsAt: (v) => fmtTime(v),
      '': (_, s) => (s.status !== 'expired' ? h('button', { type: 'button', class: 'small', onclick: () => expire(s.id) }, 'Expire') : ''),
    })) : h('p', { class: 'muted' }, 'No silence.')));
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
