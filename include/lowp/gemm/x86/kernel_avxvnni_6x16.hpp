// lowp/gemm/x86/kernel_avxvnni_6x16.hpp: the AVX-VNNI backend, a 6 x 16 tile of ymm VPDPBUSD.
//
// For CPUs with VNNI but only 256-bit vectors (Alder Lake and later client cores:
// the VEX-encoded AVX-VNNI). One k-group is 4 depths: a B panel's k-group is 16
// columns x 4 int8 codes = two ymm; an A row's is 4 uint8 codes, broadcast. 6 rows x
// 2 vectors = 12 accumulator chains + 2 B + 1 broadcast fit the 16 ymm registers.
// Codes and shifts as in the Avx512Vnni backend; the epilogue is the AVX2 one.
//
// The same source compiles to the EVEX encoding when built with -mavx512vnni
// -mavx512vl instead of -mavxvnni (identical semantics): that is how its logic is
// tested on CPUs with AVX-512 VNNI but without AVX-VNNI (tests/gemm).
#pragma once

#include <cstdint>
#include <type_traits>

#include "lowp/gemm/backend.hpp"

#if LOWP_ISA_TAG_AVXVNNI || LOWP_ISA_TAG_AVX512VNNI
#include <immintrin.h>

#include "lowp/gemm/x86/epilogue_avx2.hpp"
#include "lowp/gemm/x86/kernel_avx2_6x16.hpp"
#endif

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
namespace backend {

#if LOWP_ISA_TAG_AVXVNNI || LOWP_ISA_TAG_AVX512VNNI

struct AvxVnni : UnsignedBySignedCodes {
  static constexpr bool enabled = true;
#if LOWP_ISA_TAG_AVXVNNI
  static constexpr const char* name = "avxvnni";
#else
  static constexpr const char* name = "avxvnni(evex)";
#endif
  static constexpr const char* required_flags = "-mavxvnni (or -mavx512vnni -mavx512vl)";
  static constexpr int mr = 6;
  static constexpr int nr = 16;
  static constexpr int kgroup = 4;
  static constexpr int max_panels = 2;
  static constexpr bool direct_a = true;  // may read row-major A in place (a_row_stride = lda)
  static constexpr int panels(int rows) { return rows <= 2 ? 2 : 1; }

  static __m256i dot4(__m256i acc, __m256i a, __m256i b) {
#if LOWP_ISA_TAG_AVXVNNI
    return _mm256_dpbusd_avx_epi32(acc, a, b);
#else
    return _mm256_dpbusd_epi32(acc, a, b);
#endif
  }

  template <typename Policy, typename TC, int Rows, int Panels>
  LOWP_KERNEL_NOINLINE static void kernel(const TileArgs<a_type, b_type, TC>& t) {
    constexpr int V = 2 * Panels;
    __m256i acc[Rows][V];
    LOWP_UNROLL
    for (int r = 0; r < Rows; ++r)
      LOWP_UNROLL
      for (int v = 0; v < V; ++v) acc[r][v] = _mm256_setzero_si256();
    const std::uint8_t* a = t.a;
    const std::int8_t* b = t.b;
    _Pragma("GCC unroll 2")
    for (std::ptrdiff_t g = 0; g < t.kgroups; ++g) {
      __m256i bv[V];
      LOWP_UNROLL
      for (int p = 0; p < Panels; ++p) {
        bv[2 * p] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + p * t.b_panel_stride));
        bv[2 * p + 1] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + p * t.b_panel_stride + 32));
      }
      LOWP_UNROLL
      for (int r = 0; r < Rows; ++r) {
        std::int32_t a4;
        __builtin_memcpy(&a4, a + r * t.a_row_stride, 4);
        const __m256i av = _mm256_set1_epi32(a4);
        LOWP_UNROLL
        for (int v = 0; v < V; ++v) acc[r][v] = dot4(acc[r][v], av, bv[v]);
      }
      a += t.a_group_stride;
      b += nr * 4;
    }
    alignas(32) std::int32_t tile[Rows][V * 8];
    LOWP_UNROLL
    for (int r = 0; r < Rows; ++r)
      LOWP_UNROLL
      for (int v = 0; v < V; ++v) _mm256_store_si256(reinterpret_cast<__m256i*>(tile[r] + v * 8), acc[r][v]);
    Avx2::epilogue<Policy, TC, Rows, V>(tile, t);
  }
};

#else

struct AvxVnni {
  static constexpr bool enabled = false;
  static constexpr const char* name = "avxvnni";
  static constexpr const char* required_flags = "-mavxvnni (or -mavx512vnni -mavx512vl)";
};

#endif

}  // namespace backend
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
