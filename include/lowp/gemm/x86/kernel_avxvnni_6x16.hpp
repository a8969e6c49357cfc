// lowp/gemm/x86/kernel_avxvnni_6x16.hpp: the AVX-VNNI backend, a 6 x 16 tile of ymm VPDPBUSD.
//
// For CPUs with VNNI but only 256-bit vectors (Alder Lake and later client cores:
// the VEX-encoded AVX-VNNI). One k-group is 4 depths: a B panel's k-group is 16
// columns x 4 int8 codes = two ymm; an A row's is 4 uint8 codes, broadcast. Codes and
// shifts as in the Avx512Vnni backend; the loop, tile and epilogue are shared with Avx2
// (tile_ymm_6x16.hpp).
//
// The same source compiles to the EVEX encoding when built with -mavx512vnni
// -mavx512vl instead of -mavxvnni (identical semantics): that is how its logic is
// tested on CPUs with AVX-512 VNNI but without AVX-VNNI (tests/gemm).
#pragma once

#include <cstdint>
#include <type_traits>

#include "lowp/core/diagnostics.hpp"
#include "lowp/gemm/backend.hpp"

#if LOWP_ISA_TAG_AVXVNNI || LOWP_ISA_TAG_AVX512VNNI
#include <immintrin.h>

#include "lowp/gemm/x86/tile_ymm_6x16.hpp"
#endif

LOWP_BEGIN_SIMD_CODE

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
  static constexpr int mr = gemm_detail::ymm::mr;
  static constexpr int nr = gemm_detail::ymm::nr;
  static constexpr int kgroup = 4;
  static constexpr int max_panels = 2;
  static constexpr bool direct_a = true;  // may read row-major A in place (a_row_stride = lda)
  static constexpr int panels(int rows) { return rows <= 2 ? 2 : 1; }
  static constexpr int prefetch_min_rows = 3;  // tiles that prefetch B beyond L2 (tile_ymm_6x16.hpp)
  static constexpr bool prefetch_first_tile_only = true;  // (ditto)

  // Columns 8*half .. 8*half+7 of one k-group (8 x 4 codes).
  static __m256i load_b(const b_type* group, int half) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(group + 32 * half));
  }

  // acc += VPDPBUSD(a, b), as one asm statement (see tile_ymm_6x16.hpp: register allocation).
  static void accumulate(__m256i& acc, __m256i a, __m256i b) {
#if LOWP_ISA_TAG_AVXVNNI
    __asm__("%{vex%} vpdpbusd %[b], %[a], %[acc]" : [acc] "+x"(acc) : [a] "x"(a), [b] "x"(b));
#else
    __asm__("vpdpbusd %[b], %[a], %[acc]" : [acc] "+v"(acc) : [a] "v"(a), [b] "v"(b));
#endif
  }
  static void accumulate2(__m256i& acc0, __m256i& acc1, __m256i a, __m256i b0, __m256i b1) {
    accumulate(acc0, a, b0);
    accumulate(acc1, a, b1);
  }

  template <typename Policy, typename TC, int Rows, int Panels>
  static void kernel(const TileArgs<a_type, b_type, TC>& t) {
    gemm_detail::ymm::kernel<AvxVnni, Policy, TC, Rows, Panels>(t);
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

LOWP_END_SIMD_CODE
