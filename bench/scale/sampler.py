#!/usr/bin/env python3
"""Samples a running vigia serve every INTERVAL seconds until it exits or the stop file appears.

    sampler.py PID URL OUT.tsv [INTERVAL=2] [STOP_FILE]

One TSV row per sample: seconds since start, RSS (MiB, /proc/PID/status VmRSS), events
accepted so far, memtable events, partitions, parts, the most parts in one partition, merges
done, merges running, chunk cache MiB, memtable MiB (GET URL/v1/stats). Standard library only.
"""
import json
import os
import sys
import time
import urllib.request


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main():
    pid, url, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    interval = float(sys.argv[4]) if len(sys.argv) > 4 else 2.0
    stop = sys.argv[5] if len(sys.argv) > 5 else None
    t0 = time.monotonic()
    with open(out, "w") as f:
        f.write("t_s\trss_mib\taccepted\tmemtable_events\tpartitions\tparts\tmax_parts_per_partition"
                "\tmerges\tmerges_running\tcache_mib\tmemtable_mib\n")
        while True:
            rss = rss_mib(pid)
            if rss is None or (stop and os.path.exists(stop)):
                break
            try:
                with urllib.request.urlopen(url + "/v1/stats", timeout=5) as r:
                    s = json.load(r)
            except Exception:  # a busy server: keep the RSS, leave the rest empty
                s = {}
            parts = s.get("parts", {})
            parts_by = [p.get("parts", 0) for p in s.get("partitions", [])]
            cache = s.get("query_cache", {}).get("bytes")
            memtable = s.get("memtable", {}).get("bytes")
            row = [f"{time.monotonic() - t0:.1f}", f"{rss:.0f}",
                   s.get("ingest", {}).get("accepted", ""),
                   s.get("memtable", {}).get("events", ""), parts.get("partitions", ""),
                   parts.get("parts", ""), max(parts_by) if parts_by else "",
                   parts.get("merges", ""), parts.get("merges_running", ""),
                   f"{cache / 2**20:.0f}" if cache is not None else "",
                   f"{memtable / 2**20:.0f}" if memtable is not None else ""]
            f.write("\t".join(str(x) for x in row) + "\n")
            f.flush()
            time.sleep(interval)


if __name__ == "__main__":
    main()
