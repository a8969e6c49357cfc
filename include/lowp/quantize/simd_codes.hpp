// lowp/quantize/simd_codes.hpp: moving 8-bit codes in and out of int32 SIMD registers.
//
// xsimd 8.1 has no narrowing or widening conversions between batches of different widths, so
// these two primitives are written per architecture and selected by overloading on the xsimd
// arch tag (the most derived match wins: avx512bw -> avx512f, fma3<avx2> -> avx2, ...):
//   store_codes<Code>(v, out, A{})  writes 4 batches of int32 (already inside Code's range) as
//                                   4 * W consecutive Code values, in lane order;
//   load_codes<Code>(in, v, A{})    reads 4 * W Code values into 4 batches of int32.
// The generic versions go through an aligned buffer (the compiler vectorizes the copy loops);
// SSE2, AVX2, AVX-512F and NEON64 use their pack / unpack / extend instructions directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "lowp/core/diagnostics.hpp"

LOWP_BEGIN_SIMD_CODE

namespace lowp {
namespace detail {

template <typename A>
using int_batch = xsimd::batch<std::int32_t, A>;

template <typename Code, typename A>
inline void store_codes(const int_batch<A>* v, Code* out, xsimd::generic) {
  constexpr std::size_t W = int_batch<A>::size;
  alignas(64) std::int32_t buf[4 * W];
  for (std::size_t k = 0; k < 4; ++k) v[k].store_aligned(buf + k * W);
  for (std::size_t i = 0; i < 4 * W; ++i) out[i] = static_cast<Code>(buf[i]);
}

template <typename Code, typename A>
inline void load_codes(const Code* in, int_batch<A>* v, xsimd::generic) {
  constexpr std::size_t W = int_batch<A>::size;
  alignas(64) std::int32_t buf[4 * W];
  for (std::size_t i = 0; i < 4 * W; ++i) buf[i] = in[i];
  for (std::size_t k = 0; k < 4; ++k) v[k] = int_batch<A>::load_aligned(buf + k * W);
}

#if XSIMD_WITH_SSE2
// Saturating packs are exact here: every value is already inside the code range.
template <typename Code, typename A>
inline void store_codes(const int_batch<A>* v, Code* out, xsimd::sse2) {
  const __m128i ab = _mm_packs_epi32(v[0], v[1]);
  const __m128i cd = _mm_packs_epi32(v[2], v[3]);
  const __m128i r = std::is_signed<Code>::value ? _mm_packs_epi16(ab, cd) : _mm_packus_epi16(ab, cd);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), r);
}
// Widening by interleaving: signed codes go to the high half and are shifted back arithmetically
// (sign extension), unsigned codes are interleaved with zeros.
template <typename Code, typename A>
inline void load_codes(const Code* in, int_batch<A>* v, xsimd::sse2) {
  const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in));
  if (std::is_signed<Code>::value) {
    const __m128i lo = _mm_srai_epi16(_mm_unpacklo_epi8(b, b), 8);
    const __m128i hi = _mm_srai_epi16(_mm_unpackhi_epi8(b, b), 8);
    v[0] = _mm_srai_epi32(_mm_unpacklo_epi16(lo, lo), 16);
    v[1] = _mm_srai_epi32(_mm_unpackhi_epi16(lo, lo), 16);
    v[2] = _mm_srai_epi32(_mm_unpacklo_epi16(hi, hi), 16);
    v[3] = _mm_srai_epi32(_mm_unpackhi_epi16(hi, hi), 16);
  } else {
    const __m128i z = _mm_setzero_si128();
    const __m128i lo = _mm_unpacklo_epi8(b, z);
    const __m128i hi = _mm_unpackhi_epi8(b, z);
    v[0] = _mm_unpacklo_epi16(lo, z);
    v[1] = _mm_unpackhi_epi16(lo, z);
    v[2] = _mm_unpacklo_epi16(hi, z);
    v[3] = _mm_unpackhi_epi16(hi, z);
  }
}
#endif

#if XSIMD_WITH_AVX2
template <typename Code, typename A>
inline void store_codes(const int_batch<A>* v, Code* out, xsimd::avx2) {
  // Packs interleave the two 128-bit lanes: bytes come out as dwords a0 b0 c0 d0 | a1 b1 c1 d1
  // (x0 = elements 0..3 of x, x1 = 4..7); the permutation restores a0 a1 b0 b1 c0 c1 d0 d1.
  const __m256i ab = _mm256_packs_epi32(v[0], v[1]);
  const __m256i cd = _mm256_packs_epi32(v[2], v[3]);
  const __m256i r = std::is_signed<Code>::value ? _mm256_packs_epi16(ab, cd) : _mm256_packus_epi16(ab, cd);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_permutevar8x32_epi32(r, order));
}
template <typename Code, typename A>
inline void load_codes(const Code* in, int_batch<A>* v, xsimd::avx2) {
  for (int k = 0; k < 4; ++k) {
    const __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(in + 8 * k));
    v[k] = std::is_signed<Code>::value ? _mm256_cvtepi8_epi32(b) : _mm256_cvtepu8_epi32(b);
  }
}
#endif

#if XSIMD_WITH_AVX512F
template <typename Code, typename A>
inline void store_codes(const int_batch<A>* v, Code* out, xsimd::avx512f) {
  // vpmovdb truncates; the values are in range, so the low byte is the code for both signs.
  for (int k = 0; k < 4; ++k)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16 * k), _mm512_cvtepi32_epi8(v[k]));
}
template <typename Code, typename A>
inline void load_codes(const Code* in, int_batch<A>* v, xsimd::avx512f) {
  for (int k = 0; k < 4; ++k) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 16 * k));
    v[k] = std::is_signed<Code>::value ? _mm512_cvtepi8_epi32(b) : _mm512_cvtepu8_epi32(b);
  }
}
#endif

#if XSIMD_WITH_NEON64
template <typename Code, typename A>
inline void store_codes(const int_batch<A>* v, Code* out, xsimd::neon64) {
  // Truncating narrows (xtn) are exact: the values are in range.
  const int16x8_t ab = vcombine_s16(vmovn_s32(v[0]), vmovn_s32(v[1]));
  const int16x8_t cd = vcombine_s16(vmovn_s32(v[2]), vmovn_s32(v[3]));
  vst1q_u8(reinterpret_cast<std::uint8_t*>(out), vreinterpretq_u8_s8(vcombine_s8(vmovn_s16(ab), vmovn_s16(cd))));
}
template <typename Code, typename A>
inline void load_codes(const Code* in, int_batch<A>* v, xsimd::neon64) {
  int16x8_t lo, hi;
  if (std::is_signed<Code>::value) {
    const int8x16_t b = vld1q_s8(reinterpret_cast<const std::int8_t*>(in));
    lo = vmovl_s8(vget_low_s8(b));
    hi = vmovl_s8(vget_high_s8(b));
  } else {
    const uint8x16_t b = vld1q_u8(reinterpret_cast<const std::uint8_t*>(in));
    lo = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(b)));
    hi = vreinterpretq_s16_u16(vmovl_u8(vget_high_u8(b)));
  }
  v[0] = vmovl_s16(vget_low_s16(lo));
  v[1] = vmovl_s16(vget_high_s16(lo));
  v[2] = vmovl_s16(vget_low_s16(hi));
  v[3] = vmovl_s16(vget_high_s16(hi));
}
#endif

}  // namespace detail
}  // namespace lowp

LOWP_END_SIMD_CODE
