#!/usr/bin/env bash
# Runs every libFuzzer target of a VIGIA_FUZZ build for a bounded time each: the list is the
# build's fuzz_targets.tsv (binary, -max_len, seed corpus, name), written by
# vigia_fuzz_target() in cmake/vigia.cmake. New inputs go to a scratch corpus per target (the
# seed corpora in the repository are only read). Stops at the first target that finds a crash,
# leak or timeout (libFuzzer's exit status, which this script exits with), after printing its
# report.
#
# FUZZ_JOBS targets (default: one per core) run at once, each on its own core for the full
# time: a libFuzzer process is single-threaded, so on 2 cores 15 targets x 20 s take 2.5 min
# instead of 5. Each target's output goes to a log printed whole when the target ends (no
# interleaving); when one fails the others still running are stopped and its log is printed
# last.
#   scripts/run-fuzzers.sh BUILD_DIR [SECONDS_PER_TARGET]
set -euo pipefail
build=${1:?usage: run-fuzzers.sh BUILD_DIR [SECONDS_PER_TARGET]}
seconds=${2:-20}
jobs=${FUZZ_JOBS:-$(nproc)}
[ "$jobs" -ge 1 ] || jobs=1
list="$build/fuzz_targets.tsv"
[ -s "$list" ] || { echo "run-fuzzers: no $list (configure with -DVIGIA_FUZZ=ON)" >&2; exit 2; }
scratch=$(mktemp -d)
declare -A running=()  # pid -> target name, for the targets started and not yet reaped
cleanup() {
  # Only the fuzzers this script started, by their ids.
  if [ "${#running[@]}" -gt 0 ]; then
    kill "${!running[@]}" 2>/dev/null || true
    wait "${!running[@]}" 2>/dev/null || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

count=0
# Waits for one running target; prints its log; on a failure stops the others and exits.
reap() {
  local pid rc=0
  wait -n -p pid "${!running[@]}" || rc=$?
  local name=${running[$pid]}
  unset "running[$pid]"
  if [ "$rc" -ne 0 ] && [ "${#running[@]}" -gt 0 ]; then
    echo "run-fuzzers: $name failed (exit $rc): stopping ${running[*]}"
    kill "${!running[@]}" 2>/dev/null || true
    wait "${!running[@]}" 2>/dev/null || true
    running=()
  fi
  cat "$scratch/$name.log"
  if [ "$rc" -ne 0 ]; then
    echo "run-fuzzers: $name found a crash, leak or timeout (exit $rc); report above"
    exit "$rc"
  fi
  count=$((count + 1))
}

while IFS=$'\t' read -r binary max_len corpus name; do
  [ -n "$binary" ] || continue
  while [ "${#running[@]}" -ge "$jobs" ]; do reap; done
  mkdir -p "$scratch/$name"
  {
    echo "== $name: ${seconds} s, -max_len=$max_len, seeds from ${corpus#"$PWD"/}"
    exec "$binary" -max_total_time="$seconds" -max_len="$max_len" -print_final_stats=1 \
      "$scratch/$name" "$corpus"
  } >"$scratch/$name.log" 2>&1 </dev/null &
  running[$!]=$name
done <"$list"
while [ "${#running[@]}" -gt 0 ]; do reap; done
echo "run-fuzzers: $count targets, ${seconds} s each, $jobs at a time, no crash"
