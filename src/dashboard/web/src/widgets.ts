// The value menu of click-to-filter (a small menu at the mouse, outside the page's Preact
// tree) and the time range helpers of the search page's picker and URL.
import { h, timeZone } from './dom.js';
import type { Range } from './api.js';

export interface MenuAction {
  label: string;
  run: () => void;
}

// A small menu at the mouse for a field's value: filter for it, filter it out, add a column.
// actions: [{label, run}]
export function valueMenu(e: MouseEvent, field: string, value: unknown, actions: (MenuAction | null)[]) {
  closeMenu();
  const menu = h('div', { class: 'value-menu', id: 'value-menu', role: 'menu' },
    h('div', { class: 'value-menu-title' }, `${field}: ${value === null ? 'null' : String(value).slice(0, 80)}`),
    ...actions.filter((a): a is MenuAction => a !== null).map((a) => h('button', { type: 'button', role: 'menuitem', onclick: () => { closeMenu(); a.run(); } }, a.label)));
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
export function rangeFromParams(params: URLSearchParams): Range {
  const from = params.get('from');
  const to = params.get('to');
  if (from && to && Number.isFinite(Date.parse(from)) && Number.isFinite(Date.parse(to))) return { from, to };
  const rel = params.get('range');
  return { rel: rel && Number.isFinite(durationMs(rel)) ? rel : '1h' };
}

export function rangeToParams(range: Range, params: URLSearchParams) {
  params.delete('range');
  params.delete('from');
  params.delete('to');
  if (range.rel) params.set('range', range.rel);
  else {
    params.set('from', range.from ?? '');
    params.set('to', range.to ?? '');
  }
}

// [fromMs, toMs] of a range, now for relative ones.
export function rangeBounds(range: Range): [number, number] {
  if (range.rel) {
    const now = Date.now();
    return [now - durationMs(range.rel), now];
  }
  return [Date.parse(range.from ?? ''), Date.parse(range.to ?? '')];
}

export function toInput(ms: number): string {
  // datetime-local value in the chosen zone
  const d = new Date(ms);
  const local = timeZone() === 'local';
  const off = local ? d.getTimezoneOffset() * 60000 : 0;
  return new Date(ms - off).toISOString().slice(0, 19);
}
export function fromInput(v: string): number {
  if (!v) return NaN;
  return timeZone() === 'local' ? new Date(v).getTime() : Date.parse(`${v}Z`);
}







