// lowp/gemm/arm/cpu_features.hpp: does the running CPU have the instructions
// a kernel was compiled for? The GEMM picks its ARM tier at compile time from
// -march; a binary built for dotprod or i8mm and started on an older core would
// die of SIGILL, so programs (and lowp's tests, which then skip) ask first.
// Linux reports the features through the auxiliary vector (HWCAP_ASIMDDP,
// HWCAP2_I8MM); elsewhere only what the compiler was told is known.
#pragma once

#if defined(__linux__) && defined(__aarch64__)
#include <sys/auxv.h>
#endif

#include "lowp/gemm/isa_namespace.hpp"

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
namespace arm {

namespace detail {
#if defined(__linux__) && defined(__aarch64__)
// Values of the arm64 uapi <asm/hwcap.h>, spelled out for older C libraries.
constexpr unsigned long kHwcapAsimdDotProduct = 1ul << 20;  // HWCAP_ASIMDDP
constexpr unsigned long kHwcap2Int8MatMul = 1ul << 13;      // HWCAP2_I8MM
#endif
}  // namespace detail

inline bool cpu_has_neon() {
#if defined(__aarch64__)
  return true;  // Advanced SIMD is mandatory in AArch64
#else
  return false;
#endif
}

inline bool cpu_has_dotprod() {
#if defined(__linux__) && defined(__aarch64__)
  return (getauxval(AT_HWCAP) & detail::kHwcapAsimdDotProduct) != 0;
#elif defined(__ARM_FEATURE_DOTPROD)
  return true;
#else
  return false;
#endif
}

inline bool cpu_has_i8mm() {
#if defined(__linux__) && defined(__aarch64__)
  return (getauxval(AT_HWCAP2) & detail::kHwcap2Int8MatMul) != 0;
#elif defined(__ARM_FEATURE_MATMUL_INT8)
  return true;
#else
  return false;
#endif
}

}  // namespace arm
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
