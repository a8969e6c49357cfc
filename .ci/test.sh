#!/usr/bin/env bash
# Builds and runs all of lowp's native tests (README's test command).
# Installs its own Debian dependencies first. Optional environment: BUILD_DIR, BUILD_TYPE,
# EXTRA_CXX_FLAGS, BUILD_BENCHMARKS, BUILD_EXAMPLES, CTEST_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh test
build=${BUILD_DIR:-build}
jobs=$(nproc)
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" -DCMAKE_CXX_FLAGS="${EXTRA_CXX_FLAGS:-}" \
  -DLOWP_BUILD_BENCHMARKS="${BUILD_BENCHMARKS:-ON}" -DLOWP_BUILD_EXAMPLES="${BUILD_EXAMPLES:-ON}"
cmake --build "$build" -j "$jobs"
ctest --test-dir "$build" --output-on-failure -j "$jobs" ${CTEST_ARGS:-}
