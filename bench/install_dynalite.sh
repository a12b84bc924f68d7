#!/usr/bin/env bash
# Installs dynalite (the DynamoDB peer the GetItem benchmarks compare with)
# from npm into a folder outside the repository, where
# ../shared/bench/perf-getitem.sh and bench/ddb_getitem_ceiling.sh look:
# DIR/node_modules/.bin/dynalite (perf-getitem.sh: PEERS_DIR=DIR).
#   bench/install_dynalite.sh [DIR=${PEERS_DIR:-/tmp/kura-peers}] [VERSION=4.0.0]
# Needs: node and npm (Debian packages nodejs, npm).
set -euo pipefail
dir="${1:-${PEERS_DIR:-/tmp/kura-peers}}"; version="${2:-4.0.0}"
command -v npm >/dev/null || { echo "install npm (apt-get install npm)"; exit 2; }
root="$(cd "$(dirname "$0")/.." && pwd)"
abs="$(mkdir -p "$dir" && cd "$dir" && pwd)"
[[ "$abs/" == "$root/"* ]] && { echo "$abs is inside the repository: choose a folder outside it"; exit 2; }
npm install --prefix "$abs" --no-audit --no-fund --loglevel=error "dynalite@$version" >&2
"$abs/node_modules/.bin/dynalite" --help >/dev/null 2>&1 || true
echo "$abs/node_modules/.bin/dynalite"
