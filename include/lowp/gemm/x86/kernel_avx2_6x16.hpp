// lowp/gemm/x86/kernel_avx2_6x16.hpp: the exact AVX2 backend, a 6 x 16 tile.
//
// VPMADDUBSW (the usual AVX2 int8 path) adds two uint8 x int8 products into a
// SATURATING int16: 255*127 + 255*127 = 64770 > 32767, so full-range weights give
// wrong sums (the long-standing oneDNN/FBGEMM/PyTorch AVX2 issue). This backend never
// forms an int16 sum: codes are stored as int16 (packing widens once), and
// VPMADDWD multiplies int16 pairs into an exact int32 (|a b + a' b'| <= 2 * 255 * 128),
// VPADDD accumulates. One k-group is 2 depths: a B panel's k-group is 16 columns x 2
// int16 = two ymm, an A row's is one dword, broadcast. 6 rows x 2 vectors = 12
// accumulators + 2 B + 1 broadcast = 15 of the 16 ymm registers. 1..2 rows (GEMV)
// cover 2 panels per call.
//
// No code shift is needed: int16 holds every uint8 and int8 value.
#pragma once

#include <cstdint>
#include <type_traits>

#include "lowp/gemm/backend.hpp"

#if LOWP_ISA_TAG_AVX2
#include <immintrin.h>

#include "lowp/gemm/x86/epilogue_avx2.hpp"
#endif

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
namespace backend {

#if LOWP_ISA_TAG_AVX2

struct Avx2 {
  static constexpr bool enabled = true;
  static constexpr const char* name = "avx2";
  static constexpr const char* required_flags = "-mavx2";
  static constexpr int mr = 6;
  static constexpr int nr = 16;
  static constexpr int kgroup = 2;
  static constexpr int max_panels = 2;
  static constexpr bool direct_a = false;  // codes are widened to int16: A is always packed
  static constexpr int panels(int rows) { return rows <= 2 ? 2 : 1; }
  using a_type = std::int16_t;
  using b_type = std::int16_t;
  template <typename TA>
  static constexpr int a_shift = 0;
  template <typename TB>
  static constexpr int b_shift = 0;

  template <typename Policy, typename TC, int Rows, int Panels>
  LOWP_KERNEL_NOINLINE static void kernel(const TileArgs<a_type, b_type, TC>& t) {
    constexpr int V = 2 * Panels;  // ymm vectors of 8 columns
    __m256i acc[Rows][V];
    LOWP_UNROLL
    for (int r = 0; r < Rows; ++r)
      LOWP_UNROLL
      for (int v = 0; v < V; ++v) acc[r][v] = _mm256_setzero_si256();
    const std::int16_t* a = t.a;
    const std::int16_t* b = t.b;
    _Pragma("GCC unroll 2")
    for (std::ptrdiff_t g = 0; g < t.kgroups; ++g) {
      __m256i bv[V];
      LOWP_UNROLL
      for (int p = 0; p < Panels; ++p) {
        bv[2 * p] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + p * t.b_panel_stride));
        bv[2 * p + 1] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + p * t.b_panel_stride + 16));
      }
      LOWP_UNROLL
      for (int r = 0; r < Rows; ++r) {
        std::int32_t a2;
        __builtin_memcpy(&a2, a + r * t.a_row_stride, 4);
        const __m256i av = _mm256_set1_epi32(a2);
        LOWP_UNROLL
        for (int v = 0; v < V; ++v) acc[r][v] = _mm256_add_epi32(acc[r][v], _mm256_madd_epi16(av, bv[v]));
      }
      a += t.a_group_stride;
      b += nr * 2;
    }
    alignas(32) std::int32_t tile[Rows][V * 8];  // see kernel_avx512vnni_8x32.hpp
    LOWP_UNROLL
    for (int r = 0; r < Rows; ++r)
      LOWP_UNROLL
      for (int v = 0; v < V; ++v) _mm256_store_si256(reinterpret_cast<__m256i*>(tile[r] + v * 8), acc[r][v]);
    epilogue<Policy, TC, Rows, V>(tile, t);
  }

  // Shared with AvxVnni: corrections, output stage and stores of a tile of 8-column vectors.
  template <typename Policy, typename TC, int Rows, int V, typename PA, typename PB>
  static void epilogue(const std::int32_t (&tile)[Rows][V * 8], const TileArgs<PA, PB, TC>& t) {
    namespace x = gemm_detail::avx2;
    const x::OutputBounds bounds(t.zc, t.lo, t.hi);
    LOWP_UNROLL
    for (int v = 0; v < V; ++v) {
      const int j = v * 8;
      if (j >= t.cols) break;
      const x::Columns8 cols = x::load_columns(t.col, j);
      const __m256i offset = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.col.offset + j));
      const __m256i zb = t.col.zb ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.col.zb + j))
                                  : _mm256_setzero_si256();
      LOWP_UNROLL
      for (int r = 0; r < Rows; ++r) {
        __m256i s = _mm256_add_epi32(_mm256_load_si256(reinterpret_cast<const __m256i*>(tile[r] + j)), offset);
        if (t.col.zb) s = _mm256_sub_epi32(s, _mm256_mullo_epi32(zb, _mm256_set1_epi32(t.row_sums[r])));
        x::store_output<Policy>(s, cols, bounds, t.c + r * t.c_row_stride + j * t.c_col_stride, t.c_col_stride,
                                t.cols - j);
      }
    }
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
