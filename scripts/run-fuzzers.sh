#!/usr/bin/env bash
# Runs every libFuzzer target of a VIGIA_FUZZ build for a bounded time each: the list is the
# build's fuzz_targets.tsv (binary, -max_len, seed corpus, name), written by
# vigia_fuzz_target() in cmake/vigia.cmake. New inputs go to a scratch corpus per target (the
# seed corpora in the repository are only read). Stops at the first target that finds a crash,
# leak or timeout (libFuzzer's exit status), after printing its report.
#   scripts/run-fuzzers.sh BUILD_DIR [SECONDS_PER_TARGET]
set -euo pipefail
build=${1:?usage: run-fuzzers.sh BUILD_DIR [SECONDS_PER_TARGET]}
seconds=${2:-20}
list="$build/fuzz_targets.tsv"
[ -s "$list" ] || { echo "run-fuzzers: no $list (configure with -DVIGIA_FUZZ=ON)" >&2; exit 2; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
count=0
while IFS=$'\t' read -r binary max_len corpus name; do
  [ -n "$binary" ] || continue
  echo "== $name: ${seconds} s, -max_len=$max_len, seeds from ${corpus#"$PWD"/}"
  mkdir -p "$scratch/$name"
  "$binary" -max_total_time="$seconds" -max_len="$max_len" -print_final_stats=1 \
    "$scratch/$name" "$corpus" </dev/null
  count=$((count + 1))
done <"$list"
echo "run-fuzzers: $count targets, ${seconds} s each, no crash"
