// Cross-layer equalization, bias absorption and bias correction: each leaves the
// float function unchanged (or unbiased), and together they recover the per-tensor
// int8 accuracy of a depthwise-separable block with mismatched channel ranges.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include "float_conv.hpp"
#include "lowp/transforms/bias_absorption.hpp"
#include "lowp/transforms/bias_correction.hpp"
#include "lowp/quantize/params.hpp"
#include "lowp/transforms/cross_layer_equalization.hpp"

namespace {

using lowp::FloatLayer;
using lowp_test::conv_same;

// Owns a layer's weights; view() points a FloatLayer at them (after any reassignment).
struct OwnedLayer {
  std::vector<float> w, b;
  std::ptrdiff_t out_c, in_c, k, groups;
  OwnedLayer(std::ptrdiff_t out, std::ptrdiff_t in, std::ptrdiff_t kernel, std::ptrdiff_t g)
      : w(static_cast<std::size_t>(out * (in / g) * kernel * kernel)), b(static_cast<std::size_t>(out)),
        out_c(out), in_c(in), k(kernel), groups(g) {}
  FloatLayer view() const {
    return FloatLayer{const_cast<float*>(w.data()), const_cast<float*>(b.data()), out_c, in_c, k, k, groups};
  }
};

std::vector<float> normal(std::mt19937& rng, std::size_t n, float mu = 0, float sigma = 1) {
  std::normal_distribution<float> d(mu, sigma);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

double max_rel_error(const std::vector<float>& got, const std::vector<float>& want) {
  double num = 0, den = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    num = std::max(num, std::fabs(double{got[i]} - want[i]));
    den = std::max(den, std::fabs(double{want[i]}));
  }
  return num / den;
}

// Layer 1 with per-channel scales spread over 4 decades: the MobileNetV2 situation.
void spread_output_channels(std::mt19937& rng, OwnedLayer& l) {
  std::uniform_real_distribution<float> decade(-2.0f, 2.0f);
  for (std::ptrdiff_t o = 0; o < l.view().out_c; ++o) {
    const float s = std::pow(10.0f, decade(rng));
    for (std::ptrdiff_t k = 0; k < l.view().fan_in(); ++k) l.w[o * l.view().fan_in() + k] *= s;
    l.b[o] *= s;
  }
}

struct Activation {
  const char* name;
  std::vector<float> slope;  // per channel; 0 = ReLU
  float operator()(std::ptrdiff_t c, float v) const { return v >= 0 ? v : slope[static_cast<std::size_t>(c)] * v; }
};

// Layer 1: 3x3 conv with groups1 groups (c = depthwise); layer 2: k2 x k2 conv 12 -> 10 (groups2 groups).
void check_cle_preserves_function(std::ptrdiff_t groups1, std::ptrdiff_t k2, std::ptrdiff_t groups2,
                                  const Activation& act, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const std::ptrdiff_t c = 12, h = 6, w = 5, batch = 2;
  OwnedLayer l1(c, groups1 == 1 ? 4 : c, 3, groups1), l2(10, c, k2, groups2);
  l1.w = normal(rng, l1.w.size());
  l1.b = normal(rng, l1.b.size());
  l2.w = normal(rng, l2.w.size());
  l2.b = normal(rng, l2.b.size());
  spread_output_channels(rng, l1);
  const auto x = normal(rng, static_cast<std::size_t>(batch * h * w * l1.view().in_c));
  auto run = [&](const OwnedLayer& a, const OwnedLayer& b) {
    return conv_same(b.view(), conv_same(a.view(), x, batch, h, w, act), batch, h, w, lowp_test::identity);
  };
  const auto before = run(l1, l2);
  OwnedLayer e1(l1), e2(l2);
  lowp::equalize_chain({e1.view(), e2.view()});
  const auto after = run(e1, e2);
  EXPECT_LT(max_rel_error(after, before), 1e-5) << act.name << " groups " << groups1 << ", " << groups2;
  const auto r1 = lowp::output_channel_ranges(e1.view()), r2 = lowp::input_channel_ranges(e2.view());
  const auto r1_old = lowp::output_channel_ranges(l1.view());
  for (std::size_t i = 0; i < r1.size(); ++i) EXPECT_NEAR(r1[i], r2[i], 1e-5f * r2[i]) << "channel " << i;
  const auto spread = [](const std::vector<float>& r) {
    return *std::max_element(r.begin(), r.end()) / *std::min_element(r.begin(), r.end());
  };
  EXPECT_LT(spread(r1), spread(r1_old) / 10) << "ranges were not brought closer together";
}

TEST(CrossLayerEqualization, PreservesFunctionAndEqualizesRanges) {
  const std::ptrdiff_t c = 12;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> slope(0.01f, 0.5f);
  Activation relu{"relu", std::vector<float>(c, 0.0f)}, leaky{"leaky_relu", std::vector<float>(c, 0.1f)},
      prelu{"prelu", std::vector<float>(c)};
  for (auto& s : prelu.slope) s = slope(rng);
  for (const Activation* act : {&relu, &leaky, &prelu}) {
    check_cle_preserves_function(1, 1, 1, *act, 21);  // full 3x3 conv -> 1x1
    check_cle_preserves_function(c, 1, 1, *act, 22);  // depthwise 3x3 -> pointwise 1x1
    check_cle_preserves_function(1, 3, 2, *act, 23);  // 3x3 conv -> grouped 3x3 conv (2 groups)
  }
}

TEST(CrossLayerEqualization, RejectsMismatchedLayers) {
  OwnedLayer a(4, 3, 3, 1), b(2, 5, 1, 1);
  EXPECT_THROW(lowp::equalize_pair(a.view(), b.view()), lowp::error);
}

TEST(BiasAbsorption, ExactWhenPreActivationsStayAboveC) {
  std::mt19937 rng(8);
  OwnedLayer l1(6, 4, 1, 1), l2(3, 6, 1, 1);
  l1.w = normal(rng, l1.w.size(), 0, 0.1f);
  l2.w = normal(rng, l2.w.size());
  l2.b = normal(rng, l2.b.size());
  const std::vector<float> beta = {5, -1, 2, 0.5f, 8, 3}, gamma = {1, 1, 0.5f, 1, 2, -0.5f};
  l1.b = beta;  // pre-activation ~ beta + small noise
  const auto x = normal(rng, 50 * 4);
  auto relu = [](std::ptrdiff_t, float v) { return std::max(v, 0.0f); };
  const auto before = conv_same(l2.view(), conv_same(l1.view(), x, 50, 1, 1, relu), 50, 1, 1, lowp_test::identity);
  const auto c = lowp::absorb_bias(l1.view(), l2.view(), beta.data(), gamma.data());
  const std::vector<float> expect_c = {2, 0, 0.5f, 0, 2, 1.5f};
  for (std::size_t i = 0; i < c.size(); ++i) EXPECT_FLOAT_EQ(c[i], expect_c[i]) << i;
  const auto after = conv_same(l2.view(), conv_same(l1.view(), x, 50, 1, 1, relu), 50, 1, 1, lowp_test::identity);
  EXPECT_LT(max_rel_error(after, before), 1e-5);
}

TEST(BiasCorrection, ClippedNormalMeanMatchesIntegration) {
  for (double mu : {-2.0, -0.3, 0.0, 0.7, 3.0})
    for (double sigma : {0.1, 1.0, 2.5}) {
      // Midpoint rule over +-12 sigma.
      double sum = 0, sum6 = 0;
      const int n = 200000;
      const double lo = mu - 12 * sigma, dz = 24 * sigma / n;
      for (int i = 0; i < n; ++i) {
        const double z = lo + (i + 0.5) * dz, p = std::exp(-0.5 * ((z - mu) / sigma) * ((z - mu) / sigma));
        sum += std::max(z, 0.0) * p;
        sum6 += std::min(std::max(z, 0.0), 6.0) * p;
      }
      const double norm = dz / (sigma * std::sqrt(2 * M_PI));
      EXPECT_NEAR(lowp::clipped_normal_mean(mu, sigma), sum * norm, 1e-6) << mu << " " << sigma;
      EXPECT_NEAR(lowp::clipped_normal_mean(mu, sigma, 0.0, 6.0), sum6 * norm, 1e-6) << mu << " " << sigma;
    }
  EXPECT_DOUBLE_EQ(lowp::clipped_normal_mean(-1.0, 0.0), 0.0);
  EXPECT_THROW(lowp::clipped_normal_mean(0.0, -1.0), lowp::error);
}

TEST(BiasCorrection, RemovesTheMeanOutputError) {
  std::mt19937 rng(9);
  OwnedLayer l(5, 7, 1, 1);
  l.w = normal(rng, l.w.size());
  const auto x = normal(rng, 4000 * 7, 1.5f, 1.0f);  // non-zero mean input
  std::vector<float> wq(l.w.size());
  for (std::size_t i = 0; i < wq.size(); ++i) wq[i] = std::round(l.w[i] * 4) / 4;  // coarse quantization
  OwnedLayer q(l);
  q.w = wq;
  const auto y = conv_same(l.view(), x, 4000, 1, 1, lowp_test::identity);
  const auto before = lowp::channel_means(conv_same(q.view(), x, 4000, 1, 1, lowp_test::identity).data(), 4000, 5);
  lowp::FloatLayer target = l.view();  // float weights W, the quantized layer's bias
  target.bias = q.b.data();
  const auto input_mean = lowp::channel_means(x.data(), 4000, 7);
  lowp::correct_bias(target, wq.data(), input_mean.data());
  const auto after = lowp::channel_means(conv_same(q.view(), x, 4000, 1, 1, lowp_test::identity).data(), 4000, 5);
  const auto want = lowp::channel_means(y.data(), 4000, 5);
  double err_before = 0, err_after = 0;
  for (int o = 0; o < 5; ++o) {
    err_before = std::max(err_before, std::fabs(double{before[o]} - want[o]));
    err_after = std::max(err_after, std::fabs(double{after[o]} - want[o]));
  }
  EXPECT_GT(err_before, 0.05);
  EXPECT_LT(err_after, 1e-4);
}

// NaN/Inf statistics or quantized weights used to pass through silently: absorb_bias treated a
// NaN beta as "absorb nothing" (max(0, NaN) = 0) and correct_bias wrote NaN biases.
TEST(BiasTransforms, RejectNonFiniteInputsWithoutChangingTheLayers) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  OwnedLayer l1(3, 2, 1, 1), l2(2, 3, 1, 1);
  std::fill(l1.w.begin(), l1.w.end(), 0.5f);
  std::fill(l2.w.begin(), l2.w.end(), 0.25f);
  l1.b = {5, 6, 7};
  l2.b = {1, 2};
  const OwnedLayer l1_before(l1), l2_before(l2);
  const std::vector<float> beta = {5, nan, 7}, gamma = {1, 1, 1};
  EXPECT_THROW(lowp::absorb_bias(l1.view(), l2.view(), beta.data(), gamma.data()), lowp::error);
  const std::vector<float> finite_beta = {5, 6, 7}, inf_gamma = {1, inf, 1};
  EXPECT_THROW(lowp::absorb_bias(l1.view(), l2.view(), finite_beta.data(), inf_gamma.data()), lowp::error);
  EXPECT_EQ(l1.b, l1_before.b);
  EXPECT_EQ(l2.b, l2_before.b);

  std::vector<float> wq = l2.w;
  const std::vector<float> mean = {1, 1, 1};
  wq[4] = nan;  // output channel 1
  EXPECT_THROW(lowp::correct_bias(l2.view(), wq.data(), mean.data()), lowp::error);
  wq[4] = 0.25f;
  const std::vector<float> inf_mean = {1, 1, inf};
  EXPECT_THROW(lowp::correct_bias(l2.view(), wq.data(), inf_mean.data()), lowp::error);
  EXPECT_EQ(l2.b, l2_before.b) << "a rejected correction must leave every bias untouched";
  wq[0] = 0.0f;
  lowp::correct_bias(l2.view(), wq.data(), mean.data());  // W_q - W = -0.25 at [0, 0], E[x] = 1
  EXPECT_FLOAT_EQ(l2.b[0], 1.25f);
  EXPECT_FLOAT_EQ(l2.b[1], 2.0f);
}

// ---- The MobileNetV2 case: depthwise 3x3 + BN + ReLU -> pointwise 1x1, per-tensor int8 ----

// Round-to-nearest per-tensor fake quantization with PyTorch's min-max qparams.
template <typename Scheme>
std::vector<float> fake_quant(const std::vector<float>& v, lowp::QuantRange range) {
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  const lowp::QuantParams p = lowp::choose_qparams<Scheme>(*lo, *hi, range);
  std::vector<float> r(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    const float q = std::min<float>(std::max<float>(std::nearbyint(v[i] / p.scale) + p.zero_point, range.qmin), range.qmax);
    r[i] = p.scale * (q - p.zero_point);
  }
  return r;
}
std::vector<float> quant_weights(const std::vector<float>& w) { return fake_quant<lowp::Symmetric>(w, {-127, 127}); }
std::vector<float> quant_acts(const std::vector<float>& a) { return fake_quant<lowp::Affine>(a, {0, 255}); }

double sqnr_db(const std::vector<float>& ref, const std::vector<float>& test) {
  double s = 0, n = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    s += double{ref[i]} * ref[i];
    n += (double{ref[i]} - test[i]) * (double{ref[i]} - test[i]);
  }
  return 10 * std::log10(s / n);
}

struct Block {
  OwnedLayer dw{16, 16, 3, 16}, pw{24, 16, 1, 1};
  std::vector<float> beta, gamma;  // BN of dw (folded): dw's pre-activation ~ N(beta, gamma^2)
};

constexpr std::ptrdiff_t kBatch = 32, kH = 8, kW = 8, kC = 16;
const auto relu = [](std::ptrdiff_t, float v) { return std::max(v, 0.0f); };

std::vector<float> run_float(const Block& b, const std::vector<float>& x) {
  return conv_same(b.pw.view(), conv_same(b.dw.view(), x, kBatch, kH, kW, relu), kBatch, kH, kW, lowp_test::identity);
}

// Per-tensor int8 everywhere: input, both weight tensors, the ReLU output and the block output.
std::vector<float> run_quantized(const Block& b, const std::vector<float>& x) {
  OwnedLayer dw(b.dw), pw(b.pw);
  dw.w = quant_weights(dw.w);
  pw.w = quant_weights(pw.w);
  const auto mid = quant_acts(conv_same(dw.view(), quant_acts(x), kBatch, kH, kW, relu));
  return fake_quant<lowp::Affine>(conv_same(pw.view(), mid, kBatch, kH, kW, lowp_test::identity), {0, 255});
}

Block mismatched_block(std::mt19937& rng, const std::vector<float>& x) {
  Block b;
  b.dw.w = normal(rng, b.dw.w.size());
  std::fill(b.dw.b.begin(), b.dw.b.end(), 0.0f);
  b.pw.w = normal(rng, b.pw.w.size(), 0, 0.25f);
  std::fill(b.pw.b.begin(), b.pw.b.end(), 0.0f);
  // BN with measured statistics and gammas spread over 3.5 decades, folded into dw.
  const auto y = conv_same(b.dw.view(), x, kBatch, kH, kW, lowp_test::identity);
  const auto mean = lowp::channel_means(y.data(), kBatch * kH * kW, kC);
  std::uniform_real_distribution<float> decade(-2.0f, 1.5f), shift(-1.0f, 6.0f);
  for (std::ptrdiff_t c = 0; c < kC; ++c) {
    double var = 0;
    for (std::ptrdiff_t r = 0; r < kBatch * kH * kW; ++r) var += std::pow(y[r * kC + c] - mean[c], 2);
    const float inv_std = 1.0f / std::sqrt(static_cast<float>(var / (kBatch * kH * kW)) + 1e-5f);
    const float gamma = std::pow(10.0f, decade(rng)), beta = gamma * shift(rng);
    for (std::ptrdiff_t t = 0; t < 9; ++t) b.dw.w[c * 9 + t] *= gamma * inv_std;
    b.dw.b[c] = beta - mean[c] * gamma * inv_std;
    b.gamma.push_back(gamma);
    b.beta.push_back(beta);
    // As in a trained network, the next layer compensates: every channel matters equally downstream.
    for (std::ptrdiff_t o = 0; o < b.pw.out_c; ++o) b.pw.w[o * kC + c] /= gamma;
  }
  return b;
}

// Bias correction of both layers; expected inputs empirical (from data) or analytic (from BN).
void correct_block(Block& b, const std::vector<float>& x, bool analytic) {
  const auto x_mean = lowp::channel_means(x.data(), kBatch * kH * kW, kC);
  std::vector<float> mid_mean;
  if (analytic) {
    mid_mean = lowp::relu_input_means(b.beta.data(), b.gamma.data(), kC);
  } else {
    const auto mid = conv_same(b.dw.view(), x, kBatch, kH, kW, relu);
    mid_mean = lowp::channel_means(mid.data(), kBatch * kH * kW, kC);
  }
  const auto dwq = quant_weights(b.dw.w), pwq = quant_weights(b.pw.w);
  lowp::correct_bias(b.dw.view(), dwq.data(), x_mean.data());
  lowp::correct_bias(b.pw.view(), pwq.data(), mid_mean.data());
}

TEST(DataFreeQuantization, MismatchedDepthwiseSeparableBlock) {
  std::mt19937 rng(2019);
  const auto x = normal(rng, static_cast<std::size_t>(kBatch * kH * kW * kC));
  const Block original = mismatched_block(rng, x);
  const auto want = run_float(original, x);

  const double base = sqnr_db(want, run_quantized(original, x));
  Block cle(original);
  const auto s = lowp::equalize_pair(cle.dw.view(), cle.pw.view());
  for (std::ptrdiff_t c = 0; c < kC; ++c) cle.beta[c] /= s[c], cle.gamma[c] /= s[c];
  EXPECT_LT(max_rel_error(run_float(cle, x), want), 1e-5);
  const double after_cle = sqnr_db(want, run_quantized(cle, x));
  Block absorbed(cle);
  lowp::absorb_bias(absorbed.dw.view(), absorbed.pw.view(), absorbed.beta.data(), absorbed.gamma.data());
  for (std::ptrdiff_t c = 0; c < kC; ++c) absorbed.beta[c] -= std::max(0.0f, cle.beta[c] - 3 * cle.gamma[c]);
  // Exact wherever the pre-activation stays above c = beta - 3 gamma (all but ~0.13% of
  // values); the tail below c perturbs the float output at about -49 dB.
  EXPECT_GT(sqnr_db(want, run_float(absorbed, x)), 45.0) << "absorption moved the function";
  const double after_absorb = sqnr_db(want, run_quantized(absorbed, x));
  {  // The analytic E[ReLU(z)] (clipped normal from BN) predicts the measured channel means.
    const auto predicted = lowp::relu_input_means(absorbed.beta.data(), absorbed.gamma.data(), kC);
    const auto mid = conv_same(absorbed.dw.view(), x, kBatch, kH, kW, relu);
    const auto measured = lowp::channel_means(mid.data(), kBatch * kH * kW, kC);
    for (std::ptrdiff_t c = 0; c < kC; ++c)
      EXPECT_NEAR(predicted[c], measured[c], 0.05 * std::fabs(absorbed.gamma[c]) + 1e-6) << "channel " << c;
  }
  Block empirical(absorbed), analytic(absorbed);
  correct_block(empirical, x, false);
  correct_block(analytic, x, true);
  const double after_empirical = sqnr_db(want, run_quantized(empirical, x));
  const double after_analytic = sqnr_db(want, run_quantized(analytic, x));
  std::printf("per-tensor int8 output SQNR of the block (dB)\n"
              "  baseline                         %7.3f\n"
              "  + cross-layer equalization       %7.3f\n"
              "  + bias absorption                %7.3f\n"
              "  + bias correction (empirical)    %7.3f\n"
              "  + bias correction (analytic)     %7.3f\n",
              base, after_cle, after_absorb, after_empirical, after_analytic);
  EXPECT_GT(after_cle, base + 10) << "CLE should recover the small channels";
  EXPECT_GT(after_absorb, after_cle) << "absorption narrows the activation range";
  // Bias correction must pay off (docs/transforms.md: +0.7 dB here), not merely do no harm, and the
  // analytic E[x] must agree with the measured one on this block whose pre-activations are normal.
  EXPECT_GT(after_empirical, after_absorb + 0.3) << "bias correction (empirical) gained nothing";
  EXPECT_GT(after_analytic, after_absorb + 0.3) << "bias correction (analytic) gained nothing";
  EXPECT_NEAR(after_analytic, after_empirical, 0.05);
}

}  // namespace
