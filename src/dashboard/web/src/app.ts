// @ts-nocheck — not typed yet: ported from the hand-written module as it was (docs/dashboard.md, STATUS).
// The dashboard's shell: client-side routes under /ui/ (the server answers every one with
// index.html), the navigation, the API key dialog (the key lives in sessionStorage), the
// theme, and the keyboard shortcuts ('/' focuses the query, Esc closes dialogs).
import { h, clear, toast } from './dom.js';
import { getKey, setKey } from './api.js';
import { navigate, onNavigate } from './nav.js';

const PAGES = [
  { path: 'search', title: 'Search', load: () => import('./pages/search.js') },
  { path: 'tail', title: 'Live tail', load: () => import('./pages/tail.js') },
  { path: 'trace', title: 'Trace', load: () => import('./pages/trace.js') },
  { path: 'overview', title: 'Overview', load: () => import('./pages/overview.js') },
  { path: 'alerts', title: 'Alerts', load: () => import('./pages/alerts.js') },
  { path: 'errors', title: 'Errors', load: () => import('./pages/errors.js') },
  { path: 'audit', title: 'Audit', load: () => import('./pages/audit.js') },
  { path: 'status', title: 'Status', load: () => import('./pages/status.js') },
];

let cleanup = null;
let renderSeq = 0;

// '/ui/errors/abc?x=1' → {page, rest: ['abc'], params}
function parseLocation() {
  const parts = location.pathname.replace(/^\/ui\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const page = PAGES.find((p) => p.path === parts[0]) || PAGES[0];
  return { page, rest: parts.slice(1), params: new URLSearchParams(location.search) };
}


async function render() {
  const seq = ++renderSeq;
  if (cleanup) {
    try {
      cleanup();
    } catch (_) {
      /* a page's cleanup never blocks navigation */
    }
    cleanup = null;
  }
  const route = parseLocation();
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.dataset.page === route.page.path);
    if (a.dataset.page === route.page.path) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${route.page.title} · vigia`;
  const main = clear(document.getElementById('main'));
  try {
    const mod = await route.page.load();
    if (seq !== renderSeq) return;
    cleanup = (await mod.render(main, route)) || null;
  } catch (err) {
    if (seq !== renderSeq) return;
    if (await versionGone()) {
      main.appendChild(h('div', { class: 'error-box', role: 'alert', 'data-testid': 'reload-notice' },
        'vigia was upgraded since this page was opened, and this page\'s files are of the old version. ',
        h('button', { type: 'button', class: 'primary', onclick: () => location.reload() }, 'Reload'),
        ' to use the new dashboard.'));
      return;
    }
    main.appendChild(h('div', { class: 'error-box', role: 'alert' }, `This page failed to load: ${err.message || err}`));
  }
}

// The files are served under /ui/assets/<version>/ (a hash of them all), so every module is
// of the same version; after an upgrade the server answers 404 for the old version's URLs.
// True when that is why a page's module did not load.
async function versionGone() {
  try {
    const r = await fetch(import.meta.url, { method: 'HEAD', cache: 'no-store' });
    return r.status === 404;
  } catch (_) {
    return false;
  }
}

function keyDialog(reason) {
  if (document.getElementById('key-dialog')) return;
  const input = h('input', { type: 'password', id: 'key-input', autocomplete: 'off', placeholder: 'vk_… or a legacy key', 'aria-label': 'API key', value: getKey() });
  const close = () => dlg.remove();
  const save = (e) => {
    e.preventDefault();
    setKey(input.value.trim());
    close();
    toast(input.value.trim() ? 'API key saved for this browser tab' : 'API key cleared');
    render();
  };
  const dlg = h('div', { class: 'modal', id: 'key-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'key-title' },
    h('form', { class: 'modal-box', onsubmit: save },
      h('h2', { id: 'key-title' }, 'API key'),
      reason ? h('p', { class: 'error-box' }, reason) : null,
      h('p', { class: 'muted' }, 'The dashboard calls vigia\'s HTTP API with this key (a read key is enough for search, tail, trace, KPIs and errors; alerts, status and audit verification need an admin key). It is kept in this tab\'s session storage only.'),
      input,
      h('div', { class: 'row' },
        h('button', { type: 'submit', class: 'primary' }, 'Save'),
        h('button', { type: 'button', onclick: () => { input.value = ''; } }, 'Clear'),
        h('button', { type: 'button', onclick: close }, 'Cancel'))));
  document.body.appendChild(dlg);
  input.focus();
}

function applyTheme(t) {
  document.documentElement.dataset.theme = t;
  localStorage.setItem('vigia.theme', t);
}

function init() {
  onNavigate(render);
  const saved = localStorage.getItem('vigia.theme');
  applyTheme(saved || (matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark'));
  const nav = document.getElementById('nav');
  for (const p of PAGES) {
    nav.appendChild(h('a', { href: `/ui/${p.path}`, 'data-nav': '', dataset: { page: p.path } }, p.title));
  }
  document.getElementById('theme').addEventListener('click', () =>
    applyTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark'));
  document.getElementById('key').addEventListener('click', () => keyDialog(''));
  window.addEventListener('vigia:auth', (e) => keyDialog(getKey() ? `The server refused the key: ${e.detail}` : 'This server needs an API key.'));
  // Links inside the app are client-side navigations.
  document.addEventListener('click', (e) => {
    const a = e.target.closest('a');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    const href = a.getAttribute('href');
    if (!href || !href.startsWith('/ui/') || a.target) return;
    e.preventDefault();
    navigate(href);
  });
  window.addEventListener('popstate', render);
  document.addEventListener('keydown', (e) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName || '') || document.activeElement?.isContentEditable;
    if (e.key === '/' && !typing) {
      const q = document.querySelector('[data-query-input]');
      if (q) {
        e.preventDefault();
        q.focus();
      }
    } else if (e.key === 'Escape') {
      document.getElementById('key-dialog')?.remove();
    }
  });
  if (location.pathname === '/' || location.pathname === '/ui' || location.pathname === '/ui/') {
    history.replaceState(null, '', `/ui/search${location.search}`);
  }
  render();
}

init();
