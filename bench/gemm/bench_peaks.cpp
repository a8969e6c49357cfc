// Instruction peaks and streaming read bandwidth of this machine: the ceilings the GEMM
// benchmarks are measured against. Baseline-compiled; each x86 loop runs only when
// cpuid reports its ISA, otherwise the benchmark is SKIPPED with the reason.
//
// Counters: GOPS (2 ops per int8 MAC, or per fp32 FMA), MACs_per_cycle (the clock is
// estimated in the same process by a chain of dependent adds), GB_per_s for the reads.
#include <benchmark/benchmark.h>


#include "peaks.hpp"

namespace lowp_bench {
namespace {

#if LOWP_BENCH_X86
double clock_hz() {
  static const double hz = [] {
    std::int64_t iters = 1 << 20;
    double best = 1e30;
    for (int t = 0; t < 5; ++t) best = std::min(best, seconds_of(loop_dependent_add, iters));
    return static_cast<double>(iters) * 32 / best;
  }();
  return hz;
}

void BM_clock(benchmark::State& state) {
  const std::int64_t iters = 1 << 16;
  for (auto _ : state) loop_dependent_add(iters);
  state.counters["GHz"] = benchmark::Counter(static_cast<double>(state.iterations()) * iters * 32 * 1e-9,
                                             benchmark::Counter::kIsRate);
}
BENCHMARK(BM_clock)->Unit(benchmark::kMicrosecond);

void BM_peak(benchmark::State& state, Peak p) {
  const PeakKernel k = peak_kernel(p);
  if (!k.supported) {
    state.SkipWithError((std::string("SKIPPED: ") + k.missing).c_str());
    return;
  }
  const std::int64_t iters = 1 << 14;
  const double hz = clock_hz();
  for (auto _ : state) k.loop(iters);
  const double macs = static_cast<double>(state.iterations()) * iters * k.macs_per_iter;
  state.counters["GOPS"] = benchmark::Counter(2 * macs * 1e-9, benchmark::Counter::kIsRate);
  state.counters["MACs_per_cycle"] = benchmark::Counter(macs / hz, benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_peak, vpdpbusd_zmm, Peak::vpdpbusd_zmm)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_peak, vpdpbusd_ymm_evex, Peak::vpdpbusd_ymm_evex)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_peak, vpdpbusd_ymm_vex, Peak::vpdpbusd_ymm_vex)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_peak, avx2_chain_ymm, Peak::avx2_chain_ymm)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_peak, avx2_chain_zmm, Peak::avx2_chain_zmm)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_peak, int16_madd_ymm, Peak::int16_madd_ymm)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_peak, int16_madd_zmm, Peak::int16_madd_zmm)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_peak, fma_zmm_fp32, Peak::fma_zmm)->Unit(benchmark::kMicrosecond);
#endif  // LOWP_BENCH_X86

// Streaming reads: 512 KiB sits in L2, 16 MiB in L3, 256 MiB far beyond any cache.
void BM_read_bandwidth(benchmark::State& state) { bm_read_bandwidth(state); }
BENCHMARK(BM_read_bandwidth)->Arg(512 << 10)->Arg(16 << 20)->Arg(256 << 20)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace lowp_bench
