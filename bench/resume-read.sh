#!/usr/bin/env bash
# How long a resume takes to read its journal back before it sends anything: a journal of
# RECORDS records (default 1,000,000, one in ten of them failed) over a list of as many URLs,
# resumed as it is and with --retry-failed (which also writes the journal anew without the
# failed records). Each run is timed from its start to its "resuming:" line, then stopped.
# And a resume that has nothing left to fetch, timed to its end: it reads the journal, then
# the list, every line of which has its record. Prints the median of REPS runs (default 3) of
# each, interleaved.
# Usage: bench/resume-read.sh [RECORDS] [REPS]
source "$(dirname "$0")/common.sh"
RECORDS="${1:-1000000}"
REPS="${2:-3}"
LIST="$WORK/resume-read-$RECORDS.txt"
JOURNAL="$WORK/resume-read-$RECORDS.jsonl"
OUT="$WORK/resume-read.jsonl"

# Port 1: nothing listens there, and no run gets as far as sending.
awk -v n="$RECORDS" 'BEGIN { for (i = 1; i <= n; i++) printf "http://127.0.0.1:1/item/%d\n", i }' \
  >"$LIST"
awk -v n="$RECORDS" 'BEGIN {
  for (i = 1; i <= n; i++) {
    ok = (i % 10 != 0)
    printf "{\"seq\":%d,\"id\":\"%d\",\"url\":\"http://127.0.0.1:1/item/%d\",\"method\":\"GET\",", i, i, i
    printf "\"ok\":%s,\"status\":%s,\"error\":%s,\"attempts\":1,\"latency_ms\":1.5,\"bytes\":50,", \
      ok ? "true" : "false", ok ? "200" : "500", \
      ok ? "null" : "{\"kind\":\"http\",\"message\":\"HTTP 500\"}"
    printf "\"engine\":\"event-loop\"}\n"
  }
}' >"$JOURNAL"

# The journal's identity file comes from a run of its own over the list, stopped at once.
rm -f "$OUT" "$OUT.input"
./bulkfetch fetch "$LIST" -o "$OUT" -q --rate 1/s 2>/dev/null &
BENCH_PIDS+=("$!")
for _ in $(seq 1 100); do [ -s "$OUT.input" ] && break; sleep 0.1; done
kill "${BENCH_PIDS[-1]}" 2>/dev/null || true
wait "${BENCH_PIDS[-1]}" 2>/dev/null || true
unset 'BENCH_PIDS[-1]'

# time_to_resuming ARGS...: seconds from the start of a resume to its "resuming:" line.
time_to_resuming() {
  local start line
  cp "$JOURNAL" "$OUT"
  start="$(date +%s.%N)"
  coproc RESUME { exec ./bulkfetch fetch "$LIST" -o "$OUT" --resume --rate 1/s "$@" 2>&1; }
  BENCH_PIDS+=("$RESUME_PID")
  local took=""
  while IFS= read -r line <&"${RESUME[0]}"; do
    case "$line" in
      resuming:*) took="$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')"; break ;;
    esac
  done
  kill "$RESUME_PID" 2>/dev/null || true
  wait "$RESUME_PID" 2>/dev/null || true
  unset 'BENCH_PIDS[-1]'
  if [ -z "$took" ]; then
    echo "bench: a resume $* ended without its 'resuming:' line: FAILED" >&2
    exit 1
  fi
  echo "$took"
}

# time_to_end: seconds a resume with every item kept takes from its start to its end.
time_to_end() {
  local start status=0
  cp "$JOURNAL" "$OUT"
  start="$(date +%s.%N)"
  ./bulkfetch fetch "$LIST" -o "$OUT" --resume -q 2>/dev/null || status=$?
  # 1: the kept records hold failures, which is what this journal has.
  if ((status != 1)); then
    echo "bench: a resume with nothing to fetch exited $status: FAILED" >&2
    exit 1
  fi
  awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f\n", b - a }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
plain=() retry=() whole=()
for _ in $(seq 1 "$REPS"); do
  plain+=("$(time_to_resuming)")
  retry+=("$(time_to_resuming --retry-failed)")
  whole+=("$(time_to_end)")
done
printf 'journal of %d records (%d failed), %d runs each, medians:\n' \
  "$RECORDS" "$((RECORDS / 10))" "$REPS"
printf '  --resume, to its "resuming:" line                %s s\n' \
  "$(printf '%s\n' "${plain[@]}" | median)"
printf '  --resume --retry-failed, to its "resuming:" line  %s s\n' \
  "$(printf '%s\n' "${retry[@]}" | median)"
printf '  --resume, nothing left to fetch, to its end       %s s\n' \
  "$(printf '%s\n' "${whole[@]}" | median)"
