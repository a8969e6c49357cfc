// Quantized convolution throughput, GOPS (1 MAC = 2 ops), MobileNet-like layer shapes:
// conv2d (im2col + lowp::gemm), its in-place pointwise path, the depthwise kernel, and
// the same depthwise layer through the generic grouped conv2d (why it has its own kernel).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "lowp/ops/conv2d.hpp"
#include "lowp/ops/depthwise_conv2d.hpp"

namespace {

struct Operands {
  std::vector<std::uint8_t> x, y;
  std::vector<std::int8_t> w;
  std::vector<std::int32_t> bias, mult, shift;
  lowp::OutputStage out;
  explicit Operands(const lowp::Conv2dGeometry& g)
      : x(static_cast<std::size_t>(g.input_size())), y(static_cast<std::size_t>(g.output_size())),
        w(static_cast<std::size_t>(g.weight_size())), bias(static_cast<std::size_t>(g.out_c), 100),
        mult(static_cast<std::size_t>(g.out_c), 1 << 30), shift(static_cast<std::size_t>(g.out_c), -8) {
    std::mt19937 rng(1);
    for (auto& v : x) v = static_cast<std::uint8_t>(rng());
    for (auto& v : w) v = static_cast<std::int8_t>(rng());
    out.bias = bias.data();
    out.multiplier = {mult.data(), mult.size()};
    out.shift = {shift.data(), shift.size()};
    out.output_zero_point = 0;
  }
};

void report(benchmark::State& state, const lowp::Conv2dGeometry& g) {
  const double macs = static_cast<double>(g.output_size()) * static_cast<double>(g.depth());
  state.counters["GOPS"] = benchmark::Counter(2 * macs, benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}

void BM_Conv2d(benchmark::State& state) {
  const auto g = lowp::Conv2dGeometry::same(state.range(0), state.range(1), state.range(2), state.range(3), 1);
  Operands o(g);
  for (auto _ : state) {
    lowp::conv2d<lowp::GemmlowpRounding>(g, o.x.data(), 128, o.w.data(), 0, o.out, o.y.data());
    benchmark::DoNotOptimize(o.y.data());
  }
  report(state, g);
}
BENCHMARK(BM_Conv2d)->ArgNames({"hw", "in", "out", "k"})->Args({28, 64, 64, 3})->Args({28, 64, 128, 1})->Args({8, 32, 64, 3});

// Inference: weights packed once (Conv2dWeights), the output stage either validated and
// expanded per call and group (prepared = false) or prepared once (prepare_conv2d_output_stage).
// The difference is O(out_c) per call: it shows on late, small-image layers.
template <bool prepared>
void BM_Conv2dPacked(benchmark::State& state) {
  const auto g = lowp::Conv2dGeometry::same(state.range(0), state.range(1), state.range(2), state.range(3), 1);
  Operands o(g);
  const lowp::Conv2dWeights<std::int8_t> w(g, o.w.data(), 0);
  const auto stage = lowp::prepare_conv2d_output_stage<lowp::GemmlowpRounding, std::uint8_t>(w, 128, o.out);
  lowp::Context ctx;
  for (auto _ : state) {
    if (prepared)
      lowp::conv2d(g, o.x.data(), w, stage, o.y.data(), &ctx);
    else
      lowp::conv2d<lowp::GemmlowpRounding>(g, o.x.data(), 128, w, o.out, o.y.data(), &ctx);
    benchmark::DoNotOptimize(o.y.data());
  }
  report(state, g);
}
BENCHMARK_TEMPLATE(BM_Conv2dPacked, false)->Name("BM_Conv2dPackedPerCallStage")->ArgNames({"hw", "in", "out", "k"})
    ->Args({7, 256, 256, 1})->Args({2, 512, 1024, 1})->Args({1, 1024, 1000, 1})->Args({28, 64, 64, 3});
BENCHMARK_TEMPLATE(BM_Conv2dPacked, true)->Name("BM_Conv2dPackedPreparedStage")->ArgNames({"hw", "in", "out", "k"})
    ->Args({7, 256, 256, 1})->Args({2, 512, 1024, 1})->Args({1, 1024, 1000, 1})->Args({28, 64, 64, 3});

// The depthwise layer through its own kernel (generic = false) or through grouped conv2d.
template <bool generic>
void BM_Depthwise(benchmark::State& state) {
  const auto g = lowp::Conv2dGeometry::same(state.range(0), state.range(1), state.range(1), 3, state.range(1));
  Operands o(g);
  for (auto _ : state) {
    if (generic)
      lowp::conv2d<lowp::GemmlowpRounding>(g, o.x.data(), 128, o.w.data(), 0, o.out, o.y.data());
    else
      lowp::depthwise_conv2d<lowp::GemmlowpRounding>(g, o.x.data(), 128, o.w.data(), 0, o.out, o.y.data());
    benchmark::DoNotOptimize(o.y.data());
  }
  report(state, g);
}
BENCHMARK_TEMPLATE(BM_Depthwise, false)->Name("BM_Depthwise")->ArgNames({"hw", "c"})->Args({28, 64})->Args({56, 32});
BENCHMARK_TEMPLATE(BM_Depthwise, true)->Name("BM_DepthwiseAsGroupedConv")->ArgNames({"hw", "c"})->Args({28, 64})->Args({56, 32});

}  // namespace
