#!/usr/bin/env bash
# Builds Kura and runs every test: the unit tests (ctest), then the
# integration tests (pytest + boto3 + AWS CLI against a real `kura serve`).
# Arguments go to pytest. The integration tests run on one worker per core
# (pytest-xdist, a file per worker at a time; each test starts its own
# servers), then those marked `serial` (failover and crash drills) alone.
# KURA_TEST_JOBS=1 runs them all in one process, one after the other.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
echo "== unit tests"
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 300
echo "== integration tests"
export KURA_BIN="$PWD/build/src/main/kura"
pytest=(/usr/bin/python3 -m pytest -q -p no:cacheprovider)
jobs="${KURA_TEST_JOBS:-$(nproc)}"
if [ "$jobs" -le 1 ] || ! /usr/bin/python3 -c "import xdist" 2>/dev/null; then
  exec "${pytest[@]}" tests/integration "$@"
fi
# pytest exits 5 when it selected no test: fine for one pass (all of the
# tests selected are serial, or none is), not for both.
status=0
"${pytest[@]}" -n "$jobs" --dist loadfile -m "not serial" tests/integration "$@" || status=$?
[ "$status" -ne 2 ] || exit 2  # interrupted
echo "== integration tests that run alone"
serial=0
"${pytest[@]}" -m serial tests/integration "$@" || serial=$?
if [ "$status" -eq 5 ]; then
  status=$serial
elif [ "$status" -eq 0 ] && [ "$serial" -ne 5 ]; then
  status=$serial
fi
exit "$status"
