#!/usr/bin/env bash
# Builds and runs lowp's GEMM benchmarks with their peers and regenerates the GEMM tables of
# docs/benchmarks.md (between the gemm-tables markers).
#
#   bash bench/run_gemm_benchmarks.sh [REPETITIONS]      (default 5)
#
# Environment: BUILD_DIR (default build-bench), RESULTS (default $BUILD_DIR/gemm-results),
# MIN_TIME (seconds per repetition, default 0.2), FILTER (extra regex applied to the shape
# runs, e.g. 'x768x'), NO_BUILD=1 to reuse the binaries, NO_DOC=1 to leave the doc alone.
#
# One process per configuration, because oneDNN reads ONEDNN_MAX_CPU_ISA once, at its first
# call: the AVX-512 VNNI build with oneDNN capped to AVX512_CORE_VNNI, the AVX2 build with
# oneDNN capped to AVX2, and lowp's 1-vs-2-thread run (OMP_WAIT_POLICY=passive: idle threads sleep
# instead of spinning, so the process CPU time counts work only). Single-thread runs are pinned to CPU 0
# and keep every library at one thread. Repetitions are interleaved at random so that drift
# of the clock or load hits all rows alike; the tables show medians.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
build=${BUILD_DIR:-build-bench}
results=${RESULTS:-$build/gemm-results}
min_time=${MIN_TIME:-0.2}
filter=${FILTER:-}
command="bash bench/run_gemm_benchmarks.sh $reps"

if [ -z "${NO_BUILD:-}" ]; then
  bash .ci/deps.sh peers
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DLOWP_BUILD_TESTS=OFF -DLOWP_BUILD_EXAMPLES=OFF \
    -DLOWP_BUILD_BENCHMARKS=ON -DLOWP_BENCH_PEERS=ON >/dev/null
  cmake --build "$build" -j2 --target bench_gemm_peaks bench_gemm_avx512vnni bench_gemm_avx2
fi
bin=$build/bench/gemm
mkdir -p "$results"

common=(--benchmark_repetitions="$reps" --benchmark_display_aggregates_only=true
        --benchmark_enable_random_interleaving=true --benchmark_min_time="$min_time"
        --benchmark_format=console --benchmark_out_format=json)
single=(env OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 taskset -c 0)
shapes="^(gemm/.*${filter}|verify/|read_bandwidth/)"

echo "== load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== instruction peaks"
"${single[@]}" "$bin/bench_gemm_peaks" "${common[@]}" --benchmark_out="$results/peaks.json"

echo "== AVX-512 VNNI build, oneDNN capped to AVX512_CORE_VNNI"
ONEDNN_MAX_CPU_ISA=AVX512_CORE_VNNI "${single[@]}" "$bin/bench_gemm_avx512vnni" "${common[@]}" \
  --benchmark_filter="$shapes" --benchmark_out="$results/vnni.json"

echo "== AVX2 build, oneDNN capped to AVX2 (int8 rows only)"
ONEDNN_MAX_CPU_ISA=AVX2 "${single[@]}" "$bin/bench_gemm_avx2" "${common[@]}" \
  --benchmark_filter="^(gemm/(lowp|onednn|xnnpack|gemmlowp)[^/]*/.*${filter}|verify/)" --benchmark_out="$results/avx2.json"

echo "== threads: lowp 1 vs 2 threads on CPUs 0,1"
OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive taskset -c 0,1 "$bin/bench_gemm_avx512vnni" "${common[@]}" \
  --benchmark_filter='^gemm_threads/' --benchmark_out="$results/threads.json" ||
  echo "(no thread rows: this build has no lowp GEMM or no OpenMP)"
echo "== load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ -z "${NO_DOC:-}" ]; then
  /usr/bin/python3 bench/gemm/make_table.py "$results" docs/benchmarks.md "$command"
  echo "== tables written to docs/benchmarks.md"
fi
