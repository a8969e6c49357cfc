// lowp/ops/conv_reference.hpp: THE definition of the quantized convolution.
//
//   y[b, oy, ox, co] = out( sum_{ky, kx, ci} (x[b, iy, ix, g*Cg + ci] - zx) * (w[co, ky, kx, ci] - zw[co])
//                           + bias[co] )
//
// (geometry and index maps in conv_geometry.hpp; padding taps contribute 0; out()
// is the GEMM output stage of gemm/params.hpp, indexed by output channel co).
// A direct loop nest with an int64 sum, checked to fit int32: slow on purpose,
// the oracle that conv2d() and depthwise_conv2d() are tested against bit for bit.
#pragma once

#include <cstdint>
#include <limits>

#include "lowp/core/channel_values.hpp"
#include "lowp/core/error.hpp"
#include "lowp/gemm/output_stage.hpp"
#include "lowp/gemm/reference.hpp"
#include "lowp/ops/conv_geometry.hpp"

namespace lowp {

// weights: OHWI, out_c x kernel_h x kernel_w x (in_c / groups).
template <typename Policy, typename TX, typename TW, typename TY>
void reference_conv2d(const Conv2dGeometry& g, const TX* input, std::int32_t input_zero_point,
                      const TW* weights, const ChannelValues<std::int32_t>& weight_zero_points,
                      const OutputStage& out, TY* output) {
  static_assert(is_gemm_input<TX>::value && is_gemm_input<TW>::value,
                "conv2d: input and weights must be int8 or uint8");
  g.check("reference_conv2d");
  weight_zero_points.check_channels(static_cast<std::size_t>(g.out_c), "reference_conv2d: weight zero point");
  // The same parameter checks as conv2d() and depthwise_conv2d(): the oracle accepts exactly their inputs.
  check_scalar_output_stage<TX>(input_zero_point, out, static_cast<std::size_t>(g.out_c), "reference_conv2d");
  for (std::size_t c = 0; c < weight_zero_points.size(); ++c)
    detail::check_zero_point_fits<TW>(weight_zero_points[c], "reference_conv2d: weight zero point");
  const std::ptrdiff_t oh = g.out_h(), ow = g.out_w(), cg = g.group_in_c(), ng = g.group_out_c();
  for (std::ptrdiff_t b = 0; b < g.batch; ++b)
    for (std::ptrdiff_t oy = 0; oy < oh; ++oy)
      for (std::ptrdiff_t ox = 0; ox < ow; ++ox)
        for (std::ptrdiff_t co = 0; co < g.out_c; ++co) {
          const std::ptrdiff_t group = co / ng;
          const std::int64_t zw = weight_zero_points[static_cast<std::size_t>(co)];
          std::int64_t acc = out.bias ? out.bias[co] : 0;
          for (std::ptrdiff_t ky = 0; ky < g.kernel_h; ++ky)
            for (std::ptrdiff_t kx = 0; kx < g.kernel_w; ++kx) {
              const std::ptrdiff_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
              const std::ptrdiff_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
              if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
              const TX* px = input + ((b * g.in_h + iy) * g.in_w + ix) * g.in_c + group * cg;
              const TW* pw = weights + ((co * g.kernel_h + ky) * g.kernel_w + kx) * cg;
              for (std::ptrdiff_t ci = 0; ci < cg; ++ci)
                acc += (static_cast<std::int64_t>(px[ci]) - input_zero_point) * (static_cast<std::int64_t>(pw[ci]) - zw);
            }
          LOWP_CHECK(acc >= std::numeric_limits<std::int32_t>::min() && acc <= std::numeric_limits<std::int32_t>::max(),
                     "reference_conv2d: accumulator ", acc, " overflows int32");
          output[((b * oh + oy) * ow + ox) * g.out_c + co] =
              apply_output_stage<Policy, TY>(static_cast<std::int32_t>(acc), static_cast<std::size_t>(co), out);
        }
}

}  // namespace lowp
