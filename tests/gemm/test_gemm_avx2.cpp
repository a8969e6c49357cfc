// The exact AVX2 backend (compiled with -mavx2) against the reference, including the
// all-255 x all -128/+127 long-K cases that a saturating VPMADDUBSW gets wrong.
// Skipped, loudly, on CPUs without AVX2.
#include "differential_suite.hpp"

static_assert(std::is_same<lowp::DefaultBackend, lowp::backend::Avx2>::value, "-mavx2 must select the Avx2 backend");

LOWP_GEMM_DIFFERENTIAL_TESTS(GemmAvx2, lowp::backend::Avx2, __builtin_cpu_supports("avx2"),
                             "CPU lacks AVX2: the avx2 GEMM backend was NOT tested")
