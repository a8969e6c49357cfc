// lowp/ops/add.hpp: requantized elementwise addition of two int8/uint8 tensors
// with different scales (residual connections).
//
//   real:    y = s_a (a - z_a) + s_b (b - z_b),   q_y = clamp(round(y / s_y) + z_y)
//
// In integers (the scheme of TFLite's quantized ADD): both inputs are lifted to
// a common fine scale s = 2 max(s_a, s_b) / 2^20, i.e.
//   A = rescale((a - z_a) * 2^20, s_a / (2 max)),  B likewise,
//   q_y = clamp( rescale(A + B, 2 max / (2^20 s_y)) + z_y ).
// The factors s_a / (2 max) are <= 1/2, so A and B keep about 19 fractional
// bits of the sum, and |A + B| < 2^28 never overflows. Each rescale rounds once,
// so q_y is within 1 LSB of the ideally rounded result (tests/ops checks all
// 65536 input pairs).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "lowp/ops/rescale.hpp"
#include "lowp/quantize/params.hpp"

namespace lowp {

template <typename T>
struct AddParams {
  static_assert(std::is_same<T, std::int8_t>::value || std::is_same<T, std::uint8_t>::value,
                "quantized_add: codes must be int8 or uint8");
  static constexpr int kLeftShift = 20;
  std::int32_t a_zero_point = 0, b_zero_point = 0, output_zero_point = 0;
  RequantMultiplier a_multiplier, b_multiplier, output_multiplier;
  CodeRange<T> clamp;  // fused activation, in output codes

  AddParams(QuantParams a, QuantParams b, QuantParams out, CodeRange<T> clamp_codes = {})
      : a_zero_point(a.zero_point), b_zero_point(b.zero_point), output_zero_point(out.zero_point),
        clamp(clamp_codes) {
    LOWP_CHECK(a.scale > 0 && b.scale > 0 && out.scale > 0, "quantized_add: scales must be positive");
    detail::check_zero_point_fits<T>(a.zero_point, "quantized_add: a zero point");
    detail::check_zero_point_fits<T>(b.zero_point, "quantized_add: b zero point");
    detail::check_zero_point_fits<T>(out.zero_point, "quantized_add: output zero point");
    detail::check_code_range(clamp, "quantized_add");
    const double twice_max = 2.0 * std::max<double>(a.scale, b.scale);
    a_multiplier = rescale_multiplier(a.scale / twice_max);
    b_multiplier = rescale_multiplier(b.scale / twice_max);
    output_multiplier = rescale_multiplier(twice_max / (static_cast<double>(1 << kLeftShift) * out.scale));
  }
};

template <typename Policy, typename T>
T quantized_add(const AddParams<T>& p, T a, T b) {
  const std::int32_t sa = Policy::scale((static_cast<std::int32_t>(a) - p.a_zero_point) * (1 << AddParams<T>::kLeftShift),
                                        p.a_multiplier);
  const std::int32_t sb = Policy::scale((static_cast<std::int32_t>(b) - p.b_zero_point) * (1 << AddParams<T>::kLeftShift),
                                        p.b_multiplier);
  return rescale_to_code<Policy, T>(sa + sb, p.output_multiplier, p.output_zero_point, p.clamp);
}

template <typename Policy, typename T>
void quantized_add(const AddParams<T>& p, const T* a, const T* b, T* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = quantized_add<Policy>(p, a[i], b[i]);
}

}  // namespace lowp
