// The path of an SVG sparkline (ui.tsx's Sparkline: KPI tiles, error groups). Apart from
// chart.ts so that the pages' shared components do not import uPlot: the search page loads it
// when it draws its first chart (issue 17: the page chunk's evaluation under 50 ms).
// Pure functions; no state.

// The SVG path of a sparkline of numbers in width × height (nulls leave gaps).
export function sparkPath(values: (number | null)[], width: number, height: number): string {
  const nums = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const max = Math.max(1e-9, ...nums);
  const min = Math.min(0, ...nums);
  const n = Math.max(1, values.length - 1);
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    const x = (width * i) / n;
    const y = height - 2 - ((height - 4) * (v - min)) / (max - min || 1);
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  });
  return d || 'M0,0';
}
