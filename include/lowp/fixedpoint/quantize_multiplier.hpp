// lowp/fixedpoint/quantize_multiplier.hpp: a real multiplier M > 0 as a Q0.31
// mantissa and a power-of-two exponent, TFLite's QuantizeMultiplier convention.
//
//     M ~= multiplier * 2^(shift - 31),   multiplier in [2^30, 2^31)
//
// Derivation: frexp gives M = q * 2^shift with q in [0.5, 1); the mantissa is
// round(q * 2^31) with ties away from zero (std::round, as TfLiteRound). The
// rounding can reach 2^31 (q within 2^-32 of 1): then the mantissa is halved to
// 2^30 and the exponent incremented, so multiplier always fits in int32.
//
// Limits (what the integer policies of requantize.hpp can execute):
//   M == 0 (or -0)                        -> {0, 0}
//   M < 2^-32 (shift would be < -31)      -> {0, 0}: every |acc| < 2^31 scales
//                                            to 0 under each policy anyway
//   2^-32 <= M < 2^30 (after rounding)    -> shift in [-31, 30], exact convention
//   M >= 2^30 (shift would be 31)         -> lowp::error (TFLite's single-rounding
//                                            build silently saturates instead)
//   M < 0, NaN, +-infinity                -> lowp::error
// The relative error of the representation is <= 2^-31 (half an ulp of a
// 31-bit mantissa), far below the one-LSB rounding of the result.
#pragma once

#include <cmath>
#include <cstdint>

#include "lowp/core/error.hpp"

namespace lowp {

struct QuantizedMultiplier {
  std::int32_t multiplier = 0;  // Q0.31 mantissa in [2^30, 2^31), or 0
  int shift = 0;                // > 0: left shift; in [-31, 30]
};

inline QuantizedMultiplier quantize_multiplier(double real) {
  LOWP_CHECK(!std::isnan(real), "quantize_multiplier: multiplier is NaN");
  LOWP_CHECK(std::isfinite(real), "quantize_multiplier: multiplier ", real, " is infinite");
  LOWP_CHECK(real >= 0.0, "quantize_multiplier: multiplier ", real,
             " is negative (requantization scales are positive)");
  if (real == 0.0) return {};
  int shift = 0;
  const double q = std::frexp(real, &shift);  // real = q * 2^shift, q in [0.5, 1)
  std::int64_t mantissa = static_cast<std::int64_t>(std::round(q * 2147483648.0));
  if (mantissa == (std::int64_t{1} << 31)) {  // q rounded up to 1.0: renormalize
    mantissa /= 2;
    ++shift;
  }
  if (shift < -31) return {};  // below 2^-32: the product rounds to 0 for every int32 input
  LOWP_CHECK(shift <= 30, "quantize_multiplier: multiplier ", real,
             " >= 2^30 cannot be represented with a shift <= 30");
  return {static_cast<std::int32_t>(mantissa), shift};
}

}  // namespace lowp
