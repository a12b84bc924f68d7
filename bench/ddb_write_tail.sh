#!/usr/bin/env bash
# Durable PutItem's tail as a table grows: builds side by side, each
# serving a table of its own, loaded alike and in turn. Each round writes
# new 1 KB items with wrk (bench/ddb_signed_write.lua, 16 connections) for
# SECONDS at the peak, then SECONDS at about half of it (each connection
# waits DELAY_MS between requests), and prints req/s, p50, p90, p99 and the
# longest wait. Rounds go on writing to the same tables, so that flushes and
# compactions grow with them: the longest waits are theirs.
#   bench/ddb_write_tail.sh BEFORE,AFTER [ROUNDS=4] [SECONDS=20] [DELAY_MS=1.9]
# Needs: wrk, boto3.
set -euo pipefail
cd "$(dirname "$0")/.."
IFS=, read -r -a builds <<<"${1:?builds, comma-separated}"
rounds="${2:-4}"; seconds="${3:-20}"; delay="${4:-1.9}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 2; }
work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; sleep 0.5; rm -rf "$work"; }
trap cleanup EXIT
source bench/wrk_common.sh
lua="$PWD/bench/ddb_signed_write.lua"
ports=()
serve_bench_tables "$1" "$work"
run() {  # port delay -> "rps p50 p90 p99 max" (ms)
  DDB_OP=PutItem DDB_HOST="127.0.0.1:$1" DDB_TABLE=bench DDB_KEYS=100 DDB_RUN="r$RANDOM$RANDOM" DDB_DELAY_MS="$2" \
    wrk -t2 -c16 -d"${seconds}s" --latency -s "$lua" "http://127.0.0.1:$1/" 2>/dev/null |
    awk '/Requests\/sec/ {r=$2} /^    Latency/ {mx=$4} / 50%/ {p50=$2} / 90%/ {p90=$2} / 99%/ {p99=$2}
         END {print r, p50, p90, p99, mx}' | { read -r r a b c d; echo "$r $(ms "$a") $(ms "$b") $(ms "$c") $(ms "$d")"; }
}
echo "round build | peak: req/s p50 p90 p99 max (ms) | half: req/s p50 p90 p99 max (ms)"
for round in $(seq "$rounds"); do
  for i in "${!builds[@]}"; do
    echo "$round ${builds[$i]} | $(run "${ports[$i]}" 0) | $(run "${ports[$i]}" "$delay")"
  done
done
