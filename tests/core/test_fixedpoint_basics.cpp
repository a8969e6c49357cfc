// Hand-derived edge cases of the fixed-point primitives and requantization
// policies (each expected value is worked out in the comment beside it). The
// exhaustive comparison against gemmlowp's own header lives in tests/fixedpoint.
#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

#include "lowp/fixedpoint/fixedpoint.hpp"
#include "lowp/fixedpoint/requantize.hpp"

namespace {
using lowp::fixedpoint::rounding_divide_by_pot;
using lowp::fixedpoint::saturating_rounding_doubling_high_mul;
constexpr std::int32_t kMin = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t kMax = std::numeric_limits<std::int32_t>::max();

TEST(FixedPoint, DoublingHighMulEdgeCases) {
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, kMin), kMax);  // (-1)*(-1) saturates
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, kMax), -kMax);  // -1 * (1 - 2^-31)
  EXPECT_EQ(saturating_rounding_doubling_high_mul(1 << 30, 1 << 30), 1 << 29);  // 0.5 * 0.5
  // 1 * 2^30 / 2^31 = 0.5 exactly: a tie, rounded toward +infinity (as SQRDMULH).
  EXPECT_EQ(saturating_rounding_doubling_high_mul(1, 1 << 30), 1);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-1, 1 << 30), 0);    // -0.5 -> 0
  EXPECT_EQ(saturating_rounding_doubling_high_mul(3, 1 << 30), 2);     // 1.5 -> 2
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-3, 1 << 30), -1);   // -1.5 -> -1
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-5, 1 << 29), -1);   // -1.25 -> -1
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-7, 1 << 29), -2);   // -1.75 -> -2
}

TEST(FixedPoint, RoundingDivideByPotTiesAwayFromZero) {
  EXPECT_EQ(rounding_divide_by_pot(5, 1), 3);    // 2.5 -> 3
  EXPECT_EQ(rounding_divide_by_pot(-5, 1), -3);  // -2.5 -> -3
  EXPECT_EQ(rounding_divide_by_pot(-6, 2), -2);  // -1.5 -> -2
  EXPECT_EQ(rounding_divide_by_pot(-5, 2), -1);  // -1.25 -> -1
  EXPECT_EQ(rounding_divide_by_pot(kMax, 31), 1);  // ~1.0 -> 1
  EXPECT_EQ(rounding_divide_by_pot(kMin, 31), -1);
  EXPECT_EQ(rounding_divide_by_pot(12345, 0), 12345);
}

TEST(Requantize, PoliciesDifferOnlyInTieBreaking) {
  // M = 0.5 = 2^30 * 2^(0-31): acc * M with acc odd is an exact tie.
  const lowp::RequantMultiplier half{1 << 30, 0, 0.5f};
  EXPECT_EQ(lowp::GemmlowpRounding::scale(5, half), 3);   // away from zero
  EXPECT_EQ(lowp::GemmlowpRounding::scale(-5, half), -2);  // the high multiply: toward +inf
  // M = 0.25 = 2^30 * 2^(-1-31): the right shift rounds ties away from zero.
  const lowp::RequantMultiplier quarter{1 << 30, -1, 0.25f};
  EXPECT_EQ(lowp::GemmlowpRounding::scale(-6, quarter), -2);  // -3 * 0.5 = -1.5 -> -2
  EXPECT_EQ(lowp::GemmlowpRounding::scale(6, quarter), 2);
  EXPECT_EQ(lowp::SingleRounding::scale(5, half), 3);     // toward +inf
  EXPECT_EQ(lowp::SingleRounding::scale(-5, half), -2);
  EXPECT_EQ(lowp::FloatRounding::scale(5, half), 2);      // to even
  EXPECT_EQ(lowp::FloatRounding::scale(-5, half), -2);
  // M = 2 via a left shift: acc * 2, saturated.
  const lowp::RequantMultiplier two{1 << 30, 2, 2.0f};
  EXPECT_EQ(lowp::GemmlowpRounding::scale(21, two), 42);
  EXPECT_EQ(lowp::SingleRounding::scale(21, two), 42);
  // acc * 2^2 saturates at 2^31 - 1 before the 0.5 multiply: the result stays
  // >= 2^30, beyond every 8/16-bit output range, so outputs saturate correctly.
  EXPECT_EQ(lowp::GemmlowpRounding::scale(kMax, two), 1 << 30);
  EXPECT_EQ(lowp::SingleRounding::scale(kMin, two), kMin);
  EXPECT_EQ(lowp::FloatRounding::scale(kMin, two), kMin);
}

}  // namespace
