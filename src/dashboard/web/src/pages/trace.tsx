// Trace: one request id (or W3C trace id) across services on a timeline (GET /v1/trace): the
// request record with its duration bar, every log/audit/error event in order with its offset
// from the start, the user agent as the server classified it, and the client IP.
import { render as draw, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { fmtTime, fmtDuration, toMs } from '../dom.js';
import { getJson } from '../api.js';
import { navigate } from '../nav.js';
import type { Route } from '../app.js';
import { Section, Badge, ErrorBox, EventView } from '../ui.js';

type Ev = Record<string, any>;

function Request({ req }: { req: Ev }) {
  const status = Number(req.status);
  return (
    <Section title="Request">
      <div class="trace-req">
        <span class="big">{`${req.method ?? ''} ${req.path ?? req.route ?? ''}`}</span>
        <Badge text={String(req.status ?? '?')} cls={status >= 500 ? 'red' : status >= 400 ? 'yellow' : 'green'} />
        <span>{fmtDuration(Number(req.duration_ms))}</span>
        <span class="muted">{`${fmtTime(req.ts)} · ${req.service ?? ''}`}</span>
      </div>
      <dl class="facts">
        <dt>client IP</dt><dd>{req.ip ?? '–'}</dd>
        <dt>browser</dt><dd>{[req.browser, req.browser_version].filter(Boolean).join(' ') || '–'}</dd>
        <dt>OS</dt><dd>{[req.os, req.os_version].filter(Boolean).join(' ') || '–'}</dd>
        <dt>device</dt><dd>{req.device ?? '–'}</dd>
        <dt>performance</dt><dd>{req.perf_class ?? '–'}</dd>
        <dt>user</dt><dd>{req.user_id ?? '–'}</dd>
        <dt>user agent</dt><dd class="ua">{req.ua ?? '–'}</dd>
      </dl>
    </Section>
  );
}

function Row({ ev, isReq, off, track }: { ev: Ev; isReq: boolean; off: number; track: JSX.Element }) {
  const [open, setOpen] = useState(false);
  const msg = ev.msg ?? (ev['error.message'] !== undefined ? `${ev['error.type'] ?? ''}: ${ev['error.message']}` : isReq ? `${ev.method} ${ev.path ?? ev.route} → ${ev.status}` : ev.action ?? '');
  return (
    <div>
      <div class={`tl-row kind-${ev.kind}`} data-testid="trace-row" tabIndex={0} onClick={() => setOpen(!open)} onKeyDown={(e) => e.key === 'Enter' && setOpen(!open)}>
        <span class="tl-off">{`+${fmtDuration(off)}`}</span>
        <span class={`lvl lvl-${ev.level}`}>{ev.level ?? ''}</span>
        <Badge text={ev.kind ?? 'log'} cls={`kind-${ev.kind}`} />
        <span class="svc">{ev.service ?? ''}</span>
        <span class="msg">{msg}</span>
        <div class="tl-track">{track}</div>
      </div>
      <div class="tl-detail">{open ? <EventView ev={ev} /> : null}</div>
    </div>
  );
}

function Timeline({ events }: { events: Ev[] }) {
  const req = events.find((e) => e.kind === 'request');
  const times = events.map((e) => toMs(e.ts)).filter(Number.isFinite);
  // The request's span: an access-log record is usually written when the request ends, so
  // when other events come before its ts the span is [ts - duration, ts]; else [ts, ts + duration].
  let reqStart = Infinity;
  let reqEnd = -Infinity;
  if (req) {
    const t = toMs(req.ts);
    const d = Number(req.duration_ms) || 0;
    const before = times.some((x) => x < t);
    reqStart = before ? t - d : t;
    reqEnd = before ? t : t + d;
  }
  const t0 = Math.min(...times, reqStart);
  const t1 = Math.max(...times, reqEnd, t0 + 1);
  const span = t1 - t0;
  const pct = (t: number) => `${(100 * (t - t0)) / span}%`;
  return (
    <>
      {req ? <Request req={req} /> : <p class="muted">No request record (kind:request) for this id: the events alone.</p>}
      <Section title={`Timeline · ${events.length} events · ${fmtDuration(span)}`}>
        <div class="tl-axis"><span>{fmtTime(t0)}</span><span>{`+${fmtDuration(span)}`}</span></div>
        <div class="timeline">
          {events.map((ev) => {
            const isReq = ev === req;
            const t = toMs(ev.ts);
            const track = isReq
              ? <div class="tl-bar" style={{ left: pct(reqStart), width: `${Math.max(0.5, (100 * (reqEnd - reqStart)) / span)}%` }} />
              : <div class={`tl-dot lvl-${ev.level}`} style={{ left: pct(t) }} />;
            return <Row ev={ev} isReq={isReq} off={(isReq ? reqStart : t) - t0} track={track} />;
          })}
        </div>
      </Section>
    </>
  );
}

function TracePage({ id, byTrace }: { id: string; byTrace: boolean }) {
  const [kind, setKind] = useState(byTrace ? 'trace_id' : 'request_id');
  const [text, setText] = useState(id);
  const [doc, setDoc] = useState<{ ok?: Ev; err?: unknown }>({});
  useEffect(() => {
    if (!id) return;
    const p = byTrace
      ? getJson('/v1/trace', {}, { trace_id: id }, { queued: true })
      : getJson('/v1/trace/{request_id}', { request_id: id }, {}, { queued: true });
    p.then((ok) => setDoc({ ok }), (err) => setDoc({ err }));
  }, [id, byTrace]);
  const go = () => {
    const v = text.trim();
    if (!v) return;
    navigate(kind === 'trace_id' ? `/ui/trace?trace_id=${encodeURIComponent(v)}` : `/ui/trace/${encodeURIComponent(v)}`);
  };
  let body;
  if (!id) body = <p class="muted">Enter a request id (from a log line, an error or a response's X-Request-ID) to see everything that happened in that request.</p>;
  else if (doc.err) body = <ErrorBox err={doc.err} />;
  else if (!doc.ok) body = <p class="muted">Loading…</p>;
  else body = <Timeline events={doc.ok.events || []} />;
  return (
    <div class="page trace">
      <div class="query-bar">
        <select aria-label="Id kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
          <option value="request_id">request id</option>
          <option value="trace_id">trace id</option>
        </select>
        <input class="query-input single" data-query-input="" value={text} placeholder="r-1842 or a trace id" aria-label="Request or trace id"
          onInput={(e) => setText((e.target as HTMLInputElement).value)} onKeyDown={(e) => e.key === 'Enter' && go()} />
        <button type="button" class="primary" onClick={go}>Show</button>
      </div>
      <div class="trace-body">{body}</div>
    </div>
  );
}

export function render(main: HTMLElement, route: Route) {
  const byTrace = route.params.get('trace_id');
  draw(<TracePage id={byTrace || route.rest[0] || ''} byTrace={!!byTrace} />, main);
  return () => draw(null, main);
}
