// lowp/gemm/x86/tile_ymm_6x16.hpp: the 6 x 16 ymm micro-kernel shared by the Avx2 and
// AvxVnni backends (kernel_avx2_6x16.hpp, kernel_avxvnni_6x16.hpp).
//
// Both multiply a broadcast 32-bit group of A codes (one row, one k-group) by two
// 8-column vectors of a packed B panel and accumulate into int32 lanes; they differ only
// in the instruction and in how a k-group of B becomes a vector. The backend (Isa)
// supplies both:
//
//   static __m256i load_b(const b_type* group, int half);  // columns 8*half .. 8*half+7
//   static void accumulate(__m256i& acc, __m256i a, __m256i b);
//
// 6 rows x 2 vectors = 12 accumulator chains: enough to hide the multiply latency
// (4-5 cycles at 2 per cycle), and 12 + 2 B + 1 broadcast (+ 1 product for VPMADDWD)
// fit the 16 ymm registers of VEX code. 1..2 rows (GEMV) cover 2 panels per call.
//
// Register allocation. Written with plain intrinsics, g++ 12 keeps up to 5 of the 12
// accumulators on the stack (about 14 stack references per k-group). Each backend's
// `accumulate` is therefore one extended-asm statement whose accumulator is a "+x"/"+v"
// operand: the multiply-add becomes opaque, nothing can be folded into or hoisted out of
// it, and the allocator keeps all 12 chains in registers (checked with objdump: per
// k-group 2 B loads, 6 broadcasts, the multiply-adds, no stack access).
#pragma once

#include <cstddef>
#include <cstdint>

#include "lowp/core/diagnostics.hpp"
#include "lowp/gemm/backend.hpp"

#if LOWP_ISA_TAG_AVX2
#include <immintrin.h>

#include "lowp/gemm/x86/epilogue_avx2.hpp"

// The register class of a ymm operand in the backends' asm: "v" reaches ymm16..31 where
// the EVEX encoding exists (AVX-512 VL + BW builds), "x" is ymm0..15 (VEX).
#if defined(__AVX512VL__) && defined(__AVX512BW__)
#define LOWP_YMM_ASM_REG "v"
#else
#define LOWP_YMM_ASM_REG "x"
#endif

LOWP_BEGIN_SIMD_CODE

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
namespace gemm_detail {
namespace ymm {

constexpr int mr = 6;
constexpr int nr = 16;

// Corrections, output stage and stores of a tile of 8-column int32 vectors.
template <typename Policy, typename TC, int Rows, int V, typename PA, typename PB>
void tile_epilogue(const std::int32_t (&tile)[Rows][V * 8], const TileArgs<PA, PB, TC>& t) {
  const avx2::OutputBounds bounds(t.zc, t.lo, t.hi);
  LOWP_UNROLL
  for (int v = 0; v < V; ++v) {
    const int j = v * 8;
    if (j >= t.cols) break;
    const avx2::Columns8 cols = avx2::load_columns(t.col, j);
    const __m256i offset = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.col.offset + j));
    const __m256i zb = t.col.zb ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.col.zb + j))
                                : _mm256_setzero_si256();
    LOWP_UNROLL
    for (int r = 0; r < Rows; ++r) {
      __m256i s = _mm256_add_epi32(_mm256_load_si256(reinterpret_cast<const __m256i*>(tile[r] + j)), offset);
      if (t.col.zb) s = _mm256_sub_epi32(s, _mm256_mullo_epi32(zb, _mm256_set1_epi32(t.row_sums[r])));
      avx2::store_output<Policy>(s, cols, bounds, t.c + r * t.c_row_stride + j * t.c_col_stride, t.c_col_stride,
                                 t.cols - j);
    }
  }
}

// Rows x (16 * Panels) outputs over the full depth, then the fused epilogue.
template <typename Isa, typename Policy, typename TC, int Rows, int Panels, typename PA, typename PB>
LOWP_KERNEL_NOINLINE void kernel(const TileArgs<PA, PB, TC>& t) {
  constexpr int V = 2 * Panels;  // ymm vectors of 8 columns
  constexpr int kgroup_elems = nr * Isa::kgroup;
  __m256i acc[Rows][V];
  LOWP_UNROLL
  for (int r = 0; r < Rows; ++r)
    LOWP_UNROLL
    for (int v = 0; v < V; ++v) acc[r][v] = _mm256_setzero_si256();
  const PA* a = t.a;
  const PB* b = t.b;
  // Two k-groups per iteration: for GEMV tiles (4 multiply-adds per k-group) the loop
  // overhead shows; without it, AvxVnni at 1 x 4096 x 4096 ran at 0.56-0.75x (same-process A/B).
  _Pragma("GCC unroll 2")
  for (std::ptrdiff_t g = 0; g < t.kgroups; ++g) {
    __m256i bv[V];
    LOWP_UNROLL
    for (int p = 0; p < Panels; ++p) {
      bv[2 * p] = Isa::load_b(b + p * t.b_panel_stride, 0);
      bv[2 * p + 1] = Isa::load_b(b + p * t.b_panel_stride, 1);
    }
    LOWP_UNROLL
    for (int r = 0; r < Rows; ++r) {
      std::int32_t group;
      __builtin_memcpy(&group, a + r * t.a_row_stride, 4);
      const __m256i av = _mm256_set1_epi32(group);
      LOWP_UNROLL
      for (int v = 0; v < V; ++v) Isa::accumulate(acc[r][v], av, bv[v]);
    }
    a += t.a_group_stride;
    b += kgroup_elems;
  }
  // Through memory on purpose (see kernel_avx512vnni_8x32.hpp).
  alignas(32) std::int32_t tile[Rows][V * 8];
  LOWP_UNROLL
  for (int r = 0; r < Rows; ++r)
    LOWP_UNROLL
    for (int v = 0; v < V; ++v) _mm256_store_si256(reinterpret_cast<__m256i*>(tile[r] + v * 8), acc[r][v]);
  tile_epilogue<Policy, TC, Rows, V>(tile, t);
}

}  // namespace ymm
}  // namespace gemm_detail
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp

LOWP_END_SIMD_CODE

#endif  // LOWP_ISA_TAG_AVX2
