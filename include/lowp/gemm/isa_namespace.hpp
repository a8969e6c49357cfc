// lowp/gemm/isa_namespace.hpp: one inline namespace per instruction-set configuration.
//
// A program may compile lowp's GEMM in several translation units with different
// -m flags (say one TU with -mavx2 for old CPUs and one with -mavx512vnni for new
// ones, dispatched at run time). Inline functions and templates compiled under
// different flags are different machine code; if they shared mangled names the
// linker would keep one copy at random and an AVX-512 body could run on an AVX2
// CPU (an ODR violation). So everything the GEMM compiles with intrinsics or
// auto-vectorizes lives in `lowp::LOWP_ISA_NAMESPACE`, an inline namespace whose
// name spells the ISA flags of the translation unit: users still write
// lowp::gemm, but the symbols of an AVX2 TU and an AVX-512 TU never collide.
#pragma once

#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#define LOWP_ISA_TAG_AVX512VNNI 1
#else
#define LOWP_ISA_TAG_AVX512VNNI 0
#endif
#if defined(__AVXVNNI__)
#define LOWP_ISA_TAG_AVXVNNI 1
#else
#define LOWP_ISA_TAG_AVXVNNI 0
#endif
#if defined(__AVX2__)
#define LOWP_ISA_TAG_AVX2 1
#else
#define LOWP_ISA_TAG_AVX2 0
#endif
#if defined(__AVX512F__)
#define LOWP_ISA_TAG_AVX512F 1
#else
#define LOWP_ISA_TAG_AVX512F 0
#endif
#if defined(__ARM_NEON)
#define LOWP_ISA_TAG_NEON 1
#else
#define LOWP_ISA_TAG_NEON 0
#endif
#if defined(__ARM_FEATURE_DOTPROD)
#define LOWP_ISA_TAG_DOTPROD 1
#else
#define LOWP_ISA_TAG_DOTPROD 0
#endif
#if defined(__ARM_FEATURE_MATMUL_INT8)
#define LOWP_ISA_TAG_I8MM 1
#else
#define LOWP_ISA_TAG_I8MM 0
#endif

#define LOWP_ISA_NAME7(a, b, c, d, e, f, g) isa_x86_##a##_##b##_##c##_##d##_arm_##e##_##f##_##g
#define LOWP_ISA_NAME(a, b, c, d, e, f, g) LOWP_ISA_NAME7(a, b, c, d, e, f, g)
// e.g. isa_x86_1_0_1_1_arm_0_0_0 for -mavx2 -mavx512f -mavx512vnni -mavx512bw -mavx512vl:
// flags avx2, avxvnni, avx512f, avx512vnni+bw+vl, neon, dotprod, i8mm.
#define LOWP_ISA_NAMESPACE                                                                         \
  LOWP_ISA_NAME(LOWP_ISA_TAG_AVX2, LOWP_ISA_TAG_AVXVNNI, LOWP_ISA_TAG_AVX512F, LOWP_ISA_TAG_AVX512VNNI, \
                LOWP_ISA_TAG_NEON, LOWP_ISA_TAG_DOTPROD, LOWP_ISA_TAG_I8MM)
