// lowp/transforms/bias_absorption.hpp: moving part of a layer's bias through
// ReLU into the next layer (Nagel et al. 2019, section 4.1).
//
// After CLE, a channel with a large positive bias keeps the activation range
// wide. If the pre-activation x_i of channel i is (almost) always >= c_i >= 0,
// then ReLU(x_i) = ReLU(x_i - c_i) + c_i, and the constant c_i passes linearly
// into the next layer:  b2[o] += sum_taps W2[o, i, taps] * c_i.
// With the batch-norm statistics x_i ~ N(beta_i, gamma_i^2), c_i = max(0, beta_i - 3 |gamma_i|)
// holds for 99.87% of values. Exact for fully connected and 1x1 layers and for
// conv outputs away from the zero padding (the padding of layer 2 sees 0, not c_i).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "lowp/core/error.hpp"
#include "lowp/transforms/float_layer.hpp"

namespace lowp {

// beta, gamma: the BN parameters describing first's pre-activation output
// (divided by the CLE scales if CLE ran). Returns the absorbed c.
inline std::vector<float> absorb_bias(const FloatLayer& first, const FloatLayer& second, const float* beta,
                                      const float* gamma, float sigmas = 3.0f) {
  first.check("absorb_bias (first)", true);
  second.check("absorb_bias (second)", true);
  LOWP_CHECK(first.out_c == second.in_c, "absorb_bias: first layer has ", first.out_c,
             " outputs but the second reads ", second.in_c, " channels");
  LOWP_CHECK(beta && gamma && std::isfinite(sigmas) && sigmas >= 0, "absorb_bias: needs beta, gamma and finite sigmas >= 0");
  // max(0, NaN) is 0: a NaN statistic would silently absorb nothing, so refuse it up front.
  for (std::ptrdiff_t i = 0; i < first.out_c; ++i)
    LOWP_CHECK(std::isfinite(beta[i]) && std::isfinite(gamma[i]), "absorb_bias: beta or gamma of channel ", i,
               " is not finite");
  std::vector<float> c(static_cast<std::size_t>(first.out_c));
  for (std::ptrdiff_t i = 0; i < first.out_c; ++i) {
    const float ci = std::max(0.0f, beta[i] - sigmas * std::fabs(gamma[i]));
    c[static_cast<std::size_t>(i)] = ci;
    if (ci == 0.0f) continue;
    first.bias[i] -= ci;
    second.for_each_weight_of_input(i, [&](std::ptrdiff_t o, float& w) { second.bias[o] += w * ci; });
  }
  return c;
}

}  // namespace lowp
