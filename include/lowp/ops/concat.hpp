// lowp/ops/concat.hpp: channel concatenation of quantized NHWC tensors, each
// input requantized to the output's parameters.
//
//   q_out = clamp( round((s_i / s_out) (q_i - z_i)) + z_out )
//
// An input whose parameters equal the output's is copied unchanged (the
// common case when the graph shares one scale across the concat).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "lowp/core/error.hpp"
#include "lowp/ops/rescale.hpp"
#include "lowp/quantize/params.hpp"

namespace lowp {

template <typename T>
struct ConcatInput {
  const T* data = nullptr;    // pixels x channels, row-major (NHWC flattened)
  std::ptrdiff_t channels = 0;
  QuantParams params;
};

// pixels: batch * height * width, shared by every input.
template <typename Policy, typename T>
void concat_channels(std::ptrdiff_t pixels, const std::vector<ConcatInput<T>>& inputs, QuantParams out_params,
                     T* output) {
  LOWP_CHECK(pixels >= 0 && !inputs.empty(), "concat_channels: nothing to concatenate");
  LOWP_CHECK(out_params.scale > 0, "concat_channels: output scale must be positive");
  detail::check_zero_point_fits<T>(out_params.zero_point, "concat_channels: output zero point");
  std::ptrdiff_t out_c = 0;
  for (const auto& in : inputs) {
    LOWP_CHECK(in.data && in.channels > 0 && in.params.scale > 0, "concat_channels: empty input or non-positive scale");
    detail::check_zero_point_fits<T>(in.params.zero_point, "concat_channels: input zero point");
    out_c += in.channels;
  }
  std::ptrdiff_t offset = 0;
  for (const auto& in : inputs) {
    const bool same = in.params.scale == out_params.scale && in.params.zero_point == out_params.zero_point;
    const RequantMultiplier m = same ? RequantMultiplier{} : rescale_multiplier(double{in.params.scale} / out_params.scale);
    for (std::ptrdiff_t p = 0; p < pixels; ++p) {
      const T* src = in.data + p * in.channels;
      T* dst = output + p * out_c + offset;
      if (same) {
        std::copy(src, src + in.channels, dst);
      } else {
        for (std::ptrdiff_t c = 0; c < in.channels; ++c)
          dst[c] = rescale_to_code<Policy, T>(static_cast<std::int32_t>(src[c]) - in.params.zero_point, m,
                                              out_params.zero_point, CodeRange<T>{});
      }
    }
    offset += in.channels;
  }
}

}  // namespace lowp
