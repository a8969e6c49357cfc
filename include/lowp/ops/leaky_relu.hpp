// lowp/ops/leaky_relu.hpp: fixed-point leaky ReLU on quantized codes.
//
//   real:   y = x for x >= 0, alpha x otherwise
//   codes:  v = q - z_in,  q_out = clamp( round(M_pos v) + z_out )   for v >= 0
//                          q_out = clamp( round(M_neg v) + z_out )   for v <  0
// with M_pos = s_in / s_out and M_neg = alpha s_in / s_out as integer
// multiplier + shift (RequantMultiplier), so no float at run time. Each branch
// rounds once: the result is within 1 LSB of the ideally rounded one (the tests
// check all 256 inputs). alpha must be positive (alpha = 0 is plain ReLU: use a clamp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "lowp/ops/rescale.hpp"
#include "lowp/quantize/params.hpp"

namespace lowp {

template <typename T>
struct LeakyReluParams {
  static_assert(std::is_same<T, std::int8_t>::value || std::is_same<T, std::uint8_t>::value,
                "leaky_relu: codes must be int8 or uint8");
  std::int32_t input_zero_point = 0, output_zero_point = 0;
  RequantMultiplier positive, negative;

  LeakyReluParams(double alpha, QuantParams in, QuantParams out)
      : input_zero_point(in.zero_point), output_zero_point(out.zero_point) {
    LOWP_CHECK(alpha > 0 && in.scale > 0 && out.scale > 0, "leaky_relu: alpha ", alpha,
               " and the scales must be positive");
    detail::check_zero_point_fits<T>(in.zero_point, "leaky_relu: input zero point");
    detail::check_zero_point_fits<T>(out.zero_point, "leaky_relu: output zero point");
    positive = rescale_multiplier(double{in.scale} / out.scale);
    negative = rescale_multiplier(alpha * in.scale / out.scale);
  }
};

template <typename Policy, typename T>
T leaky_relu(const LeakyReluParams<T>& p, T q) {
  const std::int32_t v = static_cast<std::int32_t>(q) - p.input_zero_point;
  return rescale_to_code<Policy, T>(v, v >= 0 ? p.positive : p.negative, p.output_zero_point, CodeRange<T>{});
}

template <typename Policy, typename T>
void leaky_relu(const LeakyReluParams<T>& p, const T* input, T* output, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) output[i] = leaky_relu<Policy>(p, input[i]);
}

}  // namespace lowp
