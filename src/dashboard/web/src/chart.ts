// @ts-nocheck — not typed yet: ported from the hand-written module as it was (docs/dashboard.md, STATUS).
// Charts drawn by hand on a canvas (the histogram of the search page, line charts of stats
// by _time and KPI series) and SVG sparklines. Colours come from CSS variables, so both
// themes work.
import { h, svg, fmtTime, fmtNum } from './dom.js';

export const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'other'];

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function levelColor(level) {
  return cssVar(`--lvl-${LEVELS.includes(level) ? level : 'other'}`);
}

const SERIES = ['--s1', '--s2', '--s3', '--s4', '--s5', '--s6'];

function setupCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 600;
  const hgt = canvas.clientHeight || 120;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(hgt * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, hgt);
  return { ctx, w, hgt };
}

function axisTimes(ctx, from, to, x0, w, y, most = 6) {
  const n = Math.max(2, Math.min(most, Math.floor(w / 120)));
  ctx.fillStyle = cssVar('--muted');
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'center';
  const span = to - from;
  for (let i = 0; i <= n; i++) {
    const t = from + (span * i) / n;
    const label = fmtTime(t, span > 86400000).slice(span > 86400000 ? 5 : 0, span > 86400000 ? 16 : 8);
    ctx.fillText(label, x0 + (w * i) / n, y);
  }
}

// A stacked bar histogram of events over time by level, zoomable by dragging.
// data: {from, to, bucketMs, buckets: Map(ms → {level: count})}; onZoom(fromMs, toMs).
export function histogram(data, onZoom) {
  const canvas = h('canvas', { class: 'histogram', 'aria-label': 'Events over time by level', role: 'img' });
  const sel = h('div', { class: 'drag-select' });
  const tip = h('div', { class: 'chart-tip' });
  const legend = h('div', { class: 'legend' });
  const wrap = h('div', { class: 'chart-wrap' }, canvas, sel, tip);
  const box = h('div', { class: 'histogram-box' }, wrap, legend);
  const pad = { l: 44, r: 8, t: 6, b: 18 };
  let geom = null;

  function draw() {
    const { ctx, w, hgt } = setupCanvas(canvas);
    const plotW = w - pad.l - pad.r;
    const plotH = hgt - pad.t - pad.b;
    let max = 0;
    const seen = new Set();
    for (const counts of data.buckets.values()) {
      let s = 0;
      for (const [lvl, n] of Object.entries(counts)) {
        s += n;
        seen.add(lvl);
      }
      max = Math.max(max, s);
    }
    geom = { w, plotW, plotH };
    ctx.strokeStyle = cssVar('--grid');
    ctx.fillStyle = cssVar('--muted');
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'right';
    for (let i = 0; i <= 2; i++) {
      const y = pad.t + plotH - (plotH * i) / 2;
      ctx.beginPath();
      ctx.moveTo(pad.l, y + 0.5);
      ctx.lineTo(pad.l + plotW, y + 0.5);
      ctx.stroke();
      ctx.fillText(fmtNum(Math.round((max * i) / 2)), pad.l - 4, y + 4);
    }
    const span = data.to - data.from;
    const bw = Math.max(1, (plotW * data.bucketMs) / span - 1);
    for (const [t, counts] of data.buckets) {
      const x = pad.l + (plotW * (t - data.from)) / span;
      let y = pad.t + plotH;
      for (const lvl of LEVELS.slice().reverse()) {
        const n = counts[lvl];
        if (!n) continue;
        const bh = max ? (plotH * n) / max : 0;
        ctx.fillStyle = levelColor(lvl);
        ctx.fillRect(x, y - bh, bw, bh);
        y -= bh;
      }
    }
    axisTimes(ctx, data.from, data.to, pad.l, plotW, hgt - 4);
    legend.replaceChildren(
      ...LEVELS.filter((l) => seen.has(l)).map((l) =>
        h('span', { class: 'legend-item' }, h('i', { style: { background: levelColor(l) } }), l),
      ),
    );
  }

  const tAt = (x) => data.from + ((x - pad.l) / geom.plotW) * (data.to - data.from);
  let dragFrom = null;
  canvas.addEventListener('mousedown', (e) => {
    dragFrom = e.offsetX;
    sel.style.display = 'none';
  });
  canvas.addEventListener('mousemove', (e) => {
    if (!geom) return;
    if (dragFrom !== null) {
      const a = Math.min(dragFrom, e.offsetX);
      const b = Math.max(dragFrom, e.offsetX);
      Object.assign(sel.style, { display: 'block', left: `${a}px`, width: `${b - a}px` });
      tip.style.display = 'none';
      return;
    }
    const t = tAt(e.offsetX);
    const bucket = Math.floor((t - data.from) / data.bucketMs) * data.bucketMs + data.from;
    let best = null;
    for (const k of data.buckets.keys()) if (k <= t && t < k + data.bucketMs) best = k;
    const counts = best === null ? {} : data.buckets.get(best);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    tip.textContent = `${fmtTime(best ?? bucket)} · ${fmtNum(total)} events` +
      Object.entries(counts).map(([l, n]) => ` · ${l} ${fmtNum(n)}`).join('');
    Object.assign(tip.style, { display: 'block', left: `${Math.min(e.offsetX + 8, geom.w - 260)}px` });
  });
  canvas.addEventListener('mouseleave', () => (tip.style.display = 'none'));
  window.addEventListener('mouseup', (e) => {
    if (dragFrom === null || !geom) return;
    const rect = canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const a = Math.min(dragFrom, x);
    const b = Math.max(dragFrom, x);
    dragFrom = null;
    sel.style.display = 'none';
    if (b - a < 4) return;
    const t0 = Math.max(data.from, tAt(a));
    const t1 = Math.min(data.to, tAt(b));
    if (t1 > t0) onZoom(Math.floor(t0), Math.ceil(t1));
  });
  requestAnimationFrame(draw);
  new ResizeObserver(() => draw()).observe(canvas);
  return box;
}

// A line chart: series [{name, points: [[ms, value], ...]}]; bars when `bars`.
export function lineChart(series, { bars = false, height = 220 } = {}) {
  const canvas = h('canvas', { class: 'linechart', role: 'img', 'aria-label': 'Chart' });
  canvas.style.height = `${height}px`;
  const legend = h('div', { class: 'legend' });
  const pad = { l: 56, r: 10, t: 8, b: 18 };
  function draw() {
    const { ctx, w, hgt } = setupCanvas(canvas);
    const plotW = w - pad.l - pad.r;
    const plotH = hgt - pad.t - pad.b;
    let from = Infinity;
    let to = -Infinity;
    let max = 0;
    let min = 0;
    for (const s of series) {
      for (const [t, v] of s.points) {
        from = Math.min(from, t);
        to = Math.max(to, t);
        if (Number.isFinite(v)) {
          max = Math.max(max, v);
          min = Math.min(min, v);
        }
      }
    }
    if (!Number.isFinite(from)) return;
    if (to === from) to = from + 1;
    if (max === min) max = min + 1;
    const X = (t) => pad.l + (plotW * (t - from)) / (to - from);
    const Y = (v) => pad.t + plotH - (plotH * (v - min)) / (max - min);
    ctx.strokeStyle = cssVar('--grid');
    ctx.fillStyle = cssVar('--muted');
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'right';
    for (let i = 0; i <= 3; i++) {
      const v = min + ((max - min) * i) / 3;
      const y = Y(v);
      ctx.beginPath();
      ctx.moveTo(pad.l, y + 0.5);
      ctx.lineTo(pad.l + plotW, y + 0.5);
      ctx.stroke();
      ctx.fillText(fmtNum(v), pad.l - 4, y + 4);
    }
    series.forEach((s, si) => {
      ctx.strokeStyle = ctx.fillStyle = cssVar(SERIES[si % SERIES.length]);
      ctx.lineWidth = 1.5;
      if (bars) {
        const n = Math.max(1, s.points.length);
        const bw = Math.max(1, plotW / n / series.length - 1);
        for (const [t, v] of s.points) {
          if (!Number.isFinite(v)) continue;
          ctx.fillRect(X(t) + si * bw, Y(v), bw, Y(min) - Y(v));
        }
        return;
      }
      ctx.beginPath();
      let started = false;
      for (const [t, v] of s.points) {
        if (!Number.isFinite(v)) {
          started = false;
          continue;
        }
        if (started) ctx.lineTo(X(t), Y(v));
        else ctx.moveTo(X(t), Y(v));
        started = true;
      }
      ctx.stroke();
    });
    axisTimes(ctx, from, to, pad.l, plotW, hgt - 4, 5);
  }
  legend.replaceChildren(
    ...series.map((s, i) => h('span', { class: 'legend-item' }, h('i', { style: { background: cssVar(SERIES[i % SERIES.length]) } }), s.name)),
  );
  requestAnimationFrame(draw);
  new ResizeObserver(() => draw()).observe(canvas);
  return h('div', { class: 'linechart-box' }, canvas, legend);
}

// An inline SVG sparkline of numbers (nulls leave gaps).
export function sparkline(values, { width = 120, height = 28, cls = '' } = {}) {
  const nums = values.filter((v) => Number.isFinite(v));
  const max = Math.max(1e-9, ...nums);
  const min = Math.min(0, ...nums);
  const n = Math.max(1, values.length - 1);
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) {
      pen = false;
      return;
    }
    const x = (width * i) / n;
    const y = height - 2 - ((height - 4) * (v - min)) / (max - min || 1);
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  });
  return svg('svg', { class: `sparkline ${cls}`, width, height, viewBox: `0 0 ${width} ${height}`, 'aria-hidden': 'true' },
    svg('path', { d: d || 'M0,0', fill: 'none', 'stroke-width': 1.5 }));
}
