// lowp/transforms/batchnorm_fold.hpp: folding an inference-mode BatchNorm into
// the Conv2d or Linear layer before it.
//
//   BN(y) = gamma (y - mean) / sqrt(var + eps) + beta,   y = W x + b
//   => W' = W * f,  b' = (b - mean) * f + beta,   f = gamma / sqrt(var + eps),
// per output channel. Same float32 arithmetic as PyTorch's fuse_conv_bn_eval /
// fuse_linear_bn_eval (tests/transforms compares against them).
//
// Only the position of the output channel in the weight array matters:
//   OIHW (PyTorch Conv2d, Linear, any groups, depthwise): first axis;
//   HWIO (TensorFlow; also HWO depthwise with channel multiplier, where the
//        output channel c * multiplier + m is the flattened last two axes): last axis.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "lowp/core/error.hpp"

namespace lowp {

enum class WeightLayout { OIHW, HWIO };

struct BatchNormParams {
  const float* gamma = nullptr;  // weight
  const float* beta = nullptr;   // bias
  const float* mean = nullptr;   // running mean
  const float* var = nullptr;    // running variance
  float eps = 1e-5f;
};

// weights: weight_count floats in `layout`, out_c output channels; bias: out_c
// floats (pass zeros if the layer had none), overwritten with the folded bias.
inline void fold_batchnorm(float* weights, std::ptrdiff_t weight_count, WeightLayout layout, float* bias,
                           std::ptrdiff_t out_c, const BatchNormParams& bn) {
  LOWP_CHECK(weights && bias && out_c > 0 && weight_count > 0 && weight_count % out_c == 0,
             "fold_batchnorm: ", weight_count, " weights do not split into ", out_c, " output channels");
  LOWP_CHECK(bn.gamma && bn.beta && bn.mean && bn.var, "fold_batchnorm: missing batch-norm parameters");
  LOWP_CHECK(std::isfinite(bn.eps) && bn.eps >= 0, "fold_batchnorm: eps ", bn.eps, " is invalid");
  std::vector<float> factor(static_cast<std::size_t>(out_c)), folded_bias(static_cast<std::size_t>(out_c));
  for (std::ptrdiff_t c = 0; c < out_c; ++c) {
    LOWP_CHECK(bn.var[c] >= 0 && bn.var[c] + bn.eps > 0 && std::isfinite(bn.var[c]), "fold_batchnorm: variance ",
               bn.var[c], " of channel ", c, " is negative, non-finite, or zero with eps = 0");
    LOWP_CHECK(std::isfinite(bn.gamma[c]) && std::isfinite(bn.beta[c]) && std::isfinite(bn.mean[c]) &&
                   std::isfinite(bias[c]),
               "fold_batchnorm: gamma, beta, mean or bias of channel ", c, " is not finite");
    const float inv_std = 1.0f / std::sqrt(bn.var[c] + bn.eps);
    factor[static_cast<std::size_t>(c)] = bn.gamma[c] * inv_std;
    folded_bias[static_cast<std::size_t>(c)] = (bias[c] - bn.mean[c]) * inv_std * bn.gamma[c] + bn.beta[c];
    // A tiny var + eps (a denormal variance with eps = 0) and a large gamma can overflow float.
    LOWP_CHECK(std::isfinite(factor[static_cast<std::size_t>(c)]) && std::isfinite(folded_bias[static_cast<std::size_t>(c)]),
               "fold_batchnorm: channel ", c, " folds to a non-finite scale or bias (gamma ", bn.gamma[c],
               " / sqrt(var ", bn.var[c], " + eps ", bn.eps, "))");
  }
  const std::ptrdiff_t per_channel = weight_count / out_c;
  auto channel_of = [&](std::ptrdiff_t i) {
    return static_cast<std::size_t>(layout == WeightLayout::OIHW ? i / per_channel : i % out_c);
  };
  for (std::ptrdiff_t i = 0; i < weight_count; ++i)
    LOWP_CHECK(std::isfinite(weights[i] * factor[channel_of(i)]), "fold_batchnorm: weight ", i, " (", weights[i],
               ") of channel ", channel_of(i), " folds to a non-finite value");
  // Everything was checked first, so that a bad channel leaves weights and bias untouched.
  for (std::ptrdiff_t c = 0; c < out_c; ++c) bias[c] = folded_bias[static_cast<std::size_t>(c)];
  for (std::ptrdiff_t i = 0; i < weight_count; ++i) weights[i] *= factor[channel_of(i)];
}

}  // namespace lowp
