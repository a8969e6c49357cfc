// lowp/gemm/x86/kernel_avx512vnni_8x32.hpp: the AVX-512 VNNI backend, an 8 x 32 tile.
//
// VPDPBUSD zmm multiplies 64 uint8 x int8 pairs and adds each group of four into
// one of 16 int32 lanes. One k-group (4 depths) of a packed B panel is 32 columns x
// 4 codes = two zmm; one k-group of an A row is 4 codes = one dword, broadcast.
// The 8 x 32 tile keeps 16 independent accumulator chains (8 rows x 2 vectors):
// VPDPBUSD's latency (~4-6 cycles) times its throughput (1-2 per cycle) needs at
// least 12 chains in flight, and 16 + 2 B vectors + 1 broadcast fit in 32 zmm.
// For 1..4 rows (GEMV, decode) one call covers 2 or 4 panels instead, so that even
// a single row keeps 8 chains busy while streaming the weights.
//
// Weights beyond L2 (TileArgs::b_beyond_l2): the 8 x 32 tile needs 128 bytes of B per 16
// VPDPBUSD (~28 GB/s at the peak of Zen 4), more than the hardware prefetcher alone keeps in
// flight from L3. A tile that reads its panel first prefetches it 16 KiB ahead into L2
// (Prefetch::ahead); when several 8-row tiles meet one panel (M >= 16), the later ones,
// which find it in L2, instead prefetch a slice each of the next panel (TileArgs::b_prefetch,
// Prefetch::next_panel), so that memory is read during all the time spent on a panel.
// Same-process A/B, 16 MiB of weights: 8 x 4096 x 4096 1.30-1.66x (ahead), 32 x 4096 x 4096
// 1.03-1.10x, 16 x 4096 x 4096 1.12-1.19x (next panel); L2-resident shapes unchanged.
//
// Epilogue: at K = 256 an output gets 256 MACs, so the per-output epilogue is ~10% of the
// work (the depth loop itself runs at the VPDPBUSD peak); hence accumulators that start at the
// column offsets, one shifted clamp, FloatRounding clamped in float, and unmasked stores
// (epilogue_avx512.hpp; docs/backends.md, "Measured": 256^3 1.05x same process).
//
// Codes: activations uint8 (int8 inputs + 128), weights int8 (uint8 inputs - 128);
// the driver folds both shifts into the zero-point terms. Products never saturate
// (VPDPBUSD, unlike VPDPBUSDS, wraps; the exact sum fits in int32 by gemm_max_k).
#pragma once

#include <cstdint>
#include <type_traits>

#include "lowp/core/diagnostics.hpp"
#include "lowp/gemm/backend.hpp"

#if LOWP_ISA_TAG_AVX512VNNI
#include <immintrin.h>

#include "lowp/gemm/x86/epilogue_avx512.hpp"
#endif

LOWP_BEGIN_SIMD_CODE

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
namespace backend {

#if LOWP_ISA_TAG_AVX512VNNI

struct Avx512Vnni : UnsignedBySignedCodes {
  static constexpr bool enabled = true;
  static constexpr const char* name = "avx512vnni";
  static constexpr const char* required_flags = "-mavx512vnni -mavx512bw -mavx512vl";
  static constexpr int mr = 8;
  static constexpr int nr = 32;
  static constexpr int kgroup = 4;
  static constexpr int max_panels = 4;
  static constexpr bool direct_a = true;  // may read row-major A in place (a_row_stride = lda)
  static constexpr int panels(int rows) { return rows <= 2 ? 4 : rows <= 4 ? 2 : 1; }

  // Software prefetch of B into L2 in the 8 x 32 tile's depth loop (see the top of the file).
  enum class Prefetch { none, next_panel, ahead };

  template <typename Policy, typename TC, int Rows, int Panels>
  LOWP_KERNEL_NOINLINE static void kernel(const TileArgs<a_type, b_type, TC>& t) {
    constexpr int V = 2 * Panels;  // zmm vectors of columns
    // The accumulators start at the column offsets (bias and zero-point terms, driver.hpp):
    // VPDPBUSD adds modulo 2^32 like the epilogue's add would, and the add leaves the epilogue.
    __m512i acc[Rows][V];
    LOWP_UNROLL
    for (int v = 0; v < V; ++v) {
      const __m512i offset = 16 * v < t.cols ? _mm512_loadu_si512(t.col.offset + 16 * v) : _mm512_setzero_si512();
      LOWP_UNROLL
      for (int r = 0; r < Rows; ++r) acc[r][v] = offset;
    }
    const std::uint8_t* a = t.a;
    const std::int8_t* b = t.b;
    auto depth_loop = [&](auto prefetch) LOWP_ALWAYS_INLINE_LAMBDA {
      const std::int8_t* pf = t.b_prefetch;
      _Pragma("GCC unroll 2")
      for (std::ptrdiff_t g = 0; g < t.kgroups; ++g) {
        if constexpr (decltype(prefetch)::value == Prefetch::next_panel) {
          _mm_prefetch(pf, _MM_HINT_T1);
          _mm_prefetch(pf + 64, _MM_HINT_T1);
          pf += t.b_prefetch_step;
        } else if constexpr (decltype(prefetch)::value == Prefetch::ahead) {
          _mm_prefetch(reinterpret_cast<const char*>(b) + b_prefetch_ahead_bytes, _MM_HINT_T1);
          _mm_prefetch(reinterpret_cast<const char*>(b) + b_prefetch_ahead_bytes + 64, _MM_HINT_T1);
        }
        __m512i bv[V];
        LOWP_UNROLL
        for (int p = 0; p < Panels; ++p) {
          bv[2 * p] = _mm512_loadu_si512(b + p * t.b_panel_stride);
          bv[2 * p + 1] = _mm512_loadu_si512(b + p * t.b_panel_stride + 64);
        }
        LOWP_UNROLL
        for (int r = 0; r < Rows; ++r) {
          std::int32_t a4;
          __builtin_memcpy(&a4, a + r * t.a_row_stride, 4);
          const __m512i av = _mm512_set1_epi32(a4);
          LOWP_UNROLL
          for (int v = 0; v < V; ++v) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], av, bv[v]);
        }
        a += t.a_group_stride;
        b += nr * 4;
      }
    };
    using P = Prefetch;
    if constexpr (Rows == mr && Panels == 1) {
      if (t.b_prefetch) {
        depth_loop(std::integral_constant<P, P::next_panel>{});
      } else if (t.b_beyond_l2) {
        depth_loop(std::integral_constant<P, P::ahead>{});
      } else {
        depth_loop(std::integral_constant<P, P::none>{});
      }
    } else {
      depth_loop(std::integral_constant<P, P::none>{});
    }
    // Through memory on purpose: handing the registers straight to the epilogue makes
    // GCC shuffle every accumulator through spare registers inside the depth loop.
    alignas(64) std::int32_t tile[Rows][V * 16];
    LOWP_UNROLL
    for (int r = 0; r < Rows; ++r)
      LOWP_UNROLL
      for (int v = 0; v < V; ++v) _mm512_store_si512(tile[r] + v * 16, acc[r][v]);
    epilogue<Policy, TC, Rows, V>(tile, t);
  }

 private:
  template <typename Policy, typename TC, int Rows, int V>
  static void epilogue(const std::int32_t (&tile)[Rows][V * 16], const TileArgs<a_type, b_type, TC>& t) {
    const gemm_detail::avx512::OutputBounds bounds(t.zc, t.lo, t.hi);
    if constexpr (std::is_same<Policy, FloatRounding>::value && sizeof(TC) <= 2) {
      if (bounds.float_exact) return epilogue_rows<Policy, TC, Rows, V, true>(tile, t, bounds);
    }
    epilogue_rows<Policy, TC, Rows, V, false>(tile, t, bounds);
  }

  template <typename Policy, typename TC, int Rows, int V, bool ClampInFloat>
  static void epilogue_rows(const std::int32_t (&tile)[Rows][V * 16], const TileArgs<a_type, b_type, TC>& t,
                            const gemm_detail::avx512::OutputBounds& bounds) {
    namespace x = gemm_detail::avx512;
    // Copies: 8-bit stores may alias t, which would otherwise be re-read after every store.
    TC* const c = t.c;
    const std::ptrdiff_t row_stride = t.c_row_stride, col_stride = t.c_col_stride;
    const int cols = t.cols;
    const ColumnParams col = t.col;
    std::int32_t row_sums[Rows];
    if (col.zb) __builtin_memcpy(row_sums, t.row_sums, sizeof(row_sums));
    LOWP_UNROLL
    for (int v = 0; v < V; ++v) {
      const int j = v * 16;
      if (j >= cols) break;
      const x::Columns16 params = x::load_columns(col, j);
      const __m512i zb = col.zb ? _mm512_loadu_si512(col.zb + j) : _mm512_setzero_si512();
      LOWP_UNROLL
      for (int r = 0; r < Rows; ++r) {
        __m512i s = _mm512_load_si512(tile[r] + j);
        if (col.zb) s = _mm512_sub_epi32(s, _mm512_mullo_epi32(zb, _mm512_set1_epi32(row_sums[r])));
        x::store_output<Policy, TC, ClampInFloat>(s, params, bounds, c + r * row_stride + j * col_stride, col_stride,
                                                  cols - j);
      }
    }
  }
};

#else

struct Avx512Vnni {
  static constexpr bool enabled = false;
  static constexpr const char* name = "avx512vnni";
  static constexpr const char* required_flags = "-mavx512vnni -mavx512bw -mavx512vl";
};

#endif

}  // namespace backend
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp

LOWP_END_SIMD_CODE
