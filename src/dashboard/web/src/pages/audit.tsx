// Audit: the trail of an actor or an entity from the tamper-evident ledger (GET /v1/audit),
// with the chain verification status (GET /v1/audit/verify, admin).
import { render as draw } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { fmtTime } from '../dom.js';
import { getJson, type Query } from '../api.js';
import { navigate } from '../nav.js';
import type { Route } from '../app.js';
import { Section, Badge, Table, ErrorBox } from '../ui.js';

const FIELDS = ['actor', 'entity', 'entity_id', 'action', 'tenant'];
const SINCE = ['1h', '24h', '7d', '30d', '365d'];

type Json = Record<string, any>;

function Verify() {
  const [v, setV] = useState<{ ok?: Json; err?: any }>({});
  useEffect(() => { getJson('/v1/audit/verify').then((ok) => setV({ ok }), (err) => setV({ err })); }, []);
  if (v.err) {
    return <Section title="Chain verification">{v.err.code === 'forbidden' ? <p class="muted">Verifying the chains needs an admin key.</p> : <ErrorBox err={v.err} />}</Section>;
  }
  if (!v.ok) return null;
  return (
    <Section title="Chain verification">
      <div class="row" data-testid="audit-verify">
        <Badge text={v.ok.ok ? 'all chains intact' : 'TAMPERING DETECTED'} cls={v.ok.ok ? 'green' : 'red'} />
        {v.ok.tenants.map((t: Json) => (
          <span>{`${t.tenant || '(default)'}: ${t.records} records, ${t.checkpoints} checkpoints${t.breaks.length ? ` · ${t.breaks.map((b: Json) => `${b.kind} at #${b.seq}`).join(', ')}` : ''}`}</span>
        ))}
      </div>
    </Section>
  );
}

function Trail({ params }: { params: URLSearchParams }) {
  const [r, setR] = useState<{ ok?: Json; err?: unknown }>({});
  useEffect(() => {
    const query: Query = { format: 'json', since: params.get('since') || '7d', limit: 1000 };
    for (const f of FIELDS) if (params.get(f)) query[f] = params.get(f);
    getJson('/v1/audit', {}, query).then((ok) => setR({ ok }), (err) => setR({ err }));
  }, [params.toString()]);
  if (r.err) return <ErrorBox err={r.err} />;
  if (!r.ok) return <p class="muted">Loading…</p>;
  const recs: Json[] = (r.ok.records || []).slice().reverse();
  return (
    <Section title={`Trail · ${recs.length} records${r.ok.tenant ? ` · tenant ${r.ok.tenant}` : ''}`}>
      {recs.length ? (
        <div data-testid="audit-trail">
          <Table rows={recs} cols={['seq', 'time', 'actor', 'action', 'entity', 'outcome', 'hash']} fmt={{
            time: (_, x) => fmtTime(x.event.ts),
            actor: (_, x) => x.event.actor ?? '',
            action: (_, x) => <span>{x.event.action ?? ''}{x.event.catalogued === false ? <Badge text="uncatalogued" cls="yellow" /> : null}</span>,
            entity: (_, x) => `${x.event.entity ?? ''} ${x.event.entity_id ?? ''}`,
            outcome: (_, x) => <Badge text={x.event.outcome ?? ''} cls={x.event.outcome === 'failure' ? 'red' : 'green'} />,
            hash: (v) => <code title={String(v)}>{String(v).slice(0, 12)}</code>,
          }} />
        </div>
      ) : <p class="muted">No audit record matches.</p>}
    </Section>
  );
}

function AuditPage({ params }: { params: URLSearchParams }) {
  const [values, setValues] = useState<Record<string, string>>(Object.fromEntries(FIELDS.map((f) => [f, params.get(f) || ''])));
  const [since, setSince] = useState(params.get('since') || '7d');
  const go = () => {
    const q = new URLSearchParams();
    for (const f of FIELDS) if (values[f]!.trim()) q.set(f, values[f]!.trim());
    q.set('since', since);
    navigate(`/ui/audit?${q}`);
  };
  return (
    <div class="page audit">
      <div class="query-bar">
        {FIELDS.map((f) => (
          <input value={values[f]} placeholder={f} aria-label={f} size={12}
            onInput={(e) => setValues({ ...values, [f]: (e.target as HTMLInputElement).value })}
            onKeyDown={(e) => e.key === 'Enter' && go()} />
        ))}
        <select aria-label="Since" value={since} onChange={(e) => setSince((e.target as HTMLSelectElement).value)}>
          {SINCE.map((s) => <option value={s}>last {s}</option>)}
        </select>
        <button type="button" class="primary" onClick={go}>Show</button>
      </div>
      <div><Verify /></div>
      <div><Trail params={params} /></div>
    </div>
  );
}

export function render(main: HTMLElement, route: Route) {
  draw(<AuditPage params={route.params} />, main);
  return () => draw(null, main);
}
