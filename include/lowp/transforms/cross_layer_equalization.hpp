// lowp/transforms/cross_layer_equalization.hpp: rescaling channels between two
// layers so that their per-channel weight ranges match (Nagel et al., "Data-Free
// Quantization Through Weight Equalization and Bias Correction", ICCV 2019).
//
// For layers y = W2 act(W1 x + b1) + b2 with act positively homogeneous
// (act(x / s) = act(x) / s for s > 0: ReLU, leaky ReLU, PReLU with its
// per-channel slopes), scaling output channel i of layer 1 by 1/s_i and input
// channel i of layer 2 by s_i leaves the function unchanged. With
//   r1_i = max |W1[i, ...]|,  r2_i = max |W2[:, i, ...]|,  s_i = sqrt(r1_i r2_i) / r2_i
// both ranges become sqrt(r1_i r2_i): per-tensor quantization of either layer
// then wastes no levels on one dominant channel. Not valid through ReLU6 or any
// activation with a fixed clip (the clip point would move).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "lowp/core/error.hpp"
#include "lowp/transforms/float_layer.hpp"

namespace lowp {

// Max |w| per output channel of `layer` and per input channel of `layer`.
inline std::vector<float> output_channel_ranges(const FloatLayer& layer) {
  std::vector<float> r(static_cast<std::size_t>(layer.out_c), 0.0f);
  for (std::ptrdiff_t o = 0; o < layer.out_c; ++o)
    for (std::ptrdiff_t k = 0; k < layer.fan_in(); ++k)
      r[static_cast<std::size_t>(o)] = std::max(r[static_cast<std::size_t>(o)], std::fabs(layer.weight[o * layer.fan_in() + k]));
  return r;
}
inline std::vector<float> input_channel_ranges(const FloatLayer& layer) {
  std::vector<float> r(static_cast<std::size_t>(layer.in_c), 0.0f);
  for (std::ptrdiff_t c = 0; c < layer.in_c; ++c)
    layer.for_each_weight_of_input(c, [&](std::ptrdiff_t, float& w) {
      r[static_cast<std::size_t>(c)] = std::max(r[static_cast<std::size_t>(c)], std::fabs(w));
    });
  return r;
}

// Equalizes the channels between `first` and `second` (first.out_c == second.in_c)
// in place; first.bias (if any) is scaled with its channel. Returns s: channel
// i of the intermediate activation is now (old value) / s_i, so statistics of it
// (e.g. BN beta, gamma used by absorb_bias) must be divided by s_i too.
// Channels where either range is 0 (dead) keep s_i = 1.
inline std::vector<float> equalize_pair(const FloatLayer& first, const FloatLayer& second) {
  first.check("equalize_pair (first)", false);
  second.check("equalize_pair (second)", false);
  LOWP_CHECK(first.out_c == second.in_c, "equalize_pair: first layer has ", first.out_c,
             " outputs but the second reads ", second.in_c, " channels");
  const std::vector<float> r1 = output_channel_ranges(first), r2 = input_channel_ranges(second);
  std::vector<float> s(r1.size(), 1.0f);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (r1[i] > 0 && r2[i] > 0) s[i] = static_cast<float>(std::sqrt(double{r1[i]} * r2[i]) / r2[i]);
    const auto c = static_cast<std::ptrdiff_t>(i);
    for (std::ptrdiff_t k = 0; k < first.fan_in(); ++k) first.weight[c * first.fan_in() + k] /= s[i];
    if (first.bias) first.bias[c] /= s[i];
    second.for_each_weight_of_input(c, [&](std::ptrdiff_t, float& w) { w *= s[i]; });
  }
  return s;
}

// Equalizes a chain of layers joined by positively homogeneous activations,
// sweeping the pairs until no scale moves by more than `tolerance` (or
// max_sweeps). Returns, per pair, the accumulated scales of its activation.
inline std::vector<std::vector<float>> equalize_chain(const std::vector<FloatLayer>& chain, int max_sweeps = 50,
                                                      float tolerance = 1e-4f) {
  LOWP_CHECK(chain.size() >= 2, "equalize_chain: needs at least two layers");
  std::vector<std::vector<float>> total;
  for (std::size_t p = 0; p + 1 < chain.size(); ++p) total.emplace_back(static_cast<std::size_t>(chain[p].out_c), 1.0f);
  for (int sweep = 0; sweep < max_sweeps; ++sweep) {
    float moved = 0.0f;
    for (std::size_t p = 0; p + 1 < chain.size(); ++p) {
      const std::vector<float> s = equalize_pair(chain[p], chain[p + 1]);
      for (std::size_t i = 0; i < s.size(); ++i) {
        total[p][i] *= s[i];
        moved = std::max(moved, std::fabs(s[i] - 1.0f));
      }
    }
    if (moved <= tolerance) break;
  }
  return total;
}

}  // namespace lowp
