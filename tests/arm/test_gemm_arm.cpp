// The backend-generic differential suite of tests/gemm for the top ARM tier the
// compiler flags enable: bit-exact against reference_gemm on random shapes, all
// input signedness and output types, all policies, tails, extremes, long K.
// Each tier is the top tier of one CI build (.ci/cross.sh: neon, dotprod, i8mm),
// so every backend runs the suite once, on a qemu CPU model that has it; the
// suite is heavy to compile (~50 s of CPU per backend), hence one per build.
// A tier whose instructions the CPU lacks is SKIPPED (see cpu_features.hpp).
#include "differential_suite.hpp"

#include "lowp/gemm/arm/cpu_features.hpp"

#if defined(__ARM_FEATURE_MATMUL_INT8)
LOWP_GEMM_DIFFERENTIAL_TESTS(ArmI8mmGemm, lowp::backend::NeonI8mm, lowp::arm::cpu_has_i8mm(),
                             "CPU lacks the int8 matrix-multiply instructions (HWCAP2_I8MM)")
#elif defined(__ARM_FEATURE_DOTPROD)
LOWP_GEMM_DIFFERENTIAL_TESTS(ArmDotprodGemm, lowp::backend::NeonDotprod, lowp::arm::cpu_has_dotprod(),
                             "CPU lacks the dot-product instructions (HWCAP_ASIMDDP)")
#else
LOWP_GEMM_DIFFERENTIAL_TESTS(ArmNeonGemm, lowp::backend::Neon, true, "")
#endif

// The tier a translation unit gets by default is the top one its flags enable.
#if defined(__ARM_FEATURE_MATMUL_INT8)
static_assert(std::is_same<lowp::DefaultBackend, lowp::backend::NeonI8mm>::value, "i8mm flags must select NeonI8mm");
#elif defined(__ARM_FEATURE_DOTPROD)
static_assert(std::is_same<lowp::DefaultBackend, lowp::backend::NeonDotprod>::value,
              "dotprod flags must select NeonDotprod");
#else
static_assert(std::is_same<lowp::DefaultBackend, lowp::backend::Neon>::value, "AArch64 must select Neon");
#endif
