// The dashboard's shell: client-side routes under /ui/ (the server answers every one with
// index.html), the navigation, the API key dialog (the key lives in sessionStorage), the
// theme, and the keyboard shortcuts ('/' focuses the query, Esc closes dialogs). The
// navigation and the dialog are Preact components; each page is a module of its own (a chunk
// loaded when first opened) exporting render(main, route), which returns its cleanup.
import { render as draw } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { toast } from './dom.js';
import { getKey, setKey } from './api.js';
import { navigate, onNavigate } from './nav.js';

export interface Route {
  page: PageDef;
  rest: string[];
  params: URLSearchParams;
}
interface PageModule {
  render(main: HTMLElement, route: Route): void | (() => void) | Promise<void | (() => void)>;
}
interface PageDef {
  path: string;
  title: string;
  load: () => Promise<PageModule>;
}

const PAGES: PageDef[] = [
  { path: 'search', title: 'Search', load: () => import('./pages/search.js') },
  { path: 'tail', title: 'Live tail', load: () => import('./pages/tail.js') },
  { path: 'trace', title: 'Trace', load: () => import('./pages/trace.js') },
  { path: 'overview', title: 'Overview', load: () => import('./pages/overview.js') },
  { path: 'alerts', title: 'Alerts', load: () => import('./pages/alerts.js') },
  { path: 'errors', title: 'Errors', load: () => import('./pages/errors.js') },
  { path: 'audit', title: 'Audit', load: () => import('./pages/audit.js') },
  { path: 'status', title: 'Status', load: () => import('./pages/status.js') },
];

let cleanup: (() => void) | null = null;
let renderSeq = 0;
let current: PageDef = PAGES[0]!;
let dialogReason: string | null = null; // the key dialog is open when not null

// '/ui/errors/abc?x=1' → {page, rest: ['abc'], params}
function parseLocation(): Route {
  const parts = location.pathname.replace(/^\/ui\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const page = PAGES.find((p) => p.path === parts[0]) || PAGES[0]!;
  return { page, rest: parts.slice(1), params: new URLSearchParams(location.search) };
}

function Nav({ active }: { active: string }) {
  return (
    <>
      {PAGES.map((p) => (
        <a href={`/ui/${p.path}`} data-nav="" data-page={p.path} class={p.path === active ? 'active' : undefined}
          aria-current={p.path === active ? 'page' : undefined}>{p.title}</a>
      ))}
    </>
  );
}

function KeyDialog({ reason }: { reason: string }) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const save = (e: Event) => {
    e.preventDefault();
    const k = input.current!.value.trim();
    setKey(k);
    closeKeyDialog();
    toast(k ? 'API key saved for this browser tab' : 'API key cleared');
    renderPage();
  };
  return (
    <div class="modal" id="key-dialog" role="dialog" aria-modal="true" aria-labelledby="key-title">
      <form class="modal-box" onSubmit={save}>
        <h2 id="key-title">API key</h2>
        {reason ? <p class="error-box">{reason}</p> : null}
        <p class="muted">
          The dashboard calls vigia's HTTP API with this key (a read key is enough for search, tail, trace, KPIs and
          errors; alerts, status and audit verification need an admin key). It is kept in this tab's session storage only.
        </p>
        <input ref={input} type="password" id="key-input" autocomplete="off" placeholder="vk_… or a legacy key" aria-label="API key" value={getKey()} />
        <div class="row">
          <button type="submit" class="primary">Save</button>
          <button type="button" onClick={() => { input.current!.value = ''; }}>Clear</button>
          <button type="button" onClick={closeKeyDialog}>Cancel</button>
        </div>
      </form>
    </div>
  );
}

// The parts of the page outside <main>: the navigation and the key dialog.
const dialogSlot = document.createElement('div');
function drawChrome() {
  draw(<Nav active={current.path} />, document.getElementById('nav')!);
  draw(dialogReason === null ? null : <KeyDialog reason={dialogReason} />, dialogSlot);
}
function openKeyDialog(reason: string) {
  if (dialogReason !== null) return;
  dialogReason = reason;
  drawChrome();
}
function closeKeyDialog() {
  dialogReason = null;
  drawChrome();
}

function ReloadNotice() {
  return (
    <div class="error-box" role="alert" data-testid="reload-notice">
      vigia was upgraded since this page was opened, and this page's files are of the old version.{' '}
      <button type="button" class="primary" onClick={() => location.reload()}>Reload</button> to use the new dashboard.
    </div>
  );
}

async function renderPage() {
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
  current = route.page;
  drawChrome();
  document.title = `${route.page.title} · vigia`;
  const main = document.getElementById('main')!;
  draw(null, main);
  main.replaceChildren();
  try {
    const mod = await route.page.load();
    // The chunk's evaluation and the page's first render in separate tasks (issue 17: no
    // task over 50 ms; on the search page's cold load the two were one task of 50–120 ms).
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (seq !== renderSeq) return;
    cleanup = (await mod.render(main, route)) || null;
  } catch (err) {
    if (seq !== renderSeq) return;
    if (await versionGone()) {
      draw(<ReloadNotice />, main);
      return;
    }
    draw(<div class="error-box" role="alert">This page failed to load: {String((err as Error)?.message || err)}</div>, main);
  }
}

// The files are served under /ui/assets/<version>/ (a hash of them all), so every module is
// of the same version; after an upgrade the server answers 404 for the old version's URLs.
// True when that is why a page's module did not load.
async function versionGone(): Promise<boolean> {
  try {
    const r = await fetch(import.meta.url, { method: 'HEAD', cache: 'no-store' });
    return r.status === 404;
  } catch (_) {
    return false;
  }
}

function applyTheme(t: string) {
  document.documentElement.dataset.theme = t;
  localStorage.setItem('vigia.theme', t);
}

function init() {
  onNavigate(renderPage);
  document.body.appendChild(dialogSlot);
  const saved = localStorage.getItem('vigia.theme');
  applyTheme(saved || (matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark'));
  document.getElementById('theme')!.addEventListener('click', () =>
    applyTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark'));
  document.getElementById('key')!.addEventListener('click', () => openKeyDialog(''));
  window.addEventListener('vigia:auth', (e) =>
    openKeyDialog(getKey() ? `The server refused the key: ${(e as CustomEvent).detail}` : 'This server needs an API key.'));
  // Links inside the app are client-side navigations.
  document.addEventListener('click', (e) => {
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    const href = a.getAttribute('href');
    if (!href || !href.startsWith('/ui/') || a.target) return;
    e.preventDefault();
    navigate(href);
  });
  window.addEventListener('popstate', renderPage);
  document.addEventListener('keydown', (e) => {
    const el = document.activeElement as HTMLElement | null;
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(el?.tagName || '') || !!el?.isContentEditable;
    if (e.key === '/' && !typing) {
      // The search page's plain textarea until its editor (CodeMirror, loaded after) is there.
      const q = document.querySelector<HTMLElement>('[data-query-input]') ?? document.querySelector<HTMLElement>('.editor textarea.plain');
      if (q) {
        e.preventDefault();
        q.focus();
      }
    } else if (e.key === 'Escape' && dialogReason !== null) {
      closeKeyDialog();
    }
  });
  if (location.pathname === '/' || location.pathname === '/ui' || location.pathname === '/ui/') {
    history.replaceState(null, '', `/ui/search${location.search}`);
  }
  renderPage();
}

init();
