// lowp/core/diagnostics.hpp: silencing one known compiler false positive, and nothing else.
//
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_epi32() as the unused merge source of
// unmasked conversions; once xsimd's calls are inlined into lowp's kernels, GCC's
// uninitialized-use analysis flags it (GCC bug 105593, fixed in GCC 13). Users building with
// -Wall would see dozens of these from lowp's headers, so the headers holding xsimd kernels
// wrap themselves in LOWP_BEGIN/END_XSIMD_KERNELS. Other compilers and GCC >= 13: no effect.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#define LOWP_BEGIN_XSIMD_KERNELS                                   \
  _Pragma("GCC diagnostic push")                                   \
  _Pragma("GCC diagnostic ignored \"-Wuninitialized\"")            \
  _Pragma("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
#define LOWP_END_XSIMD_KERNELS _Pragma("GCC diagnostic pop")
#else
#define LOWP_BEGIN_XSIMD_KERNELS
#define LOWP_END_XSIMD_KERNELS
#endif
