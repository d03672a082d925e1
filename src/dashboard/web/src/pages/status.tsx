// Status: server health (GET /health/ready), ingest rate, storage per partition/tenant,
// parts and merges (GET /v1/stats, admin). Refreshed every 5 s.
import { render as draw } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fmtNum, fmtBytes } from '../dom.js';
import { getJson } from '../api.js';
import { Section, Badge, Table, ErrorBox, Tile } from '../ui.js';

type Json = Record<string, any>;

function Health({ j }: { j: Json }) {
  const rest = Object.entries(j).filter(([k]) => !['status', 'uptime_sec', 'version'].includes(k));
  return (
    <Section title="Health">
      <div class="row" data-testid="health">
        <Badge text={j.status} cls={j.status === 'ok' ? 'green' : j.status === 'degraded' ? 'yellow' : 'red'} />
        {j.version ? <span>vigia {j.version}</span> : null}
        <span class="muted">up {fmtNum(j.uptime_sec)} s</span>
      </div>
      <dl class="facts">
        {rest.flatMap(([k, v]) => [<dt>{k}</dt>, <dd>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>])}
      </dl>
    </Section>
  );
}

function Storage({ s, rate }: { s: Json; rate: string }) {
  const p = s.parts;
  return (
    <>
      <Section title="Ingest and storage">
        <div class="tiles small">
          <Tile title="ingest rate" value={rate} testid="ingest-rate" />
          <Tile title="events stored" value={fmtNum(s.events)} />
          <Tile title="accepted / rejected" value={`${fmtNum(s.ingest.accepted)} / ${fmtNum(s.ingest.rejected)}`} />
          <Tile title="disk" value={fmtBytes(p.disk_bytes)} note={`${fmtNum(p.bytes_per_row)} B/row · ×${fmtNum(p.compression_ratio)}`} />
          <Tile title="parts · merges" value={`${fmtNum(p.parts)} · ${fmtNum(p.merges)}`} note={`${fmtNum(p.flushes)} flushes`} />
          <Tile title="memtable" value={fmtNum(s.memtable.events)} note={fmtBytes(s.memtable.bytes)} />
        </div>
      </Section>
      <Section title="Partitions (UTC day · tenant)">
        {s.partitions.length
          ? <Table rows={s.partitions} cols={['partition', 'parts', 'rows', 'bytes']} fmt={{ rows: (v) => fmtNum(v), bytes: (v) => fmtBytes(v) }} />
          : <p class="muted">Nothing flushed to parts yet.</p>}
      </Section>
      <Section title="Ingest by protocol">
        <Table rows={Object.entries(s.ingest.protocols || {}).map(([name, x]) => ({ protocol: name, ...(x as Json) }))}
          cols={['protocol', 'accepted', 'rejected', 'bytes']} fmt={{ bytes: (v) => fmtBytes(v) }} />
      </Section>
      <Section title="Periodic tasks">
        <Table rows={s.tasks || []} cols={['name', 'runs', 'failures', 'last_error', 'last_duration_ms']} />
      </Section>
      {s.degraded_parts.length ? <Section title="Degraded parts"><Table rows={s.degraded_parts} cols={['part', 'error']} /></Section> : null}
    </>
  );
}

function StatusPage() {
  const [health, setHealth] = useState<{ j?: Json; err?: unknown }>({});
  const [stats, setStats] = useState<{ s?: Json; rate: string; err?: unknown }>({ rate: '…' });
  const last = useRef<{ accepted: number; t: number } | null>(null);
  useEffect(() => {
    const tick = () => {
      // /health/ready answers 503 with the same JSON while starting or unavailable.
      fetch('/health/ready', { cache: 'no-store' }).then((r) => r.json()).then((j) => setHealth({ j }), (err) => setHealth({ err }));
      getJson('/v1/stats').then((s) => {
        const now = performance.now();
        const rate = last.current ? `${fmtNum(((s.ingest.accepted - last.current.accepted) * 1000) / (now - last.current.t), 1)} events/s` : '…';
        last.current = { accepted: s.ingest.accepted, t: now };
        setStats({ s, rate });
      }, (err) => setStats({ rate: '…', err }));
    };
    tick();
    const timer = setInterval(tick, 5000);
    return () => clearInterval(timer);
  }, []);
  return (
    <div class="page status">
      <div>{health.err ? <ErrorBox err={health.err} /> : health.j ? <Health j={health.j} /> : null}</div>
      <div>
        {stats.err
          ? (stats.err as { code?: string }).code === 'forbidden'
            ? <p class="muted">Storage statistics (/v1/stats) need an admin key.</p>
            : <ErrorBox err={stats.err} />
          : stats.s ? <Storage s={stats.s} rate={stats.rate} /> : null}
      </div>
    </div>
  );
}

export function render(main: HTMLElement) {
  draw(<StatusPage />, main);
  return () => draw(null, main);
}
