// The search page's field facets come from the results: a FieldSampler counts, over sampled
// rows, how many have each field and how many distinct values it takes (until it has more than
// MAX_DISTINCT: an id, a time, a free text), and facetFields picks the fields worth a facet —
// those whose values repeat — most present first. The streamed query's worker samples the rows
// it reads (query_worker.ts); the unstreamed "newest first" rows are sampled by the page.
// The store's column statistics (GET /v1/stats, admin keys) leave out a field whose stored
// bytes per value say it is an id even when the sample is too small to tell.
// Not thread-safe (one sampler per query; a worker or the page owns it).

const MAX_DISTINCT = 50;
const MAX_FACETS = 10;
// Never a facet: the time and the message (each event's own).
const NO_FACET = new Set(['ts', 'msg', '_time', 'error.stack', 'error.message', 'ua']);
// First when present, in this order; the others by how many rows have them.
const FIRST = ['service', 'level', 'kind'];
// Stored bytes per value above which a column is taken for an id (a UUID is ~12 after
// compression; a field of a few dozen values well under 1).
const ID_BYTES_PER_VALUE = 4;

export interface FieldStat {
  field: string;
  rows: number; // sampled rows that have the field
  distinct: number; // distinct values among them, -1 past MAX_DISTINCT or for objects
}

export class FieldSampler {
  sampled = 0;
  private stats = new Map<string, { rows: number; vals: Set<string> | null }>();

  // Counts one row's fields and values; calls onField(name) for each field name.
  add(row: Record<string, unknown>, onField?: (name: string) => void): void {
    this.sampled++;
    for (const k in row) {
      const v = row[k];
      onField?.(k);
      let s = this.stats.get(k);
      if (!s) this.stats.set(k, (s = { rows: 0, vals: new Set() }));
      s.rows++;
      if (!s.vals) continue;
      if (v !== null && typeof v === 'object') s.vals = null;
      else {
        s.vals.add(typeof v === 'string' ? v : JSON.stringify(v));
        if (s.vals.size > MAX_DISTINCT) s.vals = null;
      }
    }
  }

  result(): FieldStat[] {
    return [...this.stats].map(([field, s]) => ({ field, rows: s.rows, distinct: s.vals ? s.vals.size : -1 }));
  }
}

export interface ColumnStat {
  name: string;
  stored_bytes?: number;
  values?: number;
}

// The fields to show facets of, best first (service, level, kind, then those with more than one
// value, then the most present): present in at least 5 % of the sampled rows, and repeating
// (at most 10 values, or each value on 4 rows on average).
export function facetFields(stats: FieldStat[], sampled: number, columns?: ColumnStat[] | null): string[] {
  const idLike = new Set((columns || []).filter((c) => (c.stored_bytes ?? 0) > ID_BYTES_PER_VALUE * Math.max(1, c.values ?? 0)).map((c) => c.name));
  const rank = (f: string) => (FIRST.includes(f) ? FIRST.indexOf(f) : FIRST.length);
  // A field with one value in every row tells less than one whose values differ.
  const varied = (s: FieldStat) => (s.distinct > 1 ? 1 : 0);
  return stats
    .filter((s) => !NO_FACET.has(s.field) && !idLike.has(s.field) && s.distinct > 0 && s.rows * 20 >= sampled && (s.distinct <= 10 || s.distinct * 4 <= s.rows))
    .sort((a, b) => rank(a.field) - rank(b.field) || varied(b) - varied(a) || b.rows - a.rows || a.distinct - b.distinct || (a.field < b.field ? -1 : 1))
    .slice(0, MAX_FACETS)
    .map((s) => s.field);
}
