// The portable backend against the reference, plus the API properties that do not
// depend on an ISA (argument checks, allocation-free packed calls, backend names).
#include "differential_suite.hpp"

LOWP_GEMM_DIFFERENTIAL_TESTS(GemmScalar, lowp::backend::Scalar, true, "")

TEST(GemmApi, BadArgumentsAreRefused) {
  std::vector<std::uint8_t> a(12, 1);
  std::vector<std::int8_t> b(12, 1);
  std::vector<std::int32_t> c(9);
  lowp::GemmZeroPoints zp;
  lowp::OutputStage out;
  using P = lowp::SingleRounding;
  using S = lowp::backend::Scalar;
  // Inner dimensions differ.
  EXPECT_THROW((lowp::gemm<P, S>(lowp::row_major(a.data(), 3, 4), lowp::row_major(b.data(), 3, 4),
                                 lowp::row_major(c.data(), 3, 4), zp, out)),
               lowp::error);
  // Zero point outside the activation type.
  zp.a = 300;
  EXPECT_THROW((lowp::gemm<P, S>(lowp::row_major(a.data(), 3, 4), lowp::row_major(b.data(), 4, 3),
                                 lowp::row_major(c.data(), 3, 3), zp, out)),
               lowp::error);
  zp.a = 0;
  // Packed weights of the wrong depth.
  const lowp::PackedWeights<S, std::int8_t> w(lowp::row_major(b.data(), 3, 4), 0);
  EXPECT_THROW((lowp::gemm<P>(lowp::row_major(a.data(), 3, 4), w, lowp::row_major(c.data(), 3, 4), 0, out)),
               lowp::error);
  EXPECT_STREQ(lowp::backend_name<S>(), "scalar");
}
