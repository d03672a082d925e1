// @ts-nocheck — not typed yet: ported from the hand-written module as it was (docs/dashboard.md, STATUS).
// Trace: one request id (or W3C trace id) across services on a timeline (GET /v1/trace): the
// request record with its duration bar, every log/audit/error event in order with its offset
// from the start, the user agent as the server classified it, and the client IP.
import { h, clear, fmtTime, fmtDuration, errorBox, toMs } from '../dom.js';
import { getJson } from '../api.js';
import { navigate } from '../nav.js';
import { section, eventView, badge } from '../widgets.js';

export async function render(main, route) {
  const byTrace = route.params.get('trace_id');
  const id = byTrace || route.rest[0] || '';
  const kind = h('select', { 'aria-label': 'Id kind' },
    h('option', { value: 'request_id', selected: !byTrace }, 'request id'),
    h('option', { value: 'trace_id', selected: !!byTrace }, 'trace id'));
  const input = h('input', { class: 'query-input single', 'data-query-input': '', value: id, placeholder: 'r-1842 or a trace id', 'aria-label': 'Request or trace id' });
  const go = () => {
    const v = input.value.trim();
    if (!v) return;
    navigate(kind.value === 'trace_id' ? `/ui/trace?trace_id=${encodeURIComponent(v)}` : `/ui/trace/${encodeURIComponent(v)}`);
  };
  input.addEventListener('keydown', (e) => e.key === 'Enter' && go());
  const body = h('div', { class: 'trace-body' });
  main.appendChild(h('div', { class: 'page trace' },
    h('div', { class: 'query-bar' }, kind, input, h('button', { type: 'button', class: 'primary', onclick: go }, 'Show')), body));
  if (!id) {
    body.appendChild(h('p', { class: 'muted' }, 'Enter a request id (from a log line, an error or a response\'s X-Request-ID) to see everything that happened in that request.'));
    return;
  }
  body.appendChild(h('p', { class: 'muted' }, 'Loading…'));
  let doc;
  try {
    doc = byTrace
      ? await getJson('/v1/trace', {}, { trace_id: id }, { queued: true })
      : await getJson('/v1/trace/{request_id}', { request_id: id }, {}, { queued: true });
  } catch (err) {
    clear(body).appendChild(errorBox(err));
    return;
  }
  const events = doc.events || [];
  const req = events.find((e) => e.kind === 'request');
  const times = events.map((e) => toMs(e.ts)).filter(Number.isFinite);
  // The request's span: an access-log record is usually written when the request ends, so
  // when other events come before its ts the span is [ts - duration, ts]; else [ts, ts + duration].
  let reqStart = null;
  let reqEnd = null;
  if (req) {
    const t = toMs(req.ts);
    const d = Number(req.duration_ms) || 0;
    const before = times.some((x) => x < t);
    reqStart = before ? t - d : t;
    reqEnd = before ? t : t + d;
  }
  const t0 = Math.min(...times, reqStart ?? Infinity);
  const t1 = Math.max(...times, reqEnd ?? -Infinity, t0 + 1);
  const span = t1 - t0;
  const pct = (t) => `${(100 * (t - t0)) / span}%`;

  const head = [];
  if (req) {
    head.push(section('Request',
      h('div', { class: 'trace-req' },
        h('span', { class: 'big' }, `${req.method ?? ''} ${req.path ?? req.route ?? ''}`),
        badge(String(req.status ?? '?'), Number(req.status) >= 500 ? 'red' : Number(req.status) >= 400 ? 'yellow' : 'green'),
        h('span', null, fmtDuration(Number(req.duration_ms))),
        h('span', { class: 'muted' }, `${fmtTime(req.ts)} · ${req.service ?? ''}`)),
      h('dl', { class: 'facts' },
        h('dt', null, 'client IP'), h('dd', null, req.ip ?? '–'),
        h('dt', null, 'browser'), h('dd', null, [req.browser, req.browser_version].filter(Boolean).join(' ') || '–'),
        h('dt', null, 'OS'), h('dd', null, [req.os, req.os_version].filter(Boolean).join(' ') || '–'),
        h('dt', null, 'device'), h('dd', null, req.device ?? '–'),
        h('dt', null, 'performance'), h('dd', null, req.perf_class ?? '–'),
        h('dt', null, 'user'), h('dd', null, req.user_id ?? '–'),
        h('dt', null, 'user agent'), h('dd', { class: 'ua' }, req.ua ?? '–'))));
  } else {
    head.push(h('p', { class: 'muted' }, 'No request record (kind:request) for this id: the events alone.'));
  }
  const rows = events.map((ev, i) => {
    const t = toMs(ev.ts);
    const isReq = ev === req;
    const bar = isReq
      ? h('div', { class: 'tl-bar', style: { left: pct(reqStart), width: `${Math.max(0.5, (100 * (reqEnd - reqStart)) / span)}%` } })
      : h('div', { class: `tl-dot lvl-${ev.level}`, style: { left: pct(t) } });
    const detail = h('div', { class: 'tl-detail' });
    const row = h('div', { class: `tl-row kind-${ev.kind}`, 'data-testid': 'trace-row', tabindex: 0 },
      h('span', { class: 'tl-off' }, `+${fmtDuration((isReq ? reqStart : t) - t0)}`),
      h('span', { class: `lvl lvl-${ev.level}` }, ev.level ?? ''),
      badge(ev.kind ?? 'log', `kind-${ev.kind}`),
      h('span', { class: 'svc' }, ev.service ?? ''),
      h('span', { class: 'msg' }, ev.msg ?? (ev['error.message'] !== undefined ? `${ev['error.type'] ?? ''}: ${ev['error.message']}` : isReq ? `${ev.method} ${ev.path ?? ev.route} → ${ev.status}` : ev.action ?? '')),
      h('div', { class: 'tl-track' }, bar));
    const toggle = () => {
      if (detail.firstChild) clear(detail);
      else detail.appendChild(eventView(ev));
    };
    row.addEventListener('click', toggle);
    row.addEventListener('keydown', (e) => e.key === 'Enter' && toggle());
    return h('div', { dataset: { i } }, row, detail);
  });
  clear(body).append(...head, section(`Timeline · ${events.length} events · ${fmtDuration(span)}`,
    h('div', { class: 'tl-axis' }, h('span', null, fmtTime(t0)), h('span', null, `+${fmtDuration(span)}`)),
    h('div', { class: 'timeline' }, ...rows)));
}
