#!/usr/bin/env python3
"""Draws the query table of one bench/run.sh result as an SVG bar chart (no dependencies).

    results_chart.py RESULT.json OUT.svg

One group of bars per query: vigia, ClickHouse and DuckDB warm medians (ms, log scale), the
cold runs as thin bars beside them, and vigia's ratio to the best peer above each group.
"""
import json
import math
import sys

SYSTEMS = (("vigia", "vigia", "#2b6cb0"), ("clickhouse", "ClickHouse", "#dd6b20"),
           ("duckdb", "DuckDB", "#2f855a"))


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main():
    res = json.load(open(sys.argv[1]))
    queries = res["queries"]
    values = [q.get(f"{k}_median_ms") or 0 for q in queries for k, _, _ in SYSTEMS]
    values += [q.get(f"{k}_cold_ms") or 0 for q in queries for k, _, _ in SYSTEMS]
    top = max([v for v in values if v > 0] + [1.0])
    lo, hi = 0.1, 10 ** math.ceil(math.log10(top))
    width, height, left, bottom, top_pad = 120 + 110 * len(queries), 460, 70, 120, 60
    plot_h = height - bottom - top_pad
    present = [label for key, label, _ in SYSTEMS
               if any(q.get(f"{key}_median_ms") for q in queries)]
    title = f"{' vs '.join(present)}, {res['events']:,} events, {res['date']}"

    def y(v):
        v = max(v, lo)
        return top_pad + plot_h * (1 - (math.log10(v) - math.log10(lo)) /
                                   (math.log10(hi) - math.log10(lo)))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="20" font-size="14">{esc(title)}</text>',
           f'<text x="{left}" y="38">query time in ms (log scale; lower is better). Wide bars: warm median; '
           f'thin bars: cold (first run after start). Above: vigia vs the best peer, warm.</text>']
    d = lo
    while d <= hi:
        out.append(f'<line x1="{left}" x2="{width - 20}" y1="{y(d):.1f}" y2="{y(d):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y(d) + 4:.1f}" text-anchor="end">{d:g}</text>')
        d *= 10
    for qi, q in enumerate(queries):
        x0 = left + 20 + qi * 110
        peers = [q.get(f"{k}_median_ms") for k in ("clickhouse", "duckdb") if q.get(f"{k}_median_ms")]
        v = q.get("vigia_median_ms")
        if v and peers:
            r = min(peers) / v
            color = "#2f855a" if r >= 1.5 else ("#b7791f" if r >= 1 else "#c53030")
            out.append(f'<text x="{x0 + 45}" y="{top_pad - 6}" text-anchor="middle" fill="{color}">{r:.2f}x</text>')
        for si, (key, _, color) in enumerate(SYSTEMS):
            warm, cold = q.get(f"{key}_median_ms"), q.get(f"{key}_cold_ms")
            bx = x0 + si * 30
            if warm:
                out.append(f'<rect x="{bx}" y="{y(warm):.1f}" width="20" height="{y(lo) - y(warm):.1f}" fill="{color}"/>')
            if cold:
                out.append(f'<rect x="{bx + 21}" y="{y(cold):.1f}" width="5" height="{y(lo) - y(cold):.1f}" fill="{color}" opacity="0.45"/>')
        ty = height - bottom + 14
        out.append(f'<text transform="translate({x0 + 45},{ty}) rotate(30)">{esc(q["name"])}</text>')
    for si, (_, label, color) in enumerate(SYSTEMS):
        lx = left + si * 120
        out.append(f'<rect x="{lx}" y="{height - 22}" width="12" height="12" fill="{color}"/>')
        out.append(f'<text x="{lx + 16}" y="{height - 12}">{label}</text>')
    out.append("</svg>")
    open(sys.argv[2], "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
