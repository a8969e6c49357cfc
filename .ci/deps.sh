#!/usr/bin/env bash
# Installs the Debian 12 packages lowp needs. Usage: .ci/deps.sh [core|test|cross|all]
#   core  : compiler, CMake, Eigen, xsimd (enough for the example)
#   test  : core + GoogleTest, Google Benchmark, gemmlowp headers (the test oracle)
#   cross : aarch64 and armv7 cross compilers, qemu-user for the ARM tests
#   peers : the GEMM benchmarks' peers (bench/run_gemm_benchmarks.sh; CI does not need them)
#   all   : core + test + cross
# Idempotent: packages already present are skipped without touching the network.
set -euo pipefail
what=${1:-all}
core=(g++ cmake make pkg-config libeigen3-dev libxsimd-dev)
test=(googletest libgtest-dev libgmock-dev libbenchmark-dev libgemmlowp-dev)
cross=(g++-aarch64-linux-gnu g++-arm-linux-gnueabihf qemu-user)
peers=(libdnnl-dev libxnnpack-dev libpthreadpool-dev libopenblas-dev libgemmlowp-dev)
case "$what" in
  core) pkgs=("${core[@]}") ;;
  test) pkgs=("${core[@]}" "${test[@]}") ;;
  cross) pkgs=("${cross[@]}") ;;
  peers) pkgs=("${core[@]}" "${test[@]}" "${peers[@]}") ;;
  all) pkgs=("${core[@]}" "${test[@]}" "${cross[@]}") ;;
  *) echo "usage: $0 [core|test|cross|peers|all]" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "lowp: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
