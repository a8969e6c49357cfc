// Calibration speed: histogram collection (GB/s of float input, min-max for reference) and the
// time of each threshold search on a histogram whose 2048 bins per side all lie inside the data
// range. KL is measured twice, the prefix-sum search and the naive O(bins^2) algorithm
// (entropy_reference), in the same process so their ratio is meaningful.
//   build/bench/calibrate/bench_calibrate --benchmark_min_time=0.2
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "lowp/calibrate/aciq.hpp"
#include "lowp/calibrate/entropy.hpp"
#include "lowp/calibrate/minmax.hpp"
#include "lowp/calibrate/mse.hpp"
#include "lowp/calibrate/percentile.hpp"

namespace {

using namespace lowp::calib;

// Normal data scaled so that max|x| = 0.999 * 4: the histogram's power-of-two range is 4 and
// all 2048 bins per side are in use.
const std::vector<float>& data() {
  static const std::vector<float> x = [] {
    std::mt19937 rng(42);
    std::student_t_distribution<float> d(4.0f);
    std::vector<float> v(1 << 20);
    for (auto& e : v) e = d(rng);
    float amax = 0.0f;
    for (float e : v) amax = std::max(amax, std::fabs(e));
    for (auto& e : v) e *= 0.999f * 4.0f / amax;
    return v;
  }();
  return x;
}

const Histogram& histogram() {
  static const Histogram h = [] {
    Histogram h;
    h.observe(data().data(), data().size());
    return h;
  }();
  return h;
}

void BM_HistogramObserve(benchmark::State& state) {
  const auto& x = data();
  Histogram h;
  for (auto _ : state) {
    h.observe(x.data(), x.size());
    benchmark::DoNotOptimize(h.count());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(x.size() * 4));
}
BENCHMARK(BM_HistogramObserve);

void BM_MinMaxObserve(benchmark::State& state) {
  const auto& x = data();
  MinMaxCalibrator c;
  for (auto _ : state) {
    c.observe(x.data(), x.size());
    benchmark::DoNotOptimize(c.max());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(x.size() * 4));
}
BENCHMARK(BM_MinMaxObserve);

template <typename F>
void run_search(benchmark::State& state, F f) {
  const Histogram& h = histogram();
  state.counters["bins_per_side"] = static_cast<double>(h.bins_per_side());
  for (auto _ : state) benchmark::DoNotOptimize(f(h));
}

const lowp::QuantRange kInt8 = quant_range_for_bits(8, true);
const lowp::QuantRange kUint8 = quant_range_for_bits(8, false);

void BM_KlFast_TensorRT(benchmark::State& s) { run_search(s, [](const Histogram& h) { return kl_search(h, kInt8).threshold; }); }
void BM_KlNaive_TensorRT(benchmark::State& s) {
  run_search(s, [](const Histogram& h) { return entropy_reference::search(h, kInt8).threshold; });
}
void BM_KlFast_OnnxRuntime(benchmark::State& s) {
  run_search(s, [](const Histogram& h) { return kl_search(h, kInt8, KlOptions::onnxruntime()).threshold; });
}
void BM_KlNaive_OnnxRuntime(benchmark::State& s) {
  run_search(s, [](const Histogram& h) { return entropy_reference::search(h, kInt8, KlOptions::onnxruntime()).threshold; });
}
void BM_MseSymmetric(benchmark::State& s) { run_search(s, [](const Histogram& h) { return mse_search(h, kInt8, true).hi; }); }
void BM_MseAffine(benchmark::State& s) { run_search(s, [](const Histogram& h) { return mse_search(h, kUint8, false).hi; }); }
void BM_PercentileSymmetric(benchmark::State& s) {
  run_search(s, [](const Histogram& h) { return Percentile{99.99}.compute(h, kInt8, true).max; });
}
void BM_AciqLaplace(benchmark::State& s) {
  run_search(s, [](const Histogram& h) { return Aciq{AciqPrior::laplace}.compute(h, kInt8, true).max; });
}
BENCHMARK(BM_KlFast_TensorRT)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_KlNaive_TensorRT)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_KlFast_OnnxRuntime)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_KlNaive_OnnxRuntime)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MseSymmetric)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MseAffine)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PercentileSymmetric)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AciqLaplace)->Unit(benchmark::kMillisecond);

}  // namespace
