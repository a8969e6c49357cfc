// fp32 <-> int8 quantizer throughput, GB/s of INPUT (4 bytes per element for quantize, 1 for
// dequantize): the scalar reference (quantize_reference, the definition) against the xsimd path
// (quantize), per-tensor and per-channel, on 1M and 16M elements, single thread.
// Built once per ISA (see CMakeLists.txt); compare ratios within one binary's run.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "lowp/quantize/quantizer.hpp"

namespace {

constexpr std::ptrdiff_t kChannels = 256;  // per-channel: a [256, n / 256] weight, axis 0

bool cpu_ok(benchmark::State& state) {
#if defined(LOWP_BENCH_REQUIRE_AVX512)
  if (!__builtin_cpu_supports("avx512bw") || !__builtin_cpu_supports("avx512vl") ||
      !__builtin_cpu_supports("avx512dq")) {
    state.SkipWithError("CPU lacks AVX-512 BW/VL/DQ");
    return false;
  }
#elif defined(LOWP_BENCH_REQUIRE_AVX2)
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    state.SkipWithError("CPU lacks AVX2/FMA");
    return false;
  }
#endif
  (void)state;
  return true;
}

const std::vector<float>& input(std::ptrdiff_t n) {
  static std::vector<float> x;
  if (static_cast<std::ptrdiff_t>(x.size()) != n) {
    x.resize(n);
    std::mt19937 rng(1);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    for (auto& v : x) v = nd(rng);
  }
  return x;
}

std::vector<lowp::QuantParams> channel_params() {
  std::vector<lowp::QuantParams> ps;
  for (int c = 0; c < kChannels; ++c) ps.push_back({0.02f + 0.0001f * c, c % 9 - 4});
  return ps;
}

template <typename Q>
void run_quantize(benchmark::State& state, const Q& q, bool reference) {
  if (!cpu_ok(state)) return;
  const std::ptrdiff_t n = state.range(0);
  const std::vector<float>& x = input(n);
  std::vector<std::int8_t> c(n);
  const lowp::TensorView<const float> xv(x.data(), {kChannels, n / kChannels});
  const lowp::TensorView<std::int8_t> cv(c.data(), {kChannels, n / kChannels});
  for (auto _ : state) {
    if (reference)
      q.quantize_reference(xv, cv);
    else
      q.quantize(xv, cv);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * n * static_cast<std::int64_t>(sizeof(float)));
}

template <typename Q>
void run_dequantize(benchmark::State& state, const Q& q, bool reference) {
  if (!cpu_ok(state)) return;
  const std::ptrdiff_t n = state.range(0);
  std::vector<std::int8_t> c(n);
  for (std::ptrdiff_t i = 0; i < n; ++i) c[i] = static_cast<std::int8_t>(i * 31);
  std::vector<float> y(n);
  const lowp::TensorView<const std::int8_t> cv(c.data(), {kChannels, n / kChannels});
  const lowp::TensorView<float> yv(y.data(), {kChannels, n / kChannels});
  for (auto _ : state) {
    if (reference)
      q.dequantize_reference(cv, yv);
    else
      q.dequantize(cv, yv);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * n);
}

// A plain loop over the kernels' element formula (what a straightforward scalar implementation
// of the same contract compiles to), so the SIMD gain is also shown against a tight scalar loop,
// not only against the N-d reference walk.
void BM_Quantize_PerTensor_ScalarLoop(benchmark::State& state) {
  if (!cpu_ok(state)) return;
  const std::ptrdiff_t n = state.range(0);
  const std::vector<float>& x = input(n);
  std::vector<std::int8_t> c(n);
  const float inv = 1.0f / 0.02f, lo = -128.0f - 3, hi = 127.0f - 3;
  for (auto _ : state) {
    for (std::ptrdiff_t i = 0; i < n; ++i)
      c[i] = static_cast<std::int8_t>(lowp::detail::quantize_clamped<lowp::NearestEven>(x[i], inv, lo, hi, 3));
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * n * static_cast<std::int64_t>(sizeof(float)));
}

const lowp::Quantizer<lowp::Int8> per_tensor(lowp::PerTensor{{0.02f, 3}});
const lowp::Quantizer<lowp::Int8, lowp::Affine, lowp::PerChannel> per_channel(lowp::PerChannel{0, channel_params()});

void BM_Quantize_PerTensor_Scalar(benchmark::State& s) { run_quantize(s, per_tensor, true); }
void BM_Quantize_PerTensor_Simd(benchmark::State& s) { run_quantize(s, per_tensor, false); }
void BM_Quantize_PerChannel_Scalar(benchmark::State& s) { run_quantize(s, per_channel, true); }
void BM_Quantize_PerChannel_Simd(benchmark::State& s) { run_quantize(s, per_channel, false); }
void BM_Dequantize_PerTensor_Scalar(benchmark::State& s) { run_dequantize(s, per_tensor, true); }
void BM_Dequantize_PerTensor_Simd(benchmark::State& s) { run_dequantize(s, per_tensor, false); }
void BM_Dequantize_PerChannel_Scalar(benchmark::State& s) { run_dequantize(s, per_channel, true); }
void BM_Dequantize_PerChannel_Simd(benchmark::State& s) { run_dequantize(s, per_channel, false); }

#define LOWP_SIZES ->Arg(1 << 20)->Arg(1 << 24)->Unit(benchmark::kMillisecond)
BENCHMARK(BM_Quantize_PerTensor_Scalar) LOWP_SIZES;
BENCHMARK(BM_Quantize_PerTensor_ScalarLoop) LOWP_SIZES;
BENCHMARK(BM_Quantize_PerTensor_Simd) LOWP_SIZES;
BENCHMARK(BM_Quantize_PerChannel_Scalar) LOWP_SIZES;
BENCHMARK(BM_Quantize_PerChannel_Simd) LOWP_SIZES;
BENCHMARK(BM_Dequantize_PerTensor_Scalar) LOWP_SIZES;
BENCHMARK(BM_Dequantize_PerTensor_Simd) LOWP_SIZES;
BENCHMARK(BM_Dequantize_PerChannel_Scalar) LOWP_SIZES;
BENCHMARK(BM_Dequantize_PerChannel_Simd) LOWP_SIZES;

}  // namespace
