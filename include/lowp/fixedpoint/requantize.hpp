// lowp/fixedpoint/requantize.hpp: the three requantization policies.
//
// An int32 accumulator `acc` (zero points already subtracted, bias added) is
// scaled by the real multiplier M = s_in * s_w / s_out and rounded to an integer.
// Each policy is a type with one static function
//
//     std::int32_t Policy::scale(std::int32_t acc, const RequantMultiplier& m)
//
// returning round(acc * M) saturated to int32 under that policy's rounding. The
// output stage then adds the output zero point and clamps (see output_stage.hpp).
// The policies differ only in rounding; docs/requantization.md tabulates inputs
// on which they disagree. These scalar functions are THE definition every SIMD
// epilogue must reproduce bit for bit.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "lowp/fixedpoint/fixedpoint.hpp"

namespace lowp {

// M represented two ways, so that one output pipeline serves every policy:
// integer policies use M ~= multiplier * 2^(shift - 31) with multiplier in
// [2^30, 2^31) (TFLite's convention: shift > 0 is a left shift), FloatRounding
// uses the float32 `real` directly.
struct RequantMultiplier {
  std::int32_t multiplier = 0;
  int shift = 0;
  float real = 0.0f;
};

// TFLite's classic MultiplyByQuantizedMultiplier and gemmlowp's
// OutputStageQuantizeDownInt32ByFixedPoint: saturating left shift (shift > 0),
// saturating rounding doubling high multiply, rounding right shift (shift < 0).
// Two roundings: the high multiply rounds ties toward +infinity, the right shift
// rounds ties away from zero. When M >= 1 and acc * 2^shift does not fit in
// int32 the shifted value saturates first; the result then still has magnitude
// >= 2^30, so every 8/16-bit output saturates exactly as the real product would.
struct GemmlowpRounding {
  static constexpr const char* name() { return "gemmlowp"; }
  static constexpr std::int32_t scale(std::int32_t acc, const RequantMultiplier& m) {
    const int left = m.shift > 0 ? m.shift : 0;
    const int right = m.shift > 0 ? 0 : -m.shift;
    return fixedpoint::rounding_divide_by_pot(
        fixedpoint::saturating_rounding_doubling_high_mul(fixedpoint::saturating_left_shift(acc, left),
                                                          m.multiplier),
        right);
  }
};

// One rounding of the exact 64-bit product: (acc * multiplier + 2^(s-1)) >> s
// with s = 31 - shift, i.e. round half toward +infinity. TFLite's
// TFLITE_SINGLE_ROUNDING and XNNPACK's "rndnu" requantization. Valid for
// shift in [-31, 30] (s in [1, 62]); quantize_multiplier keeps it there.
struct SingleRounding {
  static constexpr const char* name() { return "single"; }
  static constexpr std::int32_t scale(std::int32_t acc, const RequantMultiplier& m) {
    const int s = 31 - m.shift;
    const std::int64_t prod = static_cast<std::int64_t>(acc) * m.multiplier;  // |prod| < 2^62
    const std::int64_t rounded = (prod + (std::int64_t{1} << (s - 1))) >> s;
    if (rounded > std::numeric_limits<std::int32_t>::max()) return std::numeric_limits<std::int32_t>::max();
    if (rounded < std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::min();
    return static_cast<std::int32_t>(rounded);
  }
};

// float32 multiply, round half to even: XNNPACK's fp32 requantization and
// PyTorch/QNNPACK's. (float)acc is itself rounded when |acc| > 2^24; that is part
// of the definition. Saturates to int32 (NaN cannot arise from finite inputs).
struct FloatRounding {
  static constexpr const char* name() { return "float"; }
  static std::int32_t scale(std::int32_t acc, const RequantMultiplier& m) {
    const float v = static_cast<float>(acc) * m.real;
    // 2147483520 is the largest float below 2^31.
    if (v >= 2147483648.0f) return std::numeric_limits<std::int32_t>::max();
    if (v <= -2147483648.0f) return std::numeric_limits<std::int32_t>::min();
    return static_cast<std::int32_t>(std::nearbyint(v));  // default FE_TONEAREST: half to even
  }
};

// The three policies above, the only ones the SIMD epilogues implement.
template <typename P>
inline constexpr bool is_requantization_policy_v = std::is_same<P, GemmlowpRounding>::value ||
                                                   std::is_same<P, SingleRounding>::value ||
                                                   std::is_same<P, FloatRounding>::value;

}  // namespace lowp
