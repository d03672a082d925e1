// Alerts: firing and pending alerts with their values and labels, rule health, silences
// (create one from an alert's labels, expire one) and the history of transitions (the
// kind=alert events). GET /v1/alerts, /v1/rules, /v1/silences, POST /v1/silences,
// DELETE /v1/silences/{id}, /v1/query. These routes need an admin key. A silence is made in
// a form (one matcher per label, duration, comment, author) that shows the API's error.
import { render as draw, type ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fmtTime, fmtNum, toast } from '../dom.js';
import { getJson, call, query, type ApiError } from '../api.js';
import { Section, Badge, Table, ErrorBox } from '../ui.js';

type Json = Record<string, any>;
const STATE_CLS: Record<string, string> = { firing: 'red', pending: 'yellow', resolved: 'green', inactive: '' };
const OPS = ['=', '!=', '=~', '!~'];

function Labels({ obj }: { obj?: Record<string, string> }) {
  return <span class="labels">{Object.entries(obj || {}).map(([k, v]) => <code>{`${k}=${v}`}</code>)}</span>;
}

// A matcher as the API lists it ("name=value", "route=~/sales.*"); Alertmanager's object
// form is accepted too.
function matcherText(m: string | Json): string {
  if (typeof m === 'string') return m;
  const op = m.isRegex ? (m.isEqual === false ? '!~' : '=~') : m.isEqual === false ? '!=' : '=';
  return `${m.name}${op}${m.value}`;
}

interface MatcherRow {
  id: number;
  name: string;
  op: string;
  value: string;
}

// The silence dialog: one matcher row per label of `initial` (an alert's labels; one empty
// row when null), the duration, a comment and the author (remembered in localStorage).
// POST /v1/silences; an API error is shown in the form, which stays open.
function SilenceForm({ initial, onClose, onCreated }: { initial: Record<string, string> | null; onClose: () => void; onCreated: () => void }) {
  const nextId = useRef(0);
  const row = (name = '', op = '=', value = ''): MatcherRow => ({ id: nextId.current++, name, op, value });
  const entries = Object.entries(initial || {});
  const [rows, setRows] = useState<MatcherRow[]>(() => (entries.length ? entries.map(([k, v]) => row(k, '=', v)) : [row()]));
  const [duration, setDuration] = useState('2h');
  const [comment, setComment] = useState('');
  const [author, setAuthor] = useState(localStorage.getItem('vigia.author') || '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const durationRef = useRef<HTMLInputElement>(null);
  const rowsRef = useRef<HTMLDivElement>(null);
  const focusLast = useRef(false);
  useEffect(() => {
    (entries.length ? durationRef.current : rowsRef.current?.querySelector<HTMLInputElement>('.m-name'))?.focus();
  }, []);
  useEffect(() => {
    if (!focusLast.current) return;
    focusLast.current = false;
    rowsRef.current?.querySelector<HTMLInputElement>('.matcher-row:last-child .m-name')?.focus();
  }, [rows]);
  const set = (id: number, change: Partial<MatcherRow>) => setRows(rows.map((r) => (r.id === id ? { ...r, ...change } : r)));
  const save = async (e: Event) => {
    e.preventDefault();
    const matchers = rows.filter((r) => r.name.trim() || r.value)
      .map((r) => ({ name: r.name.trim(), value: r.value, isRegex: r.op.endsWith('~'), isEqual: !r.op.startsWith('!') }));
    const body: Json = { matchers, duration: duration.trim(), comment: comment.trim() };
    if (author.trim()) body.createdBy = author.trim();
    setError(null);
    setBusy(true);
    try {
      await call('POST', '/v1/silences', { body });
      if (body.createdBy) localStorage.setItem('vigia.author', body.createdBy);
      onClose();
      onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const value = (e: Event) => (e.target as HTMLInputElement).value;
  return (
    <div class="modal" id="silence-dialog" role="dialog" aria-modal="true" aria-labelledby="silence-title"
      onKeyDown={(e) => { if (e.key === 'Escape') onClose(); }}>
      <form class="modal-box silence-form" onSubmit={save}>
        <h2 id="silence-title">New silence</h2>
        <p class="muted">Alerts whose labels match every matcher are not notified while the silence lasts (=~ and !~ match the whole value with a regular expression).</p>
        <div class="matcher-rows" ref={rowsRef}>
          {rows.map((r) => (
            <div class="matcher-row" data-testid="matcher-row" key={r.id}>
              <input class="m-name" aria-label="Label name" placeholder="label" value={r.name} autocomplete="off" onInput={(e) => set(r.id, { name: value(e) })} />
              <select class="m-op" aria-label="Operator" value={r.op} onChange={(e) => set(r.id, { op: value(e) })}>
                {OPS.map((o) => <option value={o}>{o}</option>)}
              </select>
              <input class="m-value" aria-label="Value" placeholder="value" value={r.value} autocomplete="off" onInput={(e) => set(r.id, { value: value(e) })} />
              <button type="button" class="small ghost" title="Remove this matcher" aria-label="Remove matcher" onClick={() => setRows(rows.filter((x) => x.id !== r.id))}>×</button>
            </div>
          ))}
        </div>
        <button type="button" class="small" data-testid="add-matcher" onClick={() => { focusLast.current = true; setRows([...rows, row()]); }}>+ matcher</button>
        <label class="field">
          <span>Duration</span>
          <input id="silence-duration" ref={durationRef} value={duration} autocomplete="off" aria-describedby="silence-duration-hint" onInput={(e) => setDuration(value(e))} />
          <span id="silence-duration-hint" class="muted small">e.g. 30m, 2h, 1d</span>
        </label>
        <label class="field"><span>Comment</span><input id="silence-comment" placeholder="why, e.g. deploy 4.2" value={comment} autocomplete="off" onInput={(e) => setComment(value(e))} /></label>
        <label class="field"><span>Author</span><input id="silence-author" placeholder="your name" value={author} autocomplete="off" onInput={(e) => setAuthor(value(e))} /></label>
        <div data-testid="silence-error" role="alert">{error ? <ErrorBox err={error} /> : null}</div>
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>Create silence</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </div>
  );
}

// One card's data, reloaded when `version` changes; an error box on failure.
function useLoad(version: number, get: () => Promise<Json>) {
  const [r, setR] = useState<{ ok?: Json; err?: unknown }>({});
  useEffect(() => { get().then((ok) => setR({ ok }), (err) => setR({ err })); }, [version]);
  return r;
}

// A stored transition (a kind=alert event, alerting.md "Transitions are events") as a row of
// the history: when, which rule, the instance's labels (the event's alert.labels.* fields,
// flat or nested), the state it left and the one it entered, the value that was evaluated.
function transition(e: Json): Json {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(e)) if (k.startsWith('alert.labels.')) labels[k.slice('alert.labels.'.length)] = String(v);
  const nested = e.alert?.labels;
  if (nested && typeof nested === 'object') for (const [k, v] of Object.entries(nested)) labels[k] = String(v);
  const get = (k: string) => e[`alert.${k}`] ?? e.alert?.[k];
  return { time: e.ts, alert: get('name'), labels, from: get('previous'), to: get('state'), value: get('value') };
}

function AlertsPage({ dialogSlot }: { dialogSlot: HTMLElement }) {
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);
  useEffect(() => {
    const timer = setInterval(reload, 30000);
    return () => clearInterval(timer);
  }, []);
  const alerts = useLoad(version, () => getJson('/v1/alerts'));
  const silences = useLoad(version, () => getJson('/v1/silences'));
  const rulesDoc = useLoad(version, () => getJson('/v1/rules'));
  const history = useLoad(version, () => query('kind:alert | sort by (ts desc) | limit 50', { rel: '7d' }) as Promise<Json>);

  const silence = (labels: Record<string, string> | null) => {
    const close = () => draw(null, dialogSlot);
    draw(<SilenceForm key={Date.now()} initial={labels} onClose={close} onCreated={() => { toast('Silence created'); reload(); }} />, dialogSlot);
  };
  const expire = async (id: string) => {
    try {
      await call('DELETE', '/v1/silences/{id}', { params: { id } });
      toast('Silence expired');
      reload();
    } catch (err) {
      toast((err as ApiError).message, 'error');
    }
  };

  const part = (r: { ok?: Json; err?: unknown }, show: (j: Json) => ComponentChildren) => (r.err ? <ErrorBox err={r.err} /> : r.ok ? show(r.ok) : null);
  return (
    <div class="page alerts">
      <div>{part(alerts, (r) => {
        const active = r.alerts.filter((a: Json) => a.state === 'firing' || a.state === 'pending');
        return (
          <Section title={`Alerts · ${active.length} firing or pending`}>
            {r.alerts.length ? (
              <div data-testid="alerts-list">
                <Table rows={r.alerts} cols={['state', 'rule', 'value', 'labels', 'since', 'summary', '']} fmt={{
                  state: (v, a) => <Badge text={a.silenced_by && a.silenced_by.length ? `${v} (silenced)` : v} cls={STATE_CLS[v] ?? ''} />,
                  value: (v) => fmtNum(v),
                  labels: (v) => <Labels obj={v} />,
                  since: (_, a) => fmtTime(a.firedAt || a.activeAt),
                  summary: (_, a) => a.annotations?.summary ?? '',
                  '': (_, a) => <button type="button" class="small" onClick={() => silence(a.labels)}>Silence…</button>,
                }} />
              </div>
            ) : <p class="muted">No alert instance.</p>}
          </Section>
        );
      })}</div>
      <div>{part(silences, (r) => (
        <Section title="Silences">
          <div class="row"><button type="button" class="small" data-testid="new-silence" onClick={() => silence(null)}>New silence…</button></div>
          {r.silences.length ? (
            <div data-testid="silences-table">
              <Table rows={r.silences} cols={['status', 'matchers', 'startsAt', 'endsAt', 'createdBy', 'comment', '']} fmt={{
                status: (v) => <Badge text={v} cls={v === 'active' ? 'yellow' : ''} />,
                matchers: (v) => <span class="labels" data-testid="silence-matchers">{(v || []).map((m: string | Json) => <code>{matcherText(m)}</code>)}</span>,
                startsAt: (v) => fmtTime(v),
                endsAt: (v) => fmtTime(v),
                '': (_, s) => (s.status !== 'expired' ? <button type="button" class="small" onClick={() => expire(s.id)}>Expire</button> : ''),
              }} />
            </div>
          ) : <p class="muted">No silence.</p>}
        </Section>
      ))}</div>
      <div>{part(rulesDoc, (r) => {
        const rules: Json[] = [];
        for (const g of r.groups || []) for (const rule of g.rules || []) rules.push({ group: g.name, ...rule });
        return (
          <Section title={`Rules · ${rules.length}${r.load_error ? ' · load error' : ''}`}>
            {r.load_error ? <ErrorBox err={{ message: r.load_error }} /> : null}
            {rules.length ? (
              <Table rows={rules} cols={['group', 'name', 'health', 'query', 'lastError']} fmt={{
                health: (v) => <Badge text={v || 'unknown'} cls={v === 'ok' ? 'green' : v === 'err' || v === 'error' ? 'red' : ''} />,
                query: (v) => <code>{v}</code>,
              }} />
            ) : <p class="muted">No rule loaded (alerts.rules_dir).</p>}
          </Section>
        );
      })}</div>
      <div>{part(history, (r) => (
        <Section title="Transitions (last 7 days)">
          <div class="row"><a href={`/ui/search?q=${encodeURIComponent('kind:alert')}&range=7d`}>All transitions in search</a></div>
          {r.rows.length ? (
            <div data-testid="alert-transitions">
              <Table rows={r.rows.map(transition)} cols={['time', 'alert', 'labels', 'from', 'to', 'value']} fmt={{
                time: (v) => fmtTime(v),
                labels: (v) => <Labels obj={v} />,
                from: (v) => <Badge text={v || '–'} cls={STATE_CLS[v] ?? ''} />,
                to: (v) => <Badge text={v || '–'} cls={STATE_CLS[v] ?? ''} />,
                value: (v) => (v === undefined || v === null ? '–' : fmtNum(v)),
              }} />
            </div>
          ) : <p class="muted">No transition stored.</p>}
        </Section>
      ))}</div>
    </div>
  );
}

export function render(main: HTMLElement) {
  const dialogSlot = document.createElement('div');
  document.body.appendChild(dialogSlot);
  draw(<AlertsPage dialogSlot={dialogSlot} />, main);
  return () => {
    draw(null, dialogSlot);
    dialogSlot.remove();
    draw(null, main);
  };
}
