#!/usr/bin/env python3
"""Independent check of golden references: recomputes some seed answers straight from
dataset.ndjson in Python (a different code path from vigia) and compares with the CSVs."""
import csv
import json
import math
import sys
from collections import Counter, defaultdict

ev = [json.loads(l) for l in open("dataset.ndjson")]
req = [e for e in ev if e["kind"] == "request"]


def ref(name):
    with open(name + ".reference", newline="") as f:
        return list(csv.reader(f))


def q(vals, p):  # nearest rank
    s = sorted(vals)
    return s[max(1, math.ceil(p * len(s))) - 1]


def num(x):
    return f"{x:g}" if isinstance(x, float) else str(x)


fail = 0


def check(name, want):
    global fail
    got = ref(name)
    if got != want:
        fail += 1
        print("MISMATCH", name, "\n got ", got, "\n want", want)


by = defaultdict(list)
for e in req:
    by[e["route"]].append(e["duration_ms"])
rows = sorted(by.items(), key=lambda kv: -q(kv[1], 0.95))
check("001_p95_p99_per_route", [["route", "p95(duration_ms)", "p99(duration_ms)", "count()"]] +
      [[r, num(q(v, .95)), num(q(v, .99)), str(len(v))] for r, v in rows])

total = len(req)
thr = sum(1 for e in req if e["status"] == 429)
check("006_429_share_day", [["total", "throttled", "pct_429"],
                            [str(total), str(thr), num(round(thr / total * 100, 3))]])

fails = Counter(e["ip"] for e in ev if e["msg"].startswith("Login failed"))
check("007_login_failures_per_ip", [["ip", "failures"]] +
      [[ip, str(n)] for ip, n in sorted(fails.items(), key=lambda kv: -kv[1]) if n > 10])

rl = defaultdict(list)
for e in ev:
    if e["msg"] == "Rate limit exceeded":
        rl[e["prefix"]].append(e["ip"])
check("008_rate_limit_per_prefix", [["prefix", "hits", "ips"]] +
      [[p, str(len(v)), str(len(set(v)))] for p, v in sorted(rl.items(), key=lambda kv: (-len(kv[1]), kv[0]))])

errs = Counter(e["error.type"] for e in ev if e["kind"] == "error")
check("009_top_error_types", [["error.type", "hits"]] + [[t, str(n)] for t, n in errs.most_common(5)])

check("012_dashboard_totals", [["requests", "unique_ips", "avg_ms"],
                               [str(total), str(len({e["ip"] for e in req})),
                                num(round(sum(e["duration_ms"] for e in req) / total, 1))]])

n = sum(1 for e in ev if e["level"] == "error" and e["service"] == "sales-api")
check("019_level_service_time", [["count()"], [str(n)]])

pm = defaultdict(lambda: [0, 0])
for e in req:
    if e["ts"] < "2026-11-22T10:10":
        m = e["ts"][:16] + ":00Z"
        pm[m][0] += 1
        pm[m][1] += e["status"] >= 500
check("004_5xx_share_per_minute", [["_time", "total", "errors", "pct_5xx"]] +
      [[m, str(t), str(x), num(round(x / t * 100, 2))] for m, (t, x) in sorted(pm.items())])

busy = sorted(((r, v) for r, v in by.items() if len(v) > 200), key=lambda kv: -len(kv[1]))
check("023_where_call_name", [["route", "count()", "p95(duration_ms)"]] +
      [[r, str(len(v)), num(q(v, .95))] for r, v in busy])

check("024_empty_stats_header", [["route", "count()", "worst"]])

print("ok" if not fail else f"{fail} mismatches")
sys.exit(1 if fail else 0)
