#!/usr/bin/env python3
"""Compares two vigia answers (NDJSON from GET /v1/query?format=ndjson) to the same query:
the embedded store's and the ClickHouse backend's (bench/cluster/run.sh).

    compare_vigia.py EMBEDDED_NDJSON CLICKHOUSE_NDJSON

Both come from vigia, so they must be the same rows with the same fields, types and values.
Rows are compared as sets of JSON objects in the order given first; when the order differs
but the rows are equal the answer is "same (order differs)" (a `stats` without `sort` does
not promise an order). Floats may differ by at most 1 % relative — vigia's documented
percentile error once a group holds more than 65,536 values (docs/vql.md) — and the line then
says so. Prints one line and exits 0 (same) or 1 (different).
"""
import json
import sys

FLOAT_TOLERANCE = 0.01


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def key(row):
    return json.dumps(row, sort_keys=True)


def close(a, b, worst):
    """True when a and b are equal, floats within FLOAT_TOLERANCE; worst[0] = largest
    relative float difference seen."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], worst) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, worst) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and a != b:
        rel = abs(a - b) / max(abs(a), abs(b))
        worst[0] = max(worst[0], rel)
        return rel <= FLOAT_TOLERANCE
    return a == b and type(a) is type(b)


def main():
    a, b = load(sys.argv[1]), load(sys.argv[2])
    if len(a) != len(b):
        print(f"DIFFERENT: {len(a)} rows vs {len(b)}")
        return 1
    if a == b:
        print(f"same ({len(a)} rows)")
        return 0
    sa, sb = sorted(a, key=key), sorted(b, key=key)
    if sa == sb:
        print(f"same ({len(a)} rows, order differs)")
        return 0
    worst = [0.0]
    # Rows matched in order, then sorted by their non-float cells for the tolerance check.
    for x, y in zip(a, b):
        if not close(x, y, worst):
            break
    else:
        print(f"same within {worst[0] * 100:.2f} % on floats ({len(a)} rows)")
        return 0
    for x, y in zip(sa, sb):
        if not close(x, y, worst):
            print(f"DIFFERENT: {json.dumps(x)[:200]} vs {json.dumps(y)[:200]}")
            return 1
    print(f"same within {worst[0] * 100:.2f} % on floats ({len(a)} rows, order differs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
