// Preact pieces shared by the pages written as components: a titled card, a badge, a plain
// table of rows, an error box (never a blank page for a failed API call).
import type { ComponentChildren, JSX } from 'preact';
import { fmtTime } from './dom.js';
import { sparkPath } from './spark.js';

export function Section({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <section class="card">
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function Badge({ text, cls = '' }: { text: string; cls?: string }) {
  return <span class={`badge ${cls}`}>{text}</span>;
}

type Row = Record<string, unknown>;
export function Table({ rows, cols, fmt = {} }: { rows: Row[]; cols: string[]; fmt?: Record<string, (v: any, r: any) => ComponentChildren> }) {
  const cell = (r: Row, c: string): ComponentChildren => {
    const v = r[c];
    if (fmt[c]) return fmt[c]!(v, r);
    if (v === null || v === undefined) return '–';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  };
  return (
    <table class="grid">
      <thead><tr>{cols.map((c) => <th scope="col">{c}</th>)}</tr></thead>
      <tbody>{rows.map((r) => <tr>{cols.map((c) => <td>{cell(r, c)}</td>)}</tr>)}</tbody>
    </table>
  );
}

export function ErrorBox({ err }: { err: unknown }) {
  const e = err as { code?: string; message?: string } | null;
  return <div class="error-box" role="alert">{(e?.code ? `${e.code}: ` : '') + (e?.message ?? String(err))}</div>;
}

export function Tile({ title, value, note, testid }: { title: string; value: ComponentChildren; note?: ComponentChildren; testid?: string }): JSX.Element {
  return (
    <div class="tile">
      <div class="tile-title">{title}</div>
      <div class="tile-value" data-testid={testid}>{value}</div>
      {note !== undefined ? <div class="muted">{note}</div> : null}
    </div>
  );
}

// An event as an indented field list; onValue(e, field, value) for click-to-filter.
export function EventView({ ev, onValue }: { ev: Record<string, unknown>; onValue?: (e: Event, field: string, value: unknown) => void }) {
  return (
    <div class="event-view">
      {Object.entries(ev).map(([k, v]) => {
        const text = typeof v === 'string' ? v : JSON.stringify(v);
        return (
          <div class="kv">
            <span class="k">{k}</span>
            <span class={`val${k === 'level' ? ` lvl-${v}` : ''}`} tabIndex={0}
              onClick={onValue ? (e) => onValue(e, k, v) : undefined}
              onKeyDown={onValue ? (e) => e.key === 'Enter' && onValue(e, k, v) : undefined}>
              {k === 'ts' ? `${text}  (${fmtTime(v as string)})` : text}
            </span>
          </div>
        );
      })}
    </div>
  );
}

export function Sparkline({ values, width = 120, height = 28, cls = '' }: { values: (number | null)[]; width?: number; height?: number; cls?: string }) {
  return (
    <svg class={`sparkline ${cls}`} width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true">
      <path d={sparkPath(values, width, height)} fill="none" stroke-width={1.5} />
    </svg>
  );
}
