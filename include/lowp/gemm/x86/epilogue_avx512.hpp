// lowp/gemm/x86/epilogue_avx512.hpp: the output stage on 16 int32 lanes (AVX-512F/BW).
//
// Each function is the lane-wise transcription of its scalar definition
// (fixedpoint.hpp, requantize.hpp, output_stage.hpp) and returns exactly the same
// bits; 64-bit intermediates are formed with VPMULDQ on even and odd lanes.
#pragma once

#include "lowp/gemm/isa_namespace.hpp"

#if LOWP_ISA_TAG_AVX512VNNI

#include <immintrin.h>

#include <cstdint>
#include <type_traits>

#include "lowp/fixedpoint/requantize.hpp"
#include "lowp/core/diagnostics.hpp"
#include "lowp/gemm/backend.hpp"
#include "lowp/gemm/epilogue_scalar.hpp"

LOWP_BEGIN_SIMD_CODE

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
namespace gemm_detail {
namespace avx512 {

// Per-column parameters of 16 consecutive columns.
struct Columns16 {
  __m512i multiplier, left, right;
  __m512 real;
};
inline Columns16 load_columns(const ColumnParams& col, int j) {
  return {_mm512_loadu_si512(col.multiplier + j), _mm512_loadu_si512(col.left_shift + j),
          _mm512_loadu_si512(col.right_shift + j), _mm512_loadu_ps(col.real + j)};
}

// Low 32 bits of the 64-bit lanes: even lanes from `even`, odd lanes from `odd`.
inline __m512i interleave_low32(__m512i even, __m512i odd) {
  return _mm512_mask_blend_epi32(__mmask16(0xAAAA), even, _mm512_slli_epi64(odd, 32));
}

// fixedpoint::saturating_left_shift, shift in [0, 30].
inline __m512i saturating_left_shift(__m512i x, __m512i shift) {
  const __m512i shifted = _mm512_sllv_epi32(x, shift);
  const __mmask16 overflow = _mm512_cmpneq_epi32_mask(_mm512_srav_epi32(shifted, shift), x);
  const __mmask16 negative = _mm512_cmplt_epi32_mask(x, _mm512_setzero_si512());
  const __m512i sat = _mm512_mask_blend_epi32(negative, _mm512_set1_epi32(INT32_MAX), _mm512_set1_epi32(INT32_MIN));
  return _mm512_mask_blend_epi32(overflow, shifted, sat);
}

// fixedpoint::saturating_rounding_doubling_high_mul: (x * m + 2^30) >> 31, saturated.
inline __m512i rounding_doubling_high_mul(__m512i x, __m512i m) {
  const __m512i nudge = _mm512_set1_epi64(std::int64_t{1} << 30);
  const __m512i even = _mm512_srai_epi64(_mm512_add_epi64(_mm512_mul_epi32(x, m), nudge), 31);
  const __m512i odd = _mm512_srai_epi64(
      _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(m, 32)), nudge), 31);
  const __m512i r = interleave_low32(even, odd);
  const __m512i min = _mm512_set1_epi32(INT32_MIN);
  const __mmask16 both_min = _mm512_cmpeq_epi32_mask(x, min) & _mm512_cmpeq_epi32_mask(m, min);
  return _mm512_mask_blend_epi32(both_min, r, _mm512_set1_epi32(INT32_MAX));
}

// fixedpoint::rounding_divide_by_pot, exponent in [0, 31]: ties away from zero.
inline __m512i rounding_divide_by_pot(__m512i x, __m512i exponent) {
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, exponent), one);
  const __m512i remainder = _mm512_and_si512(x, mask);
  const __mmask16 negative = _mm512_cmplt_epi32_mask(x, _mm512_setzero_si512());
  const __m512i threshold = _mm512_mask_add_epi32(_mm512_srli_epi32(mask, 1), negative, _mm512_srli_epi32(mask, 1), one);
  const __mmask16 up = _mm512_cmpgt_epi32_mask(remainder, threshold);
  const __m512i q = _mm512_srav_epi32(x, exponent);
  return _mm512_mask_add_epi32(q, up, q, one);
}

// SingleRounding on 64-bit lanes: (x * m + 2^(s-1)) >> s, s in [1, 62], saturated to int32.
inline __m512i single_round64(__m512i x, __m512i m, __m512i s) {
  const __m512i prod = _mm512_mul_epi32(x, m);
  const __m512i round = _mm512_sllv_epi64(_mm512_set1_epi64(1), _mm512_sub_epi64(s, _mm512_set1_epi64(1)));
  __m512i r = _mm512_srav_epi64(_mm512_add_epi64(prod, round), s);
  r = _mm512_min_epi64(_mm512_max_epi64(r, _mm512_set1_epi64(INT32_MIN)), _mm512_set1_epi64(INT32_MAX));
  return r;
}

template <typename Policy>
inline __m512i scale(__m512i acc, const Columns16& c) {
  if constexpr (std::is_same<Policy, GemmlowpRounding>::value) {
    return rounding_divide_by_pot(rounding_doubling_high_mul(saturating_left_shift(acc, c.left), c.multiplier),
                                  c.right);
  } else if constexpr (std::is_same<Policy, SingleRounding>::value) {
    const __m512i low = _mm512_set1_epi64(0xFFFFFFFFll);
    const __m512i even = single_round64(acc, c.multiplier, _mm512_and_si512(c.right, low));
    const __m512i odd = single_round64(_mm512_srli_epi64(acc, 32), _mm512_srli_epi64(c.multiplier, 32),
                                       _mm512_srli_epi64(c.right, 32));
    return interleave_low32(even, odd);
  } else {
    static_assert(std::is_same<Policy, FloatRounding>::value, "unknown requantization policy");
    const __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), c.real);
    const __mmask16 too_big = _mm512_cmp_ps_mask(v, _mm512_set1_ps(2147483648.0f), _CMP_GE_OQ);
    // Out-of-range conversions give INT32_MIN, which is right for v <= -2^31.
    return _mm512_mask_blend_epi32(too_big, _mm512_cvtps_epi32(v), _mm512_set1_epi32(INT32_MAX));
  }
}

// The output code for 8/16-bit outputs, clamp(scaled + zc, lo, hi) as if in int64, done as
// clamp(scaled, lo - zc, hi - zc) + zc (shifted_clamp, epilogue_scalar.hpp): one clamp, no
// int32 overflow.
struct OutputBounds {
  __m512i lo, hi, zc;  // the shifted bounds
  __m512 lo_f, hi_f;   // the same as floats, exact when float_exact
  // |lo|, |hi| <= 2^24 (every zero point up to ~2^24 in magnitude): FloatRounding may clamp in
  // float, before the conversion (output_code).
  bool float_exact;
  OutputBounds(std::int32_t zc_, std::int32_t lo_, std::int32_t hi_) {
    const ShiftedClamp s = shifted_clamp(zc_, lo_, hi_);
    lo = _mm512_set1_epi32(s.lo);
    hi = _mm512_set1_epi32(s.hi);
    zc = _mm512_set1_epi32(s.zc);
    lo_f = _mm512_set1_ps(static_cast<float>(s.lo));
    hi_f = _mm512_set1_ps(static_cast<float>(s.hi));
    float_exact = s.exact_in_float();
  }
  __m512i apply(__m512i scaled) const { return _mm512_add_epi32(_mm512_min_epi32(_mm512_max_epi32(scaled, lo), hi), zc); }
};

// The 8/16-bit output codes of 16 corrected accumulators. ClampInFloat (FloatRounding with
// bounds.float_exact only): rounding to nearest is monotone and leaves the integers lo and
// hi in place, so clamping v = acc * real to [lo, hi] before the conversion gives
// clamp(scale(acc), lo, hi), the saturation of |v| >= 2^31 included: 6 instructions instead
// of 10 (cvt, mul, compare, cvt, blend, then the integer clamp and add).
template <typename Policy, bool ClampInFloat>
inline __m512i output_code(__m512i acc, const Columns16& c, const OutputBounds& bounds) {
  if constexpr (ClampInFloat) {
    static_assert(std::is_same<Policy, FloatRounding>::value, "ClampInFloat is FloatRounding's");
    const __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), c.real);
    const __m512 clamped = _mm512_min_ps(_mm512_max_ps(v, bounds.lo_f), bounds.hi_f);
    return _mm512_add_epi32(_mm512_cvtps_epi32(clamped), bounds.zc);
  } else {
    return bounds.apply(scale<Policy>(acc, c));
  }
}

// Applies the output stage to 16 corrected accumulators of columns j..j+15 and
// stores the first `valid` of them to dst (element stride `stride`).
template <typename Policy, typename TC, bool ClampInFloat = false>
inline void store_output(__m512i acc, const Columns16& c, const OutputBounds& bounds, TC* dst,
                         std::ptrdiff_t stride, int valid) {
  const bool whole = stride == 1 && valid >= 16;  // plain stores (a masked VPMOVDB to memory is slow)
  const __mmask16 mask = valid >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << valid) - 1u);
  if constexpr (std::is_same<TC, float>::value) {
    const __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), c.real);
    if (stride == 1) {
      _mm512_mask_storeu_ps(dst, mask, v);
    } else {
      alignas(64) float tmp[16];
      _mm512_store_ps(tmp, v);
      for (int j = 0; j < valid && j < 16; ++j) dst[j * stride] = tmp[j];
    }
  } else {
    __m512i v = acc;
    if constexpr (!std::is_same<TC, std::int32_t>::value) v = output_code<Policy, ClampInFloat>(acc, c, bounds);
    if (whole) {
      if constexpr (sizeof(TC) == 1) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm512_cvtepi32_epi8(v));
      } else if constexpr (sizeof(TC) == 2) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), _mm512_cvtepi32_epi16(v));
      } else {
        _mm512_storeu_si512(dst, v);
      }
    } else if (stride == 1) {
      if constexpr (sizeof(TC) == 1) {
        _mm512_mask_cvtepi32_storeu_epi8(dst, mask, v);
      } else if constexpr (sizeof(TC) == 2) {
        _mm512_mask_cvtepi32_storeu_epi16(dst, mask, v);
      } else {
        _mm512_mask_storeu_epi32(dst, mask, v);
      }
    } else {
      alignas(64) std::int32_t tmp[16];
      _mm512_store_si512(tmp, v);
      for (int j = 0; j < valid && j < 16; ++j) dst[j * stride] = static_cast<TC>(tmp[j]);
    }
  }
}

}  // namespace avx512
}  // namespace gemm_detail
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp

LOWP_END_SIMD_CODE

#endif  // LOWP_ISA_TAG_AVX512VNNI
