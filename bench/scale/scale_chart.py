#!/usr/bin/env python3
"""Draws a bench/scale/scale_run.sh result as two SVG charts (standard library only).

    scale_chart.py RESULT.json OUT_PREFIX

OUT_PREFIX-queries.svg: each benchmark query's warm median (ms) against the events stored,
both axes logarithmic, with a dashed line of linear growth from each query's smallest size
for reference (a query on or under it grows no worse than linearly).
OUT_PREFIX-rss.svg: the server's RSS (MiB) over each run's ingest and settle, from the
sampler's TSV next to RESULT.json.
"""
import json
import math
import os
import sys

COLORS = ["#2b6cb0", "#dd6b20", "#2f855a", "#c53030", "#6b46c1", "#b7791f", "#319795",
          "#d53f8c", "#4a5568", "#744210", "#2c5282"]


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def svg(width, height, body):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'font-family="sans-serif" font-size="11">\n<rect width="100%" height="100%" '
            f'fill="white"/>\n' + "\n".join(body) + "\n</svg>\n")


def log_axis(lo, hi):
    return math.floor(math.log10(lo)), math.ceil(math.log10(hi))


def queries_chart(res, out):
    sizes = [s["events"] for s in res["sizes"]]
    series = {}
    for s in res["sizes"]:
        for q in s["queries"]:
            if "warm_ms" in q:
                series.setdefault(q["name"], []).append((s["events"], max(q["warm_ms"], 0.01)))
    values = [v for pts in series.values() for _, v in pts]
    if not values:
        return
    ylo, yhi = log_axis(min(values), max(values))
    xlo, xhi = log_axis(min(sizes), max(sizes))
    xhi = max(xhi, xlo + 1)
    w, h, left, right, top, bottom = 860, 520, 70, 230, 50, 60
    pw, ph = w - left - right, h - top - bottom

    def x(n):
        return left + pw * (math.log10(n) - xlo) / (xhi - xlo)

    def y(v):
        return top + ph * (1 - (math.log10(v) - ylo) / max(yhi - ylo, 1))

    body = [f'<text x="{left}" y="22" font-size="14">vigia query time against events stored '
            f'({esc(res["date"])}, warm median of {res["reps"]}, over HTTP)</text>']
    for e in range(ylo, yhi + 1):
        yy = y(10 ** e)
        body.append(f'<line x1="{left}" x2="{left + pw}" y1="{yy:.1f}" y2="{yy:.1f}" '
                    f'stroke="#e2e8f0"/><text x="{left - 6}" y="{yy + 4:.1f}" '
                    f'text-anchor="end">{10 ** e:g} ms</text>')
    for e in range(xlo, xhi + 1):
        xx = x(10 ** e)
        body.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top}" y2="{top + ph}" '
                    f'stroke="#e2e8f0"/><text x="{xx:.1f}" y="{top + ph + 18}" '
                    f'text-anchor="middle">{10 ** e:,.0f}</text>')
    body.append(f'<text x="{left + pw / 2}" y="{h - 15}" text-anchor="middle">events stored '
                f'(log)</text>')
    for i, (name, pts) in enumerate(sorted(series.items())):
        c = COLORS[i % len(COLORS)]
        path = " ".join(f"{x(n):.1f},{y(v):.1f}" for n, v in pts)
        body.append(f'<polyline points="{path}" fill="none" stroke="{c}" stroke-width="2"/>')
        for n, v in pts:
            body.append(f'<circle cx="{x(n):.1f}" cy="{y(v):.1f}" r="3" fill="{c}"/>')
        n0, v0 = pts[0]
        n1 = pts[-1][0]
        if n1 > n0:
            v1 = v0 * n1 / n0
            body.append(f'<line x1="{x(n0):.1f}" y1="{y(v0):.1f}" x2="{x(n1):.1f}" '
                        f'y2="{y(min(v1, 10 ** yhi)):.1f}" stroke="{c}" stroke-dasharray="3,4" '
                        f'opacity="0.5"/>')
        ly = top + 14 * i
        last = pts[-1][1]
        body.append(f'<rect x="{left + pw + 15}" y="{ly}" width="10" height="10" fill="{c}"/>'
                    f'<text x="{left + pw + 30}" y="{ly + 9}">{esc(name)} ({last:g} ms)</text>')
    body.append(f'<text x="{left + pw + 15}" y="{top + 14 * len(series) + 14}" fill="#4a5568">'
                f'dashed: linear growth</text>')
    with open(out, "w") as f:
        f.write(svg(w, h, body))


def rss_chart(res, result_dir, out):
    runs = []
    for s in res["sizes"]:
        rows = []
        path = os.path.join(result_dir, s["samples"])
        if not os.path.exists(path):
            continue
        with open(path) as f:
            next(f)
            for line in f:
                cols = line.rstrip("\n").split("\t")
                rows.append((float(cols[0]), float(cols[1])))
        if rows:
            runs.append((s["events"], rows))
    if not runs:
        return
    tmax = max(t for _, rows in runs for t, _ in rows) or 1
    rmax = max(r for _, rows in runs for _, r in rows) or 1
    w, h, left, right, top, bottom = 900, 420, 70, 240, 50, 50
    pw, ph = w - left - right, h - top - bottom
    step = 10 ** math.floor(math.log10(rmax))
    rtop = math.ceil(rmax / step) * step
    body = [f'<text x="{left}" y="22" font-size="14">vigia RSS while ingesting and settling '
            f'({esc(res["date"])})</text>']
    for k in range(0, int(rtop / step) + 1):
        v = k * step
        yy = top + ph * (1 - v / rtop)
        body.append(f'<line x1="{left}" x2="{left + pw}" y1="{yy:.1f}" y2="{yy:.1f}" '
                    f'stroke="#e2e8f0"/><text x="{left - 6}" y="{yy + 4:.1f}" '
                    f'text-anchor="end">{v:g} MiB</text>')
    body.append(f'<text x="{left + pw / 2}" y="{h - 12}" text-anchor="middle">seconds '
                f'(0 to {tmax:.0f})</text>')
    for i, (n, rows) in enumerate(runs):
        c = COLORS[i % len(COLORS)]
        path = " ".join(f"{left + pw * t / tmax:.1f},{top + ph * (1 - r / rtop):.1f}"
                        for t, r in rows)
        body.append(f'<polyline points="{path}" fill="none" stroke="{c}" stroke-width="2"/>')
        peak = max(r for _, r in rows)
        ly = top + 16 * i
        body.append(f'<rect x="{left + pw + 15}" y="{ly}" width="10" height="10" fill="{c}"/>'
                    f'<text x="{left + pw + 30}" y="{ly + 9}">{n:,} events (peak {peak:.0f} '
                    f'MiB)</text>')
    with open(out, "w") as f:
        f.write(svg(w, h, body))


def main():
    res = json.load(open(sys.argv[1]))
    prefix = sys.argv[2]
    queries_chart(res, prefix + "-queries.svg")
    rss_chart(res, os.path.dirname(os.path.abspath(sys.argv[1])), prefix + "-rss.svg")


if __name__ == "__main__":
    main()
