// Test helper: direct float Conv2d, NHWC activations, OIHW weights (FloatLayer).
#pragma once

#include <cstddef>
#include <vector>

#include "lowp/transforms/float_layer.hpp"

namespace lowp_test {

// 'same' padding (kernel / 2), stride 1; act applied per output channel: act(channel, value).
template <typename Act>
std::vector<float> conv_same(const lowp::FloatLayer& l, const std::vector<float>& x, std::ptrdiff_t batch,
                             std::ptrdiff_t h, std::ptrdiff_t w, Act act) {
  std::vector<float> y(static_cast<std::size_t>(batch * h * w * l.out_c));
  const std::ptrdiff_t ph = l.kernel_h / 2, pw = l.kernel_w / 2;
  for (std::ptrdiff_t b = 0; b < batch; ++b)
    for (std::ptrdiff_t oy = 0; oy < h; ++oy)
      for (std::ptrdiff_t ox = 0; ox < w; ++ox)
        for (std::ptrdiff_t o = 0; o < l.out_c; ++o) {
          const std::ptrdiff_t first = (o / l.group_out_c()) * l.group_in_c();
          double acc = l.bias ? l.bias[o] : 0.0f;
          for (std::ptrdiff_t ky = 0; ky < l.kernel_h; ++ky)
            for (std::ptrdiff_t kx = 0; kx < l.kernel_w; ++kx) {
              const std::ptrdiff_t iy = oy - ph + ky, ix = ox - pw + kx;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              for (std::ptrdiff_t ci = 0; ci < l.group_in_c(); ++ci)
                acc += double{l.weight[((o * l.group_in_c() + ci) * l.kernel_h + ky) * l.kernel_w + kx]} *
                       x[static_cast<std::size_t>(((b * h + iy) * w + ix) * l.in_c + first + ci)];
            }
          y[static_cast<std::size_t>(((b * h + oy) * w + ox) * l.out_c + o)] = act(o, static_cast<float>(acc));
        }
  return y;
}

inline float identity(std::ptrdiff_t, float v) { return v; }

}  // namespace lowp_test
