// The AVX-VNNI backend in its VEX encoding (compiled with -mavxvnni). Skipped, loudly,
// on CPUs without AVX-VNNI (e.g. AMD Zen 4, which has AVX-512 VNNI only); the same
// kernel source is also tested in its EVEX encoding by test_gemm_avx512vnni.
#include "differential_suite.hpp"

static_assert(std::is_same<lowp::DefaultBackend, lowp::backend::AvxVnni>::value,
              "-mavxvnni without AVX-512 must select the AvxVnni backend");

LOWP_GEMM_DIFFERENTIAL_TESTS(GemmAvxVnni, lowp::backend::AvxVnni, __builtin_cpu_supports("avxvnni"),
                             "CPU lacks AVX-VNNI (VEX): the avxvnni GEMM backend binary was NOT executed "
                             "(its kernel logic runs in EVEX form in test_gemm_avx512vnni)")
