#!/usr/bin/env bash
# Requests per second and latency of a no-op signed call (STS
# GetCallerIdentity) over keep-alive connections, against the ceiling: Kura's
# HTTP layer alone answering 200 (bench/http_ceiling.cpp). Runs the two in
# turn ROUNDS times and reports each run, the medians, and Kura's fraction of
# the ceiling.
#   bench/noop_ceiling.sh [ROUNDS=5] [SECONDS=5] [CONNECTIONS=16]
# Needs: wrk (Debian package), a build in build/.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"; seconds="${2:-5}"; connections="${3:-16}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 2; }
work=$(mktemp -d)
cleanup() { kill "${kura_pid:-}" "${ceiling_pid:-}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
source bench/wrk_common.sh
kura_port=$(free_port); ceiling_port=$(free_port)
./build/src/main/kura serve --port "$kura_port" --data-dir "$work/data" --log-level warn >"$work/kura.log" 2>&1 &
kura_pid=$!
./build/bench/kura_http_ceiling "$ceiling_port" >/dev/null 2>&1 &
ceiling_pid=$!
wait_health "$kura_port"
signed_noop_script "$kura_port" >"$work/signed.lua"
echo "round kura_rps kura_p50_ms kura_p99_ms ceiling_rps ceiling_p50_ms ceiling_p99_ms ratio" | tee "$work/results"
for round in $(seq 1 "$rounds"); do
  read -r k_rps k_p50 k_p99 < <(wrk_run "http://127.0.0.1:$kura_port/" "$work/signed.lua" "$seconds" "$connections")
  read -r c_rps c_p50 c_p99 < <(wrk_run "http://127.0.0.1:$ceiling_port/" "$work/signed.lua" "$seconds" "$connections")
  ratio=$(awk -v a="$k_rps" -v b="$c_rps" 'BEGIN { printf "%.3f", a / b }')
  echo "$round $k_rps $k_p50 $k_p99 $c_rps $c_p50 $c_p99 $ratio" | tee -a "$work/results"
done
median_of_column "$work/results" 8 "kura / ceiling throughput"
