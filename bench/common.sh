# Shared by the bench scripts: build once, serve the mock in its own process, write URL lists.
# Sourced, not run.
# shellcheck shell=bash
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${BENCH_PORT:-18089}"
WORK="${BENCH_WORK:-$ROOT/target/bench}"
mkdir -p "$WORK"
JAVA_HOME="$(./bulkfetch --print-java-home)"
export JAVA_HOME
# Run a snapshot: rebuilding the project during a long benchmark must not swap the jar under it.
# A caller that sets BULKFETCH_JAR brings its own snapshot (e.g. while the tree does not
# compile), so then nothing is built or copied: copy target/bulkfetch-all-fetch.jar beside it
# too (NAME.jar -> NAME-fetch.jar, with cp -p), or its fetches run the full jar, which starts
# slower (see the launcher).
if [ -z "${BULKFETCH_JAR:-}" ]; then
  ./bulkfetch --version >/dev/null   # builds the jar if it is stale
  # With their times: the launcher runs the fetch jar only if it is no older (see there).
  cp -p target/bulkfetch-all.jar "$WORK/bulkfetch.jar"
  cp -p target/bulkfetch-all-fetch.jar "$WORK/bulkfetch-fetch.jar"
  BULKFETCH_JAR="$WORK/bulkfetch.jar"
fi
export BULKFETCH_JAR

# Every process a script starts in the background goes on this list, and is killed when the
# script ends, however it ends: an interrupted script left its server holding the port, and a
# fetch writing records. (sidebyside.sh sets traps of its own after sourcing this.)
BENCH_PIDS=()
bench_cleanup() {
  local pid
  for pid in ${BENCH_PIDS[@]+"${BENCH_PIDS[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${BENCH_PIDS[@]+"${BENCH_PIDS[@]}"}; do wait "$pid" 2>/dev/null || true; done
}
trap bench_cleanup EXIT
# A fetch stopped by Ctrl-C exits 130 and the script went on, printing the cut-short run as
# a figure: a signal now ends the script.
trap 'exit 130' INT
trap 'exit 143' TERM

# bench_fetch ARGS...: ./bulkfetch fetch ARGS; a run stopped by a signal stops the script,
# and any other failure is the figures' to show (items not ok), not the script's end.
# In the background, waited for: bash runs a trap only once its foreground child has ended,
# so a SIGTERM to the script alone waited out the whole fetch (the cleanup stops it now).
bench_fetch() {
  local status=0 pid
  ./bulkfetch fetch "$@" &
  pid=$!
  BENCH_PIDS+=("$pid")
  wait "$pid" || status=$?
  unset 'BENCH_PIDS[-1]'
  if ((status > 128)); then exit "$status"; fi
  return 0
}

need_time() {
  if [ ! -x /usr/bin/time ]; then
    echo "bench: /usr/bin/time is needed (Debian: apt-get install time)" >&2
    exit 2
  fi
}

# start_serve LOG [SERVE OPTIONS...]: `bulkfetch serve` on $PORT in the background, its pid in
# SERVE_PID. The port must be free: a server already there (another benchmark's, one with a
# --limit) answered the readiness check while this one had failed to start, and the figures
# were that server's.
start_serve() {
  local log="$1"
  shift
  if (echo >/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then
    echo "bench: port $PORT is already in use; stop what holds it, or set BENCH_PORT" >&2
    exit 1
  fi
  "$JAVA_HOME/bin/java" -jar "$BULKFETCH_JAR" serve --port "$PORT" "$@" 2>"$log" &
  SERVE_PID=$!
  BENCH_PIDS+=("$SERVE_PID")
  for _ in $(seq 1 100); do
    if (echo >/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then return 0; fi
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench: the server did not start; see $log" >&2
  exit 1
}

# stop_serve: SIGTERM, so the server prints its counts, and wait for it; it is the last
# process the script started, and leaves the list (its id may be another's later).
stop_serve() {
  kill -TERM "$SERVE_PID" 2>/dev/null || true
  wait "$SERVE_PID" 2>/dev/null || true
  BENCH_PIDS=()
}

start_mock() {
  start_serve "$WORK/mock.log"
}

# url_list FILE PATH_PREFIX COUNT: COUNT distinct URLs PATH_PREFIX1 .. PATH_PREFIXCOUNT
url_list() {
  awk -v n="$3" -v base="http://127.0.0.1:$PORT$2" \
    'BEGIN { for (i = 1; i <= n; i++) print base i }' >"$1"
}

# peak_rss_kib TIME_OUTPUT_FILE
peak_rss_kib() {
  awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"
}
