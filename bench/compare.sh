#!/usr/bin/env bash
# The compare issue's figures (issue 3), each through `bulkfetch compare` as a user runs it:
#  1. 5,000 URLs with the mock's fixed 100 ms delay at -c 16, 128, 512, 2048, all four engines
#     (serial alone takes 5,000 x 0.1 s = 500 s). Efficiency is against ceil(N / c) x 100 ms.
#  2. 20,000 URLs against the fast stub at -c 64: requests/s and CPU seconds per engine.
# Usage: bench/compare.sh [REPEAT]   (default 1; reports land in target/bench/compare-*)
source "$(dirname "$0")/common.sh"
REPEAT="${1:-1}"
url_list "$WORK/delay-5k.txt" /delay/100/ 5000
url_list "$WORK/items-20k.txt" /items/ 20000
# The lists point at $PORT; compare's embedded mock listens there.
echo "== 5,000 URLs, fixed 100 ms delay"
./bulkfetch compare "$WORK/delay-5k.txt" --mock --mock-port "$PORT" -c 16,128,512,2048 \
  --repeat "$REPEAT" --server-delay 100ms --report "$WORK/compare-delay"
echo
echo "== 20,000 URLs, fast stub, -c 64"
./bulkfetch compare "$WORK/items-20k.txt" --mock --mock-port "$PORT" -c 64 \
  --repeat "$REPEAT" --report "$WORK/compare-fast"
