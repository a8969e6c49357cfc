// lowp/ops/rescale.hpp: moving an integer code from one scale to another.
//
// The elementwise ops (add, concat, leaky ReLU) all compute
//     q_out = clamp( round(M * v) + z_out, lo, hi )
// for an int32 value v already centred on its zero point and a positive real
// factor M (a ratio of scales). M is held as a RequantMultiplier and rounded by
// the chosen policy, exactly as the GEMM output stage does.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "lowp/core/error.hpp"
#include "lowp/fixedpoint/requantize.hpp"

namespace lowp {

// M = multiplier * 2^(shift - 31) with multiplier in [2^30, 2^31), shift in
// [-31, 30] (the range SingleRounding supports), i.e. M in [2^-32, 2^30);
// factors outside it are refused rather than silently flushed to 0.
inline RequantMultiplier rescale_multiplier(double real) {
  LOWP_CHECK(std::isfinite(real) && real > 0.0, "rescale_multiplier: factor ", real,
             " must be finite and positive");
  int exponent = 0;
  const double mantissa = std::frexp(real, &exponent);  // real = mantissa * 2^exponent, mantissa in [0.5, 1)
  std::int64_t q = std::llround(mantissa * 2147483648.0);
  if (q == (std::int64_t{1} << 31)) {  // mantissa rounded up to 1.0
    q /= 2;
    ++exponent;
  }
  LOWP_CHECK(exponent >= -31 && exponent <= 30, "rescale_multiplier: factor ", real,
             " is outside the representable range [2^-32, 2^30)");
  return {static_cast<std::int32_t>(q), exponent, static_cast<float>(real)};
}

template <typename T>
struct CodeRange {
  std::int32_t lo = std::numeric_limits<T>::min();
  std::int32_t hi = std::numeric_limits<T>::max();
};

// clamp(Policy::scale(v, m) + zero_point, lo, hi) as a code of type T.
template <typename Policy, typename T>
T rescale_to_code(std::int32_t v, const RequantMultiplier& m, std::int32_t zero_point, CodeRange<T> range) {
  const std::int64_t r = static_cast<std::int64_t>(Policy::scale(v, m)) + zero_point;
  return static_cast<T>(std::min<std::int64_t>(std::max<std::int64_t>(r, range.lo), range.hi));
}

}  // namespace lowp
