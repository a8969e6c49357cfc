// lowp/transforms/bias_correction.hpp: cancelling the mean output error that
// weight quantization introduces (Nagel et al. 2019, section 4.2).
//
// With W_q the quantized-dequantized weights, the output error of y = W x is
// (W_q - W) x, whose mean E[(W_q - W) x] = (W_q - W) E[x] is a per-channel bias
// shift. Subtracting it from the bias makes the quantized layer unbiased:
//   b[o] -= sum_{i, taps} (W_q - W)[o, i, taps] E[x_i].
// E[x] comes either
//  - empirically: the mean of each input channel over calibration data
//    (channel_means), or
//  - analytically: when x = ReLU(z) with z ~ N(beta, gamma^2) from the previous
//    layer's batch norm, E[x] is the mean of a clipped normal:
//      E[clip(z, a, b)] = a Phi(al) + b (1 - Phi(be)) + mu (Phi(be) - Phi(al)) + sigma (phi(al) - phi(be)),
//      al = (a - mu) / sigma, be = (b - mu) / sigma;
//    for ReLU (a = 0, b = inf): mu Phi(mu / sigma) + sigma phi(mu / sigma).
// Conv outputs next to zero padding see fewer inputs; the correction uses the
// interior expectation, as the paper does.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "lowp/core/error.hpp"
#include "lowp/transforms/float_layer.hpp"

namespace lowp {

// E[clip(z, lo, hi)] for z ~ N(mu, sigma^2); sigma = 0 gives clip(mu).
inline double clipped_normal_mean(double mu, double sigma, double lo = 0.0,
                                  double hi = std::numeric_limits<double>::infinity()) {
  LOWP_CHECK(std::isfinite(mu) && std::isfinite(sigma) && sigma >= 0 && lo <= hi,
             "clipped_normal_mean: needs finite mu, sigma >= 0 and lo <= hi");
  if (sigma == 0) return std::min(std::max(mu, lo), hi);
  const double kInvSqrt2 = 0.70710678118654752440, kInvSqrt2Pi = 0.39894228040143267794;
  auto cdf = [&](double t) { return 0.5 * std::erfc(-t * kInvSqrt2); };
  auto pdf = [&](double t) { return std::isinf(t) ? 0.0 : kInvSqrt2Pi * std::exp(-0.5 * t * t); };
  const double al = (lo - mu) / sigma, be = (hi - mu) / sigma;
  const double lo_part = std::isinf(lo) ? 0.0 : lo * cdf(al);
  const double hi_part = std::isinf(hi) ? 0.0 : hi * (1.0 - cdf(be));
  return lo_part + hi_part + mu * (cdf(be) - cdf(al)) + sigma * (pdf(al) - pdf(be));
}

// b[o] -= sum (W_q - W)[o, ...] E[x]. quantized_weight: W_q in the layer's OIHW
// layout; input_mean: E[x] per input channel (in_c values).
inline void correct_bias(const FloatLayer& layer, const float* quantized_weight, const float* input_mean) {
  layer.check("correct_bias", true);
  LOWP_CHECK(quantized_weight && input_mean, "correct_bias: missing quantized weights or input means");
  // All shifts first: a NaN/Inf in W_q or E[x] is refused before any bias changes.
  std::vector<double> shift(static_cast<std::size_t>(layer.out_c), 0.0);
  for (std::ptrdiff_t o = 0; o < layer.out_c; ++o) {
    const std::ptrdiff_t first_input = (o / layer.group_out_c()) * layer.group_in_c();
    double& s = shift[static_cast<std::size_t>(o)];
    for (std::ptrdiff_t ci = 0; ci < layer.group_in_c(); ++ci)
      for (std::ptrdiff_t t = 0; t < layer.taps(); ++t) {
        const std::ptrdiff_t k = (o * layer.group_in_c() + ci) * layer.taps() + t;
        s += (double{quantized_weight[k]} - layer.weight[k]) * input_mean[first_input + ci];
      }
    LOWP_CHECK(std::isfinite(s), "correct_bias: the bias shift of output channel ", o,
               " is not finite (non-finite quantized weight or input mean)");
  }
  for (std::ptrdiff_t o = 0; o < layer.out_c; ++o) layer.bias[o] -= static_cast<float>(shift[static_cast<std::size_t>(o)]);
}

// The analytic E[x] of x = ReLU(z), z ~ N(beta, gamma^2), per channel.
inline std::vector<float> relu_input_means(const float* beta, const float* gamma, std::ptrdiff_t channels) {
  std::vector<float> m(static_cast<std::size_t>(channels));
  for (std::ptrdiff_t c = 0; c < channels; ++c)
    m[static_cast<std::size_t>(c)] = static_cast<float>(clipped_normal_mean(beta[c], std::fabs(gamma[c])));
  return m;
}

// Per-channel means of rows x channels data (NHWC flattened), for the empirical E[x].
inline std::vector<float> channel_means(const float* data, std::ptrdiff_t rows, std::ptrdiff_t channels) {
  LOWP_CHECK(data && rows > 0 && channels > 0, "channel_means: empty data");
  std::vector<double> sum(static_cast<std::size_t>(channels), 0.0);
  for (std::ptrdiff_t r = 0; r < rows; ++r)
    for (std::ptrdiff_t c = 0; c < channels; ++c) {
      LOWP_CHECK(std::isfinite(data[r * channels + c]), "channel_means: value at row ", r, " is not finite");
      sum[static_cast<std::size_t>(c)] += data[r * channels + c];
    }
  std::vector<float> m(sum.size());
  for (std::size_t c = 0; c < m.size(); ++c) m[c] = static_cast<float>(sum[c] / static_cast<double>(rows));
  return m;
}

}  // namespace lowp
