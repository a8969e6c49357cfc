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

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "lowp/fixedpoint/requantize.hpp"
#include "lowp/gemm/output_stage.hpp"
#include "lowp/gemm/params.hpp"

namespace lowp {
namespace arm {

// Per-column parameters of four consecutive columns, in registers.
struct NeonChannelParams {
  int32x4_t multiplier;
  int32x4_t shift;
  float32x4_t real;
};

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

// The output stage with per-tensor values broadcast once; per-channel values
// are loaded four columns at a time.
template <typename Policy, typename TC>
class NeonOutputStage {
  static_assert(is_gemm_output<TC>::value, "GEMM output must be int8, uint8, int16, int32 or float");

 public:
  explicit NeonOutputStage(const OutputStage& out)
      : out_(out),
        fixed_{vdupq_n_s32(per_tensor(out.multiplier)), vdupq_n_s32(per_tensor(out.shift)),
               vdupq_n_f32(per_tensor(out.real))},
        zero_point_(vdupq_n_s32(out.output_zero_point)),
        lo_(vdupq_n_s32(clamp_bound(out, false))),
        hi_(vdupq_n_s32(clamp_bound(out, true))) {}

  // Columns [n, n + 4) of one output row; acc already holds bias and zero-point terms.
  void store4(int32x4_t acc, std::size_t n, TC* dst) const {
    if constexpr (std::is_same<TC, std::int32_t>::value) {
      vst1q_s32(dst, acc);
    } else if constexpr (std::is_same<TC, float>::value) {
      const float32x4_t real = out_.real.per_channel() ? vld1q_f32(out_.real.data() + n) : fixed_.real;
      vst1q_f32(dst, vmulq_f32(vcvtq_f32_s32(acc), real));
    } else {
      const int32x4_t v = vminq_s32(
          vmaxq_s32(vqaddq_s32(scale_neon(Policy{}, acc, params(n)), zero_point_), lo_), hi_);
      if constexpr (std::is_same<TC, std::int16_t>::value) {
        vst1_s16(dst, vmovn_s32(v));
      } else {
        // In range after the clamp, so the narrowing is exact; write 4 bytes.
        const int16x4_t h = vmovn_s32(v);
        const int8x8_t b = vmovn_s16(vcombine_s16(h, h));
        vst1_lane_s32(reinterpret_cast<std::int32_t*>(static_cast<void*>(dst)), vreinterpret_s32_s8(b), 0);
      }
    }
  }

  // Columns [n, n + count) of one output row: acc[j] holds the accumulator of
  // column n + j. Whole quads in NEON, the rest through the scalar definition.
  void store_row(const std::int32_t* acc, std::size_t n, std::size_t count, TC* dst) const {
    std::size_t j = 0;
    for (; j + 4 <= count; j += 4) store4(vld1q_s32(acc + j), n + j, dst + j);
    for (; j < count; ++j) dst[j] = apply_output_stage<Policy, TC>(acc[j], n + j, out_);
  }

 private:
  static std::int32_t clamp_bound(const OutputStage& out, bool upper) {
    if constexpr (std::is_integral<TC>::value) {
      return upper ? output_hi<TC>(out) : output_lo<TC>(out);
    } else {
      return 0;  // float outputs are not clamped
    }
  }

  template <typename T>
  static T per_tensor(const ChannelValues<T>& v) {
    return v.per_channel() ? T{} : v[0];
  }

  NeonChannelParams params(std::size_t n) const {
    NeonChannelParams p = fixed_;
    if (out_.multiplier.per_channel()) p.multiplier = vld1q_s32(out_.multiplier.data() + n);
    if (out_.shift.per_channel()) p.shift = vld1q_s32(out_.shift.data() + n);
    if (out_.real.per_channel()) p.real = vld1q_f32(out_.real.data() + n);
    return p;
  }

  const OutputStage& out_;
  NeonChannelParams fixed_;
  int32x4_t zero_point_, lo_, hi_;
};

}  // namespace arm
}  // namespace lowp
