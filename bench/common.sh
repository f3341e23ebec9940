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

need_time() {
  if [ ! -x /usr/bin/time ]; then
    echo "bench: /usr/bin/time is needed (Debian: apt-get install time)" >&2
    exit 2
  fi
}

start_mock() {
  "$JAVA_HOME/bin/java" -jar "$BULKFETCH_JAR" serve --port "$PORT" \
    2>"$WORK/mock.log" &
  MOCK_PID=$!
  trap 'kill $MOCK_PID 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    if (echo >/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "bench: the mock did not start; see $WORK/mock.log" >&2
  exit 1
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
