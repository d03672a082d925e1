// Pieces shared by the pages: the value menu of click-to-filter, the time range picker,
// the JSON view of an event, simple tables and tiles.
import { h, clear, fmtTime, timeZone, setTimeZone, toMs } from './dom.js';

// A small menu at the mouse for a field's value: filter for it, filter it out, add a column.
// actions: [{label, run}]
export function valueMenu(e, field, value, actions) {
  closeMenu();
  const menu = h('div', { class: 'value-menu', id: 'value-menu', role: 'menu' },
    h('div', { class: 'value-menu-title' }, `${field}: ${value === null ? 'null' : String(value).slice(0, 80)}`),
    ...actions.map((a) => h('button', { type: 'button', role: 'menuitem', onclick: () => { closeMenu(); a.run(); } }, a.label)));
  document.body.appendChild(menu);
  const x = Math.min(e.clientX, window.innerWidth - 240);
  const y = Math.min(e.clientY + 4, window.innerHeight - 140);
  Object.assign(menu.style, { left: `${x}px`, top: `${y}px` });
  menu.querySelector('button')?.focus();
  setTimeout(() => document.addEventListener('click', closeMenu, { once: true }), 0);
}

export function closeMenu() {
  document.getElementById('value-menu')?.remove();
}
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') closeMenu();
});

// Relative ranges offered by the picker (VQL durations; the API's since=).
export const RELATIVE = ['5m', '15m', '1h', '6h', '24h', '7d', '30d'];

export function durationMs(d: string | null | undefined): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(d || '');
  if (!m) return NaN;
  const units: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };
  const unit = units[m[2] ?? ''] ?? NaN;
  return Number(m[1]) * unit;
}

// The range of URL params: {rel} or {from, to} (RFC 3339), default the last hour.
export function rangeFromParams(params) {
  const from = params.get('from');
  const to = params.get('to');
  if (from && to && Number.isFinite(Date.parse(from)) && Number.isFinite(Date.parse(to))) return { from, to };
  const rel = params.get('range');
  return { rel: rel && Number.isFinite(durationMs(rel)) ? rel : '1h' };
}

export function rangeToParams(range, params) {
  params.delete('range');
  params.delete('from');
  params.delete('to');
  if (range.rel) params.set('range', range.rel);
  else {
    params.set('from', range.from);
    params.set('to', range.to);
  }
}

// [fromMs, toMs] of a range, now for relative ones.
export function rangeBounds(range) {
  if (range.rel) {
    const now = Date.now();
    return [now - durationMs(range.rel), now];
  }
  return [Date.parse(range.from), Date.parse(range.to)];
}

function toInput(ms) {
  // datetime-local value in the chosen zone
  const d = new Date(ms);
  const local = timeZone() === 'local';
  const off = local ? d.getTimezoneOffset() * 60000 : 0;
  return new Date(ms - off).toISOString().slice(0, 19);
}
function fromInput(v) {
  if (!v) return NaN;
  return timeZone() === 'local' ? new Date(v).getTime() : Date.parse(`${v}Z`);
}

// The time picker: relative choices, or absolute from/to in UTC or local time.
// onChange(range) when the user picks.
export function timePicker(range, onChange) {
  const sel = h('select', { 'aria-label': 'Time range', class: 'range-select' },
    ...RELATIVE.map((r) => h('option', { value: r, selected: range.rel === r }, `Last ${r}`)),
    h('option', { value: 'abs', selected: !range.rel }, 'Absolute…'));
  const [f, t] = rangeBounds(range);
  const fromIn = h('input', { type: 'datetime-local', step: 1, 'aria-label': 'From', value: toInput(f) });
  const toIn = h('input', { type: 'datetime-local', step: 1, 'aria-label': 'To', value: toInput(t) });
  const abs = h('span', { class: 'abs-range' }, fromIn, '→', toIn);
  const tz = h('button', { type: 'button', class: 'ghost tz', title: 'Show times in UTC or local time' }, timeZone() === 'utc' ? 'UTC' : 'local');
  const show = () => (abs.style.display = sel.value === 'abs' ? '' : 'none');
  show();
  const emitAbs = () => {
    const a = fromInput(fromIn.value);
    const b = fromInput(toIn.value);
    if (Number.isFinite(a) && Number.isFinite(b) && b > a) onChange({ from: new Date(a).toISOString(), to: new Date(b).toISOString() });
  };
  sel.addEventListener('change', () => {
    show();
    if (sel.value !== 'abs') onChange({ rel: sel.value });
    else emitAbs();
  });
  fromIn.addEventListener('change', emitAbs);
  toIn.addEventListener('change', emitAbs);
  tz.addEventListener('click', () => {
    setTimeZone(timeZone() === 'utc' ? 'local' : 'utc');
    tz.textContent = timeZone() === 'utc' ? 'UTC' : 'local';
    onChange(null);
  });
  return h('span', { class: 'time-picker' }, sel, abs, tz);
}

// An event as an indented field list; onValue(e, field, value) for click-to-filter.
export function eventView(ev, onValue) {
  const rows = Object.entries(ev).map(([k, v]) => {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    const val = h('span', { class: `val${k === 'level' ? ` lvl-${v}` : ''}`, tabindex: 0 }, k === 'ts' ? `${text}  (${fmtTime(v)})` : text);
    if (onValue) {
      val.addEventListener('click', (e) => onValue(e, k, v));
      val.addEventListener('keydown', (e) => e.key === 'Enter' && onValue(e, k, v));
    }
    return h('div', { class: 'kv' }, h('span', { class: 'k' }, k), val);
  });
  return h('div', { class: 'event-view' }, ...rows);
}

// A plain table of rows (objects) with the given columns.
export function table(rows, cols, fmt = {}) {
  return h('table', { class: 'grid' },
    h('thead', null, h('tr', null, ...cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, ...rows.map((r) => h('tr', null, ...cols.map((c) => {
      const v = r[c];
      const cell = fmt[c] ? fmt[c](v, r) : v === null || v === undefined ? '–' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      return h('td', null, cell);
    })))));
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', null, title), ...children);
}

export function badge(text, cls = '') {
  return h('span', { class: `badge ${cls}` }, text);
}

export function loading(el, text = 'Loading…') {
  clear(el).appendChild(h('p', { class: 'muted' }, text));
}

export { toMs };
