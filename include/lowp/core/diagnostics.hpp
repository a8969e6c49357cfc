// lowp/core/diagnostics.hpp: silencing one known compiler false positive, and nothing else.
//
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_epi32() (and friends) as the unused merge
// source of unmasked operations; once they are inlined into lowp's kernels, GCC's
// uninitialized-use analysis flags that (GCC bug 105593, fixed in GCC 13). A user building with
// -Wall would see hundreds of these from lowp's headers, so the headers whose code reaches
// AVX-512 intrinsics (the xsimd quantize kernels, the x86 GEMM kernels and epilogues) wrap
// themselves in LOWP_BEGIN_SIMD_CODE / LOWP_END_SIMD_CODE. Other compilers and GCC >= 13:
// no effect.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#define LOWP_BEGIN_SIMD_CODE                                   \
  _Pragma("GCC diagnostic push")                                   \
  _Pragma("GCC diagnostic ignored \"-Wuninitialized\"")            \
  _Pragma("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
#define LOWP_END_SIMD_CODE _Pragma("GCC diagnostic pop")
#else
#define LOWP_BEGIN_SIMD_CODE
#define LOWP_END_SIMD_CODE
#endif
