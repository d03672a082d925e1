// Overview: the KPI board (green/yellow/red tiles with trend and sparkline), SLOs with the
// remaining error budget and burn rates, probe targets with uptime and TLS expiry, and live
// traffic statistics (GET /v1/kpis, /v1/kpis/{name}/series, /v1/slos, /v1/probes,
// /v1/stats/traffic).
import { render as draw, type ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fmtNum, fmtTime } from '../dom.js';
import { getJson } from '../api.js';
import { Section, Badge, Table, ErrorBox, Tile } from '../ui.js';

type Json = Record<string, any>;
const TREND: Record<string, string> = { better: '▲ better', worse: '▼ worse', same: '= same' };

function PctBar({ frac, cls }: { frac: number; cls: string }) {
  const w = Math.max(0, Math.min(100, Math.round(frac * 100)));
  return <span class={`bar ${cls}`}><i style={{ width: `${w}%` }} /></span>;
}

// One card's data: fetched once, shown as a component, an error box on failure.
function Part({ get, show }: { get: () => Promise<Json>; show: (j: Json) => ComponentChildren }) {
  const [r, setR] = useState<{ ok?: Json; err?: unknown }>({});
  useEffect(() => { get().then((ok) => setR({ ok }), (err) => setR({ err })); }, []);
  if (r.err) return <ErrorBox err={r.err} />;
  return r.ok ? <>{show(r.ok)}</> : null;
}

// A KPI's series as a uPlot sparkline (the charts' module is imported with the first one).
function SparkChart({ values }: { values: (number | null)[] }) {
  const slot = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    let live = true;
    import('../chart.js').then((m) => { if (live) slot.current!.replaceChildren(m.sparkChart(values, { width: 180, height: 30 })); }, () => {});
    return () => { live = false; };
  }, [values]);
  return <span ref={slot} />;
}

function KpiTile({ kpi, series }: { kpi: Json; series?: (number | null)[] }) {
  return (
    <div class={`tile ${kpi.color}`} data-kpi={kpi.name} data-color={kpi.color} title={kpi.name}>
      <div class="tile-title">{kpi.title || kpi.name}</div>
      <div class="tile-value">{kpi.value === null || kpi.value === undefined ? '–' : fmtNum(kpi.value)}<small>{` ${kpi.unit ?? ''}`}</small></div>
      <div class="tile-meta">
        <span>{`window ${kpi.window}`}</span>
        {kpi.trend ? <span class={`trend ${kpi.trend}`}>{TREND[kpi.trend] ?? kpi.trend}</span> : null}
        <span class="muted">{`green ≤ ${kpi.thresholds?.green} · yellow ≤ ${kpi.thresholds?.yellow}`.replace(/≤/g, kpi.direction === 'higher' ? '≥' : '≤')}</span>
      </div>
      {kpi.error ? <div class="error-box">{kpi.error}</div> : null}
      <span class="spark-slot">{series ? <SparkChart values={series} /> : null}</span>
    </div>
  );
}

function KpiBoard({ k }: { k: Json }) {
  const [series, setSeries] = useState<Record<string, (number | null)[]>>({});
  useEffect(() => {
    let live = true;
    // Sparklines one after another: each series is one query per step on the server.
    (async () => {
      for (const kpi of k.kpis) {
        try {
          const s = await getJson('/v1/kpis/{name}/series', { name: kpi.name }, { step: '1h', window: '24h' });
          if (!live) return;
          setSeries((old) => ({ ...old, [kpi.name]: s.points.map((p: Json) => p.value) }));
        } catch (_) {
          /* the tile stands without its sparkline */
        }
      }
    })();
    return () => { live = false; };
  }, [k]);
  return (
    <Section title={`KPIs · overall ${k.color}`}>
      <div class="tiles" data-testid="kpi-tiles">{k.kpis.map((kpi: Json) => <KpiTile kpi={kpi} series={series[kpi.name]} />)}</div>
    </Section>
  );
}

function Slos({ s }: { s: Json }) {
  if (!s.slos.length) return <Section title="SLOs"><p class="muted">No SLO defined (monitor.kpis_file).</p></Section>;
  return (
    <Section title="SLOs">
      <Table rows={s.slos} cols={['name', 'target', 'attainment', 'budget', 'fast burn', 'slow burn', 'firing']} fmt={{
        name: (v, r) => <span title={r.title}>{v}</span>,
        target: (v, r) => `${v}% / ${r.period}`,
        attainment: (v) => (v === null ? '–' : `${fmtNum(v, 3)}%`),
        budget: (_, r) => {
          const f = r.error_budget.remaining_fraction;
          return <span><PctBar frac={f} cls={f < 0.25 ? 'red' : f < 0.5 ? 'yellow' : 'green'} />{` ${fmtNum(f * 100, 1)}% (${fmtNum(r.error_budget.remaining_minutes, 0)} min)`}</span>;
        },
        'fast burn': (_, r) => `${fmtNum(r.burn_alerts.fast.long.burn_rate)} / ${fmtNum(r.burn_alerts.fast.short.burn_rate)} (> ${r.burn_alerts.fast.threshold})`,
        'slow burn': (_, r) => `${fmtNum(r.burn_alerts.slow.long.burn_rate)} / ${fmtNum(r.burn_alerts.slow.short.burn_rate)} (> ${r.burn_alerts.slow.threshold})`,
        firing: (v) => <Badge text={v ? 'firing' : 'ok'} cls={v ? 'red' : 'green'} />,
      }} />
    </Section>
  );
}

function Probes({ p }: { p: Json }) {
  if (!p.probes.length) return <Section title="Probes"><p class="muted">No probe configured.</p></Section>;
  return (
    <Section title="Probes">
      <Table rows={p.probes} cols={['name', 'target', 'uptime_24h', 'last', 'latency', 'tls']} fmt={{
        target: (_, r) => r.url ?? r.address ?? '',
        uptime_24h: (v) => (v === null ? '–' : `${fmtNum(v * 100, 2)}%`),
        last: (v) => (v ? <Badge text={v.ok ? `ok ${v.status ?? ''}` : `failed ${v.error ?? v.status ?? ''}`} cls={v.ok ? 'green' : 'red'} /> : '–'),
        latency: (_, r) => (r.last ? `${fmtNum(r.last.latency_ms)} ms` : '–'),
        tls: (_, r) => (r.last && r.last.cert_expiry_days !== undefined
          ? <Badge text={`${fmtNum(r.last.cert_expiry_days, 0)} days`} cls={r.last.cert_state === 'ok' ? 'green' : r.last.cert_state === 'warning' ? 'yellow' : 'red'} />
          : '–'),
      }} />
    </Section>
  );
}

function Shares({ items, label = 'name' }: { items: Json[]; label?: string }) {
  return (
    <ul class="shares">
      {items.slice(0, 8).map((x) => (
        <li><span>{x[label]}</span><PctBar frac={x.share} cls="blue" /><span class="muted">{` ${fmtNum(x.requests)} (${fmtNum(x.share * 100, 1)}%)`}</span></li>
      ))}
    </ul>
  );
}

function Traffic({ t }: { t: Json }) {
  return (
    <Section title={`Traffic · last ${Math.round(t.window_seconds / 60)} min${t.refilling ? ' (refilling)' : ''}`}>
      <div class="tiles small">
        <Tile title="requests" value={fmtNum(t.requests)} note={`${fmtNum(t.requests_per_second)}/s`} />
        <Tile title="unique IPs" value={fmtNum(t.unique_ips)} />
        <div class="tile">
          <div class="tile-title">status classes</div>
          <div class="status-classes">
            {Object.entries(t.status_classes as Record<string, number>).filter(([, n]) => n).map(([k, n]) =>
              <Badge text={`${k} ${fmtNum(n)}`} cls={k === '5xx' ? 'red' : k === '4xx' ? 'yellow' : 'green'} />)}
          </div>
        </div>
        <Tile title="bots" value={`${fmtNum(t.bots.share * 100, 1)}%`} />
      </div>
      <div class="cols3">
        <div><h3>Top endpoints</h3><Shares items={t.top_endpoints} label="endpoint" /></div>
        <div><h3>Browsers</h3><Shares items={t.browsers} /><h3>Devices</h3><Shares items={t.devices} /></div>
        <div><h3>Performance</h3><Shares items={t.performance} /><h3>OS</h3><Shares items={t.os} /></div>
      </div>
    </Section>
  );
}

function OverviewPage() {
  return (
    <div class="page overview">
      <p class="muted">As of {fmtTime(Date.now())}</p>
      <div><Part get={() => getJson('/v1/kpis')} show={(k) => <KpiBoard k={k} />} /></div>
      <div><Part get={() => getJson('/v1/slos')} show={(s) => <Slos s={s} />} /></div>
      <div><Part get={() => getJson('/v1/probes')} show={(p) => <Probes p={p} />} /></div>
      <div><Part get={() => getJson('/v1/stats/traffic', {}, { window: '15m' })} show={(t) => <Traffic t={t} />} /></div>
    </div>
  );
}

export function render(main: HTMLElement) {
  draw(<OverviewPage />, main);
  return () => draw(null, main);
}
