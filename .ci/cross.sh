#!/usr/bin/env bash
# ARM cross builds. One aarch64 build per ARM tier, its tests run under qemu-aarch64
# (CMAKE_CROSSCOMPILING_EMULATOR, see cmake/aarch64-linux-gnu.cmake):
#   neon     -march=armv8-a                 run on -cpu cortex-a72
#   dotprod  -march=armv8.2-a+dotprod       run on -cpu neoverse-n1 (+ its dotprod tests on cortex-a72: must skip)
#   i8mm     -march=armv8.6-a+dotprod+i8mm  run on -cpu max         (+ its i8mm tests on neoverse-n1: must skip)
# and armv7: every public header that is not AArch64-only compiled for 32-bit ARM
# (arm-linux-gnueabihf, NEON, hard float); lowp runs its scalar GEMM backend there.
# Usage: .ci/cross.sh [tier...]   (default: neon dotprod i8mm armv7)
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh test
bash .ci/deps.sh cross
tiers=("$@")
[ ${#tiers[@]} -gt 0 ] || tiers=(neon dotprod i8mm armv7)
jobs=$(nproc)
[ "$jobs" -le 2 ] || jobs=2

armv7_headers() {
  # Headers of the umbrella and of every area, except the AArch64 kernels (gemm/arm).
  local tu=build-armv7/all_headers.cpp
  mkdir -p build-armv7/include
  ln -sfn /usr/include/xsimd build-armv7/include/xsimd  # architecture-independent header package
  (cd include && find lowp -name '*.hpp' ! -path 'lowp/gemm/arm/*' | sort | sed 's/.*/#include "&"/') > "$tu"
  echo 'int main() { return 0; }' >> "$tu"
  arm-linux-gnueabihf-g++ -std=c++17 -O2 -Wall -Wextra -march=armv7-a -mfpu=neon -mfloat-abi=hard \
    -Iinclude -isystem /usr/include/eigen3 -isystem build-armv7/include -c "$tu" -o build-armv7/all_headers.o
  echo "armv7: $(grep -c include "$tu") headers compile for arm-linux-gnueabihf"
}

for tier in "${tiers[@]}"; do
  t0=$SECONDS
  case "$tier" in
    # The baseline tier builds and runs every test. The higher tiers change only
    # which GEMM backend is the default, so they rebuild just the tests that go
    # through it (the ARM kernel/differential suite and the conv ops), which
    # keeps CI inside its time budget.
    neon) march=armv8-a; cpu=cortex-a72; only=() ;;
    dotprod) march=armv8.2-a+dotprod; cpu=neoverse-n1; only=(test_arm test_ops) ;;
    i8mm) march=armv8.6-a+dotprod+i8mm; cpu=max; only=(test_arm test_ops) ;;
    armv7) armv7_headers; echo "=== armv7 headers: $((SECONDS - t0)) s"; continue ;;
    *) echo "unknown tier $tier" >&2; exit 2 ;;
  esac
  build=build-aarch64-$tier
  echo "=== aarch64 $tier: -march=$march under qemu -cpu $cpu"
  cmake -S . -B "$build" -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DLOWP_QEMU_CPU=$cpu \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="-march=$march" \
    -DLOWP_BUILD_BENCHMARKS=OFF -DLOWP_BUILD_EXAMPLES=OFF >/dev/null
  if [ ${#only[@]} -gt 0 ]; then
    cmake --build "$build" -j "$jobs" --target "${only[@]}"
    filter=(-R "^($(IFS='|'; echo "${only[*]}"))")
  else
    cmake --build "$build" -j "$jobs"
    filter=()
  fi
  t1=$SECONDS
  ctest --test-dir "$build" --output-on-failure -j "$jobs" -LE native_only "${filter[@]}"
  echo "=== aarch64 $tier: build $((t1 - t0)) s, tests $((SECONDS - t1)) s"
done
