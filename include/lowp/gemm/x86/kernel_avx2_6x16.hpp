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
// Why 6 x 16 and in-kernel widening: the loop is bound by its vector ALU operations (~3.3
// VPMADDWD/VPADDD per cycle on Zen 4), and the two VPMOVSXBW are 2 of 26 per k-group. In
// standalone loops a 12 x 8 tile (1 VPMOVSXBW but 12 broadcasts per k-group) and 8 x 8 ran no
// faster, int16 B at most 1-2% faster (docs/backends.md, "The AVX2 tile").
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

  // acc0 += VPMADDWD(a, b0), acc1 += VPMADDWD(a, b1), as one asm statement (see
  // tile_ymm_6x16.hpp: register allocation), both products before both adds; the second
  // product overwrites the broadcast (dead after it), so 12 accumulators + 2 B + the
  // broadcast + 1 product still fit 16 ymm. Zen 4 retires more VPMADDWD + VPADDD per cycle
  // with products issued ahead of their adds (bench/gemm/peaks.hpp); a standalone 6 x 16
  // loop (A and B in L1) went from 73-75% to 75-76% of the chain peak with this order.
  static void accumulate2(__m256i& acc0, __m256i& acc1, __m256i a, __m256i b0, __m256i b1) {
    __m256i p0;
    __asm__("vpmaddwd %[b0], %[a], %[p0]\n\tvpmaddwd %[b1], %[a], %[a]\n\t"
            "vpaddd %[p0], %[acc0], %[acc0]\n\tvpaddd %[a], %[acc1], %[acc1]"
            : [acc0] "+" LOWP_YMM_ASM_REG(acc0), [acc1] "+" LOWP_YMM_ASM_REG(acc1), [a] "+" LOWP_YMM_ASM_REG(a),
              [p0] "=&" LOWP_YMM_ASM_REG(p0)
            : [b0] LOWP_YMM_ASM_REG(b0), [b1] LOWP_YMM_ASM_REG(b1));
  }

  // Packing of one micro-panel of A, rows [0, rows) (rows <= mr) of a block whose rows are
  // contiguous (driver.hpp, backend_packs_a_panels). Per 16 depths: each of the 6 rows is
  // widened to int16 (one ymm = 8 k-groups of one row), a dword transpose turns the six into
  // 8 k-groups x 6 rows, and each k-group (24 bytes) is one 32-byte store whose last 8 bytes
  // the next k-group's store overwrites (the 8th: 16 + 8 bytes, nothing past the block).
  // Rows past `rows` repeat the last row: the slots exist (a micro-panel always has mr rows)
  // and no tile of fewer rows reads them. Returns the sum of each row's codes in row_sums.
  // The row-at-a-time packing it replaces stored each k-group with its own VPEXTRD (8 per
  // 16 codes): 16% of 3136 x 576 x 64 (perf), where only 64 columns share each packed row.
  template <typename TA>
  static void pack_a_panel(const TA* src, std::ptrdiff_t row_stride, int rows, std::ptrdiff_t k_len,
                           std::ptrdiff_t kgroups, a_type* panel, std::int32_t* row_sums) {
    if (row_sums) return pack_a_panel_impl<true>(src, row_stride, rows, k_len, kgroups, panel, row_sums);
    pack_a_panel_impl<false>(src, row_stride, rows, k_len, kgroups, panel, row_sums);
  }
  // Sums = false when no zb' is nonzero (row_sums == nullptr, the common symmetric-weights
  // case): 12 fewer vector operations per 16 depths, 1.01-1.05x at 3136 x 576 x 64 once the
  // panel is packed into L1 (driver.hpp, the one-micro-panel A block for small N).
  template <bool Sums, typename TA>
  static void pack_a_panel_impl(const TA* src, std::ptrdiff_t row_stride, int rows, std::ptrdiff_t k_len,
                                std::ptrdiff_t kgroups, a_type* panel, std::int32_t* row_sums) {
    static_assert(mr == 6 && kgroup == 2, "pack_a_panel transposes 6 rows of int16 pairs");
    constexpr std::ptrdiff_t group_stride = mr * kgroup;  // int16 codes per k-group of the panel
    const TA* row[mr];
    for (int r = 0; r < mr; ++r) row[r] = src + (r < rows ? r : rows - 1) * row_stride;
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i sums[mr];
    for (int r = 0; r < mr; ++r) sums[r] = _mm256_setzero_si256();
    std::ptrdiff_t g = 0;
    for (; 2 * g + 16 <= k_len; g += 8) {
      // The same line of each row of the micro-panel two ahead, into L1, once per 64 bytes:
      // six row streams of K bytes are too short for the hardware prefetchers, and without
      // this the packing waited on its loads (perf) and, in one run, was no faster inside the
      // GEMM than the row-at-a-time one (3136 x 576 x 64: 0.99x; with it 1.06-1.10x).
      // (Integer arithmetic: the address may lie past the end of A, harmless for a prefetch.)
      if (g % 32 == 0)
        for (int r = 0; r < mr; ++r)
          _mm_prefetch(reinterpret_cast<const char*>(reinterpret_cast<std::uintptr_t>(row[r] + 2 * g) +
                                                     2 * mr * row_stride * static_cast<std::ptrdiff_t>(sizeof(TA))),
                       _MM_HINT_T0);
      __m256i x[mr];  // x[r]: k-groups g .. g+7 of row r, one dword each (lanes: g..g+3 | g+4..g+7)
      for (int r = 0; r < mr; ++r) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row[r] + 2 * g));
        x[r] = std::is_signed<TA>::value ? _mm256_cvtepi8_epi16(bytes) : _mm256_cvtepu8_epi16(bytes);
        if constexpr (Sums) sums[r] = _mm256_add_epi32(sums[r], _mm256_madd_epi16(x[r], ones));
      }
      // Per 128-bit lane: u[j] = rows 0-3 of k-group j (lane 1: j + 4), v[j] = rows 4-5 in its low 8 bytes.
      const __m256i t01l = _mm256_unpacklo_epi32(x[0], x[1]), t01h = _mm256_unpackhi_epi32(x[0], x[1]);
      const __m256i t23l = _mm256_unpacklo_epi32(x[2], x[3]), t23h = _mm256_unpackhi_epi32(x[2], x[3]);
      const __m256i t45l = _mm256_unpacklo_epi32(x[4], x[5]), t45h = _mm256_unpackhi_epi32(x[4], x[5]);
      const __m256i u[4] = {_mm256_unpacklo_epi64(t01l, t23l), _mm256_unpackhi_epi64(t01l, t23l),
                            _mm256_unpacklo_epi64(t01h, t23h), _mm256_unpackhi_epi64(t01h, t23h)};
      const __m256i v[4] = {t45l, _mm256_unpackhi_epi64(t45l, t45l), t45h, _mm256_unpackhi_epi64(t45h, t45h)};
      a_type* out = panel + g * group_stride;
      for (int j = 0; j < 4; ++j)  // k-groups g+j: low lanes
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + j * group_stride), _mm256_permute2x128_si256(u[j], v[j], 0x20));
      for (int j = 0; j < 3; ++j)  // k-groups g+4+j: high lanes
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + (4 + j) * group_stride),
                            _mm256_permute2x128_si256(u[j], v[j], 0x31));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 7 * group_stride), _mm256_extracti128_si256(u[3], 1));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 7 * group_stride + 8), _mm256_extracti128_si256(v[3], 1));
    }
    alignas(32) std::int32_t lanes[mr][8];
    for (int r = 0; r < mr; ++r) _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[r]), sums[r]);
    for (int r = 0; r < mr; ++r) {
      std::int32_t sum = 0;
      for (int i = 0; i < 8; ++i) sum += lanes[r][i];
      for (std::ptrdiff_t k = 2 * g; k < 2 * kgroups; ++k) {
        const a_type code = k < k_len ? static_cast<a_type>(row[r][k]) : a_type{0};
        panel[(k / 2) * group_stride + r * kgroup + k % 2] = code;
        sum += code;
      }
      if (Sums && r < rows) row_sums[r] = sum;
    }
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
