// lowp/gemm/output_stage.hpp: the scalar definition of the fused epilogue.
//
// Every backend's vectorized epilogue must return exactly apply_output_stage()
// for every accumulator; tails of SIMD kernels may simply call it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "lowp/gemm/params.hpp"

namespace lowp {

template <typename TC>
struct is_gemm_output
    : std::bool_constant<std::is_same<TC, std::int8_t>::value || std::is_same<TC, std::uint8_t>::value ||
                         std::is_same<TC, std::int16_t>::value || std::is_same<TC, std::int32_t>::value ||
                         std::is_same<TC, float>::value> {};

// The clamp bounds for output type TC: the user's clamp intersected with TC's range.
template <typename TC>
constexpr std::int32_t output_lo(const OutputStage& out) {
  return std::max<std::int32_t>(out.clamp_min, std::numeric_limits<TC>::min());
}
template <typename TC>
constexpr std::int32_t output_hi(const OutputStage& out) {
  return std::min<std::int32_t>(out.clamp_max, std::numeric_limits<TC>::max());
}

// acc: sum_k (a - za)(b - zb[n]) + bias[n], exact in int32. n: output column.
template <typename Policy, typename TC>
TC apply_output_stage(std::int32_t acc, std::size_t n, const OutputStage& out) {
  static_assert(is_gemm_output<TC>::value, "GEMM output must be int8, uint8, int16, int32 or float");
  static_assert(is_requantization_policy_v<Policy>,
                "the requantization Policy must be lowp::GemmlowpRounding, lowp::SingleRounding or lowp::FloatRounding");
  if constexpr (std::is_same<TC, std::int32_t>::value) {
    return acc;
  } else if constexpr (std::is_same<TC, float>::value) {
    return static_cast<float>(acc) * out.real[n];
  } else {
    const std::int64_t v = static_cast<std::int64_t>(Policy::scale(acc, out.multiplier_at(n))) +
                           out.output_zero_point;
    const std::int64_t lo = output_lo<TC>(out), hi = output_hi<TC>(out);
    return static_cast<TC>(std::min(std::max(v, lo), hi));
  }
}

}  // namespace lowp
