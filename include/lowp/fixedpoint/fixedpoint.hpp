// lowp/fixedpoint/fixedpoint.hpp: the two integer primitives of fixed-point
// requantization, defined to be bit-exact with gemmlowp's fixedpoint.h
// (SaturatingRoundingDoublingHighMul and RoundingDivideByPOT), which is what
// TFLite's MultiplyByQuantizedMultiplier computes. On ARM the first is exactly
// SQRDMULH; the second is SRSHL (whose ties go toward +infinity) applied after
// a saturating add of -1 to negative x, the fix-up TFLite's NEON code uses.
//
// No signed overflow anywhere: the products are formed in int64 and the only
// case that does not fit (INT32_MIN * INT32_MIN) saturates explicitly.
#pragma once

#include <cstdint>
#include <limits>

#include "lowp/core/error.hpp"

namespace lowp {
namespace fixedpoint {

// floor((a * b + 2^30) / 2^31): a * b / 2^31 rounded to nearest, ties toward
// +infinity (gemmlowp's nudge-and-truncate is exactly this; so is ARM's SQRDMULH),
// saturated to int32. As Q0.31 numbers in [-1, 1) this is the Q0.31 product.
constexpr std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b) {
  if (a == b && a == std::numeric_limits<std::int32_t>::min()) {
    return std::numeric_limits<std::int32_t>::max();  // (-1) * (-1) = +1 is not representable
  }
  const std::int64_t ab = static_cast<std::int64_t>(a) * static_cast<std::int64_t>(b);
  const std::int64_t nudge = ab >= 0 ? (std::int64_t{1} << 30) : (1 - (std::int64_t{1} << 30));
  // gemmlowp's formulation (signed nudge, then division truncating toward zero);
  // it equals (ab + 2^30) >> 31. |ab + nudge| < 2^62, no overflow.
  return static_cast<std::int32_t>((ab + nudge) / (std::int64_t{1} << 31));
}

// round(x / 2^exponent), ties rounded away from zero, for exponent in [0, 31].
constexpr std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) {
  const std::int32_t mask = static_cast<std::int32_t>((std::int64_t{1} << exponent) - 1);
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * 2^exponent saturated to int32, for exponent in [0, 31]: the left shift of
// TFLite's MultiplyByQuantizedMultiplier made overflow-safe, as gemmlowp's
// SaturatingRoundingMultiplyByPOT and ARM's SQSHL define it.
constexpr std::int32_t saturating_left_shift(std::int32_t x, int exponent) {
  const std::int64_t v = static_cast<std::int64_t>(x) * (std::int64_t{1} << exponent);
  if (v > std::numeric_limits<std::int32_t>::max()) return std::numeric_limits<std::int32_t>::max();
  if (v < std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::min();
  return static_cast<std::int32_t>(v);
}

}  // namespace fixedpoint
}  // namespace lowp
