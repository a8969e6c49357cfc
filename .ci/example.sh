#!/usr/bin/env bash
# Builds and runs lowp's main example (README's example command).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh core
build=${BUILD_DIR:-build-example}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DLOWP_BUILD_TESTS=OFF -DLOWP_BUILD_BENCHMARKS=OFF
cmake --build "$build" -j "$(nproc)" --target digits_int8
"$build/examples/digits_int8" "$@"
