// Two translation units compiled with different ISA flags (-mavx2; -mavx512vnni
// -mavx512bw -mavx512vl) instantiate the same lowp GEMM templates and are linked into
// this program (compiled without ISA flags). Each must keep its own code: the
// ISA-keyed inline namespace gives the instantiations distinct symbols, so the linker
// cannot fold an AVX-512 body into the AVX2 path. Both must equal the reference.
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "lowp/gemm/reference.hpp"
#include "multi_isa_tu.hpp"

namespace {
std::vector<std::int8_t> reference(int m, int n, int k) {
  std::vector<std::uint8_t> a(static_cast<std::size_t>(m * k));
  std::vector<std::int8_t> b(static_cast<std::size_t>(k * n)), c(static_cast<std::size_t>(m * n));
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::uint8_t>(i * 37 + 11);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::int8_t>(i * 91 + 5);
  lowp::OutputStage out;
  out.multiplier = 1518500250;
  out.shift = -12;
  out.output_zero_point = -3;
  lowp::reference_gemm<lowp::SingleRounding>(lowp::row_major(a.data(), m, k), lowp::row_major(b.data(), k, n),
                                             lowp::row_major(c.data(), m, n), lowp::GemmZeroPoints{7, 0}, out);
  return c;
}
bool cpu_has_avx512vnni() {
  return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl");
}
}  // namespace

TEST(GemmMultiIsa, SameTemplatesInTwoIsaTranslationUnitsStayDistinct) {
  EXPECT_NE(multi_isa::avx2_gemm_address(), multi_isa_avx512::avx2_gemm_address())
      << "the -mavx2 and -mavx512vnni translation units share one instantiation of lowp::gemm: ODR violation";
}

// Runs a TU's DefaultBackend and Avx2 paths over a few shapes against the reference.
template <typename RunDefault, typename RunAvx2>
void check_translation_unit(const char* expected_backend, RunDefault run_default, RunAvx2 run_avx2) {
  for (int m : {1, 3, 8, 17})
    for (int n : {5, 64, 70}) {
      std::vector<std::int8_t> c;
      EXPECT_STREQ(run_default(m, n, 131, c), expected_backend);
      EXPECT_EQ(c, reference(m, n, 131)) << "M=" << m << " N=" << n;
      run_avx2(m, n, 131, c);
      EXPECT_EQ(c, reference(m, n, 131)) << "M=" << m << " N=" << n;
    }
}

TEST(GemmMultiIsa, Avx2TranslationUnitMatchesReference) {
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "CPU lacks AVX2: the -mavx2 translation unit was NOT run";
  check_translation_unit("avx2", multi_isa::run_default, multi_isa::run_avx2);
}

TEST(GemmMultiIsa, Avx512TranslationUnitMatchesReference) {
  if (!cpu_has_avx512vnni())
    GTEST_SKIP() << "CPU lacks AVX-512 VNNI/BW/VL: the -mavx512vnni translation unit was NOT run";
  check_translation_unit("avx512vnni", multi_isa_avx512::run_default, multi_isa_avx512::run_avx2);
}
