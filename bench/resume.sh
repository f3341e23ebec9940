#!/usr/bin/env bash
# The nothing-lost issue's figure (issue 5): kill -9 a fetch of 20,000 URLs at 20 random
# points, resume each time, and count in the final output the items missing and duplicated
# (aim: 0 and 0) and not ok, and from the server's count how many requests were sent more
# than the items (a request in flight at a kill goes again on the resume).
# Usage: bench/resume.sh [KILLS] [ITEMS]   (defaults 20 and 20000)
source "$(dirname "$0")/common.sh"
KILLS="${1:-20}"
ITEMS="${2:-20000}"
LIST="$WORK/resume-$ITEMS.txt"
OUT="$WORK/resume.jsonl"
url_list "$LIST" /delay/100/ "$ITEMS"
rm -f "$OUT" "$OUT.input" "$WORK/resume-fetch.log"
# A server-side count of every request: a limit far above anything sent.
start_serve "$WORK/resume-serve.log" --limit 1000000/s

RANDOM=42
for kill in $(seq 1 "$KILLS"); do
  "$JAVA_HOME/bin/java" -jar "$BULKFETCH_JAR" fetch "$LIST" -o "$OUT" --resume -c 32 -q \
    2>>"$WORK/resume-fetch.log" &
  pid=$!
  BENCH_PIDS=("$SERVE_PID" "$pid")  # the server, and this fetch until it is reaped
  # Somewhere between 1 s and 6 s into the run: start-up, ramp-up and steady state.
  sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 1 + (r % 500) / 100 }')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  BENCH_PIDS=("$SERVE_PID")
  printf 'kill %2d: %6d records\n' "$kill" "$(wc -l <"$OUT")"
done
status=0
"$JAVA_HOME/bin/java" -jar "$BULKFETCH_JAR" fetch "$LIST" -o "$OUT" --resume -c 32 \
  2>>"$WORK/resume-fetch.log" || status=$?
if ((status > 128)); then exit "$status"; fi
stop_serve

python3 - "$OUT" "$ITEMS" <<'PY'
import json, sys, collections
seqs = collections.Counter()
not_ok = 0
for line in open(sys.argv[1]):
    record = json.loads(line)
    seqs[record["seq"]] += 1
    not_ok += 0 if record["ok"] else 1
items = int(sys.argv[2])
missing = sum(1 for s in range(1, items + 1) if s not in seqs)
duplicated = sum(n - 1 for n in seqs.values() if n > 1)
print(f"final output: {sum(seqs.values())} records, {missing} missing, {duplicated} duplicated,"
      f" {not_ok} not ok")
PY
arrivals=$(sed -n 's/^serve: arrivals \([0-9]*\),.*/\1/p' "$WORK/resume-serve.log")
echo "server saw $arrivals requests for $ITEMS items: $((arrivals - ITEMS)) extra requests"
