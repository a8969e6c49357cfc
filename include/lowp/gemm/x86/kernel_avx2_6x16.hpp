// lowp/gemm/x86/kernel_avx2_6x16.hpp: the exact AVX2 backend, a 6 x 16 tile.
//
// VPMADDUBSW (the usual AVX2 int8 path) adds two uint8 x int8 products into a
// SATURATING int16: 255*127 + 255*127 = 64770 > 32767, so full-range weights give
// wrong sums (the long-standing oneDNN/FBGEMM/PyTorch AVX2 issue). This backend never
// forms an int16 sum: VPMADDWD multiplies int16 pairs into an exact int32
// (|a b + a' b'| <= 2 * 255 * 128), VPADDD accumulates. One k-group is 2 depths.
//
// Codes. A is packed as int16 (every uint8 and int8 value, no shift); an A row's k-group
// is one dword, broadcast. B is packed as int8 (uint8 weights shifted by -128, folded
// into the zero-point terms by the driver) and sign-extended to int16 in the kernel
// (VPMOVSXBW, one per 8 columns): half the bytes of int16 weights to stream, which is
// what bounds GEMV, and a K x 16 panel that fits L1 twice as deep. A panel's k-group
// is 16 columns x 2 codes = 32 bytes, widened into two ymm of 8 columns x 2 int16.
//
// The loop, tile and epilogue are shared with AvxVnni (tile_ymm_6x16.hpp).
#pragma once

#include <cstdint>
#include <type_traits>

#include "lowp/core/diagnostics.hpp"
#include "lowp/gemm/backend.hpp"

#if LOWP_ISA_TAG_AVX2
#include <immintrin.h>

#include "lowp/gemm/x86/tile_ymm_6x16.hpp"
#endif

LOWP_BEGIN_SIMD_CODE

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
namespace backend {

#if LOWP_ISA_TAG_AVX2

struct Avx2 {
  static constexpr bool enabled = true;
  static constexpr const char* name = "avx2";
  static constexpr const char* required_flags = "-mavx2";
  static constexpr int mr = gemm_detail::ymm::mr;
  static constexpr int nr = gemm_detail::ymm::nr;
  static constexpr int kgroup = 2;
  static constexpr int max_panels = 2;
  static constexpr bool direct_a = false;  // codes are widened to int16: A is always packed
  static constexpr int panels(int rows) { return rows <= 2 ? 2 : 1; }
  static constexpr int prefetch_min_rows = 1;  // tiles that prefetch B beyond L2 (tile_ymm_6x16.hpp)
  using a_type = std::int16_t;
  using b_type = std::int8_t;
  template <typename TA>
  static constexpr int a_shift = 0;
  template <typename TB>
  static constexpr int b_shift = std::is_same<TB, std::uint8_t>::value ? -128 : 0;

  // Columns 8*half .. 8*half+7 of one k-group: 16 int8 codes -> 16 int16.
  static __m256i load_b(const b_type* group, int half) {
    return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(group + 16 * half)));
  }

  // acc += VPMADDWD(a, b), as one asm statement (see tile_ymm_6x16.hpp: register allocation).
  static void accumulate(__m256i& acc, __m256i a, __m256i b) {
    __m256i product;
    __asm__("vpmaddwd %[b], %[a], %[p]\n\tvpaddd %[p], %[acc], %[acc]"
            : [acc] "+" LOWP_YMM_ASM_REG(acc), [p] "=" LOWP_YMM_ASM_REG(product)
            : [a] LOWP_YMM_ASM_REG(a), [b] LOWP_YMM_ASM_REG(b));
  }

  // Packing of one contiguous row of A (driver.hpp, backend_packs_a_rows): 16 codes at a time
  // widened to int16, then each k-group's pair (one dword) stored to its micro-panel slot,
  // mr * 2 codes apart. The byte-at-a-time loop it replaces cost ~2 cycles per code: ~7% of
  // 1024^3 and a third of 3136 x 576 x 64, where only 64 columns share each packed row.
  template <typename TA>
  static std::int32_t pack_a_row(const TA* src, std::ptrdiff_t k_len, std::ptrdiff_t kgroups, a_type* slot) {
    constexpr std::ptrdiff_t group_stride = mr * kgroup;
    __m256i sums = _mm256_setzero_si256();
    std::ptrdiff_t g = 0;
    for (; 2 * g + 16 <= k_len; g += 8) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * g));
      const __m256i codes = std::is_signed<TA>::value ? _mm256_cvtepi8_epi16(bytes) : _mm256_cvtepu8_epi16(bytes);
      sums = _mm256_add_epi32(sums, _mm256_madd_epi16(codes, _mm256_set1_epi16(1)));
      alignas(32) std::int32_t pairs[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(pairs), codes);
      for (int i = 0; i < 8; ++i) __builtin_memcpy(slot + (g + i) * group_stride, pairs + i, 4);
    }
    alignas(32) std::int32_t lanes[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), sums);
    std::int32_t sum = lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
    for (std::ptrdiff_t k = 2 * g; k < 2 * kgroups; ++k) {
      const a_type code = k < k_len ? static_cast<a_type>(src[k]) : a_type{0};
      slot[(k / 2) * group_stride + k % 2] = code;
      sum += code;
    }
    return sum;
  }

  template <typename Policy, typename TC, int Rows, int Panels>
  static void kernel(const TileArgs<a_type, b_type, TC>& t) {
    gemm_detail::ymm::kernel<Avx2, Policy, TC, Rows, Panels>(t);
  }
};

#else

struct Avx2 {
  static constexpr bool enabled = false;
  static constexpr const char* name = "avx2";
  static constexpr const char* required_flags = "-mavx2";
};

#endif

}  // namespace backend
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp

LOWP_END_SIMD_CODE
