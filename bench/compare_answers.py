#!/usr/bin/env python3
"""Compares one benchmark query's answer from vigia (NDJSON rows) with a peer's (TSV:
ClickHouse's, or DuckDB's as bench/duckdb/duckdb_bench.mjs writes it).

    compare_answers.py MODE VIGIA_NDJSON PEER_TSV [PEER_NAME]

MODE:
  rows          same number of rows (SELECT * lookups: the two systems print different
                column sets, vigia only the fields an event has)
  values        same rows: cells in column order, rows matched after sorting by their
                text cells; numbers compared exactly when both are integers, floats within
                TOLERANCE relative (ClickHouse's quantile() samples, vigia's is exact or a
                sketch: "within percentile tolerance")
  values-tail   as values, without the first column (a time bucket both systems spell
                differently: vigia RFC 3339, the SQL an integer minute)
Prints "same (N rows)" or "DIFFERENT: <first difference>" and exits 0 / 1.
"""
import json
import sys

TOLERANCE = 0.05


def is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def is_int(s):
    return is_number(s) and all(c not in s for c in ".eE") and s.strip() not in ("nan", "inf")


def cell_text(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)


def vigia_rows(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append([cell_text(v) for v in json.loads(line).values()])
    return rows


def ch_rows(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def sort_key(row):
    return tuple(c for c in row if not is_number(c)) + tuple(
        float(c) for c in row if is_int(c))


def cells_equal(a, b):
    if a == b:
        return True
    if is_number(a) and is_number(b):
        x, y = float(a), float(b)
        if is_int(a) and is_int(b):
            return x == y
        return abs(x - y) <= TOLERANCE * max(abs(x), abs(y))
    return False


def main():
    mode, vpath, cpath = sys.argv[1:4]
    peer = sys.argv[4] if len(sys.argv) > 4 else "ClickHouse"
    v, c = vigia_rows(vpath), ch_rows(cpath)
    if len(v) != len(c):
        print(f"DIFFERENT: {len(v)} rows vs {len(c)}")
        return 1
    if mode == "rows":
        print(f"same ({len(v)} rows)")
        return 0
    if mode == "values-tail":
        v, c = [r[1:] for r in v], [r[1:] for r in c]
    v.sort(key=sort_key)
    c.sort(key=sort_key)
    for rv, rc in zip(v, c):
        if len(rv) != len(rc) or not all(cells_equal(a, b) for a, b in zip(rv, rc)):
            print(f"DIFFERENT: vigia {rv} vs {peer} {rc}")
            return 1
    print(f"same ({len(v)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
