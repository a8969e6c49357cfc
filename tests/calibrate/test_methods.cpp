// Threshold searches: percentile against exact order statistics, KL against a hand computation
// and against the naive O(bins^2) algorithm for every variant, MSE against brute force over the
// whole grid, ACIQ constants against the published table, and every method per channel on any
// axis equal to the per-tensor method on that channel's values.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "lowp/calibrate/aciq.hpp"
#include "lowp/calibrate/entropy.hpp"
#include "lowp/calibrate/metrics.hpp"
#include "lowp/calibrate/minmax.hpp"
#include "lowp/calibrate/mse.hpp"
#include "lowp/calibrate/per_channel.hpp"
#include "lowp/calibrate/percentile.hpp"

namespace {

using namespace lowp::calib;
using lowp::QuantRange;
using lowp::TensorView;

template <typename Dist>
std::vector<float> sample(Dist d, std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(d(rng));
  return v;
}
std::vector<float> laplace(double b, std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::exponential_distribution<double> e(1.0 / b);
  std::bernoulli_distribution s(0.5);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(s(rng) ? e(rng) : -e(rng));
  return v;
}

TEST(Percentile, WithinOneBinOfTheExactOrderStatistic) {
  for (unsigned seed = 0; seed < 3; ++seed) {
    std::vector<float> x = seed == 0 ? sample(std::uniform_real_distribution<double>(-1.0, 3.0), 20000, seed)
                                     : sample(std::normal_distribution<double>(0.5, 2.0), 20000, seed);
    PercentileCalibrator pc(Percentile{99.0});
    pc.observe(x);
    const double w = pc.histogram().bin_width();
    std::vector<float> a(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) a[i] = std::fabs(x[i]);
    std::sort(a.begin(), a.end());
    std::sort(x.begin(), x.end());
    const Range sym = pc.range(quant_range_for_bits(8, true), true);
    EXPECT_NEAR(sym.max, a[static_cast<std::size_t>(0.99 * a.size()) - 1], w);
    EXPECT_EQ(sym.min, -sym.max);
    const Range two = pc.range(quant_range_for_bits(8, false), false);
    EXPECT_NEAR(two.min, x[static_cast<std::size_t>(0.01 * x.size())], w);
    EXPECT_NEAR(two.max, x[static_cast<std::size_t>(0.99 * x.size()) - 1], w);
  }
  PercentileCalibrator full(Percentile{100.0});
  full.observe(std::vector<float>{-3.0f, 1.0f, 2.5f});
  EXPECT_EQ(full.range(quant_range_for_bits(8, true), true).max, 3.0f);  // 100 %: never past max|x|
  PercentileCalibrator zero(Percentile{0.0});
  zero.observe(std::vector<float>{1.0f});
  EXPECT_THROW(zero.range(quant_range_for_bits(8, true), true), lowp::error);
}

TEST(Entropy, DivergenceMatchesAHandComputation) {
  // |x| bins of width 1 (8 bins per side, range 8): [4, 0, 2, 2, 0, 2, 0, 0].
  std::vector<float> x = {0.5f, -0.5f, 0.5f, 0.5f, 2.5f, -2.5f, 3.5f, 3.5f, 5.5f, -5.5f};
  Histogram h(8);
  h.observe(x.data(), x.size());
  ASSERT_EQ(h.bin_width(), 1.0);
  KlOptions o;
  o.quantized_bins = 2;
  // Threshold 3.5 keeps 4 bins (up to the one holding it); 2 levels of 2 bins: P = [4, 0, 2, 2 + 2 outliers] / 10,
  // Q = [4, 0 (empty in P), 2, 2] / 8, KL = 0.6 ln 0.8 + 0.4 ln 1.6.
  const double expect = 0.6 * std::log(0.8) + 0.4 * std::log(1.6);
  EXPECT_NEAR(kl_divergence_at(h, 3.5, QuantRange{}, o), expect, 1e-12);
  o.smoothing = true;
  EXPECT_NE(kl_divergence_at(h, 3.5, QuantRange{}, o), expect);
}

// The prefix-sum search equals the naive algorithm, for every preset and option combination.
TEST(Entropy, FastSearchEqualsTheNaiveAlgorithmForEveryVariant) {
  std::vector<std::vector<float>> data = {
      sample(std::normal_distribution<double>(0.0, 1.0), 20000, 1),
      laplace(0.5, 20000, 2),
      sample(std::student_t_distribution<double>(3.0), 20000, 3),
      sample(std::gamma_distribution<double>(0.7, 1.0), 20000, 4),  // one-sided, ReLU-like
  };
  for (auto& v : data[0]) v = std::max(v, 0.0f);  // ReLU'd normal: a big zero bin
  std::vector<KlOptions> variants = {KlOptions::tensorrt(), KlOptions::pytorch_quantization(),
                                     KlOptions::onnxruntime()};
  KlOptions v = KlOptions::tensorrt();
  v.smoothing = true;
  v.argmin = KlOptions::ArgMin::last;
  variants.push_back(v);
  v = KlOptions::pytorch_quantization();
  v.smoothing = true;
  v.grouping = KlOptions::Grouping::remainder_in_last;
  variants.push_back(v);
  v = KlOptions::onnxruntime();
  v.mask_from_raw_bins = true;
  variants.push_back(v);
  v = KlOptions::onnxruntime();
  v.grouping = KlOptions::Grouping::proportional;
  v.smoothing = false;
  v.quantized_bins = 0;
  variants.push_back(v);
  int compared = 0;
  for (const auto& x : data) {
    for (int bins : {256, 400}) {
      Histogram h(bins);
      h.observe(x.data(), x.size());
      for (int bits : {6, 8}) {
        const QuantRange q = quant_range_for_bits(bits, true);
        for (const KlOptions& o : variants) {
          if (o.quantized_bins > bins) continue;
          const KlResult fast = kl_search(h, q, o), naive = entropy_reference::search(h, q, o);
          EXPECT_EQ(fast.bins, naive.bins);
          EXPECT_EQ(fast.threshold, naive.threshold);
          EXPECT_NEAR(fast.divergence, naive.divergence, 1e-9 * std::max(1.0, naive.divergence));
          ++compared;
        }
      }
    }
  }
  EXPECT_GE(compared, 100);
  // Edge vs centre thresholds: same argmin, half a bin apart.
  Histogram h;
  h.observe(data[2].data(), data[2].size());
  KlOptions edge = KlOptions::tensorrt();
  edge.threshold = KlOptions::Threshold::bin_edge;
  const KlResult a = kl_search(h, quant_range_for_bits(8, true)), b = kl_search(h, quant_range_for_bits(8, true), edge);
  EXPECT_EQ(a.bins, b.bins);
  EXPECT_DOUBLE_EQ(a.threshold - b.threshold, 0.5 * h.bin_width());
  // On the default 2048-bin histogram of a Student-t(3), KL clips inside the range.
  EXPECT_LT(a.threshold, h.amax());
  EXPECT_GT(a.threshold, 3.0);
}

// The search returns the exact optimum of the error model over the bin-edge grid.
TEST(Mse, SearchFindsTheGridOptimumOfTheModel) {
  for (unsigned seed = 0; seed < 3; ++seed) {
    std::vector<float> x = seed == 2 ? sample(std::gamma_distribution<double>(1.5, 1.0), 5000, seed)
                                     : sample(std::student_t_distribution<double>(2.0 + seed), 5000, seed);
    Histogram h(64);  // a power of two: bin edges are exact, so mse_model classifies bins exactly
    h.observe(x.data(), x.size());
    const double w = h.bin_width();
    for (int bits : {3, 8}) {
      const QuantRange qs = quant_range_for_bits(bits, true), qa = quant_range_for_bits(bits, false);
      const MseGridResult rs = mse_search(h, qs, true);
      double best = INFINITY;
      for (int k = 1; k <= 64; ++k) best = std::min(best, mse_model(h, -k * w, k * w, qs));
      EXPECT_NEAR(mse_model(h, rs.lo, rs.hi, qs), best, 1e-9 * best);
      EXPECT_NEAR(rs.error, best, 1e-9 * best);  // the O(1) evaluation agrees with direct summation
      const MseGridResult ra = mse_search(h, qa, false);
      double best_a = INFINITY;
      for (int a = 0; a <= 64; ++a)
        for (int b = 0; b <= 64; ++b)
          if (a + b > 0) best_a = std::min(best_a, mse_model(h, -a * w, b * w, qa));
      EXPECT_NEAR(mse_model(h, ra.lo, ra.hi, qa), best_a, 1e-9 * best_a);
      EXPECT_NEAR(ra.error, best_a, 1e-9 * best_a);
    }
  }
  // On a Gaussian, the 8-bit optimum clips near 4 sigma (the analytic ACIQ value is 3.92).
  const std::vector<float> g = sample(std::normal_distribution<double>(0.0, 2.0), 100000, 9);
  MseCalibrator m;
  m.observe(g);
  const double amax = m.range(quant_range_for_bits(8, true), true).max;
  EXPECT_GT(amax / 2.0, 3.6);
  EXPECT_LT(amax / 2.0, 4.4);
}

TEST(Aciq, DerivedCoefficientsReproduceThePublishedTable) {
  const double laplace_pub[] = {2.83, 3.89, 5.03, 6.20, 7.41, 8.64, 9.89};
  const double gauss_pub[] = {1.71, 2.15, 2.55, 2.93, 3.28, 3.61, 3.92};
  for (int bits = 2; bits <= 8; ++bits) {
    const double cl = aciq_coefficient(AciqPrior::laplace, bits), cg = aciq_coefficient(AciqPrior::gaussian, bits);
    // The paper prints two decimals (mostly truncated: 3.897 appears as 3.89, 5.029 as 5.03).
    EXPECT_NEAR(cl, laplace_pub[bits - 2], 0.01) << bits;
    EXPECT_NEAR(cg, gauss_pub[bits - 2], 0.01) << bits;
    // And it is a minimum of the error model.
    for (double d : {-1e-3, 1e-3}) {
      EXPECT_LT(aciq_expected_error(AciqPrior::laplace, bits, cl),
                aciq_expected_error(AciqPrior::laplace, bits, cl + d));
      EXPECT_LT(aciq_expected_error(AciqPrior::gaussian, bits, cg),
                aciq_expected_error(AciqPrior::gaussian, bits, cg + d));
    }
  }
}

TEST(Aciq, EstimatesTheScaleFromDataAndClipsAtCTimesIt) {
  const std::vector<float> x = laplace(0.75, 50000, 5);
  AciqCalibrator lap(Aciq{AciqPrior::laplace});
  AciqCalibrator gau(Aciq{AciqPrior::gaussian});
  lap.observe(x);
  gau.observe(x);
  double mean = 0.0;
  for (float v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double mad = 0.0, var = 0.0;
  for (float v : x) {
    mad += std::fabs(v - mean);
    var += (v - mean) * (v - mean);
  }
  mad /= static_cast<double>(x.size());
  var /= static_cast<double>(x.size());
  EXPECT_NEAR(mean_absolute_deviation(lap.histogram()), mad, 1e-3 * mad);  // bin centres
  EXPECT_NEAR(mad, 0.75, 0.02);
  EXPECT_NEAR(gau.histogram().stddev(), std::sqrt(var), 1e-6);
  const QuantRange q4 = quant_range_for_bits(4, true);
  EXPECT_NEAR(lap.range(q4, true).max,
              std::fabs(mean) + aciq_coefficient(AciqPrior::laplace, 4) * mean_absolute_deviation(lap.histogram()), 1e-5);
  EXPECT_NEAR(gau.range(q4, true).max, std::fabs(mean) + aciq_coefficient(AciqPrior::gaussian, 4) * std::sqrt(var),
              1e-4);
}

// Where the uniform-rounding model holds (steps small against the spread), the MSE choice is
// within 10 % of the real optimum of the actual quantization error and beats min-max. (KL and
// percentile optimize other criteria and may lose to min-max in MSE on a Student-t(3).)
// Code ranges as wide as int32's: qmax - qmin is formed without int32 overflow. MSE then keeps the
// whole data range (with 2^32 levels rounding costs nothing; the wrapped level count used to clip
// N(0, 1) data at 0.82), and the methods that cannot use so many levels say so.
TEST(Methods, Int32CodeRangesDoNotOverflowTheLevelCount) {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(4000);
  for (float& v : x) v = normal(rng);
  const float amax = *std::max_element(x.begin(), x.end(), [](float a, float b) { return std::fabs(a) < std::fabs(b); });
  for (const QuantRange q : {QuantRange{std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()},
                             QuantRange{0, std::numeric_limits<std::int32_t>::max()}}) {
    EXPECT_EQ(q.levels(), std::int64_t{q.qmax} - q.qmin);
    MseCalibrator mse;
    mse.observe(x);
    for (const bool symmetric : {true, false}) {
      const Range r = mse.range(q, symmetric);
      EXPECT_GE(r.amax(), 0.99f * std::fabs(amax)) << q.qmin << " symmetric " << symmetric;
    }
    AciqCalibrator aciq;
    aciq.observe(x);
    EXPECT_THROW(aciq.range(q, true), lowp::error);  // 31 or 32 bits: outside ACIQ's table
    EntropyCalibrator kl;
    kl.observe(x);
    EXPECT_THROW(kl.range(q, true), lowp::error);
  }
}

TEST(Methods, MseChoiceIsNearTheRealOptimumOfTheActualError) {
  const std::vector<float> x = sample(std::student_t_distribution<double>(3.0), 10000, 11);
  for (int bits : {6, 8}) {
    const QuantRange q = quant_range_for_bits(bits, true);
    MinMaxCalibrator mm;
    MseCalibrator ms;
    mm.observe(x);
    ms.observe(x);
    double real_best = INFINITY;
    for (double t = 0.5; t < mm.range(q, true).max; t += 0.1)
      real_best = std::min(real_best, measure(x.data(), x.size(), lowp::choose_qparams<lowp::Symmetric>(-t, t, q), q).mse);
    const double base = measure(x.data(), x.size(), mm.qparams<lowp::Symmetric>(q), q).mse;
    const double mse = measure(x.data(), x.size(), ms.qparams<lowp::Symmetric>(q), q).mse;
    EXPECT_LT(mse, 1.1 * real_best) << bits;
    EXPECT_LT(mse, base) << bits;
  }
  // Clipped fraction counts values beyond the representable range.
  std::vector<float> y(1000, 0.5f);
  y[0] = 10.0f;
  y[1] = -10.0f;
  const QuantRange q = quant_range_for_bits(8, true);
  const QuantError e = measure(y.data(), y.size(), lowp::choose_qparams<lowp::Symmetric>(-1.0f, 1.0f, q), q);
  EXPECT_DOUBLE_EQ(e.clipped_fraction, 0.002);
  EXPECT_NEAR(e.mse, 2.0 * 9.0 * 9.0 / 1000.0, 0.01);
  // "Clipped" is what the quantizer clamps, at the edges too (scale 0.1f, 1/scale = 10.0f in float):
  // 12.75f maps to 127.5, rounds (to even) to 128 and is clamped, although 12.75 < 0.1f * 127.5 in
  // real arithmetic; -12.85f (-12.8500004) maps to -128.5, rounds to -128 and is representable,
  // although it lies below 0.1f * -128.5.
  const lowp::QuantParams edge{0.1f, 0};
  const QuantRange int8{-128, 127};
  ASSERT_EQ(lowp::quantize_value(12.75f, 1.0f / edge.scale, 0, QuantRange{-1000, 1000}), 128);
  ASSERT_EQ(lowp::quantize_value(-12.85f, 1.0f / edge.scale, 0, QuantRange{-1000, 1000}), -128);
  const float at_edge[] = {12.75f, -12.86f}, inside[] = {12.74f, -12.85f};
  EXPECT_DOUBLE_EQ(measure(at_edge, 2, edge, int8).clipped_fraction, 1.0);
  EXPECT_DOUBLE_EQ(measure(inside, 2, edge, int8).clipped_fraction, 0.0);
  // Non-finite values are left out; parameters no quantizer produces are refused, not measured.
  y.push_back(std::numeric_limits<float>::quiet_NaN());
  y.push_back(-std::numeric_limits<float>::infinity());
  const QuantError with_nan = measure(y.data(), y.size(), lowp::choose_qparams<lowp::Symmetric>(-1.0f, 1.0f, q), q);
  EXPECT_DOUBLE_EQ(with_nan.clipped_fraction, e.clipped_fraction);
  EXPECT_DOUBLE_EQ(with_nan.mse, e.mse);
  EXPECT_THROW(measure(y.data(), 1000, lowp::QuantParams{0.0f, 0}, q), lowp::error);
  EXPECT_THROW(measure(y.data(), 1000, lowp::QuantParams{std::numeric_limits<float>::quiet_NaN(), 0}, q), lowp::error);
  EXPECT_THROW(measure(y.data(), 1000, lowp::QuantParams{0.01f, 0}, QuantRange{5, 4}), lowp::error);
  // A denormal scale has an infinite reciprocal: 0 * inf is NaN, which no code can hold.
  EXPECT_THROW(measure(y.data(), 1000, lowp::QuantParams{1e-40f, 0}, q), lowp::error);
}

// PerChannel<C> along any axis equals C run on each channel's values alone.
template <typename C>
void expect_per_channel_matches(const C& proto, const std::vector<float>& x) {
  const std::ptrdiff_t shape[3] = {4, 5, 6};
  for (int axis : {0, 1, 2, -1}) {
    const int a = axis < 0 ? axis + 3 : axis;
    PerChannel<C> pc(axis, proto);
    pc.observe(TensorView<const float>(x.data(), shape, 3));
    pc.observe(TensorView<const float>(x.data() + 120, shape, 3));
    ASSERT_EQ(pc.channels(), static_cast<std::size_t>(shape[a]));
    for (bool sym : {true, false}) {
      const QuantRange q = quant_range_for_bits(8, sym);
      const std::vector<Range> r = pc.ranges(q, sym);
      for (std::ptrdiff_t c = 0; c < shape[a]; ++c) {
        C single = proto;
        for (int batch = 0; batch < 2; ++batch) {
          std::vector<float> vals;
          TensorView<const float>(x.data() + 120 * batch, shape, 3)
              .for_each([&](const float& v, std::ptrdiff_t, std::ptrdiff_t ch) {
                if (ch == c) vals.push_back(v);
              }, a);
          single.observe(vals);
        }
        const Range s = single.range(q, sym);
        EXPECT_EQ(r[static_cast<std::size_t>(c)].min, s.min) << axis << " " << c;
        EXPECT_EQ(r[static_cast<std::size_t>(c)].max, s.max) << axis << " " << c;
      }
    }
  }
}

TEST(PerChannel, EveryMethodOnEveryAxisEqualsPerTensorOnTheChannel) {
  std::vector<float> x = sample(std::normal_distribution<double>(0.0, 1.0), 240, 13);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] *= static_cast<float>(1 + i % 7);  // channel-dependent scales
  expect_per_channel_matches(MinMaxCalibrator{}, x);
  expect_per_channel_matches(PercentileCalibrator(Percentile{95.0}, 64), x);
  KlOptions small;
  small.quantized_bins = 8;
  expect_per_channel_matches(EntropyCalibrator(Entropy{small}, 64), x);
  expect_per_channel_matches(MseCalibrator(Mse{}, 64), x);
  expect_per_channel_matches(AciqCalibrator(Aciq{AciqPrior::laplace}, 64), x);
  // Eigen: axis 1 of a matrix = its columns.
  Eigen::MatrixXf m = Eigen::Map<Eigen::MatrixXf>(x.data(), 12, 20);
  PerChannel<MinMaxCalibrator> cols(1);
  cols.observe(m);
  ASSERT_EQ(cols.channels(), 20u);
  EXPECT_EQ(cols.channel(3).max(), m.col(3).maxCoeff());
  EXPECT_EQ(cols.channel(3).min(), m.col(3).minCoeff());
}

}  // namespace
