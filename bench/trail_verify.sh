#!/usr/bin/env bash
# `kura trail verify` throughput against `sha256sum` of the same bytes (the
# floor any verifier that reads every byte must pay). Goal: at least 70%.
#   bench/trail_verify.sh [EVENTS=500000] [ROUNDS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-500000}"; rounds="${2:-5}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./build/bench/kura_trail_fill "$work" "$events"
bytes=$(cat "$work"/trail/logs/*.log | wc -c)
echo "trail: $events events, $bytes bytes in $(ls "$work"/trail/logs | wc -l) files"
cat "$work"/trail/logs/*.log >/dev/null  # warm the page cache
echo "round verify_s sha256sum_s verify_MBps sha256sum_MBps ratio"
for round in $(seq 1 "$rounds"); do
  t0=$(date +%s.%N)
  ./build/src/main/kura trail verify --data-dir "$work" --require-sealed >/dev/null
  t1=$(date +%s.%N)
  sha256sum "$work"/trail/logs/*.log >/dev/null
  t2=$(date +%s.%N)
  awk -v b="$bytes" -v r="$round" -v a="$t0" -v m="$t1" -v c="$t2" 'BEGIN {
    v = m - a; s = c - m; printf "%d %.3f %.3f %.1f %.1f %.3f\n", r, v, s, b/1e6/v, b/1e6/s, s/v }'
done | tee "$work/results"
sort -n -k6 "$work/results" | awk '{ v[NR] = $6 } END {
  printf "verify / sha256sum throughput: median %.3f (min %.3f, max %.3f) over %d rounds\n", v[int((NR+1)/2)], v[1], v[NR], NR }'
