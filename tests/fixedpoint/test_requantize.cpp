// quantize_multiplier (TFLite's convention and lowp's limits) and golden vectors
// for the three requantization policies. Every expected value is derived by
// hand in the comment beside it; docs/requantization.md repeats the table.
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "lowp/core/error.hpp"
#include "lowp/fixedpoint/quantize_multiplier.hpp"
#include "lowp/fixedpoint/requantize.hpp"

namespace {
constexpr std::int32_t k2p30 = std::int32_t{1} << 30;

void expect_quantized(double real, std::int32_t multiplier, int shift) {
  const lowp::QuantizedMultiplier q = lowp::quantize_multiplier(real);
  EXPECT_EQ(q.multiplier, multiplier) << "M = " << real;
  EXPECT_EQ(q.shift, shift) << "M = " << real;
}

TEST(QuantizeMultiplier, TfliteConvention) {
  expect_quantized(0.5, k2p30, 0);                       // 0.5 * 2^0
  expect_quantized(1.0, k2p30, 1);                       // frexp(1) = 0.5 * 2^1
  expect_quantized(0.25, k2p30, -1);
  expect_quantized(0.75, 3 * (k2p30 / 2), 0);            // 0.75 * 2^31 = 3 * 2^29
  expect_quantized(0.1, 1717986918, -3);                 // 0.8 * 2^31 = 1717986918.4 -> down
  expect_quantized(3.0, 3 * (k2p30 / 2), 2);             // 0.75 * 2^2
  // mantissa exactly half-way: (2^30 + 0.5) / 2^31 -> rounds away from zero
  expect_quantized(0.5 + std::ldexp(1.0, -32), k2p30 + 1, 0);
  // q * 2^31 rounds up to 2^31: renormalized to 2^30 with shift + 1
  expect_quantized(1.0 - std::ldexp(1.0, -33), k2p30, 1);
  expect_quantized(0.5 - std::ldexp(1.0, -34), k2p30, 0);
}

TEST(QuantizeMultiplier, Limits) {
  expect_quantized(0.0, 0, 0);
  expect_quantized(-0.0, 0, 0);
  expect_quantized(std::ldexp(1.0, -32), k2p30, -31);  // smallest representable: shift -31
  expect_quantized(std::ldexp(1.0, -33), 0, 0);        // below: TFLite's zero multiplier
  expect_quantized(1e-310, 0, 0);                      // denormal
  expect_quantized(std::ldexp(1.5, 29), 3 * (k2p30 / 2), 30);  // 0.75 * 2^30: the largest shift
  EXPECT_THROW(lowp::quantize_multiplier(std::ldexp(1.0, 30)), lowp::error);  // would need shift 31
  EXPECT_THROW(lowp::quantize_multiplier(std::ldexp(1.0, 30) * (1 - 1e-15)), lowp::error);  // rounds up to 2^30
  EXPECT_THROW(lowp::quantize_multiplier(-0.5), lowp::error);
  EXPECT_THROW(lowp::quantize_multiplier(std::nan("")), lowp::error);
  EXPECT_THROW(lowp::quantize_multiplier(INFINITY), lowp::error);
  EXPECT_THROW(lowp::quantize_multiplier(-INFINITY), lowp::error);
}

TEST(QuantizeMultiplier, RelativeErrorAtMostHalfUlp) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> log2m(-32.0, 29.99);
  for (int i = 0; i < 100000; ++i) {
    const double m = std::exp2(log2m(rng));
    const auto q = lowp::quantize_multiplier(m);
    ASSERT_GE(q.multiplier, k2p30);
    ASSERT_GE(q.shift, -31);
    ASSERT_LE(q.shift, 30);
    const double represented = std::ldexp(static_cast<double>(q.multiplier), q.shift - 31);
    ASSERT_LE(std::fabs(represented - m), std::ldexp(1.0, q.shift - 32)) << m;  // half a mantissa ulp
  }
}

// One golden row: acc * M under each policy.
struct Golden {
  std::int32_t acc;
  lowp::RequantMultiplier m;
  std::int32_t gemmlowp, single, fp32;
};

TEST(Requantize, GoldenVectorsWherePoliciesDisagree) {
  const lowp::RequantMultiplier half{k2p30, 0, 0.5f}, quarter{k2p30, -1, 0.25f};
  const lowp::RequantMultiplier three_eighths{3 * (k2p30 / 2), -1, 0.375f};
  const lowp::RequantMultiplier tenth{1717986918, -3, 0.1f}, one{k2p30, 1, 1.0f};
  const Golden table[] = {
      // M = 0.5: acc * M = 2.5, -2.5, 3.5, -3.5 are ties. The high multiply
      // rounds ties up ((5 + 1) 2^30 >> 31 = 3, (-5 + 1) 2^30 >> 31 = -2);
      // single rounding likewise; fp32 rounds to even.
      {5, half, 3, 3, 2},
      {-5, half, -2, -2, -2},
      {7, half, 4, 4, 4},
      {-7, half, -3, -3, -4},
      // M = 0.25 (shift -1): the high multiply gives floor((-10 + 1) / 2) = -5,
      // an exact value, then the right shift's tie -2.5 goes away from zero: -3.
      // Single rounding: (-10 * 2^30 + 2^31) >> 32 = -2; fp32: -2.5 -> -2.
      {-10, quarter, -3, -2, -2},
      {10, quarter, 3, 3, 2},
      {-6, quarter, -2, -1, -2},  // -1.5: away / up / even
      // M = 3/8: acc = 1 is 0.375, no tie, but gemmlowp rounds twice:
      // (3 2^29 + 2^30) >> 31 = 1, then 1 / 2 = 0.5 -> 1. The others give 0.
      {1, three_eighths, 1, 0, 0},
      {-1, three_eighths, -1, 0, 0},  // (-3 + 2) 2^29 >> 31 = -1; -1 / 2 -> -1
      // M = 0.1: mantissa 1717986918 = 0.8 2^31 - 0.4, so 25 * M = 2.4999999996:
      // single rounding gives 2; gemmlowp's high multiply gives round(19.99999999) = 20,
      // then 20 / 8 = 2.5 -> 3 (double rounding). fp32: 25 * 0.1f = 2.50000004
      // rounds to the float 2.5, a tie -> 2.
      {25, tenth, 3, 2, 2},
      // M = 1: 2^24 + 1 is exact for the integer policies but (float)acc rounds to 2^24.
      {16777217, one, 16777217, 16777217, 16777216},
  };
  for (const Golden& g : table) {
    EXPECT_EQ(lowp::GemmlowpRounding::scale(g.acc, g.m), g.gemmlowp) << "acc " << g.acc << " M " << g.m.real;
    EXPECT_EQ(lowp::SingleRounding::scale(g.acc, g.m), g.single) << "acc " << g.acc << " M " << g.m.real;
    EXPECT_EQ(lowp::FloatRounding::scale(g.acc, g.m), g.fp32) << "acc " << g.acc << " M " << g.m.real;
  }
}

TEST(Requantize, SingleRoundingIsTheCorrectlyRoundedProduct) {
  // round-half-up(acc * multiplier / 2^(31 - shift)) computed with a floor
  // division written independently of the policy's shift.
  std::mt19937 rng(9);
  std::uniform_int_distribution<std::int32_t> acc(-(1 << 26), 1 << 26), mant(k2p30, 0x7fffffff);
  std::uniform_int_distribution<int> shift(-31, 4);
  for (int i = 0; i < 200000; ++i) {
    const lowp::RequantMultiplier m{mant(rng), shift(rng), 0.0f};
    const std::int32_t a = acc(rng);
    // floor((2 acc mult + 2^s) / 2^(s+1)) in 128-bit arithmetic (s + 1 reaches 63)
    const int s = 31 - m.shift;
    const __int128 num = 2 * static_cast<__int128>(a) * m.multiplier + (static_cast<__int128>(1) << s);
    const __int128 twice = static_cast<__int128>(1) << (s + 1);
    const auto expected = static_cast<std::int64_t>(num >= 0 ? num / twice : -((-num + twice - 1) / twice));
    ASSERT_EQ(lowp::SingleRounding::scale(a, m), expected);
  }
}

TEST(Requantize, SaturationAtTheExtremes) {
  // M = (2^31 - 1) 2^(30 - 31) ~= 2^30: acc * M far outside int32 for |acc| >= 2.
  const lowp::RequantMultiplier max_m{0x7fffffff, 30, 1073741824.0f};
  constexpr std::int32_t kMax = std::numeric_limits<std::int32_t>::max(), kMin = std::numeric_limits<std::int32_t>::min();
  for (std::int32_t acc : {kMax, kMin, 5, -5}) {
    const std::int32_t want = acc > 0 ? kMax : kMin;
    EXPECT_EQ(lowp::SingleRounding::scale(acc, max_m), want) << acc;
    EXPECT_EQ(lowp::FloatRounding::scale(acc, max_m), want) << acc;
    // gemmlowp saturates acc * 2^30 first, then multiplies by ~1: the result
    // keeps the sign and |result| >= 2^30, so every 8/16-bit output saturates.
    const std::int32_t g = lowp::GemmlowpRounding::scale(acc, max_m);
    EXPECT_TRUE(acc > 0 ? g >= k2p30 : g <= -k2p30) << acc << " -> " << g;
  }
  // exact, not saturated: 2 * (2^31 - 1) * 2^30 / 2^31 = 2^31 - 1, and -(2^31 - 1) for -2
  EXPECT_EQ(lowp::SingleRounding::scale(2, max_m), kMax);
  EXPECT_EQ(lowp::SingleRounding::scale(-2, max_m), kMin + 1);
  const lowp::RequantMultiplier zero{0, 0, 0.0f};
  EXPECT_EQ(lowp::GemmlowpRounding::scale(123456, zero), 0);
  EXPECT_EQ(lowp::SingleRounding::scale(-123456, zero), 0);
}

}  // namespace
