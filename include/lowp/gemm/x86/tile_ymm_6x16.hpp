// lowp/gemm/x86/tile_ymm_6x16.hpp: the 6 x 16 ymm micro-kernel shared by the Avx2 and
// AvxVnni backends (kernel_avx2_6x16.hpp, kernel_avxvnni_6x16.hpp).
//
// Both multiply a broadcast 32-bit group of A codes (one row, one k-group) by two
// 8-column vectors of a packed B panel and accumulate into int32 lanes; they differ only
// in the instruction and in how a k-group of B becomes a vector. The backend (Isa)
// supplies both:
//
//   static __m256i load_b(const b_type* group, int half);  // columns 8*half .. 8*half+7
//   static void accumulate2(__m256i& acc0, __m256i& acc1, __m256i a, __m256i b0, __m256i b1);
//       // acc0 += a * b0, acc1 += a * b1 (one row, the two 8-column vectors of a panel)
//
// 6 rows x 2 vectors = 12 accumulator chains: enough to hide the multiply latency
// (4-5 cycles at 2 per cycle), and 12 + 2 B + 1 broadcast (+ 1 product for VPMADDWD)
// fit the 16 ymm registers of VEX code. 1..2 rows (GEMV) cover 2 panels per call.
//
// Register allocation. Written with plain intrinsics, g++ 12 keeps up to 5 of the 12
// accumulators on the stack (about 14 stack references per k-group). Each backend's
// multiply-add is therefore an extended-asm statement whose accumulators are "+x"/"+v"
// operands (Avx2's `accumulate2` is one statement for both, products first): the
// multiply-adds become opaque, nothing can be folded into or hoisted out of them, and the
// allocator keeps all 12 chains in registers (checked with objdump: per k-group 2 B loads,
// 6 broadcasts, the multiply-adds, no stack access; for Avx2 since accumulate2, no register
// moves either).
//
// Weights beyond L2 are prefetched ahead (b_prefetch_ahead_bytes, see below).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

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
template <typename Policy, typename TC, int Rows, int V, bool ClampInFloat, typename PA, typename PB>
__attribute__((always_inline)) inline void tile_epilogue_rows(const std::int32_t (&tile)[Rows][V * 8], const TileArgs<PA, PB, TC>& t,
                        const avx2::OutputBounds& bounds) {
  // Copies: 8-bit stores may alias t, which would otherwise be re-read after every store.
  TC* const c = t.c;
  const std::ptrdiff_t row_stride = t.c_row_stride, col_stride = t.c_col_stride;
  const int cols = t.cols;
  const ColumnParams col = t.col;
  std::int32_t row_sums[Rows];
  if (col.zb) __builtin_memcpy(row_sums, t.row_sums, sizeof(row_sums));
  auto corrected = [&](int r, int j, __m256i offset, __m256i zb) LOWP_ALWAYS_INLINE_LAMBDA {
    __m256i s = _mm256_add_epi32(_mm256_load_si256(reinterpret_cast<const __m256i*>(tile[r] + j)), offset);
    if (col.zb) s = _mm256_sub_epi32(s, _mm256_mullo_epi32(zb, _mm256_set1_epi32(row_sums[r])));
    return s;
  };
  auto load_zb = [&](int j) LOWP_ALWAYS_INLINE_LAMBDA {
    return col.zb ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col.zb + j)) : _mm256_setzero_si256();
  };
  auto load_offset = [&](int j) LOWP_ALWAYS_INLINE_LAMBDA {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col.offset + j));
  };
  LOWP_UNROLL
  for (int v = 0; v < V; v += 2) {
    const int j = v * 8;
    if (j >= cols) break;
    if constexpr (sizeof(TC) <= 2 && !std::is_same<TC, float>::value) {
      // 16 whole contiguous columns: both vectors' codes in one store (store16_codes).
      if (col_stride == 1 && cols - j >= 16) {
        const avx2::Columns8 p0 = avx2::load_columns(col, j), p1 = avx2::load_columns(col, j + 8);
        const __m256i off0 = load_offset(j), off1 = load_offset(j + 8);
        const __m256i zb0 = load_zb(j), zb1 = load_zb(j + 8);
        LOWP_UNROLL
        for (int r = 0; r < Rows; ++r) {
          const __m256i c0 = avx2::output_code<Policy, ClampInFloat>(corrected(r, j, off0, zb0), p0, bounds);
          const __m256i c1 = avx2::output_code<Policy, ClampInFloat>(corrected(r, j + 8, off1, zb1), p1, bounds);
          avx2::store16_codes(c0, c1, c + r * row_stride + j);
        }
        continue;
      }
    }
    LOWP_UNROLL
    for (int h = 0; h < 2; ++h) {
      const int jh = j + 8 * h;
      if (jh >= cols) break;
      const avx2::Columns8 params = avx2::load_columns(col, jh);
      const __m256i offset = load_offset(jh), zb = load_zb(jh);
      LOWP_UNROLL
      for (int r = 0; r < Rows; ++r)
        avx2::store_output<Policy, TC, ClampInFloat>(corrected(r, jh, offset, zb), params, bounds,
                                                     c + r * row_stride + jh * col_stride, col_stride, cols - jh);
    }
  }
}

// Not inlined: inlined, g++ let the epilogue's constants push the accumulators to the stack
// inside the depth loop (Avx2 0.63-0.88x, same-process A/B).
template <typename Policy, typename TC, int Rows, int V, typename PA, typename PB>
LOWP_KERNEL_NOINLINE void tile_epilogue(const std::int32_t (&tile)[Rows][V * 8], const TileArgs<PA, PB, TC>& t) {
  const avx2::OutputBounds bounds(t.zc, t.lo, t.hi);
  if constexpr (std::is_same<Policy, FloatRounding>::value && sizeof(TC) <= 2 && !std::is_same<TC, float>::value) {
    if (bounds.float_exact) return tile_epilogue_rows<Policy, TC, Rows, V, true>(tile, t, bounds);
  }
  tile_epilogue_rows<Policy, TC, Rows, V, false>(tile, t, bounds);
}

// B beyond L2. A 6-row tile consumes a 64-byte line of its panel every 6 cycles (AvxVnni) and
// the hardware prefetcher alone kept too few lines in flight from L3: 8 x 4096 x 4096 ran at
// ~50% of the peak, its 6-row tiles stalled on B loads (perf). So when the packed B outgrows
// L2 (TileArgs::b_beyond_l2) the depth loop prefetches each panel b_prefetch_ahead_bytes
// (16 KiB, backend.hpp) ahead into L2 (PREFETCHT1, one per line). Same-process A/B on Zen 4:
// 8 x 4096 x 4096 1.4-1.7x (Avx2 1.4x), 32 x 4096 x 4096 1.15x; 8 KiB and 32 KiB ahead did as
// well, 4 KiB less; PREFETCHT0 (into L1) gained less at every distance tried (4, 8, 16 KiB).

// One k-group: Panels x 16 columns of B times Rows broadcast A groups.
template <typename Isa, int Rows, int V, typename PA, typename PB, typename TC>
__attribute__((always_inline)) inline void multiply_kgroup(__m256i (&acc)[Rows][V], const PA* a, const PB* b,
                                                           const TileArgs<PA, PB, TC>& t) {
  constexpr int Panels = V / 2;
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
    for (int v = 0; v < V; v += 2) Isa::accumulate2(acc[r][v], acc[r][v + 1], av, bv[v], bv[v + 1]);
  }
}

// Rows x (16 * Panels) outputs over the full depth, then the fused epilogue.
template <typename Isa, typename Policy, typename TC, int Rows, int Panels, bool Prefetch, typename PA, typename PB>
LOWP_KERNEL_NOINLINE void depth_loop_and_epilogue(const TileArgs<PA, PB, TC>& t) {
  constexpr int V = 2 * Panels;  // ymm vectors of 8 columns
  constexpr std::ptrdiff_t kgroup_elems = nr * Isa::kgroup;
  // Two k-groups per iteration: for GEMV tiles (4 multiply-adds per k-group) the loop
  // overhead shows; without it, AvxVnni at 1 x 4096 x 4096 ran at 0.56-0.75x (same-process A/B).
  constexpr int lines = static_cast<int>(2 * kgroup_elems * sizeof(PB) / 64);  // of B per iteration and panel
  static_assert(lines * 64 == 2 * kgroup_elems * sizeof(PB), "two k-groups of a B panel are whole cache lines");
  __m256i acc[Rows][V];
  LOWP_UNROLL
  for (int r = 0; r < Rows; ++r)
    LOWP_UNROLL
    for (int v = 0; v < V; ++v) acc[r][v] = _mm256_setzero_si256();
  const PA* a = t.a;
  const PB* b = t.b;
  for (std::ptrdiff_t i = 0; i < t.kgroups / 2; ++i) {
    if constexpr (Prefetch)
      LOWP_UNROLL
      for (int p = 0; p < Panels; ++p)
        LOWP_UNROLL
        for (int l = 0; l < lines; ++l)
          _mm_prefetch(reinterpret_cast<const char*>(b + p * t.b_panel_stride) + b_prefetch_ahead_bytes + 64 * l,
                       _MM_HINT_T1);
    // (a advances between the two: with a + a_group_stride in the second call, g++ keeps the
    // row addresses of both k-groups in registers and spills general registers.)
    multiply_kgroup<Isa>(acc, a, b, t);
    a += t.a_group_stride;
    multiply_kgroup<Isa>(acc, a, b + kgroup_elems, t);
    a += t.a_group_stride;
    b += 2 * kgroup_elems;
  }
  if (t.kgroups % 2) multiply_kgroup<Isa>(acc, a, b, t);
  // Through memory on purpose (see kernel_avx512vnni_8x32.hpp); the round trip (12 stores, loads
  // folded into the offset adds) drew ~1/10 of the epilogue's samples (docs/backends.md).
  alignas(32) std::int32_t tile[Rows][V * 8];
  LOWP_UNROLL
  for (int r = 0; r < Rows; ++r)
    LOWP_UNROLL
    for (int v = 0; v < V; ++v) _mm256_store_si256(reinterpret_cast<__m256i*>(tile[r] + v * 8), acc[r][v]);
  tile_epilogue<Policy, TC, Rows, V>(tile, t);
}

// Isa::prefetch_first_tile_only (optional, default false): of the 6-row tiles that meet a panel,
// only the first prefetches it. The driver gives tiles 1..T-1 the TileArgs::b_prefetch hint; they
// find the panel in L2 (tile 0 fetched it), so their prefetches only took load slots and address
// arithmetic. AvxVnni, same-process A/B: 128 x 4096 x 4096 1.03-1.04x, 128 x 768 x 3072 1.03-1.06x
// (docs/backends.md, "The AvxVnni tile").
template <typename Isa, typename = void>
struct isa_prefetch_first_tile_only : std::false_type {};
template <typename Isa>
struct isa_prefetch_first_tile_only<Isa, std::void_t<decltype(Isa::prefetch_first_tile_only)>>
    : std::bool_constant<Isa::prefetch_first_tile_only> {};

// Isa::prefetch_min_rows: the smallest tile that prefetches. AvxVnni's 1..2-row GEMV tiles lost
// 5-30% with it (4 B loads per 4 VPDPBUSD already keep enough lines in flight); Avx2's, with
// twice the work per byte, gained (1 x 4096 x 4096: 1.9-2.1x).
template <typename Isa, typename Policy, typename TC, int Rows, int Panels, typename PA, typename PB>
void kernel(const TileArgs<PA, PB, TC>& t) {
  if constexpr (Rows >= Isa::prefetch_min_rows) {
    const bool later_tile = isa_prefetch_first_tile_only<Isa>::value && t.b_prefetch;
    if (t.b_beyond_l2 && !later_tile) return depth_loop_and_epilogue<Isa, Policy, TC, Rows, Panels, true>(t);
  }
  depth_loop_and_epilogue<Isa, Policy, TC, Rows, Panels, false>(t);
}

}  // namespace ymm
}  // namespace gemm_detail
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp

LOWP_END_SIMD_CODE

#endif  // LOWP_ISA_TAG_AVX2
