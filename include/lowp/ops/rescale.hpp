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
#include "lowp/fixedpoint/quantize_multiplier.hpp"
#include "lowp/fixedpoint/requantize.hpp"

namespace lowp {

// M as the integer policies' multiplier and shift (quantize_multiplier) plus the
// float32 value FloatRounding uses.
inline RequantMultiplier rescale_multiplier(double real) {
  LOWP_CHECK(std::isfinite(real) && real > 0.0, "rescale_multiplier: factor ", real,
             " must be finite and positive");
  const QuantizedMultiplier q = quantize_multiplier(real);
  return {q.multiplier, q.shift, static_cast<float>(real)};
}

template <typename T>
struct CodeRange {
  std::int32_t lo = std::numeric_limits<T>::min();
  std::int32_t hi = std::numeric_limits<T>::max();
};

namespace detail {
// A zero point outside the code type is never meaningful, and the ops' int32 arithmetic
// (q - z, and add's (q - z) * 2^20) is only overflow-free for zero points inside it.
template <typename T>
void check_zero_point_fits(std::int32_t z, const char* what) {
  LOWP_CHECK(z >= std::numeric_limits<T>::min() && z <= std::numeric_limits<T>::max(), what, " ", z,
             " is outside the range of its integer type");
}

template <typename T>
void check_code_range(CodeRange<T> r, const char* what) {
  LOWP_CHECK(r.lo <= r.hi && r.lo >= std::numeric_limits<T>::min() && r.hi <= std::numeric_limits<T>::max(), what,
             ": clamp [", r.lo, ", ", r.hi, "] is empty or outside the range of its integer type");
}
}  // namespace detail

// clamp(Policy::scale(v, m) + zero_point, lo, hi) as a code of type T.
template <typename Policy, typename T>
T rescale_to_code(std::int32_t v, const RequantMultiplier& m, std::int32_t zero_point, CodeRange<T> range) {
  const std::int64_t r = static_cast<std::int64_t>(Policy::scale(v, m)) + zero_point;
  return static_cast<T>(std::min<std::int64_t>(std::max<std::int64_t>(r, range.lo), range.hi));
}

}  // namespace lowp
