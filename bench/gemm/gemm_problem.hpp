// bench/gemm/gemm_problem.hpp: the benchmarked shapes and one quantized GEMM problem
// (operands, per-channel requantization, output) shared by lowp and every peer, so all
// of them do the same work on the same data.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "lowp/gemm/params.hpp"
#include "lowp/gemm/reference.hpp"

namespace lowp_bench {

struct Shape {
  int m, k, n;
  std::string name() const { return std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n); }
};

// Issue 5's list: square; transformer projections at decode (M = 1, 8) and prefill
// (M = 32, 128) batch sizes; a 3x3 convolution as im2col (56x56 pixels, 64 -> 64 channels).
inline std::vector<Shape> gemm_shapes() {
  std::vector<Shape> s;
  for (int d : {256, 512, 1024, 2048}) s.push_back({d, d, d});
  for (int m : {1, 8, 32, 128})
    for (auto kn : {std::pair<int, int>{768, 768}, {768, 3072}, {3072, 768}, {4096, 4096}})
      s.push_back({m, kn.first, kn.second});
  s.push_back({3136, 576, 64});
  return s;
}

// C = requantize(sum_k (A - za) * B + bias) with
//   A: M x K uint8 row-major (activations, zero point za),
//   B: K x N int8 row-major (weights, symmetric: zb = 0, full range [-128, 127]),
//   per-output-channel float multipliers real[n] (and their Q31 forms), int8 output.
// The multipliers map the accumulator's typical spread (sqrt(K) * 74 * 128 / 2) onto int8.
struct GemmProblem {
  static constexpr std::int32_t za = 117, zc = -3;
  Shape shape;
  std::vector<std::uint8_t> a;
  std::vector<std::int8_t> b;
  std::vector<std::int32_t> bias, multiplier, shift;
  std::vector<float> real;
  std::vector<std::int8_t> c;

  explicit GemmProblem(Shape s, std::uint32_t seed = 1)
      : shape(s), a(std::size_t(s.m) * s.k), b(std::size_t(s.k) * s.n), bias(s.n), multiplier(s.n),
        shift(s.n), real(s.n), c(std::size_t(s.m) * s.n) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> u8(0, 255), s8(-128, 127), bi(-20000, 20000);
    for (auto& x : a) x = static_cast<std::uint8_t>(u8(rng));
    for (auto& x : b) x = static_cast<std::int8_t>(s8(rng));
    std::uniform_real_distribution<double> jitter(0.7, 1.4);
    const double spread = std::sqrt(static_cast<double>(s.k)) * 74.0 * 128.0 / 2;
    for (int j = 0; j < s.n; ++j) {
      bias[j] = bi(rng);
      const double m = 127.0 / (2 * spread) * jitter(rng);
      int e = 0;
      const double frac = std::frexp(m, &e);  // m = frac * 2^e, frac in [0.5, 1)
      multiplier[j] = static_cast<std::int32_t>(std::min(std::llround(frac * 2147483648.0), 2147483647LL));
      shift[j] = e;
      real[j] = static_cast<float>(m);
    }
  }

  lowp::GemmZeroPoints zero_points() const { return {za, lowp::ChannelValues<std::int32_t>(0)}; }
  lowp::OutputStage output_stage() const {
    lowp::OutputStage o;
    const auto n = static_cast<std::size_t>(shape.n);
    o.bias = bias.data();
    o.multiplier = {multiplier.data(), n};
    o.shift = {shift.data(), n};
    o.real = {real.data(), n};
    o.output_zero_point = zc;
    return o;
  }
  lowp::MatrixView<const std::uint8_t> a_view() const { return lowp::row_major(a.data(), shape.m, shape.k); }
  lowp::MatrixView<const std::int8_t> b_view() const { return lowp::row_major(b.data(), shape.k, shape.n); }
  lowp::MatrixView<std::int8_t> c_view() { return lowp::row_major(c.data(), shape.m, shape.n); }

  // The reference result for output type TC and policy P (slow: small shapes only).
  template <typename Policy, typename TC>
  std::vector<TC> reference() const {
    std::vector<TC> out(std::size_t(shape.m) * shape.n);
    lowp::reference_gemm<Policy>(a_view(), b_view(), lowp::row_major(out.data(), shape.m, shape.n),
                                 zero_points(), output_stage());
    return out;
  }
};

// Sets GOPS (1 MAC = 2 ops) and, when peak_macs_per_s > 0, the fraction of that peak.
inline void set_gemm_counters(benchmark::State& state, const Shape& s, double peak_macs_per_s) {
  const double macs = static_cast<double>(state.iterations()) * s.m * s.k * s.n;
  state.counters["GOPS"] = benchmark::Counter(2 * macs * 1e-9, benchmark::Counter::kIsRate);
  if (peak_macs_per_s > 0)
    state.counters["peak_frac"] = benchmark::Counter(macs / peak_macs_per_s, benchmark::Counter::kIsRate);
}

// Elementwise comparison of a result with the reference: counts and the largest difference.
struct Agreement {
  std::size_t mismatches = 0;
  long max_abs_diff = 0;
};
template <typename T, typename U>
Agreement compare(const std::vector<T>& got, const std::vector<U>& want) {
  Agreement r;
  for (std::size_t i = 0; i < got.size() && i < want.size(); ++i) {
    const long d = std::labs(static_cast<long>(got[i]) - static_cast<long>(want[i]));
    r.mismatches += d != 0;
    r.max_abs_diff = std::max(r.max_abs_diff, d);
  }
  if (got.size() != want.size()) r.mismatches += 1;
  return r;
}

}  // namespace lowp_bench
