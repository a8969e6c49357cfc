// lowp/ops/depthwise_conv2d.hpp: quantized depthwise convolution, NHWC.
//
// groups == in_c and out_c = in_c * multiplier: output channel co reads input
// channel co / multiplier only. Result: exactly reference_conv2d() with the
// same geometry. K = kernel_h * kernel_w is tiny, so a GEMM would waste its
// tiles; this kernel instead keeps one int32 accumulator per output channel for
// the current pixel and adds one tap at a time across all channels, a loop
// over contiguous channels that compilers vectorize. Weights are HWO
// (kernel_h x kernel_w x out_c, TFLite's depthwise layout), pre-centred once
// per call (w - zw[co] in int32) so the inner loop is a plain multiply-add.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "lowp/core/channel_values.hpp"
#include "lowp/gemm/output_stage.hpp"
#include "lowp/gemm/reference.hpp"
#include "lowp/ops/conv_geometry.hpp"

namespace lowp {

template <typename Policy, typename TX, typename TW, typename TY>
void depthwise_conv2d(const Conv2dGeometry& g, const TX* input, std::int32_t input_zero_point,
                      const TW* weights_hwo, const ChannelValues<std::int32_t>& weight_zero_points,
                      const OutputStage& out, TY* output) {
  static_assert(is_gemm_input<TX>::value && is_gemm_input<TW>::value,
                "depthwise_conv2d: input and weights must be int8 or uint8");
  g.check("depthwise_conv2d");
  LOWP_CHECK(g.is_depthwise(), "depthwise_conv2d: needs groups == in_c (", g.groups, " vs ", g.in_c,
             ") and out_c a multiple of in_c (", g.out_c, ")");
  const auto channels = static_cast<std::size_t>(g.out_c);
  check_scalar_output_stage<TX>(input_zero_point, out, channels, "depthwise_conv2d");
  weight_zero_points.check_channels(channels, "depthwise_conv2d: weight zero point");
  for (std::size_t c = 0; c < weight_zero_points.size(); ++c)
    detail::check_zero_point_fits<TW>(weight_zero_points[c], "depthwise_conv2d: weight zero point");
  std::int64_t max_bias = 0;
  if (out.bias)
    for (std::size_t c = 0; c < channels; ++c) max_bias = std::max<std::int64_t>(max_bias, std::llabs(out.bias[c]));
  const std::int64_t max_taps = gemm_max_k<TX, TW>(input_zero_point, weight_zero_points, channels, max_bias);
  LOWP_CHECK(g.kernel_h * g.kernel_w <= max_taps,
             "depthwise_conv2d: a ", g.kernel_h, "x", g.kernel_w, " kernel could overflow the int32 accumulator");

  const std::ptrdiff_t taps = g.kernel_h * g.kernel_w, mult = g.out_c / g.in_c;
  std::vector<std::int32_t> centred(static_cast<std::size_t>(taps * g.out_c));
  for (std::ptrdiff_t t = 0; t < taps; ++t)
    for (std::ptrdiff_t c = 0; c < g.out_c; ++c)
      centred[t * g.out_c + c] = static_cast<std::int32_t>(weights_hwo[t * g.out_c + c]) -
                                 weight_zero_points[static_cast<std::size_t>(c)];
  std::vector<std::int32_t> acc(channels);
  const std::ptrdiff_t oh = g.out_h(), ow = g.out_w();
  for (std::ptrdiff_t b = 0; b < g.batch; ++b)
    for (std::ptrdiff_t oy = 0; oy < oh; ++oy)
      for (std::ptrdiff_t ox = 0; ox < ow; ++ox) {
        for (std::size_t c = 0; c < channels; ++c) acc[c] = out.bias ? out.bias[c] : 0;
        for (std::ptrdiff_t ky = 0; ky < g.kernel_h; ++ky) {
          const std::ptrdiff_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
          if (iy < 0 || iy >= g.in_h) continue;
          for (std::ptrdiff_t kx = 0; kx < g.kernel_w; ++kx) {
            const std::ptrdiff_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
            if (ix < 0 || ix >= g.in_w) continue;
            const TX* px = input + ((b * g.in_h + iy) * g.in_w + ix) * g.in_c;
            const std::int32_t* pw = centred.data() + (ky * g.kernel_w + kx) * g.out_c;
            std::int32_t* pa = acc.data();
            if (mult == 1) {
              for (std::ptrdiff_t c = 0; c < g.out_c; ++c)
                pa[c] += (static_cast<std::int32_t>(px[c]) - input_zero_point) * pw[c];
            } else {
              for (std::ptrdiff_t c = 0; c < g.out_c; ++c)
                pa[c] += (static_cast<std::int32_t>(px[c / mult]) - input_zero_point) * pw[c];
            }
          }
        }
        TY* py = output + ((b * oh + oy) * ow + ox) * g.out_c;
        for (std::size_t c = 0; c < channels; ++c) py[c] = apply_output_stage<Policy, TY>(acc[c], c, out);
      }
}

}  // namespace lowp
