// Errors: the error groups (count, users affected, sparkline, first/last seen, status) and a
// group's page (stack, latest events, breakdown by release/route/browser, resolve/ignore).
// GET /v1/errors, GET|PATCH /v1/errors/{fingerprint}.
import { render as draw } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { fmtTime, fmtNum, toast } from '../dom.js';
import { getJson, call, type ApiError } from '../api.js';
import { navigate } from '../nav.js';
import type { Route } from '../app.js';
import { Section, Badge, Table, ErrorBox, Sparkline } from '../ui.js';

type Json = Record<string, any>;
const STATUS_CLS: Record<string, string> = { unresolved: 'red', regressed: 'red', resolved: 'green', ignored: '' };

// The answer of a GET, refetched when `key` changes: {ok} or {err}, {} while loading.
function useGet(key: string, get: () => Promise<Json>) {
  const [r, setR] = useState<{ ok?: Json; err?: unknown }>({});
  useEffect(() => {
    setR({});
    get().then((ok) => setR({ ok }), (err) => setR({ err }));
  }, [key]);
  return r;
}

function Select({ name, value, opts }: { name: string; value: string; opts: [string, string][] }) {
  const change = (e: Event) => {
    const p = new URLSearchParams(location.search);
    p.set(name, (e.target as HTMLSelectElement).value);
    navigate(`/ui/errors?${p}`);
  };
  return <select aria-label={name} value={value} onChange={change}>{opts.map(([v, label]) => <option value={v}>{label}</option>)}</select>;
}

function List({ params }: { params: URLSearchParams }) {
  const status = params.get('status') || 'unresolved,regressed';
  const sort = params.get('sort') || 'last_seen';
  const since = params.get('since') || '24h';
  const r = useGet(`${status}|${sort}|${since}`, () => getJson('/v1/errors', {}, { status, sort, since, limit: 200 }));
  let body;
  if (r.err) body = <ErrorBox err={r.err} />;
  else if (!r.ok) body = <p class="muted">Loading…</p>;
  else if (!r.ok.errors.length) body = <p class="muted">No error group matches.</p>;
  else {
    body = (
      <div class="card" data-testid="error-groups">
        <Table rows={r.ok.errors} cols={['title', 'status', 'events', 'count', 'users', 'trend', 'first_seen', 'last_seen', 'services']} fmt={{
          title: (v, g) => <div><a href={`/ui/errors/${encodeURIComponent(g.fingerprint)}`}>{v}</a><div class="muted small">{g.culprit ?? ''}</div></div>,
          status: (v) => <Badge text={v} cls={STATUS_CLS[v] ?? ''} />,
          events: (v) => fmtNum(v),
          count: (v) => fmtNum(v),
          users: (v) => fmtNum(v),
          trend: (_, g) => <Sparkline values={g.sparkline || []} width={110} height={24} />,
          first_seen: (v) => fmtTime(v),
          last_seen: (v) => fmtTime(v),
          services: (v) => (v || []).join(', '),
        }} />
      </div>
    );
  }
  return (
    <div class="page errors">
      <div class="query-bar">
        <Select name="status" value={status} opts={[['unresolved,regressed', 'open'], ['unresolved,regressed,resolved,ignored', 'all'], ['resolved', 'resolved'], ['ignored', 'ignored']]} />
        <Select name="sort" value={sort} opts={[['last_seen', 'last seen'], ['first_seen', 'first seen'], ['count', 'count'], ['users', 'users']]} />
        <Select name="since" value={since} opts={[['1h', 'last hour'], ['24h', 'last 24 h'], ['7d', 'last 7 days'], ['30d', 'last 30 days']]} />
      </div>
      <div>{body}</div>
    </div>
  );
}

function Distribution({ name, items = [] }: { name: string; items?: Json[] }) {
  const total = items.reduce((a, x) => a + x.count, 0) || 1;
  return (
    <div>
      <h3>{name}</h3>
      {items.length ? (
        <ul class="shares">
          {items.slice(0, 8).map((x) => (
            <li><span>{x.value ?? '(none)'}</span><span class="bar blue"><i style={{ width: `${Math.round((100 * x.count) / total)}%` }} /></span><span class="muted">{` ${fmtNum(x.count)}`}</span></li>
          ))}
        </ul>
      ) : <p class="muted">–</p>}
    </div>
  );
}

function Group({ fp }: { fp: string }) {
  const [version, setVersion] = useState(0);
  const r = useGet(`${fp}|${version}`, () => getJson('/v1/errors/{fingerprint}', { fingerprint: fp }));
  const act = async (change: Json, label: string) => {
    try {
      await call('PATCH', '/v1/errors/{fingerprint}', { params: { fingerprint: fp }, body: change });
      toast(label);
      setVersion(version + 1);
    } catch (err) {
      const e = err as ApiError;
      toast(e.code === 'forbidden' ? 'Changing a group needs an admin key' : e.message, 'error');
    }
  };
  let body;
  if (r.err) body = <ErrorBox err={r.err} />;
  else if (!r.ok) body = <p class="muted">Loading…</p>;
  else {
    const g = r.ok.group;
    const latest: Json[] = r.ok.latest_events || [];
    const stack = latest.find((e) => e['error.stack'])?.['error.stack'];
    const d = r.ok.distribution || {};
    body = (
      <>
        <Section title={g.title}>
          <div class="row">
            <Badge text={g.status} cls={STATUS_CLS[g.status] ?? ''} />
            <span class="muted">{g.culprit ?? ''}</span>
            <span>{`${fmtNum(g.count)} events · ${fmtNum(g.users)} users`}</span>
            <span class="muted">{`first ${fmtTime(g.first_seen)} · last ${fmtTime(g.last_seen)}`}</span>
          </div>
          <div class="row">
            <button type="button" onClick={() => act({ status: 'resolved' }, 'Resolved')}>Resolve</button>
            <button type="button" onClick={() => act({ status: 'resolved', in_next_release: true }, 'Resolved in the next release')}>Resolve in next release</button>
            <button type="button" onClick={() => act({ status: 'ignored', for: '24h' }, 'Ignored for 24 h')}>Ignore 24 h</button>
            <button type="button" onClick={() => act({ status: 'unresolved' }, 'Unresolved')}>Unresolve</button>
          </div>
          {r.ok.sparkline ? <Sparkline values={r.ok.sparkline.counts || []} width={400} height={40} /> : null}
        </Section>
        {stack ? <Section title="Stack"><pre class="stack">{stack}</pre></Section> : null}
        <Section title="Breakdown">
          <div class="cols3">
            <Distribution name="release" items={d.release} />
            <Distribution name="route" items={d.route} />
            <Distribution name="browser" items={d.browser} />
            <Distribution name="environment" items={d.environment} />
            <Distribution name="host" items={d.host} />
          </div>
        </Section>
        <Section title="Latest events">
          <Table rows={latest} cols={['ts', 'service', 'release', 'request_id', 'error.message']} fmt={{
            ts: (v) => fmtTime(v),
            release: (_, e) => e.version ?? e.release ?? '',
            request_id: (v) => (v ? <a href={`/ui/trace/${encodeURIComponent(v)}`}>{v}</a> : ''),
          }} />
        </Section>
      </>
    );
  }
  return (
    <div class="page error-group">
      <p><a href="/ui/errors">← all errors</a></p>
      <div>{body}</div>
    </div>
  );
}

export function render(main: HTMLElement, route: Route) {
  draw(route.rest[0] ? <Group fp={route.rest[0]} /> : <List params={route.params} />, main);
  return () => draw(null, main);
}
