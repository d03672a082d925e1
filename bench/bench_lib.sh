# Shared by bench/run.sh and bench/scale/scale_run.sh: sourced, not run. The functions use
# the caller's globals: V_URL, VIGIA, VDATA, VPORT, WORK, REPS and CH_URL (ClickHouse, run.sh).
# shellcheck shell=bash

# vigia_settle → seconds until vigia's memtable is flushed into parts, no merge is running and
# its parts and merge counters have stood still for 5 s (at most SETTLE_MAX_S, default 180 s):
# the counterpart of ClickHouse's OPTIMIZE FINAL, so both are measured in their settled state
# rather than in the middle of merges (a long merge leaves the counters still: hence running).
vigia_settle() {
  local t0 s mem running sig last="" same=0
  t0=$(date +%s.%N)
  for _ in $(seq 1 $((${SETTLE_MAX_S:-180} * 2))); do
    s=$(curl -sf "$V_URL/v1/stats") || break
    mem=$(grep -o '"memtable":{"events":[0-9]*' <<<"$s" | grep -o '[0-9]*$')
    running=$(grep -o '"merges_running":[0-9]*' <<<"$s" | head -1 | grep -o '[0-9]*$')
    sig="$(grep -o '"parts":[0-9]*' <<<"$s" | head -1)/$(grep -o '"merges":[0-9]*' <<<"$s" | head -1)"
    if [ "$mem" = 0 ] && [ "${running:-0}" = 0 ] && [ "$sig" = "$last" ]; then
      same=$((same + 1))
    else
      same=0
    fi
    last=$sig
    [ "$same" -ge 10 ] && break
    sleep 0.5
  done
  awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}
json_num() { # json_num KEY < json → the number after "KEY":
  grep -o "\"$1\":[-0-9.eE+]*" | head -1 | cut -d: -f2
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else print v[int((NR + 1) / 2)] }'; }
fmt() { # fmt NUMBER → rounded for the table
  awk -v x="$1" 'BEGIN { if (x == "") print "n/a"; else if (x >= 100) printf "%.0f", x; else if (x >= 10) printf "%.1f", x; else printf "%.2f", x }'
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# vigia_start → starts `vigia serve` on $VDATA and $V_URL; fails when it is not ready in 30 s.
# The built-in error-group alerts (on by default) store one kind=alert event per new error
# group of the generated data, which the peers do not hold: off here so answers compare.
vigia_start() {
  VIGIA_ALERTS_ERROR_GROUP_ALERTS=false "$VIGIA" serve --data "$VDATA" --listen "127.0.0.1:$VPORT" >>"$WORK/vigia.log" 2>&1 &
  VIGIA_PID=$!
  for _ in $(seq 1 300); do
    curl -sf "$V_URL/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$VIGIA_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
# vigia_restart → a clean stop and a start: the next query runs on an empty chunk cache.
vigia_restart() {
  kill "$VIGIA_PID" 2>/dev/null || true
  wait "$VIGIA_PID" 2>/dev/null || true
  VIGIA_PID=""
  vigia_start
}
subst() { # replaces ${NAME} with the environment's NAME
  awk '{ out = ""; s = $0
         while (match(s, /\$\{[A-Z0-9_]+\}/)) {
           name = substr(s, RSTART + 2, RLENGTH - 3)
           out = out substr(s, 1, RSTART - 1) ENVIRON[name]; s = substr(s, RSTART + RLENGTH) }
         print out s }' <<<"$1"
}
# check SPEC RESULTFILE LASTCOL_CMD → "ok" or "WRONG(...)"
check_answer() {
  local spec=$1 rows=$2 value=$3 verdict="ok" c var want got
  [ "$spec" = "-" ] && { echo "unchecked"; return; }
  IFS=',' read -ra cs <<<"$spec"
  for c in "${cs[@]}"; do
    var=${c#*=}
    if [[ "$var" =~ ^[0-9]+$ ]]; then want=$var; else want=${!var}; fi
    case "$c" in
      rows=*) got=$rows ;;
      value=*) got=$value ;;
    esac
    # A value may print as 42 or 42.0; compare numerically.
    if ! awk -v a="$got" -v b="$want" 'BEGIN { exit !(a != "" && a + 0 == b + 0) }'; then
      verdict="WRONG(${c%%=*} $got, expected $want)"
    fi
  done
  echo "$verdict"
}
# time_query SYSTEM TEXT OUTFILE → "COLD_MS WARM_MEDIAN_MS SECOND_MS": the first run, the
# median of the REPS runs after it, and the second run alone (vigia's chunk cache keeps a
# chunk on its second read, so that run pays the cache fill); "ERR:..." on error
time_query() {
  local sys=$1 text=$2 out=$3 i=0 reps=$REPS code ms cold="" times=()
  while [ "$i" -le "$reps" ]; do
    if [ "$sys" = ch ]; then
      r=$(curl -s --max-time 600 -o "$out" -w '%{http_code} %{time_total}' "$CH_URL" --data-binary "$text FORMAT TSV")
    else
      r=$(curl -s --max-time 180 -o "$out" -w '%{http_code} %{time_total}' -G "$V_URL/v1/query" \
        --data-urlencode "q=$text" --data-urlencode "format=ndjson" --data-urlencode "limit=1000000")
    fi
    code=${r%% *}
    [ "$code" = 200 ] || { echo "ERR:HTTP $code $(head -c 200 "$out" | tr '\n' ' ')"; return; }
    ms=$(awk -v s="${r#* }" 'BEGIN { printf "%.3f", s * 1000 }')
    if [ "$i" -gt 0 ]; then
      times+=("$ms")
    else
      cold=$ms
      # A multi-second query: 3 runs bound the run time.
      if awk -v m="$ms" 'BEGIN { exit !(m > 2000) }'; then reps=$((REPS < 3 ? REPS : 3)); fi
    fi
    i=$((i + 1))
  done
  echo "$cold $(printf '%s\n' "${times[@]}" | median) ${times[0]:-}"
}
rows_of() { grep -c . "$1" || true; }
first_last_value() { # the last column of the first row: TSV for ClickHouse, NDJSON for vigia
  if [ "$2" = ch ]; then head -1 "$1" | awk -F'\t' '{ print $NF }'
  else head -1 "$1" | grep -o '[-0-9.eE+]*}$' | tr -d '}'; fi
}

