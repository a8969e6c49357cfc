#!/usr/bin/env bash
# aarch64 cross build of the tests, run under qemu-aarch64, one build per ARM tier:
#   neon     -march=armv8-a               run on -cpu cortex-a72
#   dotprod  -march=armv8.2-a+dotprod     run on -cpu neoverse-n1
#   i8mm     -march=armv8.6-a+dotprod+i8mm run on -cpu max
# Usage: .ci/cross.sh [tier...]   (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh test
bash .ci/deps.sh cross
tiers=("$@")
[ ${#tiers[@]} -gt 0 ] || tiers=(neon dotprod i8mm)
for tier in "${tiers[@]}"; do
  case "$tier" in
    neon) march=armv8-a; cpu=cortex-a72 ;;
    dotprod) march=armv8.2-a+dotprod; cpu=neoverse-n1 ;;
    i8mm) march=armv8.6-a+dotprod+i8mm; cpu=max ;;
    *) echo "unknown tier $tier" >&2; exit 2 ;;
  esac
  build=build-aarch64-$tier
  echo "=== aarch64 $tier: -march=$march under qemu -cpu $cpu"
  cmake -S . -B "$build" -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DLOWP_QEMU_CPU=$cpu \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="-march=$march" \
    -DLOWP_BUILD_BENCHMARKS=OFF -DLOWP_BUILD_EXAMPLES=OFF
  cmake --build "$build" -j "$(nproc)"
  ctest --test-dir "$build" --output-on-failure -j "$(nproc)" -LE native_only
done
