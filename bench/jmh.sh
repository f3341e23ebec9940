#!/usr/bin/env bash
# JMH micro-benchmarks of what bulkfetch spends per request inside the engine (src/jmh/java):
# admission, dispatch, the rate gate, record building, JSON writing and the whole driver path,
# each beside a baseline. Prints JMH's table (ns/op, lower is better).
# Usage: bench/jmh.sh [JMH OPTIONS] [BENCHMARK REGEX...]
#   bench/jmh.sh                            every benchmark, -f 1 -wi 3 -i 5 -w 1s -r 1s
#   bench/jmh.sh JsonWrite -prof gc         one class, with allocation per op (gc.alloc.rate.norm)
#   bench/jmh.sh -f 3 -i 10 Admission       any default given is replaced, not repeated
#   bench/jmh.sh -h                         JMH's own options
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JAVA_HOME="$(./bulkfetch --print-java-home)"
export JAVA_HOME

# Compiling the tests runs JMH's generator (the pom wires src/jmh/java in as a test source).
# Maven's log is shown only when the build fails.
CLASSPATH_FILE="target/jmh.classpath"
mkdir -p target
if ! ./bulkfetch --mvn -q -B -Dstyle.color=never test-compile \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$CLASSPATH_FILE" >target/jmh-build.log 2>&1; then
  cat target/jmh-build.log >&2
  echo "bench/jmh.sh: the build failed (log above, also in target/jmh-build.log)" >&2
  exit 1
fi

# Defaults for the options not given: JMH refuses an option given twice.
args=("$@")
for default in "-f 1" "-wi 3" "-i 5" "-w 1s" "-r 1s"; do
  option="${default%% *}"
  given=false
  for arg in ${args[@]+"${args[@]}"}; do
    if [[ "$arg" == "$option" ]]; then given=true; fi
  done
  if ! $given; then
    # shellcheck disable=SC2206 # "-f 1" is meant to split into two words
    args=($default ${args[@]+"${args[@]}"})
  fi
done

exec "$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat "$CLASSPATH_FILE")" \
  org.openjdk.jmh.Main ${args[@]+"${args[@]}"}
