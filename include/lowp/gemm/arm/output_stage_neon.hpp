// lowp/gemm/arm/output_stage_neon.hpp: the fused GEMM epilogue (output_stage.hpp)
// vectorized with AArch64 NEON, bit-exact with apply_output_stage() for every
// accumulator, every policy and every output type.
//
// How each scalar policy maps onto instructions:
//   GemmlowpRounding  SQSHL (saturating_left_shift), SQRDMULH
//                     (saturating_rounding_doubling_high_mul, same saturation at
//                     INT32_MIN * INT32_MIN), then SRSHL by -right. SRSHL rounds
//                     ties toward +infinity; rounding_divide_by_pot rounds them away
//                     from zero, so negative inputs are first lowered by one when
//                     right > 0 (a tie x = (2j+1) 2^(e-1) moves just below the tie
//                     and rounds down; no non-tie crosses a rounding boundary).
//                     The decrement saturates at INT32_MIN, which is exact since
//                     INT32_MIN / 2^e is no tie.
//   SingleRounding    SMULL to the exact 64-bit product, SRSHL by -(31 - shift)
//                     (the ARM pseudocode adds the rounding constant in unbounded
//                     precision: exactly (prod + 2^(s-1)) >> s), SQXTN to int32.
//   FloatRounding     SCVTF (round to nearest, as static_cast<float>), FMUL, FCVTNS
//                     (round half to even, saturating to int32 like the scalar code).
// The output zero point is added with SQADD: if acc + zc leaves int32 it lies
// outside every 8/16-bit clamp range anyway, so saturating first then clamping
// equals the scalar int64 add-and-clamp.
#pragma once

#if !defined(__aarch64__)
#error "lowp/gemm/arm/output_stage_neon.hpp needs AArch64 NEON"
#endif

#include <arm_neon.h>

#include <cstdint>
#include <type_traits>

#include "lowp/fixedpoint/requantize.hpp"
#include "lowp/gemm/backend.hpp"

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
namespace arm {

// Output-stage parameters of four consecutive columns, in registers.
struct NeonChannelParams {
  int32x4_t multiplier;
  int32x4_t shift;  // TFLite convention: > 0 is a left shift
  float32x4_t real;
};

// Columns j..j+3 of a micro-tile (ColumnParams arrays are padded to the tile width).
inline NeonChannelParams load_channel_params(const ColumnParams& col, int j) {
  return {vld1q_s32(col.multiplier + j), vld1q_s32(col.shift + j), vld1q_f32(col.real + j)};
}

inline int32x4_t scale_neon(GemmlowpRounding, int32x4_t acc, const NeonChannelParams& p) {
  const int32x4_t zero = vdupq_n_s32(0);
  const int32x4_t left = vmaxq_s32(p.shift, zero);
  const int32x4_t minus_right = vminq_s32(p.shift, zero);
  const int32x4_t high = vqrdmulhq_s32(vqshlq_s32(acc, left), p.multiplier);
  // -1 exactly where high < 0 and right > 0: both sign bits set.
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(high, minus_right), 31);
  return vrshlq_s32(vqaddq_s32(high, fixup), minus_right);
}

inline int32x4_t scale_neon(SingleRounding, int32x4_t acc, const NeonChannelParams& p) {
  const int32x4_t minus_s = vsubq_s32(p.shift, vdupq_n_s32(31));
  const int64x2_t lo = vrshlq_s64(vmull_s32(vget_low_s32(acc), vget_low_s32(p.multiplier)),
                                  vmovl_s32(vget_low_s32(minus_s)));
  const int64x2_t hi = vrshlq_s64(vmull_high_s32(acc, p.multiplier), vmovl_high_s32(minus_s));
  return vqmovn_high_s64(vqmovn_s64(lo), hi);
}

inline int32x4_t scale_neon(FloatRounding, int32x4_t acc, const NeonChannelParams& p) {
  return vcvtnq_s32_f32(vmulq_f32(vcvtq_f32_s32(acc), p.real));
}

// Integer outputs: zero point and clamp bounds (already intersected with TC's range).
struct NeonClamp {
  int32x4_t zero_point, lo, hi;
  NeonClamp(std::int32_t zc, std::int32_t lo_, std::int32_t hi_)
      : zero_point(vdupq_n_s32(zc)), lo(vdupq_n_s32(lo_)), hi(vdupq_n_s32(hi_)) {}
};

// out(acc) for 4 columns, written to dst[0..3].
template <typename Policy, typename TC>
inline void output4(int32x4_t acc, const NeonChannelParams& p, const NeonClamp& clamp, TC* dst) {
  if constexpr (std::is_same<TC, std::int32_t>::value) {
    vst1q_s32(dst, acc);
  } else if constexpr (std::is_same<TC, float>::value) {
    vst1q_f32(dst, vmulq_f32(vcvtq_f32_s32(acc), p.real));
  } else {
    const int32x4_t v =
        vminq_s32(vmaxq_s32(vqaddq_s32(scale_neon(Policy{}, acc, p), clamp.zero_point), clamp.lo), clamp.hi);
    if constexpr (std::is_same<TC, std::int16_t>::value) {
      vst1_s16(dst, vmovn_s32(v));
    } else {
      // In range after the clamp, so plain narrowing is exact; write 4 bytes.
      const int16x4_t h = vmovn_s32(v);
      const int8x8_t b = vmovn_s16(vcombine_s16(h, h));
      vst1_lane_s32(reinterpret_cast<std::int32_t*>(static_cast<void*>(dst)), vreinterpret_s32_s8(b), 0);
    }
  }
}

}  // namespace arm
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
