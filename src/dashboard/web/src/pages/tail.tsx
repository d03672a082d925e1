// Live tail: the search filter applied to the live stream (GET /v1/tail as Server-Sent
// Events), pause/resume, highlighted matches, an events-per-second rate, and a notice when
// the server dropped events because this client read too slowly. Arrivals are drawn once per
// frame (a burst is one render), newest on top, at most MAX_ROWS kept.
import { render as draw, type ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fmtTime, fmtNum } from '../dom.js';
import { tail } from '../api.js';
import { splitPipes, searchTerms } from '../vql.js';
import type { Route } from '../app.js';
import { ErrorBox } from '../ui.js';

const MAX_ROWS = 2000;
type Ev = Record<string, any>;

function highlight(text: string, terms: string[]): ComponentChildren[] {
  if (!terms.length || !text) return [text];
  const lower = text.toLowerCase();
  const out: ComponentChildren[] = [];
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
    out.push(<mark>{text.slice(best, best + len)}</mark>);
    i = best + len;
  }
  return out;
}

function line(ev: Ev): string {
  if (ev.msg !== undefined) return String(ev.msg);
  if (ev['error.message'] !== undefined) return `${ev['error.type'] ?? 'error'}: ${ev['error.message']}`;
  if (ev.kind === 'request') return `${ev.method ?? ''} ${ev.path ?? ev.route ?? ''} ${ev.status ?? ''} ${ev.duration_ms ?? ''}${ev.duration_ms !== undefined ? ' ms' : ''}`.trim();
  if (ev.action !== undefined) return `${ev.actor ?? ''} ${ev.action} ${ev.entity ?? ''} ${ev.entity_id ?? ''}`;
  return JSON.stringify(ev);
}

function TailRow({ ev, terms }: { ev: Ev; terms: string[] }) {
  return (
    <div class={`tail-row lvl-${ev.level}`}>
      <span class="ts">{fmtTime(ev.ts)}</span>
      <span class={`lvl lvl-${ev.level}`}>{ev.level ?? ''}</span>
      <span class="svc">{ev.service ?? ''}</span>
      <span class="msg">{highlight(line(ev), terms)}</span>
      {ev.request_id ? <a class="rid" href={`/ui/trace/${encodeURIComponent(ev.request_id)}`}>{ev.request_id}</a> : null}
    </div>
  );
}

function TailPage({ initial }: { initial: string }) {
  const [text, setText] = useState(initial);
  const [since, setSince] = useState('');
  const [rows, setRows] = useState<{ id: number; ev: Ev }[]>([]);
  const [terms, setTerms] = useState(searchTerms(initial));
  const [status, setStatus] = useState({ text: 'stopped', live: false });
  const [running, setRunning] = useState(false);
  const [paused, setPaused] = useState(false);
  const [rate, setRate] = useState('0.0 ev/s');
  const [dropped, setDropped] = useState(0);
  const [error, setError] = useState<unknown>(null);
  // Mutable state the stream's callbacks share without re-rendering.
  const s = useRef({ abort: null as AbortController | null, paused: false, pending: [] as Ev[], fresh: [] as Ev[], count: 0, id: 0, arrivals: [] as number[], frame: 0 });

  const flush = () => {
    const st = s.current;
    st.frame = 0;
    if (!st.fresh.length) return;
    const add = st.fresh.reverse().map((ev) => ({ id: ++st.id, ev }));
    st.fresh = [];
    setRows((old) => add.concat(old).slice(0, MAX_ROWS));
  };
  const show = (evs: Ev[]) => {
    const st = s.current;
    st.fresh.push(...evs);
    if (!st.frame) st.frame = requestAnimationFrame(flush);
  };

  const stop = () => {
    s.current.abort?.abort();
    s.current.abort = null;
    setRunning(false);
    setStatus({ text: 'stopped', live: false });
  };

  const start = async () => {
    stop();
    setError(null);
    const q = text.trim() || '*';
    if (splitPipes(q).pipes) {
      setError({ message: 'The live tail takes a filter only (no | pipes).' });
      return;
    }
    setTerms(searchTerms(q));
    history.replaceState(null, '', `/ui/tail?${new URLSearchParams({ q })}`);
    const abort = new AbortController();
    const st = s.current;
    st.abort = abort;
    st.paused = false;
    setPaused(false);
    setRunning(true);
    setStatus({ text: 'connecting…', live: false });
    try {
      await tail(q, since || undefined, {
        event: (ev) => {
          st.count++;
          st.arrivals.push(performance.now());
          if (st.paused) st.pending.push(ev);
          else show([ev]);
          setStatus({ text: st.paused ? `paused · ${fmtNum(st.pending.length)} waiting` : `live · ${fmtNum(st.count)} events`, live: true });
        },
        dropped: (n) => setDropped((d) => d + n),
        error: (e) => setError(e),
        open: () => setStatus({ text: 'live', live: true }),
      }, abort.signal);
      if (!abort.signal.aborted) setStatus({ text: 'ended by the server', live: false });
    } catch (e) {
      if (abort.signal.aborted) return;
      setError(e);
      stop();
    }
  };

  const togglePause = () => {
    const st = s.current;
    st.paused = !st.paused;
    setPaused(st.paused);
    if (!st.paused) {
      show(st.pending);
      st.pending = [];
      setStatus({ text: `live · ${fmtNum(st.count)} events`, live: true });
    } else {
      setStatus({ text: 'paused', live: true });
    }
  };

  useEffect(() => {
    start();
    const timer = setInterval(() => {
      const a = s.current.arrivals;
      const now = performance.now();
      while (a.length && a[0]! < now - 5000) a.shift();
      setRate(`${(a.length / 5).toFixed(1)} ev/s`);
    }, 500);
    return () => {
      clearInterval(timer);
      s.current.abort?.abort();
      cancelAnimationFrame(s.current.frame);
    };
  }, []);

  return (
    <div class="page tail">
      <div class="query-bar">
        <input class="query-input single" data-query-input="" value={text} aria-label="Filter (VQL, no pipes)" spellcheck={false}
          onInput={(e) => setText((e.target as HTMLInputElement).value)} onKeyDown={(e) => e.key === 'Enter' && start()} />
        <div class="controls">
          <select aria-label="Start from" value={since} onChange={(e) => setSince((e.target as HTMLSelectElement).value)}>
            <option value="">from now</option>
            <option value="1m">last 1m, then live</option>
            <option value="5m">last 5m, then live</option>
          </select>
          <button type="button" class="primary" onClick={start}>{running ? 'Restart' : 'Start'}</button>
          <button type="button" disabled={!running} onClick={togglePause}>{paused ? 'Resume' : 'Pause'}</button>
          <button type="button" onClick={() => { setRows([]); setDropped(0); }}>Clear</button>
          <span class={`tail-status${status.live && !paused ? ' live' : ''}`} data-testid="tail-status">{status.text}</span>
          <span class="rate" data-testid="tail-rate" title="events per second over the last 5 s">{rate}</span>
        </div>
      </div>
      <div>{error ? <ErrorBox err={error} /> : null}</div>
      <div class={`notice${dropped ? ' show' : ''}`} role="status" data-testid="tail-dropped">
        {dropped ? `The server dropped ${fmtNum(dropped)} events: this browser read the stream too slowly.` : ''}
      </div>
      <div class="tail-list" role="log" aria-live="off" data-testid="tail-list">
        {rows.map((r) => <TailRow key={r.id} ev={r.ev} terms={terms} />)}
      </div>
    </div>
  );
}

export function render(main: HTMLElement, route: Route) {
  draw(<TailPage initial={splitPipes(route.params.get('q') || '*').filter || '*'} />, main);
  return () => draw(null, main);
}
