// lowp/ops/im2col.hpp: lowering a convolution to a GEMM.
//
// For one image and one group, row r = oy * out_w + ox of the patch matrix holds
// the receptive field of output pixel (oy, ox) in (ky, kx, ci) order, so that
// with OHWI weights every output channel co is the dot product of that row with
// the contiguous weight row w[co, :, :, :] (K = kernel_h * kernel_w * Cg).
// Padding taps are filled with `pad_value`: the input zero point for quantized
// data (real 0), 0 for float.
#pragma once

#include <algorithm>
#include <cstddef>

#include "lowp/ops/conv_geometry.hpp"

namespace lowp {

// image: one NHWC image (in_h x in_w x in_c); patches: out_h*out_w x depth(), row-major.
template <typename T>
void im2col(const Conv2dGeometry& g, const T* image, std::ptrdiff_t group, T pad_value, T* patches) {
  const std::ptrdiff_t oh = g.out_h(), ow = g.out_w(), cg = g.group_in_c();
  const T* src = image + group * cg;
  T* dst = patches;
  for (std::ptrdiff_t oy = 0; oy < oh; ++oy)
    for (std::ptrdiff_t ox = 0; ox < ow; ++ox)
      for (std::ptrdiff_t ky = 0; ky < g.kernel_h; ++ky) {
        const std::ptrdiff_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
        for (std::ptrdiff_t kx = 0; kx < g.kernel_w; ++kx, dst += cg) {
          const std::ptrdiff_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
          if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w)
            std::fill(dst, dst + cg, pad_value);
          else
            std::copy(src + (iy * g.in_w + ix) * g.in_c, src + (iy * g.in_w + ix) * g.in_c + cg, dst);
        }
      }
}

}  // namespace lowp
