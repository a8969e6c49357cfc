// lowp/transforms/float_layer.hpp: the view of a float Conv2d / Linear layer that
// the model transforms edit in place.
//
// Weights in PyTorch's OIHW layout: out_c x (in_c / groups) x kernel_h x kernel_w;
// a Linear layer is out_c x in_c, i.e. kernel 1x1 and one group. Output channel o
// belongs to group o / (out_c / groups) and reads input channels
// [g * in_c / groups, (g + 1) * in_c / groups).
#pragma once

#include <cmath>
#include <cstddef>

#include "lowp/core/error.hpp"

namespace lowp {

struct FloatLayer {
  float* weight = nullptr;
  float* bias = nullptr;  // out_c values; required by transforms that move bias
  std::ptrdiff_t out_c = 0, in_c = 0, kernel_h = 1, kernel_w = 1, groups = 1;

  std::ptrdiff_t group_in_c() const { return in_c / groups; }
  std::ptrdiff_t group_out_c() const { return out_c / groups; }
  std::ptrdiff_t taps() const { return kernel_h * kernel_w; }
  // Weights feeding one output channel (contiguous in OIHW).
  std::ptrdiff_t fan_in() const { return group_in_c() * taps(); }
  std::ptrdiff_t weight_count() const { return out_c * fan_in(); }

  void check(const char* op, bool needs_bias) const {
    LOWP_CHECK(weight && out_c > 0 && in_c > 0 && kernel_h > 0 && kernel_w > 0, op, ": empty layer");
    LOWP_CHECK(groups > 0 && in_c % groups == 0 && out_c % groups == 0, op, ": ", groups,
               " groups do not divide in_c ", in_c, " and out_c ", out_c);
    LOWP_CHECK(!needs_bias || bias, op, ": the layer needs a bias array (zeros if it had none)");
    for (std::ptrdiff_t i = 0; i < weight_count(); ++i)
      LOWP_CHECK(std::isfinite(weight[i]), op, ": weight ", i, " is not finite");
  }

  // Calls f(o, w) for every weight w (by reference) that reads input channel c.
  template <typename F>
  void for_each_weight_of_input(std::ptrdiff_t c, F&& f) const {
    const std::ptrdiff_t g = c / group_in_c(), ci = c % group_in_c();
    for (std::ptrdiff_t o = g * group_out_c(); o < (g + 1) * group_out_c(); ++o)
      for (std::ptrdiff_t t = 0; t < taps(); ++t) f(o, weight[(o * group_in_c() + ci) * taps() + t]);
  }
};

}  // namespace lowp
