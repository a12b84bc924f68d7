#!/bin/bash
# Snapshot and restore time against pg_basebackup as the database grows:
# bench/rds_snapshot_restore.py for each pgbench scale, on a Kura of its own.
#   bench/snapshot_vs_basebackup.sh KURA_BIN [SCALES=70] [ROUNDS=2]
# pgbench scale 70 is about 1 GB on disk, 350 about 5 GB, 1400 about 20 GB.
# Prints each size's rds_snapshot_restore.py report; stops Kura (and so its
# engines) and removes the data directory at the end.
set -euo pipefail
KURA_BIN=$(realpath "$1")
SCALES=${2:-70}
ROUNDS=${3:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$(mktemp -d /tmp/kura-snapshot-bench-XXXX)
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$KURA_BIN" serve --port "$PORT" --data-dir "$DATA" --engine-port-first 4740 --engine-port-last 4759 \
  >"$DATA/kura.log" 2>&1 &
KURA=$!
cleanup() {
  kill "$KURA" 2>/dev/null || true
  wait "$KURA" 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$PORT/_kura/health" >/dev/null && break
  sleep 0.2
done
for SCALE in ${SCALES//,/ }; do
  echo "== pgbench scale $SCALE"
  (cd "$HERE" && /usr/bin/python3 rds_snapshot_restore.py "$DATA" "http://127.0.0.1:$PORT" "$SCALE" "$ROUNDS")
done
