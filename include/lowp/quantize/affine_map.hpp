// lowp/quantize/affine_map.hpp: the affine map of one value, the definition every path reproduces.
//
//     quantize_value    q = clamp(zp + round(x * inv_scale), qmin, qmax),   NaN -> zp
//     dequantize_value  x = float(q - zp) * scale
//
// Quantizer's element members, its SIMD kernels' tails and calib::measure() all call these, so
// "what the quantizer computes" has exactly one spelling. The sum zp + round(...) is formed in
// double, where it is exact for every code width up to 32 bits: clamping the exact integer is
// what makes out-of-range values (and +-Inf) saturate instead of wrapping, even for int32 codes.
// q - zp is formed in 64 bits for the same reason and rounded to float32 once.
#pragma once

#include <cmath>
#include <cstdint>

#include "lowp/quantize/params.hpp"
#include "lowp/quantize/rounding.hpp"

namespace lowp {

// zp + round(x * inv_scale) before clamping (NaN for NaN x, +-Inf for +-Inf x). `index` is the
// element's logical position, used by stochastic rounding only.
template <typename Rounding = NearestEven>
double unclamped_code(float x, float inv_scale, std::int32_t zero_point, const Rounding& round = {},
                      std::uint64_t index = 0) {
  return static_cast<double>(round(x * inv_scale, index)) + zero_point;
}

template <typename Rounding = NearestEven>
std::int32_t quantize_value(float x, float inv_scale, std::int32_t zero_point, QuantRange range,
                            const Rounding& round = {}, std::uint64_t index = 0) {
  if (std::isnan(x)) return zero_point;
  const double q = unclamped_code(x, inv_scale, zero_point, round, index);
  return static_cast<std::int32_t>(q < range.qmin ? range.qmin : q > range.qmax ? range.qmax : q);
}

inline float dequantize_value(std::int32_t q, float scale, std::int32_t zero_point) {
  return static_cast<float>(static_cast<std::int64_t>(q) - zero_point) * scale;
}

}  // namespace lowp
