#!/usr/bin/env bash
# The foundation's two figures (issue 2):
#  1. 5,000 distinct URLs with a fixed 100 ms server delay at -c 500: wall time against the
#     ideal of 1.0 s (5,000 / 500 x 0.1 s).
#  2. Peak RSS of `fetch` over a 1,000,000-line list against the fast stub, against a
#     100,000-line list, on every engine: memory must not grow with the input (aim: within
#     1.25x). Checked on the event loop alone, it missed the blocking engines' growth (virtual
#     threads: 2.7 GiB at 1,000,000 lines, where the launcher's survivor spaces were too small
#     for what their requests in flight hold, which was promoted and kept; see ./bulkfetch).
#     At -c 200, where that growth was found (100,000 URLs on virtual threads: 827 MiB against
#     92 MiB with the survivor spaces the launcher now sets); serial runs at -c 1, its only
#     concurrency, so its 1,000,000 lines take minutes more.
# The mock runs in a process of its own, so RSS is the client's alone.
# Usage: bench/foundation.sh (ENGINES="threads virtual" bench/foundation.sh for some engines)
source "$(dirname "$0")/common.sh"
need_time
start_mock

url_list "$WORK/delay-5k.txt" /delay/100/ 5000
url_list "$WORK/items-100k.txt" /items/ 100000
url_list "$WORK/items-1m.txt" /items/ 1000000

# Warm the mock's JIT with one untimed pass, as a long-running server would be.
bench_fetch "$WORK/delay-5k.txt" -c 500 -q -o /dev/null

# A run's figure is its own (the file is removed first) and counts only when every item was ok.
summary_line() { # RUN SUMMARY_JSON
  python3 - "$@" <<'PY'
import json, sys
run, path = sys.argv[1], sys.argv[2]
try:
    s = json.load(open(path))
except (OSError, ValueError):
    print(f"run {run}: FAILED (no summary written)")
    sys.exit()
verdict = "" if s["ok"] == s["items"] else f"  FAILED: {s['items'] - s['ok']} not ok"
print(f"run {run}: wall {s['wall_s']:.3f} s, {s['wall_s'] / 1.0:.2f}x ideal, "
      f"{s['ok']}/{s['items']} ok{verdict}")
PY
}

echo "== 5,000 URLs, 100 ms delay, -c 500 (ideal wall 1.0 s)"
for run in 1 2 3; do
  rm -f "$WORK/s.json"
  bench_fetch "$WORK/delay-5k.txt" -c 500 -o /dev/null --summary-json "$WORK/s.json" \
    2>/dev/null
  summary_line "$run" "$WORK/s.json"
done

failed=0
for engine in ${ENGINES:-event-loop threads virtual serial}; do
  conc=200
  if [[ "$engine" == serial ]]; then conc=1; fi
  echo "== peak RSS, fast stub, -e $engine -c $conc"
  for list in items-100k items-1m; do
    rm -f "$WORK/$list.json"
    status=0
    /usr/bin/time -v -o "$WORK/$list.time" ./bulkfetch fetch "$WORK/$list.txt" -e "$engine" \
      -c "$conc" -o /dev/null --summary-json "$WORK/$list.json" 2>/dev/null || status=$?
    if ((status > 128)); then exit "$status"; fi
    echo "$list: peak RSS $(peak_rss_kib "$WORK/$list.time") KiB, $(grep -E '"(items|ok|items_per_s)"' "$WORK/$list.json" | tr -d ' \n')"
  done
  small=$(peak_rss_kib "$WORK/items-100k.time")
  large=$(peak_rss_kib "$WORK/items-1m.time")
  awk -v e="$engine" -v s="$small" -v l="$large" 'BEGIN { r = l / s
    printf "%s: RSS ratio 1M / 100k: %.2f (aim <= 1.25)%s\n", e, r, (r > 1.25 ? "  FAILED" : "")
    exit (r > 1.25) }' || failed=1
done
exit "$failed"
