#!/usr/bin/env bash
# The side-by-side benchmark (issue 7): bulkfetch against the tools people use instead, on the
# same URL lists, against the same server, on the same machine, each as a whole process
# (start-up included).
#
# One stock WireMock standalone server, tuned as a load target, serves every workload:
#   W0   1 URL,       no delay,   -c 1    start-up alone
#   W1a  5,000 URLs,  100 ms,     -c 100  ideal 5.0 s
#   W1b  5,000 URLs,  100 ms,     -c 500  ideal 1.0 s
#   W2   20,000 URLs, no delay,   -c 64   client overhead
# Clients: curl --parallel, wget2 --max-threads, Python aiohttp + asyncio.Semaphore, Node fetch
# with a worker pool, and `./bulkfetch fetch` with each engine. Each run is measured with
# /usr/bin/time -v; its 2xx responses are counted, and a run that misses any URL is FAILED.
# Runs are interleaved (every client once per repetition), and the table shows medians.
#
# Usage: bench/sidebyside.sh
# Environment:
#   REPS=3              repetitions of every (workload, client)
#   WORKLOADS="W0 W1a W1b W2"
#   CLIENTS="curl wget2 aiohttp node bulkfetch-event-loop bulkfetch-virtual bulkfetch-threads bulkfetch-serial"
#   SCALE=1             multiplies N of W1a, W1b and W2 (e.g. 0.1 for a quick check)
#   RUN_TIMEOUT=600     seconds before one run is killed (and counted as FAILED)
#   PAUSE=0.5           seconds of quiet between runs, so one run's teardown is not the next's
#   WIREMOCK_JAR        the WireMock standalone jar (default: 3.13.1 from ~/.m2, else the one
#                       inside the bulkfetch jar)
#   NODE=/usr/bin/node, PYTHON=/usr/bin/python3 (Debian's, which has python3-aiohttp)
#   BULKFETCH_JAR       a jar to run as it is (then nothing is built); see common.sh
# Writes target/bench/sidebyside-runs.tsv (every run), sidebyside.txt and sidebyside.md (the
# table of medians).
set -euo pipefail
export LC_ALL=C   # a decimal point, never a comma, in every figure awk reads or prints
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

REPS="${REPS:-3}"
WORKLOADS="${WORKLOADS:-W0 W1a W1b W2}"
CLIENTS="${CLIENTS:-curl wget2 aiohttp node bulkfetch-event-loop bulkfetch-virtual bulkfetch-threads bulkfetch-serial}"
SCALE="${SCALE:-1}"
RUN_TIMEOUT="${RUN_TIMEOUT:-600}"
PAUSE="${PAUSE:-0.5}"
NODE="${NODE:-/usr/bin/node}"
# Not the `python3` on PATH: that may be a pyenv or venv without aiohttp; Debian's package
# installs into the system interpreter.
PYTHON="${PYTHON:-/usr/bin/python3}"

# --- what the clients need, from Debian's packages, only when something is missing ---------
install_missing() {
  local -a missing=()
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v wget2 >/dev/null 2>&1 || missing+=(wget2)
  [ -x /usr/bin/time ] || missing+=(time)
  if [ ! -x "$PYTHON" ] || ! "$PYTHON" -c 'import aiohttp' 2>/dev/null; then
    missing+=(python3-aiohttp)
  fi
  ((${#missing[@]})) || return 0
  echo "bench: installing ${missing[*]} (apt-get)" >&2
  if [ "$(id -u)" != 0 ]; then
    echo "bench: not root; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
  # A fresh container has no package lists yet: update only when the first try fails.
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null 2>&1 || {
    apt-get update >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null
  }
}
install_missing

# shellcheck source=bench/common.sh
source "$HERE/common.sh"   # ROOT (and cd there), WORK, JAVA_HOME, BULKFETCH_JAR, url_list
need_time

# A free port, unless the caller pins one: other benchmarks may hold common.sh's default.
if [ -z "${BENCH_PORT:-}" ]; then
  PORT="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
fi

for client in $CLIENTS; do
  case "$client" in
    node)
      if [ ! -x "$NODE" ]; then echo "bench: no Node at $NODE (set NODE=...)" >&2; exit 2; fi ;;
    curl | wget2 | aiohttp | bulkfetch-event-loop | bulkfetch-virtual | bulkfetch-threads | bulkfetch-serial) ;;
    *) echo "bench: unknown client '$client'" >&2; exit 2 ;;
  esac
done

# --- the server -----------------------------------------------------------------------------
WM_VERSION=3.13.1
WIREMOCK_JAR="${WIREMOCK_JAR:-$HOME/.m2/repository/org/wiremock/wiremock-standalone/$WM_VERSION/wiremock-standalone-$WM_VERSION.jar}"
if [ -f "$WIREMOCK_JAR" ]; then
  WM_CMD=(-jar "$WIREMOCK_JAR")
  WM_WHAT="wiremock-standalone $WM_VERSION ($WIREMOCK_JAR)"
else
  # The bulkfetch jar shades the same WireMock; its stock entry point ignores bulkfetch's own.
  WM_CMD=(-cp "$BULKFETCH_JAR" wiremock.Run)
  WM_WHAT="WireMock inside $BULKFETCH_JAR (wiremock.Run)"
fi

WM_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/sidebyside-wiremock.XXXXXX")"
WM_PID=""
cleanup() {
  if [ -n "$WM_PID" ] && kill "$WM_PID" 2>/dev/null; then
    # Jetty takes a moment to stop; do not leave it behind if it hangs.
    for _ in $(seq 1 50); do kill -0 "$WM_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$WM_PID" 2>/dev/null || true
  fi
  rm -rf "$WM_ROOT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One small JSON body for every URL, a few dozen bytes, as a typical API answer. An explicit
# Content-Length keeps Jetty from chunking it, as an API server would for a body this size.
BODY='{"id":"item","ok":true,"value":"abcdefghijklmnop"}'
mapping() { # PATH_REGEX DELAY_MS
  printf '{"request":{"method":"GET","urlPathPattern":"%s"},"response":{"status":200,"fixedDelayMilliseconds":%s,"headers":{"Content-Type":"application/json","Content-Length":"%s"},"body":"%s"}}' \
    "$1" "$2" "${#BODY}" "${BODY//\"/\\\"}"
}
mkdir -p "$WM_ROOT/mappings" "$WM_ROOT/__files"
{
  echo '{"mappings":['
  mapping '/w0/[0-9]+' 0; echo ','
  mapping '/w1/[0-9]+' 100; echo ','
  mapping '/w2/[0-9]+' 0; echo ','
  mapping '/warm/[0-9]+' 0
  echo ']}'
} >"$WM_ROOT/mappings/sidebyside.json"

# Tuned as a load target, so the server is never what is measured:
#  - no request journal and no request logging: both cost per request and the journal grows;
#  - asynchronous responses: a delayed response waits on a timer, not on a container thread,
#    so 500 delayed requests do not need 500 busy threads;
#  - container threads well above the highest concurrency (500) all the same;
#  - an accept queue above the highest concurrency: with Jetty's default the JDK listens with a
#    backlog of 50, which can drop SYNs when 500 connections open at once, and each dropped SYN
#    costs that client a 1 s retransmit;
#  - no gzip and no h2c: every client speaks plain HTTP/1.1 and gets the same bytes.
WM_TUNING=(--no-request-journal --disable-request-logging
  --async-response-enabled=true --async-response-threads 32
  --container-threads 800 --jetty-accept-queue-size 4096
  --disable-gzip --disable-http2-plain)
"$JAVA_HOME/bin/java" "${WM_CMD[@]}" --port "$PORT" --bind-address 127.0.0.1 --root-dir "$WM_ROOT" \
  --disable-banner "${WM_TUNING[@]}" >"$WORK/sidebyside-wiremock.log" 2>&1 &
WM_PID=$!
up=0
for _ in $(seq 1 300); do
  if curl -fs -o /dev/null "http://127.0.0.1:$PORT/w0/1"; then up=1; break; fi
  kill -0 "$WM_PID" 2>/dev/null || break
  sleep 0.1
done
if ((!up)); then
  echo "bench: WireMock did not start; see $WORK/sidebyside-wiremock.log" >&2
  exit 1
fi

# --- workloads ------------------------------------------------------------------------------
# curl takes 20,000 URLs from a config file, not the command line (ARG_MAX); each URL needs its
# own output, or the bodies go to stdout among the status codes. LIST.txt -> LIST.curl
curl_config() {
  awk '{ printf "url = \"%s\"\noutput = \"/dev/null\"\n", $0 }' "$1" >"${1%.txt}.curl"
}

# name -> "N DELAY_MS CONCURRENCY PATH"
declare -A WL=(
  [W0]="1 0 1 /w0/"
  [W1a]="5000 100 100 /w1/"
  [W1b]="5000 100 500 /w1/"
  [W2]="20000 0 64 /w2/"
)
scaled() { # N -> N x SCALE, at least 1 (W0 stays 1: it measures start-up)
  awk -v n="$1" -v s="$SCALE" 'BEGIN { m = int(n * s + 0.5); print (m < 1 ? 1 : m) }'
}
for w in $WORKLOADS; do
  if [ -z "${WL[$w]:-}" ]; then echo "bench: unknown workload '$w'" >&2; exit 2; fi
  read -r n delay c path <<<"${WL[$w]}"
  if [ "$w" != W0 ]; then n="$(scaled "$n")"; fi
  WL[$w]="$n $delay $c $path"
  url_list "$WORK/sbs-$w.txt" "$path" "$n"
  curl_config "$WORK/sbs-$w.txt"
done

# ideal WORKLOAD: ceil(N / C) x delay in seconds, or nothing without a server delay
ideal_of() {
  local n delay c _
  read -r n delay c _ <<<"${WL[$1]}"
  if ((delay > 0)); then
    awk -v n="$n" -v c="$c" -v d="$delay" 'BEGIN { printf "%.3f", int((n + c - 1) / c) * d / 1000 }'
  fi
}

# --- clients --------------------------------------------------------------------------------
# The command of CLIENT on LIST at concurrency C, into CMD; OUT is where it writes what its
# count is read from.
client_cmd() { # CLIENT LIST C OUT
  local client="$1" list="$2" c="$3" out="$4"
  case "$client" in
    curl)
      # curl 7.88 caps --parallel-max at 300 without a word (noted in the table).
      CMD=(curl --no-progress-meter --parallel --parallel-max "$c" -K "${list%.txt}.curl"
        -w '%{http_code}\n') ;;
    wget2)
      # -O /dev/null: the bodies go nowhere rather than into 20,000 files; --no-config and
      # --no-robots: nothing read or fetched besides the list. --stats-site writes one CSV
      # row per URL with its status, which is what is counted.
      CMD=(wget2 --no-config --quiet --no-robots --max-threads "$c" --input-file "$list"
        --output-document /dev/null --stats-site="csv:$out") ;;
    aiohttp) CMD=("$PYTHON" "$HERE/clients/aiohttp_fetch.py" "$list" "$c") ;;
    node) CMD=("$NODE" "$HERE/clients/node_fetch.mjs" "$list" "$c") ;;
    bulkfetch-*)
      # As a user runs it: the launcher, one JSON Lines record per URL into a file. The
      # summary's own wall time (the run, without the JVM's start and exit) is what `compare`
      # measures, so the two can be held side by side (the "run s" column). No retries: the
      # other clients make none, so a transient error must fail bulkfetch's run as theirs.
      # The serial engine sends one request at a time, and refuses a -c other than 1.
      if [[ "$client" == bulkfetch-serial ]]; then c=1; fi
      CMD=("$ROOT/bulkfetch" fetch "$list" -c "$c" -e "${client#bulkfetch-}" -q -o "$out"
        --retries 0 --summary-json "$out.summary.json") ;;
  esac
}

# The 2xx responses of a finished run, from what CLIENT wrote.
count_2xx() { # CLIENT STDOUT OUT
  case "$1" in
    wget2 | bulkfetch-*) if [ ! -f "$3" ]; then echo 0; return; fi ;;
  esac
  case "$1" in
    curl) grep -c '^2' "$2" || true ;;
    wget2) awk -F, 'NR > 1 && $4 ~ /^2/ { n++ } END { print n + 0 }' "$3" ;;
    aiohttp | node) tail -n 1 "$2" | tr -cd '0-9' | grep . || echo 0 ;;
    bulkfetch-*) grep -c '"ok":true' "$3" || true ;;
  esac
}

# The serial engine sends one request at a time: at 100 ms each, W1's 5,000 URLs take 500 s.
runs_on() { # CLIENT WORKLOAD
  [[ "$1" != bulkfetch-serial || "$2" == W0 || "$2" == W2 ]]
}

RUNS="$WORK/sidebyside-runs.tsv"
RUNDIR="$WORK/sidebyside-out"
mkdir -p "$RUNDIR"
printf 'workload\tclient\trep\tn\tconcurrency\twall_s\ttime_elapsed_s\tuser_s\tsys_s\tcpu_s\tmax_rss_kib\tok_2xx\texit\trun_s\n' >"$RUNS"

# One measured run; appends its row to RUNS.
run_one() { # WORKLOAD CLIENT REP
  local w="$1" client="$2" rep="$3" n delay c _ out stdout stderr tf rc=0 t0 t1
  read -r n delay c _ <<<"${WL[$w]}"
  out="$RUNDIR/$w-$client.out"
  stdout="$RUNDIR/$w-$client.stdout"
  stderr="$RUNDIR/$w-$client.stderr"
  tf="$RUNDIR/$w-$client.time"
  rm -f "$out" "$out.summary.json"
  client_cmd "$client" "$WORK/sbs-$w.txt" "$c" "$out"
  # Wall time from the shell's microsecond clock: time -v's elapsed has 10 ms steps, too coarse
  # for W0. Both include the same few ms of starting time and timeout themselves.
  t0="$EPOCHREALTIME"
  /usr/bin/time -v -o "$tf" timeout -k 5 "$RUN_TIMEOUT" "${CMD[@]}" >"$stdout" 2>"$stderr" || rc=$?
  t1="$EPOCHREALTIME"
  awk -F': ' -v w="$w" -v cl="$client" -v rep="$rep" -v n="$n" -v c="$c" -v t0="$t0" -v t1="$t1" \
    -v ok="$(count_2xx "$client" "$stdout" "$out")" -v rc="$rc" \
    -v runs="$(sed -n 's/.*"wall_s" *: *\([0-9.]*\).*/\1/p' "$out.summary.json" 2>/dev/null)" '
    /User time \(seconds\)/ { user = $2 }
    /System time \(seconds\)/ { sys = $2 }
    /Maximum resident set size/ { rss = $2 }
    /Elapsed \(wall clock\) time/ {
      k = split($NF, p, ":"); el = 0
      for (i = 1; i <= k; i++) el = el * 60 + p[i]
    }
    END {
      printf "%s\t%s\t%s\t%s\t%s\t%.3f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\t%s\t%s\t%s\n",
        w, cl, rep, n, c, t1 - t0, el, user, sys, user + sys, rss, ok, rc, runs
    }' "$tf" | tee -a "$RUNS" | awk -F'\t' '{
      printf "  %-4s %-21s rep %s: wall %7.3f s, cpu %6.2f s, rss %6.1f MiB, 2xx %s/%s%s\n",
        $1, $2, $3, $6, $10, $11 / 1024, $12, $4, ($12 == $4 ? "" : "  FAILED") }'
}

# --- the machine ----------------------------------------------------------------------------
# Also warms the disk cache with each client's binary before anything is timed.
version_of() {
  case "$1" in
    curl) curl --version | head -n 1 | cut -d' ' -f1-2 ;;
    wget2) wget2 --version 2>/dev/null | head -n 1 | sed 's/ - .*//' ;;
    aiohttp) "$PYTHON" -c 'import sys, aiohttp; print(f"Python {sys.version.split()[0]}, aiohttp {aiohttp.__version__}")' ;;
    node) echo "Node $("$NODE" --version)" ;;
  esac
}
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
{
  echo "== side by side: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr), load average $LOAD_START"
  echo "JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1) ($JAVA_HOME)"
  echo "bulkfetch: $("$ROOT/bulkfetch" --version 2>/dev/null | head -n 1) ($BULKFETCH_JAR)"
  for client in curl wget2 aiohttp node; do
    case " $CLIENTS " in *" $client "*) echo "$client: $(version_of "$client")" ;; esac
  done
  echo "server: $WM_WHAT on 127.0.0.1:$PORT, ${WM_TUNING[*]}"
  echo "reps $REPS, scale $SCALE; wall is the whole process, start-up included; CPU is user+sys"
} | tee "$WORK/sidebyside-machine.txt"

# --- warm-up, untimed -----------------------------------------------------------------------
# A cold WireMock compiles its hot paths during the first few thousand requests: whichever
# client ran first would pay for it. Then one W0 run of each client, so the first timed run
# of each does not read its binary from disk.
echo "== warm-up (untimed)"
url_list "$WORK/sbs-warm.txt" /warm/ 5000
curl_config "$WORK/sbs-warm.txt"
url_list "$WORK/sbs-warm-delay.txt" /w1/ 1500
curl_config "$WORK/sbs-warm-delay.txt"
for _ in 1 2; do
  curl --no-progress-meter --parallel --parallel-max 64 -K "$WORK/sbs-warm.curl" || true
  curl --no-progress-meter --parallel --parallel-max 300 -K "$WORK/sbs-warm-delay.curl" || true
done
url_list "$WORK/sbs-warm-one.txt" /w0/ 1
curl_config "$WORK/sbs-warm-one.txt"
NOTES=()
for client in $CLIENTS; do
  client_cmd "$client" "$WORK/sbs-warm-one.txt" 1 "$RUNDIR/warm.out"
  "${CMD[@]}" >/dev/null 2>"$RUNDIR/warm.stderr" || true
  # The launcher records a start-up cache for the jar on its first start. If it cannot (e.g.
  # a jar from before `bulkfetch train`), it would try again, for seconds, on every start:
  # that is not what a user's second run costs, so run without it, and say so.
  if [[ "$client" == bulkfetch-* ]] && grep -q 'could not record the start-up cache' "$RUNDIR/warm.stderr"; then
    export BULKFETCH_AOT=0
    NOTES+=("bulkfetch: the launcher could not record the start-up cache for this jar, so it ran with BULKFETCH_AOT=0")
  fi
done

# --- the runs -------------------------------------------------------------------------------
echo "== runs (every client once per repetition, starting one client later each time)"
read -r -a CLIENT_ARR <<<"$CLIENTS"
k=${#CLIENT_ARR[@]}
for w in $WORKLOADS; do
  for rep in $(seq 1 "$REPS"); do
    # Rotate the order each repetition, so no client always follows the same one.
    for i in $(seq 0 $((k - 1))); do
      client="${CLIENT_ARR[$(((i + rep - 1) % k))]}"
      runs_on "$client" "$w" || continue
      sleep "$PAUSE"
      run_one "$w" "$client" "$rep"
    done
  done
done

# --- the table of medians -------------------------------------------------------------------
IDEALS=""
for w in $WORKLOADS; do IDEALS+="$w=$(ideal_of "$w") "; done
CURL_VERSION="$(curl --version | head -n 1 | cut -d' ' -f2)"
# Medians per (workload, client), in the order the runs were made. A (workload, client) with
# any run that missed a URL is FAILED, with every run's count, never a number.
table() { # FORMAT: text or md
  awk -F'\t' -v fmt="$1" -v ideals="$IDEALS" -v curlv="$CURL_VERSION" '
    function median(s,   a, k, i, j, t) {
      k = split(s, a, " ")
      for (i = 2; i <= k; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    function row(c1, c2, c3, c4, c5, c6, c7, c8, c9) {
      if (fmt == "md") printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c1, c2, c3, c4, c5, c6, c7, c8, c9
      else printf "%-8s  %-21s %9s %8s %8s %9s %15s %7s  %s\n", c1, c2, c3, c4, c5, c6, c7, c8, c9
    }
    BEGIN {
      k = split(ideals, p, " ")
      for (i = 1; i <= k; i++) { split(p[i], q, "="); ideal[q[1]] = q[2] }
    }
    NR == 1 { next }
    {
      key = $1 SUBSEP $2
      if (!(key in runs)) { order[++nk] = key; wl[key] = $1; cl[key] = $2; n[key] = $4; conc[key] = $5 }
      runs[key]++; wall[key] = wall[key] " " $6; cpu[key] = cpu[key] " " $10; rss[key] = rss[key] " " $11
      oks[key] = oks[key] (oks[key] == "" ? "" : ",") $12
      if ($14 != "") inrun[key] = inrun[key] " " $14
      if ($12 != $4) bad[key] = 1
    }
    END {
      row("workload", "client", "wall s", "x ideal", "CPU s", "RSS MiB", "2xx / N", "run s", "note")
      if (fmt == "md") print "|---|---|--:|--:|--:|--:|--:|--:|---|"
      for (i = 1; i <= nk; i++) {
        key = order[i]; w = wl[key]; note = ""
        if (cl[key] == "curl" && conc[key] > 300) note = "curl " curlv " caps --parallel-max at 300"
        if (bad[key]) {
          row(w, cl[key], "FAILED", "", "", "", oks[key] " / " n[key], "", note (note == "" ? "" : "; ") "a run missed URLs")
          continue
        }
        mw = median(wall[key])
        ratio = (ideal[w] != "") ? sprintf("%.2f", mw / ideal[w]) : "-"
        row(w, cl[key], sprintf("%.3f", mw), ratio, sprintf("%.2f", median(cpu[key])),
          sprintf("%.1f", median(rss[key]) / 1024), n[key] " / " n[key],
          (key in inrun) ? sprintf("%.3f", median(inrun[key])) : "-", note)
      }
    }' "$RUNS"
}
footer() {
  echo "Medians of $REPS runs per row; wall and CPU (user+sys) are the whole process, start-up included."
  echo "run s: bulkfetch's own wall time of the run (its --summary-json), without the JVM's start and exit: what compare measures."
  echo "Ideal wall: ceil(N / c) x 100 ms for W1a and W1b; W0 (start-up) and W2 (client overhead) have none."
  echo "bulkfetch-serial runs W0 and W2 only: one request at a time, W1's 5,000 URLs at 100 ms would take 500 s."
  for note in ${NOTES[@]+"${NOTES[@]}"}; do echo "$note"; done
  # Other work on the machine shows up in every figure; this says how much there was.
  echo "Load average at the start: $LOAD_START; at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "Every run: $RUNS"
}
{
  echo
  echo "== medians"
  table text
  echo
  footer
} | tee "$WORK/sidebyside.txt"
{
  echo "# Side by side"
  echo
  sed 's/^/    /' "$WORK/sidebyside-machine.txt"
  echo
  table md
  echo
  footer | sed 's/$/  /'
} >"$WORK/sidebyside.md"
echo "Markdown: $WORK/sidebyside.md"
