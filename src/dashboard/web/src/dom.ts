// Tiny DOM helpers: h() builds elements (no innerHTML anywhere, so data is never markup),
// formatters for times and numbers shared by the pages.

export type Child = Node | string | number | null | undefined | false | Child[];

export function h(tag: string, attrs: Record<string, any> | null, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'style') Object.assign(el.style, v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'value') (el as HTMLInputElement).value = v;
      else if (k === 'checked' || k === 'disabled' || k === 'selected') (el as unknown as Record<string, boolean>)[k] = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el: Element, children: Child[]) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear<T extends Element>(el: T): T {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function svg(tag: string, attrs: Record<string, string | number> | null, ...children: (Element | null)[]): SVGElement {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    el.setAttribute(k, String(v));
  }
  for (const c of children) if (c) el.appendChild(c);
  return el;
}

// Time zone choice of the user: 'utc' or 'local' (localStorage, shared by every page).
export function timeZone() {
  return localStorage.getItem('vigia.tz') === 'local' ? 'local' : 'utc';
}
export function setTimeZone(tz: string) {
  localStorage.setItem('vigia.tz', tz === 'local' ? 'local' : 'utc');
}

// An event time (RFC 3339 string, ms number, or ns bigint/number > 1e15) → Date ms.
export function toMs(t: unknown): number {
  if (t === null || t === undefined) return NaN;
  if (typeof t === 'number') return t > 1e15 ? t / 1e6 : t;
  return Date.parse(String(t));
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

// "2026-12-03 05:21:36.928" in the chosen zone; sub-ms digits of RFC 3339 strings are kept.
export function fmtTime(t: unknown, withDate = true): string {
  const ms = toMs(t);
  if (!Number.isFinite(ms)) return String(t ?? '');
  const d = new Date(ms);
  const utc = timeZone() === 'utc';
  const Y = utc ? d.getUTCFullYear() : d.getFullYear();
  const M = utc ? d.getUTCMonth() + 1 : d.getMonth() + 1;
  const D = utc ? d.getUTCDate() : d.getDate();
  const hh = utc ? d.getUTCHours() : d.getHours();
  const mm = utc ? d.getUTCMinutes() : d.getMinutes();
  const ss = utc ? d.getUTCSeconds() : d.getSeconds();
  const time = `${pad(hh)}:${pad(mm)}:${pad(ss)}.${pad(d.getUTCMilliseconds(), 3)}`;
  return withDate ? `${Y}-${pad(M)}-${pad(D)} ${time}` : time;
}

export function fmtNum(v: unknown, digits = 2): string {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v.toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${u[i]}`;
}

export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (Math.abs(ms) < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (Math.abs(ms) < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  if (Math.abs(ms) < 60000) return `${(ms / 1000).toFixed(2)} s`;
  if (Math.abs(ms) < 3600000) return `${(ms / 60000).toFixed(1)} min`;
  return `${(ms / 3600000).toFixed(1)} h`;
}

// Shows a short message at the bottom of the page.
let toastTimer = 0;
export function toast(msg: string, kind = 'info') {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = msg;
  el.className = `show ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => (el.className = ''), 4000);
}

// A readable error box for a failed API call (never a blank page).
export function errorBox(err: any): HTMLElement {
  const code = err && err.code ? `${err.code}: ` : '';
  return h('div', { class: 'error-box', role: 'alert' }, code + (err && err.message ? err.message : String(err)));
}

export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number): (...a: A) => void {
  let t = 0;
  return (...a: A) => {
    clearTimeout(t);
    t = window.setTimeout(() => fn(...a), ms);
  };
}
