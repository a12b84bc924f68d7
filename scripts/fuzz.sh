#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*_fuzz.cpp) with clang and runs each for
# a bounded time: scripts/fuzz.sh [SECONDS_EACH] (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DKURA_FUZZ=ON -DKURA_TESTS=OFF >/dev/null
targets=$(cd fuzz && ls *_fuzz.cpp 2>/dev/null | sed 's/\.cpp$//')
[ -n "$targets" ] || { echo "no fuzz targets"; exit 0; }
# shellcheck disable=SC2086
cmake --build build/fuzz -j "$(nproc)" --target $targets
# Seeds at and past the input limits (deep JSON, expressions, query names).
python3 fuzz/write_seeds.py build/fuzz/corpus
for target in $targets; do
  corpus="build/fuzz/corpus/$target"
  mkdir -p "$corpus"
  echo "== fuzzing $target for ${seconds}s"
  mkdir -p build/fuzz/artifacts
  "build/fuzz/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix=build/fuzz/artifacts/ "$corpus" \
    2>&1 | tail -n 5
done
