// The output stage: every output type, per-tensor and per-channel multipliers,
// output zero point, clamps (fused ReLU / ReLU6), and the helpers that derive
// multipliers and the int32 bias from float scales.
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "lowp/core/error.hpp"
#include "lowp/gemm/output_scales.hpp"
#include "lowp/gemm/output_stage.hpp"
#include "lowp/gemm/reference.hpp"

namespace {
constexpr std::int32_t k2p30 = std::int32_t{1} << 30;

TEST(OutputStage, EveryOutputType) {
  lowp::OutputStage out;
  out.multiplier = k2p30;  // M = 0.5
  out.shift = 0;
  out.real = 0.5f;
  out.output_zero_point = 10;
  using P = lowp::SingleRounding;
  // 100 * 0.5 + 10 = 60 in every 8/16-bit type
  EXPECT_EQ((lowp::apply_output_stage<P, std::int8_t>(100, 0, out)), 60);
  EXPECT_EQ((lowp::apply_output_stage<P, std::uint8_t>(100, 0, out)), 60);
  EXPECT_EQ((lowp::apply_output_stage<P, std::int16_t>(100, 0, out)), 60);
  // 1000 * 0.5 + 10 = 510: saturates to 127 / 255, fits int16
  EXPECT_EQ((lowp::apply_output_stage<P, std::int8_t>(1000, 0, out)), 127);
  EXPECT_EQ((lowp::apply_output_stage<P, std::uint8_t>(1000, 0, out)), 255);
  EXPECT_EQ((lowp::apply_output_stage<P, std::int16_t>(1000, 0, out)), 510);
  // -1000 * 0.5 + 10 = -490
  EXPECT_EQ((lowp::apply_output_stage<P, std::int8_t>(-1000, 0, out)), -128);
  EXPECT_EQ((lowp::apply_output_stage<P, std::uint8_t>(-1000, 0, out)), 0);
  EXPECT_EQ((lowp::apply_output_stage<P, std::int16_t>(-1000, 0, out)), -490);
  EXPECT_EQ((lowp::apply_output_stage<P, std::int16_t>(200000, 0, out)), 32767);
  // raw int32: the accumulator itself; float: acc * real (dequantized at s_in * s_w)
  EXPECT_EQ((lowp::apply_output_stage<P, std::int32_t>(-1000, 0, out)), -1000);
  EXPECT_EQ((lowp::apply_output_stage<P, float>(-1001, 0, out)), -500.5f);
  // the zero point is added after rounding, in int64: no overflow near the int32 limit
  out.output_zero_point = 100;
  EXPECT_EQ((lowp::apply_output_stage<P, std::int16_t>(std::numeric_limits<std::int32_t>::max(), 0, out)), 32767);
}

TEST(OutputStage, FusedReluAndRelu6AreClamps) {
  lowp::OutputStage out;
  out.multiplier = k2p30;
  out.real = 0.5f;
  out.output_zero_point = 10;
  lowp::fuse_relu6(out, 0.05f);  // code of 6.0 = 10 + 6 / 0.05 = 130
  EXPECT_EQ(out.clamp_min, 10);
  EXPECT_EQ(out.clamp_max, 130);
  using P = lowp::GemmlowpRounding;
  EXPECT_EQ((lowp::apply_output_stage<P, std::int16_t>(-100, 0, out)), 10);   // -50 + 10 -> ReLU -> 10
  EXPECT_EQ((lowp::apply_output_stage<P, std::int16_t>(100, 0, out)), 60);
  EXPECT_EQ((lowp::apply_output_stage<P, std::int16_t>(1000, 0, out)), 130);  // 510 -> ReLU6 -> 130
  EXPECT_EQ((lowp::apply_output_stage<P, std::uint8_t>(1000, 0, out)), 130);
  lowp::OutputStage relu;
  relu.output_zero_point = -5;
  lowp::fuse_relu(relu);
  EXPECT_EQ(relu.clamp_min, -5);
  EXPECT_EQ(relu.clamp_max, std::numeric_limits<std::int32_t>::max());
  // the user clamp narrower than the type wins, the type wins otherwise
  lowp::OutputStage narrow = out;
  narrow.clamp_max = 1000;
  EXPECT_EQ((lowp::apply_output_stage<P, std::int8_t>(1000, 0, narrow)), 127);
  EXPECT_EQ((lowp::apply_output_stage<P, std::int16_t>(10000, 0, narrow)), 1000);
}

TEST(OutputStage, PerChannelMultipliersAndZeroPoints) {
  // column 0: M = 0.5, column 1: M = 0.25 (shift -1), column 2: M = 3 (shift 2)
  const std::int32_t mult[3] = {k2p30, k2p30, 3 * (k2p30 / 2)}, shift[3] = {0, -1, 2};
  const float real[3] = {0.5f, 0.25f, 3.0f};
  const std::int32_t zb[3] = {0, 1, -1}, bias[3] = {0, 4, -3};
  lowp::OutputStage out;
  out.multiplier = lowp::ChannelValues<std::int32_t>(mult, 3);
  out.shift = lowp::ChannelValues<std::int32_t>(shift, 3);
  out.real = lowp::ChannelValues<float>(real, 3);
  out.bias = bias;
  out.output_zero_point = -3;
  // A = [2 5] (za = 1), B = [[3 1 -1], [1 2 0]]: centred A = [1 4],
  // centred B columns [3 1], [0 1], [0 1]; dot = 7, 4, 4; + bias = 7, 8, 1.
  const std::uint8_t a[2] = {2, 5};
  const std::int8_t b[6] = {3, 1, -1, 1, 2, 0};
  const lowp::GemmZeroPoints zp{1, lowp::ChannelValues<std::int32_t>(zb, 3)};
  std::int8_t c[3];
  std::int32_t acc[3];
  float deq[3];
  lowp::reference_gemm<lowp::GemmlowpRounding>(lowp::row_major(a, 1, 2), lowp::row_major(b, 2, 3), lowp::row_major(c, 1, 3), zp, out);
  lowp::reference_gemm<lowp::GemmlowpRounding>(lowp::row_major(a, 1, 2), lowp::row_major(b, 2, 3), lowp::row_major(acc, 1, 3), zp, out);
  lowp::reference_gemm<lowp::GemmlowpRounding>(lowp::row_major(a, 1, 2), lowp::row_major(b, 2, 3), lowp::row_major(deq, 1, 3), zp, out);
  EXPECT_EQ(acc[0], 7);
  EXPECT_EQ(acc[1], 8);
  EXPECT_EQ(acc[2], 1);
  EXPECT_EQ(c[0], 1);   // 3.5 -> 4 (tie up), - 3
  EXPECT_EQ(c[1], -1);  // 2 - 3
  EXPECT_EQ(c[2], 0);   // 3 - 3
  EXPECT_EQ(deq[0], 3.5f);
  EXPECT_EQ(deq[1], 2.0f);
  EXPECT_EQ(deq[2], 3.0f);
}

// Every output type of the GEMM is the output stage applied to the int32 result.
template <typename Policy, typename TC>
void check_output_type_consistency(std::mt19937& rng) {
  constexpr int m = 3, k = 37, n = 5;
  std::uniform_int_distribution<int> code(0, 255), sc(-127, 127), shift(-12, 1);
  std::uniform_int_distribution<std::int32_t> mant(k2p30, 0x7fffffff), zc(-20, 20);
  std::vector<std::uint8_t> a(m * k);
  std::vector<std::int8_t> b(k * n);
  for (auto& v : a) v = static_cast<std::uint8_t>(code(rng));
  for (auto& v : b) v = static_cast<std::int8_t>(sc(rng));
  std::vector<std::int32_t> mult(n), sh(n), acc(m * n);
  std::vector<float> real(n);
  for (int j = 0; j < n; ++j) {
    mult[j] = mant(rng);
    sh[j] = shift(rng);
    real[j] = static_cast<float>(std::ldexp(static_cast<double>(mult[j]), sh[j] - 31));
  }
  lowp::OutputStage out;
  out.multiplier = lowp::ChannelValues<std::int32_t>(mult.data(), n);
  out.shift = lowp::ChannelValues<std::int32_t>(sh.data(), n);
  out.real = lowp::ChannelValues<float>(real.data(), n);
  out.output_zero_point = zc(rng);
  out.clamp_min = -100;
  out.clamp_max = 200;
  const lowp::GemmZeroPoints zp{128, 3};
  std::vector<TC> c(m * n), c_sums(m * n);
  lowp::reference_gemm<Policy>(lowp::row_major(a.data(), m, k), lowp::row_major(b.data(), k, n), lowp::row_major(acc.data(), m, n), zp, out);
  lowp::reference_gemm<Policy>(lowp::row_major(a.data(), m, k), lowp::row_major(b.data(), k, n), lowp::row_major(c.data(), m, n), zp, out);
  lowp::reference_gemm_by_sums<Policy>(lowp::row_major(a.data(), m, k), lowp::row_major(b.data(), k, n), lowp::row_major(c_sums.data(), m, n), zp, out);
  for (int i = 0; i < m * n; ++i) {
    ASSERT_EQ(c[i], (lowp::apply_output_stage<Policy, TC>(acc[i], i % n, out)));
    ASSERT_EQ(c_sums[i], c[i]);
  }
}

template <typename Policy>
void check_all_output_types() {
  std::mt19937 rng(23);
  for (int rep = 0; rep < 20; ++rep) {
    check_output_type_consistency<Policy, std::int8_t>(rng);
    check_output_type_consistency<Policy, std::uint8_t>(rng);
    check_output_type_consistency<Policy, std::int16_t>(rng);
    check_output_type_consistency<Policy, float>(rng);
  }
}
TEST(OutputStage, GemmOutputsAreTheStageOfTheAccumulatorGemmlowp) { check_all_output_types<lowp::GemmlowpRounding>(); }
TEST(OutputStage, GemmOutputsAreTheStageOfTheAccumulatorSingle) { check_all_output_types<lowp::SingleRounding>(); }
TEST(OutputStage, GemmOutputsAreTheStageOfTheAccumulatorFloat) { check_all_output_types<lowp::FloatRounding>(); }

TEST(OutputScales, PerTensorAndPerChannel) {
  const lowp::OutputScales per_tensor(0.5f, 0.25f, 4, 0.1f);
  lowp::OutputStage out;
  per_tensor.apply(out);
  EXPECT_FALSE(out.multiplier.per_channel());
  EXPECT_EQ(out.real[3], 1.25f);  // (0.25 * 0.5) * (1 / 0.1f) rounds to 1.25 in float32
  const auto q = lowp::quantize_multiplier(0.5 * 0.25 / static_cast<double>(0.1f));
  EXPECT_EQ(out.multiplier[0], q.multiplier);
  EXPECT_EQ(out.shift[0], q.shift);
  EXPECT_EQ(out.shift[0], 1);  // 1.25 = 0.625 * 2^1

  const float s_w[3] = {0.25f, 0.5f, 1.0f};
  const lowp::OutputScales per_channel(0.5f, lowp::ChannelValues<float>(s_w, 3), 3, 0.125f);
  per_channel.apply(out);
  ASSERT_TRUE(out.real.per_channel());
  EXPECT_EQ(out.real[0], 1.0f);
  EXPECT_EQ(out.real[2], 4.0f);
  EXPECT_EQ(out.multiplier[1], k2p30);  // 2.0 = 0.5 * 2^2
  EXPECT_EQ(out.shift[1], 2);
  EXPECT_THROW(lowp::OutputScales(0.5f, lowp::ChannelValues<float>(s_w, 3), 4, 0.1f), lowp::error);
  EXPECT_THROW(lowp::OutputScales(0.0f, 1.0f, 1, 0.1f), lowp::error);
  EXPECT_THROW(lowp::OutputScales(1.0f, NAN, 1, 0.1f), lowp::error);
  EXPECT_THROW(lowp::OutputScales(1.0f, 1.0f, 1, -0.1f), lowp::error);
  EXPECT_THROW(lowp::OutputScales(1e20f, 1e20f, 1, 1e-20f), lowp::error);  // M overflows
}

TEST(OutputScales, RealIsQnnpackReciprocalProductNotAQuotient) {
  // For these scales (s_w s_in) (1 / s_out) = 0.0070500006f but s_in s_w / s_out
  // = 0.007050001f (one ulp apart), and acc = 79078 then rounds to 557 vs 558.
  const float s_in = 0.0949163f, s_w = 0.031871315f, s_out = 0.42909318f;
  const float quotient = s_in * s_w / s_out;
  const lowp::OutputScales scales(s_in, s_w, 1, s_out);
  const float real = scales.at(0).real;
  EXPECT_NE(real, quotient);
  EXPECT_EQ(real, (s_w * s_in) * (1.0f / s_out));
  EXPECT_EQ(lowp::FloatRounding::scale(79078, scales.at(0)), 557);
  EXPECT_EQ(lowp::FloatRounding::scale(79078, lowp::RequantMultiplier{0, 0, quotient}), 558);
}

TEST(QuantizeBias, PyTorchArithmeticSaturatingPerChannel) {
  // scale 0.5 * 0.25 = 0.125, reciprocal 8: bias * 8 rounded half to even
  EXPECT_EQ(lowp::quantize_bias_value(1.0f, 0.5f, 0.25f), 8);
  EXPECT_EQ(lowp::quantize_bias_value(0.0625f, 0.5f, 0.25f), 0);   // 0.5 -> 0 (even)
  EXPECT_EQ(lowp::quantize_bias_value(0.1875f, 0.5f, 0.25f), 2);   // 1.5 -> 2
  EXPECT_EQ(lowp::quantize_bias_value(-0.3125f, 0.5f, 0.25f), -2); // -2.5 -> -2
  EXPECT_EQ(lowp::quantize_bias_value(1e30f, 0.5f, 0.25f), std::numeric_limits<std::int32_t>::max());
  EXPECT_EQ(lowp::quantize_bias_value(-1e30f, 0.5f, 0.25f), std::numeric_limits<std::int32_t>::min());
  EXPECT_EQ(lowp::quantize_bias_value(268435456.0f, 0.5f, 0.25f), std::numeric_limits<std::int32_t>::max());  // 2^31
  EXPECT_EQ(lowp::quantize_bias_value(-268435456.0f, 0.5f, 0.25f), std::numeric_limits<std::int32_t>::min());
  // multiplying by the float reciprocal is not dividing: -0.2893743 / 0.009809298
  // is -29.499998 (-> -29), but -0.2893743 * (1 / 0.009809298) is -29.5 (-> -30).
  EXPECT_EQ(lowp::quantize_bias_value(-0.2893743f, 0.009809298f, 1.0f), -30);
  EXPECT_THROW(lowp::quantize_bias_value(NAN, 0.5f, 0.25f), lowp::error);
  EXPECT_THROW(lowp::quantize_bias_value(INFINITY, 0.5f, 0.25f), lowp::error);

  const float bias[3] = {1.0f, 1.0f, -3.0f}, s_w[3] = {0.25f, 0.5f, 1.0f};
  std::int32_t q[3];
  lowp::quantize_bias(bias, 3, 0.5f, lowp::ChannelValues<float>(s_w, 3), q);
  EXPECT_EQ(q[0], 8);
  EXPECT_EQ(q[1], 4);
  EXPECT_EQ(q[2], -6);
  EXPECT_THROW(lowp::quantize_bias(bias, 2, 0.5f, lowp::ChannelValues<float>(s_w, 3), q), lowp::error);
  EXPECT_THROW(lowp::quantize_bias(bias, 3, 0.0f, 1.0f, q), lowp::error);
}

}  // namespace
