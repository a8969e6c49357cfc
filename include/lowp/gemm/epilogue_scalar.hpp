// lowp/gemm/epilogue_scalar.hpp: the fused output stage for one accumulator, from the
// per-column parameters a micro-kernel receives. Identical to apply_output_stage()
// (output_stage.hpp); the scalar backend and SIMD tails use it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "lowp/fixedpoint/requantize.hpp"
#include "lowp/gemm/backend.hpp"

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
namespace gemm_detail {

// Wrapping int32 arithmetic (the exact result is recovered mod 2^32).
inline std::int32_t wrap_add(std::int32_t a, std::int32_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}
inline std::int32_t wrap_sub(std::int32_t a, std::int32_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) - static_cast<std::uint32_t>(b));
}
inline std::int32_t wrap_mul(std::int32_t a, std::int32_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) * static_cast<std::uint32_t>(b));
}

// The vector epilogues add the output zero point in int32 lanes, with one clamp:
// clamp(scaled + zc, lo, hi) (in int64, output_scalar) equals
// clamp(scaled, lo - zc, hi - zc) + zc, and the latter never leaves int32 once lo - zc and
// hi - zc are clamped to int32. When the whole int32 range lies below lo - zc (or above
// hi - zc) every output is lo (hi): the bounds then become [lo, lo] ([hi, hi]) with zc = 0.
struct ShiftedClamp {
  std::int32_t lo, hi, zc;  // output = clamp(scaled, lo, hi) + zc
  // Both bounds are integers a float holds exactly (|bound| <= 2^24): FloatRounding's SIMD
  // epilogues may then clamp in float, before the conversion.
  bool exact_in_float() const {
    constexpr std::int32_t exact = std::int32_t{1} << 24;
    return lo >= -exact && lo <= exact && hi >= -exact && hi <= exact;
  }
};
inline ShiftedClamp shifted_clamp(std::int32_t zc, std::int32_t lo, std::int32_t hi) {
  const std::int64_t l = std::int64_t{lo} - zc, h = std::int64_t{hi} - zc;
  if (l > INT32_MAX) return {lo, lo, 0};
  if (h < INT32_MIN) return {hi, hi, 0};
  return {static_cast<std::int32_t>(std::max<std::int64_t>(l, INT32_MIN)),
          static_cast<std::int32_t>(std::min<std::int64_t>(h, INT32_MAX)), zc};
}

// acc: the corrected accumulator of column j of the tile.
template <typename Policy, typename TC>
inline TC output_scalar(std::int32_t acc, const ColumnParams& col, int j, std::int32_t zc, std::int32_t lo,
                        std::int32_t hi) {
  if constexpr (std::is_same<TC, std::int32_t>::value) {
    return acc;
  } else if constexpr (std::is_same<TC, float>::value) {
    return static_cast<float>(acc) * col.real[j];
  } else {
    const std::int64_t v =
        static_cast<std::int64_t>(Policy::scale(acc, RequantMultiplier{col.multiplier[j], col.shift[j], col.real[j]})) + zc;
    return static_cast<TC>(std::min<std::int64_t>(std::max<std::int64_t>(v, lo), hi));
  }
}

}  // namespace gemm_detail
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
