#!/usr/bin/env bash
# Builds Kura and runs every test: the unit tests (ctest), then the
# integration tests (pytest + boto3 + AWS CLI against a real `kura serve`).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
echo "== unit tests"
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 300
echo "== integration tests"
KURA_BIN="$PWD/build/src/main/kura" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration "$@"
