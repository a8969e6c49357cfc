// lowp/gemm/x86/epilogue_avx2.hpp: the output stage on 8 int32 lanes (AVX2).
//
// The same lane-wise transcriptions as epilogue_avx512.hpp, with AVX2's tools:
// compares and blends instead of mask registers, and the 64-bit arithmetic shift
// (missing before AVX-512) built from a logical shift and sign flips. Used by the
// Avx2 and AvxVnni backends.
#pragma once

#include "lowp/gemm/isa_namespace.hpp"

#if LOWP_ISA_TAG_AVX2

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
namespace avx2 {

struct Columns8 {
  __m256i multiplier, left, right;
  __m256 real;
};
inline Columns8 load_columns(const ColumnParams& col, int j) {
  return {_mm256_loadu_si256(reinterpret_cast<const __m256i*>(col.multiplier + j)),
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col.left_shift + j)),
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col.right_shift + j)), _mm256_loadu_ps(col.real + j)};
}

// Low 32 bits of the 64-bit lanes: even lanes from `even`, odd lanes from `odd`.
inline __m256i interleave_low32(__m256i even, __m256i odd) {
  return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

inline __m256i select(__m256i mask, __m256i if_false, __m256i if_true) {
  return _mm256_blendv_epi8(if_false, if_true, mask);
}

// fixedpoint::saturating_left_shift, shift in [0, 30].
inline __m256i saturating_left_shift(__m256i x, __m256i shift) {
  const __m256i shifted = _mm256_sllv_epi32(x, shift);
  const __m256i ok = _mm256_cmpeq_epi32(_mm256_srav_epi32(shifted, shift), x);
  const __m256i negative = _mm256_cmpgt_epi32(_mm256_setzero_si256(), x);
  const __m256i sat = select(negative, _mm256_set1_epi32(INT32_MAX), _mm256_set1_epi32(INT32_MIN));
  return select(ok, sat, shifted);
}

// fixedpoint::saturating_rounding_doubling_high_mul. The low 32 bits of a logical
// and an arithmetic 64-bit shift by 31 agree, and they are the whole result
// except for INT32_MIN * INT32_MIN, which saturates explicitly.
inline __m256i rounding_doubling_high_mul(__m256i x, __m256i m) {
  const __m256i nudge = _mm256_set1_epi64x(std::int64_t{1} << 30);
  const __m256i even = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(x, m), nudge), 31);
  const __m256i odd = _mm256_srli_epi64(
      _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(m, 32)), nudge), 31);
  const __m256i r = interleave_low32(even, odd);
  const __m256i min = _mm256_set1_epi32(INT32_MIN);
  const __m256i both_min = _mm256_and_si256(_mm256_cmpeq_epi32(x, min), _mm256_cmpeq_epi32(m, min));
  return select(both_min, r, _mm256_set1_epi32(INT32_MAX));
}

// fixedpoint::rounding_divide_by_pot, exponent in [0, 31].
inline __m256i rounding_divide_by_pot(__m256i x, __m256i exponent) {
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, exponent), one);
  const __m256i remainder = _mm256_and_si256(x, mask);
  const __m256i negative = _mm256_cmpgt_epi32(_mm256_setzero_si256(), x);  // -1 where x < 0
  const __m256i threshold = _mm256_sub_epi32(_mm256_srli_epi32(mask, 1), negative);
  const __m256i up = _mm256_cmpgt_epi32(remainder, threshold);  // -1 where rounding up
  return _mm256_sub_epi32(_mm256_srav_epi32(x, exponent), up);
}

// SingleRounding on 64-bit lanes: (x * m + 2^(s-1)) >> s (arithmetic), s in [1, 62],
// saturated to int32 (result in the 64-bit lanes).
inline __m256i single_round64(__m256i x, __m256i m, __m256i s) {
  const __m256i prod = _mm256_mul_epi32(x, m);
  const __m256i sum = _mm256_add_epi64(
      prod, _mm256_sllv_epi64(_mm256_set1_epi64x(1), _mm256_sub_epi64(s, _mm256_set1_epi64x(1))));
  const __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), sum);  // all ones where negative
  // Arithmetic shift = logical shift of the one's complement for negative values.
  const __m256i r = _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(sum, sign), s), sign);
  const __m256i lo = _mm256_set1_epi64x(INT32_MIN), hi = _mm256_set1_epi64x(INT32_MAX);
  const __m256i above = _mm256_cmpgt_epi64(r, hi), below = _mm256_cmpgt_epi64(lo, r);
  return select(below, select(above, r, hi), lo);
}

template <typename Policy>
inline __m256i scale(__m256i acc, const Columns8& c) {
  if constexpr (std::is_same<Policy, GemmlowpRounding>::value) {
    return rounding_divide_by_pot(rounding_doubling_high_mul(saturating_left_shift(acc, c.left), c.multiplier),
                                  c.right);
  } else if constexpr (std::is_same<Policy, SingleRounding>::value) {
    const __m256i low = _mm256_set1_epi64x(0xFFFFFFFFll);
    const __m256i even = single_round64(acc, c.multiplier, _mm256_and_si256(c.right, low));
    const __m256i odd = single_round64(_mm256_srli_epi64(acc, 32), _mm256_srli_epi64(c.multiplier, 32),
                                       _mm256_srli_epi64(c.right, 32));
    return interleave_low32(even, odd);
  } else {
    static_assert(std::is_same<Policy, FloatRounding>::value, "unknown requantization policy");
    const __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), c.real);
    const __m256i too_big = _mm256_castps_si256(_mm256_cmp_ps(v, _mm256_set1_ps(2147483648.0f), _CMP_GE_OQ));
    // Out-of-range conversions give INT32_MIN, which is right for v <= -2^31.
    return select(too_big, _mm256_cvtps_epi32(v), _mm256_set1_epi32(INT32_MAX));
  }
}

// The output code for 8/16-bit outputs, clamp(scaled + zc, lo, hi) as if in int64, done as
// clamp(scaled, lo - zc, hi - zc) + zc (shifted_clamp, epilogue_scalar.hpp), as in
// epilogue_avx512.hpp.
struct OutputBounds {
  __m256i lo, hi, zc;  // the shifted bounds
  __m256 lo_f, hi_f;   // the same as floats, exact when float_exact
  // |lo|, |hi| <= 2^24: FloatRounding may clamp in float, before the conversion (output_code).
  bool float_exact;
  OutputBounds(std::int32_t zc_, std::int32_t lo_, std::int32_t hi_) {
    const ShiftedClamp s = shifted_clamp(zc_, lo_, hi_);
    lo = _mm256_set1_epi32(s.lo);
    hi = _mm256_set1_epi32(s.hi);
    zc = _mm256_set1_epi32(s.zc);
    lo_f = _mm256_set1_ps(static_cast<float>(s.lo));
    hi_f = _mm256_set1_ps(static_cast<float>(s.hi));
    float_exact = s.exact_in_float();
  }
  __m256i apply(__m256i scaled) const { return _mm256_add_epi32(_mm256_min_epi32(_mm256_max_epi32(scaled, lo), hi), zc); }
};

// The 8/16-bit output codes of 8 corrected accumulators. ClampInFloat (FloatRounding with
// bounds.float_exact only): clamped in float before the conversion, equal to clamping after
// it (why: output_code in epilogue_avx512.hpp).
template <typename Policy, bool ClampInFloat>
inline __m256i output_code(__m256i acc, const Columns8& c, const OutputBounds& bounds) {
  if constexpr (ClampInFloat) {
    static_assert(std::is_same<Policy, FloatRounding>::value, "ClampInFloat is FloatRounding's");
    const __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), c.real);
    const __m256 clamped = _mm256_min_ps(_mm256_max_ps(v, bounds.lo_f), bounds.hi_f);
    return _mm256_add_epi32(_mm256_cvtps_epi32(clamped), bounds.zc);
  } else {
    return bounds.apply(scale<Policy>(acc, c));
  }
}

// Applies the output stage to 8 corrected accumulators and stores the first `valid`.
template <typename Policy, typename TC, bool ClampInFloat = false>
inline void store_output(__m256i acc, const Columns8& c, const OutputBounds& bounds, TC* dst, std::ptrdiff_t stride,
                         int valid) {
  if constexpr (std::is_same<TC, float>::value) {
    const __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), c.real);
    if (stride == 1 && valid >= 8) {
      _mm256_storeu_ps(dst, v);
    } else {
      alignas(32) float tmp[8];
      _mm256_store_ps(tmp, v);
      for (int j = 0; j < valid && j < 8; ++j) dst[j * stride] = tmp[j];
    }
  } else {
    __m256i v = acc;
    if constexpr (!std::is_same<TC, std::int32_t>::value) v = output_code<Policy, ClampInFloat>(acc, c, bounds);
    if (stride == 1 && valid >= 8) {
      if constexpr (sizeof(TC) == 1) {
        // Values are already in TC's range: keep the low byte of each lane.
        const __m256i bytes = _mm256_shuffle_epi8(
            v, _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8, 12, -1, -1, -1,
                                -1, -1, -1, -1, -1, -1, -1, -1, -1));
        const __m128i packed = _mm_unpacklo_epi32(_mm256_castsi256_si128(bytes), _mm256_extracti128_si256(bytes, 1));
        _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), packed);
      } else if constexpr (sizeof(TC) == 2) {
        const __m128i packed = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), packed);
      } else {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), v);
      }
    } else {
      // (AVX2 has no masked byte or word stores: the tail goes through a lane buffer.)
      alignas(32) std::int32_t tmp[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), v);
      for (int j = 0; j < valid && j < 8; ++j) dst[j * stride] = static_cast<TC>(tmp[j]);
    }
  }
}

// 16 contiguous 8/16-bit output codes (two vectors of 8, already in TC's range) in one store:
// the saturating packs keep the values, VPACKS* works within 128-bit lanes, so the dwords (4
// codes each) come back in order with one permute: 4 instructions instead of 8.
template <typename TC>
inline void store16_codes(__m256i v0, __m256i v1, TC* dst) {
  static_assert(sizeof(TC) <= 2 && std::is_integral<TC>::value, "8/16-bit output codes");
  const __m256i words = _mm256_packs_epi32(v0, v1);  // v0[0..3] v1[0..3] | v0[4..7] v1[4..7]
  if constexpr (sizeof(TC) == 2) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), _mm256_permute4x64_epi64(words, 0xD8));
  } else {
    const __m256i bytes = std::is_signed<TC>::value ? _mm256_packs_epi16(words, words) : _mm256_packus_epi16(words, words);
    const __m256i ordered = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 0, 4, 1, 5));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm256_castsi256_si128(ordered));
  }
}

}  // namespace avx2
}  // namespace gemm_detail
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp

LOWP_END_SIMD_CODE

#endif  // LOWP_ISA_TAG_AVX2
