// @ts-nocheck — not typed yet: ported from the hand-written module as it was (docs/dashboard.md, STATUS).
// Live tail: the search filter applied to the live stream (GET /v1/tail as Server-Sent
// Events), pause/resume, highlighted matches, an events-per-second rate, and a notice when
// the server dropped events because this client read too slowly.
import { h, clear, fmtTime, fmtNum, errorBox } from '../dom.js';
import { tail } from '../api.js';
import { splitPipes, searchTerms } from '../vql.js';
import { navigate } from '../nav.js';

const MAX_ROWS = 2000;

function highlight(text, terms) {
  if (!terms.length || !text) return [text];
  const lower = text.toLowerCase();
  const out = [];
  let i = 0;
  while (i < text.length) {
    let best = -1;
    let len = 0;
    for (const t of terms) {
      const p = lower.indexOf(t.toLowerCase(), i);
      if (p >= 0 && (best < 0 || p < best)) {
        best = p;
        len = t.length;
      }
    }
    if (best < 0) {
      out.push(text.slice(i));
      break;
    }
    if (best > i) out.push(text.slice(i, best));
    out.push(h('mark', null, text.slice(best, best + len)));
    i = best + len;
  }
  return out;
}

function line(ev) {
  if (ev.msg !== undefined) return ev.msg;
  if (ev['error.message'] !== undefined) return `${ev['error.type'] ?? 'error'}: ${ev['error.message']}`;
  if (ev.kind === 'request') return `${ev.method ?? ''} ${ev.path ?? ev.route ?? ''} ${ev.status ?? ''} ${ev.duration_ms ?? ''}${ev.duration_ms !== undefined ? ' ms' : ''}`.trim();
  if (ev.action !== undefined) return `${ev.actor ?? ''} ${ev.action} ${ev.entity ?? ''} ${ev.entity_id ?? ''}`;
  return JSON.stringify(ev);
}

export async function render(main, route) {
  const initial = splitPipes(route.params.get('q') || '*').filter || '*';
  const input = h('input', { class: 'query-input single', 'data-query-input': '', value: initial, 'aria-label': 'Filter (VQL, no pipes)', spellcheck: 'false' });
  const sinceSel = h('select', { 'aria-label': 'Start from' },
    h('option', { value: '' }, 'from now'), h('option', { value: '1m' }, 'last 1m, then live'), h('option', { value: '5m' }, 'last 5m, then live'));
  const startBtn = h('button', { type: 'button', class: 'primary' }, 'Start');
  const pauseBtn = h('button', { type: 'button', disabled: true }, 'Pause');
  const clearBtn = h('button', { type: 'button' }, 'Clear');
  const status = h('span', { class: 'tail-status', 'data-testid': 'tail-status' }, 'stopped');
  const rate = h('span', { class: 'rate', 'data-testid': 'tail-rate', title: 'events per second over the last 5 s' }, '0.0 ev/s');
  const dropped = h('div', { class: 'notice', role: 'status', 'data-testid': 'tail-dropped' });
  const list = h('div', { class: 'tail-list', role: 'log', 'aria-live': 'off', 'data-testid': 'tail-list' });
  const err = h('div');

  main.appendChild(h('div', { class: 'page tail' },
    h('div', { class: 'query-bar' }, input, h('div', { class: 'controls' }, sinceSel, startBtn, pauseBtn, clearBtn, status, rate)),
    err, dropped, list));

  let abort = null;
  let paused = false;
  let pending = [];
  let droppedTotal = 0;
  let count = 0;
  const arrivals = [];
  let terms = searchTerms(initial);

  function addRows(evs) {
    const frag = document.createDocumentFragment();
    for (const ev of evs) {
      frag.prepend(h('div', { class: `tail-row lvl-${ev.level}` },
        h('span', { class: 'ts' }, fmtTime(ev.ts)),
        h('span', { class: `lvl lvl-${ev.level}` }, ev.level ?? ''),
        h('span', { class: 'svc' }, ev.service ?? ''),
        h('span', { class: 'msg' }, ...highlight(line(ev), terms)),
        ev.request_id ? h('a', { class: 'rid', href: `/ui/trace/${encodeURIComponent(ev.request_id)}` }, ev.request_id) : null));
    }
    list.prepend(frag);
    while (list.childElementCount > MAX_ROWS) list.lastElementChild.remove();
  }

  const timer = setInterval(() => {
    const now = performance.now();
    while (arrivals.length && arrivals[0] < now - 5000) arrivals.shift();
    rate.textContent = `${(arrivals.length / 5).toFixed(1)} ev/s`;
  }, 500);

  function stop() {
    if (abort) abort.abort();
    abort = null;
    startBtn.textContent = 'Start';
    pauseBtn.disabled = true;
    status.textContent = 'stopped';
  }

  async function start() {
    stop();
    clear(err);
    const q = input.value.trim() || '*';
    if (splitPipes(q).pipes) {
      err.appendChild(errorBox({ message: 'The live tail takes a filter only (no | pipes).' }));
      return;
    }
    terms = searchTerms(q);
    const p = new URLSearchParams({ q });
    history.replaceState(null, '', `/ui/tail?${p}`);
    abort = new AbortController();
    const signal = abort.signal;
    startBtn.textContent = 'Restart';
    pauseBtn.disabled = false;
    paused = false;
    pauseBtn.textContent = 'Pause';
    status.textContent = 'connecting…';
    status.className = 'tail-status';
    try {
      const opened = tail(q, sinceSel.value, {
        event: (ev) => {
          count++;
          arrivals.push(performance.now());
          if (paused) pending.push(ev);
          else addRows([ev]);
          status.textContent = paused ? `paused · ${fmtNum(pending.length)} waiting` : `live · ${fmtNum(count)} events`;
        },
        dropped: (n) => {
          droppedTotal += n;
          dropped.textContent = `The server dropped ${fmtNum(droppedTotal)} events: this browser read the stream too slowly.`;
          dropped.className = 'notice show';
        },
        error: (e) => err.replaceChildren(errorBox(e)),
        open: () => {
          status.textContent = 'live';
          status.className = 'tail-status live';
        },
      }, signal);
      await opened;
      if (!signal.aborted) {
        status.textContent = 'ended by the server';
        status.className = 'tail-status';
      }
    } catch (e) {
      if (signal.aborted) return;
      err.replaceChildren(errorBox(e));
      stop();
    }
  }

  startBtn.addEventListener('click', start);
  input.addEventListener('keydown', (e) => e.key === 'Enter' && start());
  pauseBtn.addEventListener('click', () => {
    paused = !paused;
    pauseBtn.textContent = paused ? 'Resume' : 'Pause';
    if (!paused) {
      addRows(pending);
      pending = [];
      status.textContent = `live · ${fmtNum(count)} events`;
    } else {
      status.textContent = 'paused';
    }
  });
  clearBtn.addEventListener('click', () => {
    clear(list);
    droppedTotal = 0;
    dropped.className = 'notice';
  });
  list.addEventListener('click', (e) => {
    const a = e.target.closest('a.rid');
    if (a) {
      e.preventDefault();
      navigate(a.getAttribute('href'));
    }
  });
  start();
  return () => {
    clearInterval(timer);
    stop();
  };
}
