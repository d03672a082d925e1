// Charts: the search page's histogram of events over time stacked by level (drag to zoom) and
// line/bar charts of stats by _time and KPI series, drawn by uPlot (sparklines: spark.ts).
// Colours come from CSS variables, so both themes work; times follow the user's UTC/local
// choice. The search page imports this module when it draws its first chart.
import uPlot from 'uplot';
import { h, fmtTime, fmtNum, timeZone } from './dom.js';

export const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'other'];

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function levelColor(level: string): string {
  return cssVar(`--lvl-${LEVELS.includes(level) ? level : 'other'}`);
}

const SERIES = ['--s1', '--s2', '--s3', '--s4', '--s5', '--s6'];

// Time axis labels as the rest of the page writes times (24 h, the user's zone): HH:MM:SS
// within a day, MM-DD HH:MM beyond.
function timeLabels(u: uPlot, splits: number[]): string[] {
  const { min = 0, max = 0 } = u.scales.x ?? {};
  const long = max - min > 86400000;
  return splits.map((t) => (long ? fmtTime(t).slice(5, 16) : fmtTime(t, false).slice(0, 8)));
}

// Shared options: ms timestamps, the time zone of the page, the theme's axis colours.
function base(height: number): Partial<uPlot.Options> {
  const axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid'), width: 1 }, ticks: { stroke: cssVar('--grid'), width: 1 }, font: '11px system-ui, sans-serif' };
  return {
    height,
    ms: 1,
    tzDate: timeZone() === 'utc' ? (ts: number) => uPlot.tzDate(new Date(ts), 'Etc/UTC') : (ts: number) => new Date(ts),
    legend: { show: false },
    axes: [{ ...axis, values: timeLabels }, { ...axis, size: 52, values: (_u, vals) => vals.map((v) => fmtNum(v)) }],
  };
}

// uPlot wants a width: the box's, and again whenever the box's width changes. A chart is
// built in two tasks: uPlot's set-up (its DOM, series and axes; the first chart of a page also
// compiles uPlot's code) in a frame, and the data, the layout and the first draw in the next
// task — in one, the search page's first histogram was a task of up to 104 ms (issue 17: no
// task over 50 ms).
function mount(box: HTMLElement, slot: HTMLElement, make: (width: number, then: (u: uPlot, init: Function) => void) => uPlot): void {
  const width = () => Math.max(200, Math.floor(slot.clientWidth || box.clientWidth || 600));
  requestAnimationFrame(() => {
    let drawn = width();
    make(drawn, (plot, init) => {
      slot.appendChild(plot.root);
      setTimeout(() => {
        init();
        new ResizeObserver(() => {
          const w = width();
          if (w === drawn) return; // the observer's first call, or a change of height only
          drawn = w;
          plot.setSize({ width: w, height: plot.height });
        }).observe(slot);
      }, 0);
    });
  });
}

export interface HistogramData {
  from: number;
  to: number;
  bucketMs: number;
  buckets: Map<number, Record<string, number>>;
}

// A stacked bar histogram of events over time by level; dragging across it calls
// onZoom(fromMs, toMs). The plot's canvas has the class "histogram".
export function histogram(data: HistogramData, onZoom: (from: number, to: number) => void): HTMLElement {
  const legend = h('div', { class: 'legend' });
  const tip = h('div', { class: 'chart-tip' });
  const slot = h('div', { class: 'chart-wrap' }, tip);
  const box = h('div', { class: 'histogram-box', role: 'img', 'aria-label': 'Events over time by level' }, slot, legend);
  const times = [...data.buckets.keys()].sort((a, b) => a - b);
  const seen = LEVELS.filter((l) => times.some((t) => data.buckets.get(t)![l]));
  // Stacked: the series of level i is the sum of levels i.. (the most severe on top), drawn
  // from the tallest down so each bar shows its level's share.
  const order = [...seen].reverse(); // bottom (least severe) … top (most severe)
  const stacks = order.map((_, i) => times.map((t) => order.slice(0, i + 1).reduce((a, l) => a + (data.buckets.get(t)![l] || 0), 0)));
  const series: uPlot.Series[] = [{}];
  const cols: (number | null)[][] = [];
  for (let i = order.length - 1; i >= 0; i--) {
    const c = levelColor(order[i]!);
    series.push({ label: order[i], fill: c, stroke: c, width: 0, paths: uPlot.paths.bars!({ size: [1, Infinity], gap: 1, align: 1 }), points: { show: false } });
    cols.push(stacks[i]!);
  }
  legend.replaceChildren(...seen.map((l) => h('span', { class: 'legend-item' }, h('i', { style: { background: levelColor(l) } }), l)));
  mount(box, slot, (width, then) => {
    const opts: uPlot.Options = {
      ...(base(120) as uPlot.Options),
      width,
      series,
      scales: { x: { time: true, range: () => [data.from, data.to] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
      hooks: {
        setSelect: [(u) => {
          const { left, width: w } = u.select;
          if (w < 4) return;
          const a = Math.max(data.from, u.posToVal(left, 'x'));
          const b = Math.min(data.to, u.posToVal(left + w, 'x'));
          u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
          if (b > a) onZoom(Math.floor(a), Math.ceil(b));
        }],
        setCursor: [(u) => {
          const i = u.cursor.idx;
          if (i === null || i === undefined || u.cursor.left! < 0) {
            tip.style.display = 'none';
            return;
          }
          const t = times[i]!;
          const counts = data.buckets.get(t) || {};
          const total = Object.values(counts).reduce((a, b) => a + b, 0);
          tip.textContent = `${fmtTime(t)} · ${fmtNum(total)} events` + Object.entries(counts).map(([l, n]) => ` · ${l} ${fmtNum(n)}`).join('');
          Object.assign(tip.style, { display: 'block', left: `${Math.min(u.cursor.left! + 60, width - 260)}px` });
        }],
      },
    };
    const u = new uPlot(opts, [times, ...cols] as uPlot.AlignedData, then);
    u.ctx.canvas.classList.add('histogram');
    return u;
  });
  return box;
}

export interface Series {
  name: string;
  points: [number, number | null][];
}

// Overlapping bars of several series show through each other.
function translucent(c: string, n: number): string {
  return n > 1 && /^#[0-9a-f]{6}$/i.test(c) ? `${c}99` : c;
}

// A line chart (or bars) of series over time. The plot's canvas has the class "linechart".
export function lineChart(series: Series[], { bars = false, height = 220 } = {}): HTMLElement {
  const legend = h('div', { class: 'legend' });
  const slot = h('div', { class: 'chart-wrap' });
  const box = h('div', { class: 'linechart-box', role: 'img', 'aria-label': 'Chart' }, slot, legend);
  // One x axis: every time of every series, each series' value at it or a gap.
  const times = [...new Set(series.flatMap((s) => s.points.map(([t]) => t)))].sort((a, b) => a - b);
  const cols = series.map((s) => {
    const at = new Map(s.points);
    return times.map((t) => {
      const v = at.get(t);
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    });
  });
  const colour = (i: number) => cssVar(SERIES[i % SERIES.length]!);
  legend.replaceChildren(...series.map((s, i) => h('span', { class: 'legend-item' }, h('i', { style: { background: colour(i) } }), s.name)));
  mount(box, slot, (width, then) => {
    const n = series.length;
    const opts: uPlot.Options = {
      ...(base(height) as uPlot.Options),
      width,
      series: [{}, ...series.map((s, i): uPlot.Series => ({
        label: s.name,
        stroke: colour(i),
        width: 1.5,
        fill: bars ? translucent(colour(i), n) : undefined,
        paths: bars ? uPlot.paths.bars!({ size: [0.8, Infinity], align: 0 }) : undefined,
        points: { show: times.length < 60 },
        spanGaps: false,
      }))],
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max === min ? min + 1 : max] } },
      cursor: { drag: { x: false, y: false } },
    };
    const u = new uPlot(opts, [times, ...cols] as uPlot.AlignedData, then);
    u.ctx.canvas.classList.add('linechart');
    return u;
  });
  return box;
}

// A KPI tile's sparkline (no axes, legend or cursor), drawn by uPlot like the other charts.
// Its canvas has the class "sparkline".
export function sparkChart(values: (number | null)[], { width = 180, height = 30 } = {}): HTMLElement {
  const slot = h('div', { class: 'spark-chart', 'aria-hidden': 'true' });
  const xs = values.map((_, i) => i);
  const ys = values.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null));
  const colour = cssVar('--accent');
  requestAnimationFrame(() => {
    const u = new uPlot({
      width,
      height,
      padding: [3, 1, 3, 1],
      legend: { show: false },
      cursor: { show: false },
      axes: [{ show: false }, { show: false }],
      scales: { x: { time: false }, y: { range: (_u, min, max) => [Math.min(0, min), max === min ? min + 1 : max] } },
      series: [{}, { stroke: colour, width: 1.5, points: { show: false }, spanGaps: false }],
    }, [xs, ys] as uPlot.AlignedData, slot);
    u.ctx.canvas.classList.add('sparkline');
  });
  return slot;
}
