// The NEON epilogue against the scalar definition: bit-exact on random and
// edge inputs (ties of every rounding step, saturation, per-channel parameters).
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "lowp/gemm/arm/output_stage_neon.hpp"
#include "lowp/gemm/output_stage.hpp"

namespace lowp {
namespace {

constexpr std::int32_t kMin = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t kMax = std::numeric_limits<std::int32_t>::max();

// Accumulators that stress each rounding step, given the multiplier and shift
// they will meet: extremes, small values, exact ties of the final rounding.
struct EdgeSource {
  std::mt19937 rng{12345};
  std::int32_t uniform(std::int32_t lo, std::int32_t hi) {
    return std::uniform_int_distribution<std::int32_t>(lo, hi)(rng);
  }
  std::int32_t accumulator(int shift) {
    switch (uniform(0, 5)) {
      case 0: {
        static constexpr std::int32_t edges[] = {kMin, kMin + 1, -65536, -3, -2, -1, 0, 1, 2, 3, 65536,
                                                 kMax - 1, kMax};
        return edges[uniform(0, 12)];
      }
      case 1: return uniform(-1000, 1000);
      case 2: {
        // With multiplier 2^30 (see below) the high multiply halves even values
        // exactly, so (2j+1) 2^(e+1) is a tie of the final right shift by e.
        const int e = shift < 0 ? -shift : 1;
        const std::int64_t v = (2 * std::int64_t{uniform(-200, 200)} + 1) << std::min(e + 1, 31);
        return static_cast<std::int32_t>(std::max<std::int64_t>(kMin, std::min<std::int64_t>(kMax, v)));
      }
      default: return uniform(kMin, kMax);
    }
  }
  std::int32_t multiplier() {
    switch (uniform(0, 4)) {
      case 0: return 1 << 30;
      case 1: return kMax;
      default: return uniform(1 << 30, kMax);
    }
  }
  float real() {
    switch (uniform(0, 4)) {
      case 0: return 0.5f;   // float ties: odd * 0.5
      case 1: return 1e10f;  // saturation
      case 2: return -0.25f;
      default: return std::ldexp(std::uniform_real_distribution<float>(0.5f, 1.0f)(rng), uniform(-40, 8));
    }
  }
};

template <typename Policy>
void expect_scale_exact() {
  EdgeSource src;
  for (int trial = 0; trial < 50000; ++trial) {
    std::int32_t acc[4], mult[4], shift[4];
    float real[4];
    for (int l = 0; l < 4; ++l) {
      shift[l] = src.uniform(-31, 30);
      mult[l] = src.multiplier();
      acc[l] = src.accumulator(shift[l]);
      real[l] = src.real();
    }
    const arm::NeonChannelParams p{vld1q_s32(mult), vld1q_s32(shift), vld1q_f32(real)};
    std::int32_t got[4];
    vst1q_s32(got, arm::scale_neon(Policy{}, vld1q_s32(acc), p));
    for (int l = 0; l < 4; ++l) {
      const std::int32_t want = Policy::scale(acc[l], RequantMultiplier{mult[l], shift[l], real[l]});
      ASSERT_EQ(got[l], want) << Policy::name() << " acc=" << acc[l] << " multiplier=" << mult[l]
                              << " shift=" << shift[l] << " real=" << real[l];
    }
  }
}

TEST(ArmNeonOutputStage, GemmlowpRoundingScaleIsExact) { expect_scale_exact<GemmlowpRounding>(); }
TEST(ArmNeonOutputStage, SingleRoundingScaleIsExact) { expect_scale_exact<SingleRounding>(); }
TEST(ArmNeonOutputStage, FloatRoundingScaleIsExact) { expect_scale_exact<FloatRounding>(); }

// Four columns at a time through output4, from ColumnParams-style per-column
// arrays, against apply_output_stage with the same values as an OutputStage
// (per-channel or per-tensor); zero points and clamps; every output type.
template <typename Policy, typename TC>
void expect_rows_exact() {
  EdgeSource src;
  for (int trial = 0; trial < 3000; ++trial) {
    const bool per_channel = src.uniform(0, 1) == 1;
    std::int32_t mult[4], shift[4], acc[4];
    float real[4];
    for (int c = 0; c < 4; ++c) {
      const int from = per_channel ? c : 0;  // per-tensor: every column sees column 0's values
      shift[c] = c == from ? src.uniform(-31, 30) : shift[0];
      mult[c] = c == from ? src.multiplier() : mult[0];
      real[c] = c == from ? src.real() : real[0];
      acc[c] = src.accumulator(shift[c]);
    }
    OutputStage out;
    if (per_channel) {
      out.multiplier = {mult, 4};
      out.shift = {shift, 4};
      out.real = {real, 4};
    } else {
      out.multiplier = mult[0];
      out.shift = shift[0];
      out.real = real[0];
    }
    out.output_zero_point = src.uniform(0, 9) == 0 ? (src.uniform(0, 1) ? kMax : kMin) : src.uniform(-300, 300);
    if (src.uniform(0, 2) == 0) {
      out.clamp_min = src.uniform(-200, 100);
      out.clamp_max = out.clamp_min + src.uniform(0, 200);
    }
    const arm::NeonChannelParams p{vld1q_s32(mult), vld1q_s32(shift), vld1q_f32(real)};
    std::int32_t lo = 0, hi = 0;  // float and int32 outputs are not clamped
    if constexpr (std::is_integral<TC>::value) {
      lo = output_lo<TC>(out);
      hi = output_hi<TC>(out);
    }
    const arm::NeonClamp clamp(out.output_zero_point, lo, hi);
    TC got[4];
    arm::output4<Policy, TC>(vld1q_s32(acc), p, clamp, got);
    for (std::size_t j = 0; j < 4; ++j) {
      const TC want = apply_output_stage<Policy, TC>(acc[j], j, out);
      ASSERT_EQ(0, std::memcmp(&got[j], &want, sizeof(TC)))
          << Policy::name() << " column " << j << " acc=" << acc[j] << " got " << +got[j] << " want " << +want
          << (per_channel ? " per-channel" : " per-tensor");
    }
  }
}

template <typename Policy>
void expect_rows_exact_all_types() {
  expect_rows_exact<Policy, std::int8_t>();
  expect_rows_exact<Policy, std::uint8_t>();
  expect_rows_exact<Policy, std::int16_t>();
  expect_rows_exact<Policy, std::int32_t>();
  expect_rows_exact<Policy, float>();
}

TEST(ArmNeonOutputStage, GemmlowpRoundingRowsAreExact) { expect_rows_exact_all_types<GemmlowpRounding>(); }
TEST(ArmNeonOutputStage, SingleRoundingRowsAreExact) { expect_rows_exact_all_types<SingleRounding>(); }
TEST(ArmNeonOutputStage, FloatRoundingRowsAreExact) { expect_rows_exact_all_types<FloatRounding>(); }

}  // namespace
}  // namespace lowp
