// The AVX-512 VNNI backend (compiled with -mavx512vnni -mavx512bw -mavx512vl) against
// the reference. Skipped, loudly, on CPUs without AVX-512 VNNI.
#include "differential_suite.hpp"

namespace {
bool cpu_has_avx512vnni() {
  return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl");
}
}  // namespace

static_assert(std::is_same<lowp::DefaultBackend, lowp::backend::Avx512Vnni>::value,
              "-mavx512vnni -mavx512bw -mavx512vl must select the Avx512Vnni backend");

LOWP_GEMM_DIFFERENTIAL_TESTS(GemmAvx512Vnni, lowp::backend::Avx512Vnni, cpu_has_avx512vnni(),
                             "CPU lacks AVX-512 VNNI/BW/VL: the avx512vnni GEMM backend was NOT tested")

// The AVX-VNNI (ymm) kernel source compiled to EVEX under -mavx512vnni -mavx512vl.
LOWP_GEMM_DIFFERENTIAL_TESTS(GemmAvxVnniEvex, lowp::backend::AvxVnni, cpu_has_avx512vnni(),
                             "CPU lacks AVX-512 VNNI/VL: the EVEX build of the avxvnni kernel was NOT tested")
