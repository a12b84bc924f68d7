#!/usr/bin/env bash
# Syscalls and CPU per durable DynamoDB write: each build given serves a
# new data directory, gets a table, and takes PutItems (a new 1 KB item
# each, signed by wrk: bench/ddb_signed_write.lua) from 16 connections for
# SECONDS while `perf stat` counts the syscalls of all its threads. Prints,
# per PutItem: fdatasync, write(2), futex, epoll_wait and context switches,
# and Kura's CPU time (from /proc). Counts are steadier than throughput on a
# shared machine. Several builds (comma-separated) run one after the other,
# ROUNDS times in turn.
#   bench/ddb_write_syscalls.sh KURA_BIN[,KURA_BIN...] [ROUNDS=2] [SECONDS=4] [CONNECTIONS=16]
# Needs: wrk, perf (linux-perf; root or perf_event_paranoid <= 1), boto3.
set -euo pipefail
cd "$(dirname "$0")/.."
kura="${1:?KURA_BIN[,KURA_BIN...]}"; rounds="${2:-2}"; seconds="${3:-4}"; conns="${4:-16}"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.5; rm -rf "$work"; }
trap cleanup EXIT
source bench/wrk_common.sh
IFS=, read -r -a kuras <<<"$kura"
ports=()
serve_bench_tables "$kura" "$work"
events=syscalls:sys_enter_fdatasync,syscalls:sys_enter_write,syscalls:sys_enter_futex,syscalls:sys_enter_epoll_wait,context-switches
echo "round build rps fdatasync write futex epoll_wait context_switches cpu_us (per PutItem)"
for round in $(seq 1 "$rounds"); do
  for i in "${!kuras[@]}"; do
    before=$(cpu_ticks "${pids[$i]}")
    perf stat -x, -e "$events" -p "${pids[$i]}" -o "$work/perf" -- sleep "$((seconds + 1))" &
    perf_pid=$!
    sleep 0.5
    out=$(DDB_OP=PutItem DDB_HOST="127.0.0.1:${ports[$i]}" DDB_TABLE=bench DDB_KEYS=1 DDB_RUN="r$round$RANDOM" \
          DDB_DELAY_MS=0 wrk -t2 -c"$conns" -d"${seconds}s" -s bench/ddb_signed_write.lua "http://127.0.0.1:${ports[$i]}/")
    wait "$perf_pid"
    after=$(cpu_ticks "${pids[$i]}")
    if grep -q "Non-2xx" <<<"$out"; then echo "kura$i: $(grep Non-2xx <<<"$out")" >&2; exit 1; fi
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
    # perf counted 0.5 s before and after wrk too: idle then, a few calls.
    awk -F, -v n="$requests" -v r="$round" -v b="kura$i" -v rps="$rps" -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" '
      $3 ~ /fdatasync/ { f = $1 } $3 ~ /sys_enter_write$/ { w = $1 } $3 ~ /futex/ { x = $1 }
      $3 ~ /epoll_wait/ { e = $1 } $3 ~ /context-switches/ { c = $1 }
      END { printf "%s %s %.0f %.3f %.3f %.3f %.3f %.3f %.1f\n", r, b, rps, f / n, w / n, x / n, e / n, c / n, t / hz * 1e6 / n }' "$work/perf"
  done
done
for i in "${!kuras[@]}"; do echo "kura$i = ${kuras[$i]}"; done
