#!/usr/bin/env bash
# What the audit trail costs per API call: the signed no-op (STS
# GetCallerIdentity) under wrk against two Kura servers side by side, one
# with the trail on (the default) and one with --trail off, in turn ROUNDS
# times. Reports each run, and the median of on/off throughput (goal: the
# trail costs under 10%, a ratio above 0.90).
#   bench/trail_overhead.sh [ROUNDS=5] [SECONDS=5] [CONNECTIONS=16]
# Needs: wrk (Debian package), a build in build/.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"; seconds="${2:-5}"; connections="${3:-16}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 2; }
work=$(mktemp -d)
cleanup() { kill "${on_pid:-}" "${off_pid:-}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
source bench/wrk_common.sh
on_port=$(free_port); off_port=$(free_port)
./build/src/main/kura serve --port "$on_port" --data-dir "$work/on" --log-level warn >"$work/on.log" 2>&1 &
on_pid=$!
./build/src/main/kura serve --port "$off_port" --data-dir "$work/off" --log-level warn --trail off >"$work/off.log" 2>&1 &
off_pid=$!
wait_health "$on_port"
wait_health "$off_port"
signed_noop_script "$on_port" >"$work/on.lua"
signed_noop_script "$off_port" >"$work/off.lua"
echo "round on_rps on_p50_ms on_p99_ms off_rps off_p50_ms off_p99_ms on/off" | tee "$work/results"
for round in $(seq 1 "$rounds"); do
  read -r a_rps a_p50 a_p99 < <(wrk_run "http://127.0.0.1:$on_port/" "$work/on.lua" "$seconds" "$connections")
  read -r b_rps b_p50 b_p99 < <(wrk_run "http://127.0.0.1:$off_port/" "$work/off.lua" "$seconds" "$connections")
  ratio=$(awk -v a="$a_rps" -v b="$b_rps" 'BEGIN { printf "%.3f", a / b }')
  echo "$round $a_rps $a_p50 $a_p99 $b_rps $b_p50 $b_p99 $ratio" | tee -a "$work/results"
done
median_of_column "$work/results" 8 "trail on / off throughput"
echo "trail records written: $(cat "$work"/on/trail/logs/*.log | wc -l)"
