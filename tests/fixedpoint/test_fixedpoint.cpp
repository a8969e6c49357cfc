// saturating_rounding_doubling_high_mul and rounding_divide_by_pot against
// gemmlowp's own fixedpoint.h (the oracle, included directly), on every edge
// case and on >= 10^6 random inputs each; and GemmlowpRounding against TFLite's
// MultiplyByQuantizedMultiplier formula wherever TFLite's is defined.
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "lowp/fixedpoint/fixedpoint.hpp"
#include "lowp/fixedpoint/requantize.hpp"

#if defined(__has_include)
#if __has_include(<fixedpoint/fixedpoint.h>)
#include <fixedpoint/fixedpoint.h>
#define LOWP_HAVE_GEMMLOWP 1
#endif
#endif

namespace {
using lowp::fixedpoint::rounding_divide_by_pot;
using lowp::fixedpoint::saturating_rounding_doubling_high_mul;
constexpr std::int32_t kMin = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t kMax = std::numeric_limits<std::int32_t>::max();

// Values where rounding and saturation change behaviour: extremes, powers of
// two and their neighbours, small magnitudes of both signs.
std::vector<std::int32_t> edge_values() {
  std::vector<std::int32_t> v{kMin, kMin + 1, kMax, kMax - 1, 0, 1, -1, 2, -2, 3, -3};
  for (int e = 1; e < 31; ++e) {
    const std::int32_t p = std::int32_t{1} << e;
    for (std::int32_t x : {p, p - 1, p + 1, -p, -p + 1, -p - 1, p | (p >> 1), -(p | (p >> 1))}) v.push_back(x);
  }
  return v;
}

#ifdef LOWP_HAVE_GEMMLOWP
constexpr int kRandomCases = 1'000'000;

TEST(FixedPointVsGemmlowp, DoublingHighMulEdgePairs) {
  const auto v = edge_values();
  for (std::int32_t a : v)
    for (std::int32_t b : v)
      ASSERT_EQ(saturating_rounding_doubling_high_mul(a, b), gemmlowp::SaturatingRoundingDoublingHighMul(a, b))
          << a << " * " << b;
  EXPECT_EQ(gemmlowp::SaturatingRoundingDoublingHighMul(kMin, kMin), kMax);  // the oracle saturates too
}

TEST(FixedPointVsGemmlowp, DoublingHighMulTies) {
  // a * b = (2j + 1) * 2^30 is exactly half-way between two results.
  for (std::int32_t j = -1000; j <= 1000; ++j) {
    const std::int32_t odd = 2 * j + 1;
    for (std::int32_t b : {std::int32_t{1} << 30, -(std::int32_t{1} << 30)}) {
      ASSERT_EQ(saturating_rounding_doubling_high_mul(odd, b), gemmlowp::SaturatingRoundingDoublingHighMul(odd, b));
      ASSERT_EQ(saturating_rounding_doubling_high_mul(b, odd), gemmlowp::SaturatingRoundingDoublingHighMul(b, odd));
    }
    // ties with other factorizations: (odd * 2^k) * 2^(30 - k)
    for (int k = 1; k < 20; ++k) {
      const std::int32_t a = odd * (std::int32_t{1} << k), b = std::int32_t{1} << (30 - k);
      ASSERT_EQ(saturating_rounding_doubling_high_mul(a, b), gemmlowp::SaturatingRoundingDoublingHighMul(a, b));
    }
  }
}

TEST(FixedPointVsGemmlowp, DoublingHighMulRandom) {
  std::mt19937 rng(20261121);
  std::uniform_int_distribution<std::int32_t> any(kMin, kMax);
  std::uniform_int_distribution<std::int32_t> small(-70000, 70000);
  for (int i = 0; i < kRandomCases; ++i) {
    // half uniform over int32, half an accumulator-sized value times a Q31 multiplier
    const std::int32_t a = (i & 1) ? any(rng) : small(rng);
    const std::int32_t b = any(rng);
    ASSERT_EQ(saturating_rounding_doubling_high_mul(a, b), gemmlowp::SaturatingRoundingDoublingHighMul(a, b))
        << a << " * " << b;
  }
}

TEST(FixedPointVsGemmlowp, RoundingDivideByPotEveryExponent) {
  const auto v = edge_values();
  for (int e = 0; e <= 31; ++e) {
    for (std::int32_t x : v) ASSERT_EQ(rounding_divide_by_pot(x, e), gemmlowp::RoundingDivideByPOT(x, e)) << x << " / 2^" << e;
    if (e == 0) continue;
    // ties: x = (2j + 1) * 2^(e - 1), both signs, while it fits in int32
    for (std::int64_t j = -50; j <= 50; ++j) {
      const std::int64_t x = (2 * j + 1) * (std::int64_t{1} << (e - 1));
      if (x < kMin || x > kMax) continue;
      const auto xi = static_cast<std::int32_t>(x);
      ASSERT_EQ(rounding_divide_by_pot(xi, e), gemmlowp::RoundingDivideByPOT(xi, e)) << x << " / 2^" << e;
    }
  }
  EXPECT_EQ(rounding_divide_by_pot(-3, 1), -2);  // -1.5: away from zero, as the oracle says
  EXPECT_EQ(gemmlowp::RoundingDivideByPOT(std::int32_t{-3}, 1), -2);
}

TEST(FixedPointVsGemmlowp, RoundingDivideByPotRandom) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::int32_t> any(kMin, kMax);
  std::uniform_int_distribution<int> exponent(0, 31);
  for (int i = 0; i < kRandomCases; ++i) {
    const std::int32_t x = any(rng);
    const int e = exponent(rng);
    ASSERT_EQ(rounding_divide_by_pot(x, e), gemmlowp::RoundingDivideByPOT(x, e)) << x << " / 2^" << e;
  }
}

// TFLite's classic MultiplyByQuantizedMultiplier, written as TFLite writes it on
// top of gemmlowp's primitives: x * (1 << left_shift) is plain (overflowing)
// int32 arithmetic there, so TFLite defines the result only when it fits.
std::int32_t tflite_multiply_by_quantized_multiplier(std::int32_t x, std::int32_t multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  return gemmlowp::RoundingDivideByPOT(
      gemmlowp::SaturatingRoundingDoublingHighMul(static_cast<std::int32_t>(x * (std::int64_t{1} << left_shift)),
                                                  multiplier),
      right_shift);
}

TEST(FixedPointVsGemmlowp, GemmlowpRoundingIsTfliteMultiplyByQuantizedMultiplier) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<std::int32_t> mantissa(1 << 30, kMax);
  std::uniform_int_distribution<int> shift(-31, 30);
  std::uniform_int_distribution<std::int32_t> any(kMin, kMax);
  int compared = 0;
  for (int i = 0; i < kRandomCases; ++i) {
    const lowp::RequantMultiplier m{mantissa(rng), shift(rng), 0.0f};
    // shrink x so that a left shift keeps it in range (the only inputs TFLite defines)
    const std::int32_t x = m.shift > 0 ? static_cast<std::int32_t>(any(rng) >> m.shift) : any(rng);
    ASSERT_EQ(lowp::GemmlowpRounding::scale(x, m), tflite_multiply_by_quantized_multiplier(x, m.multiplier, m.shift))
        << x << " * " << m.multiplier << " * 2^(" << m.shift << " - 31)";
    ++compared;
  }
  EXPECT_EQ(compared, kRandomCases);
}
#else
TEST(FixedPointVsGemmlowp, OracleHeaderMissing) {
  GTEST_SKIP() << "gemmlowp's fixedpoint/fixedpoint.h not found (install libgemmlowp-dev): "
                  "bit-exactness against gemmlowp NOT checked";
}
#endif

// Properties that need no oracle: the primitives equal their closed forms
// floor((a b + 2^30) / 2^31) and round-half-away(x / 2^e), computed in int64.
TEST(FixedPoint, ClosedForms) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<std::int32_t> any(kMin, kMax);
  for (int i = 0; i < 200000; ++i) {
    const std::int32_t a = any(rng), b = any(rng);
    const std::int64_t ab = static_cast<std::int64_t>(a) * b;
    const std::int64_t num = ab + (std::int64_t{1} << 30);
    const std::int64_t floor_div = num >= 0 ? num / (std::int64_t{1} << 31) : -((-num + (std::int64_t{1} << 31) - 1) >> 31);
    if (!(a == kMin && b == kMin)) {
      ASSERT_EQ(saturating_rounding_doubling_high_mul(a, b), floor_div);
    }
    const int e = static_cast<int>(static_cast<std::uint32_t>(b) % 32);
    const std::int64_t mag = (std::llabs(a) + (e ? (std::int64_t{1} << (e - 1)) : 0)) >> e;
    ASSERT_EQ(rounding_divide_by_pot(a, e), a < 0 ? -mag : mag) << a << " / 2^" << e;
  }
}

}  // namespace
