// conv2d (im2col + GEMM, pointwise) and depthwise_conv2d against the direct
// scalar reference_conv2d, bit for bit. Compiled twice: with the default flags
// (lowp::gemm's portable backend) and, on x86, with the AVX-512 VNNI flags
// (test_ops_conv_avx512vnni: conv2d then runs the VNNI GEMM kernels).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "lowp/ops/conv2d.hpp"
#include "lowp/ops/conv_reference.hpp"
#include "lowp/ops/depthwise_conv2d.hpp"

namespace {

#if defined(LOWP_OPS_TEST_AVX512VNNI)
#define REQUIRE_ISA()                                                                                   \
  if (!(__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") &&                   \
        __builtin_cpu_supports("avx512vl")))                                                            \
  GTEST_SKIP() << "CPU lacks AVX-512 VNNI/BW/VL, which this binary's conv2d (lowp::gemm Avx512Vnni) needs"
TEST(Conv2dBackend, IsAvx512Vnni) {
  REQUIRE_ISA();
  EXPECT_STREQ(lowp::DefaultBackend::name, "avx512vnni");
}
#else
#define REQUIRE_ISA() (void)0
#endif

using lowp::Conv2dGeometry;
using lowp::OutputStage;

struct Layer {
  std::vector<std::int32_t> bias, multiplier, shift, wzp;
  std::vector<float> real;
  OutputStage out;
};

// Per-channel requantization parameters around 2^-k so outputs cover the code range.
Layer random_output_stage(std::mt19937& rng, std::ptrdiff_t channels, std::int32_t depth, bool per_channel_zp) {
  Layer l;
  std::uniform_int_distribution<std::int32_t> mant(1 << 30, 0x7fffffff), bias(-5000, 5000), zp(-20, 20);
  std::uniform_int_distribution<int> sh(-14, -6);
  for (std::ptrdiff_t c = 0; c < channels; ++c) {
    l.bias.push_back(bias(rng) * std::max(1, depth / 16));
    l.multiplier.push_back(mant(rng));
    l.shift.push_back(sh(rng) - (depth > 256 ? 2 : 0));
    l.real.push_back(static_cast<float>(std::ldexp(double(l.multiplier.back()), l.shift.back() - 31)));
    l.wzp.push_back(per_channel_zp ? zp(rng) : 0);
  }
  l.out.bias = l.bias.data();
  l.out.multiplier = {l.multiplier.data(), l.multiplier.size()};
  l.out.shift = {l.shift.data(), l.shift.size()};
  l.out.real = {l.real.data(), l.real.size()};
  l.out.output_zero_point = std::uniform_int_distribution<int>(-10, 10)(rng);
  return l;
}

template <typename T>
std::vector<T> random_codes(std::mt19937& rng, std::ptrdiff_t n) {
  std::uniform_int_distribution<int> d(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  std::vector<T> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = static_cast<T>(d(rng));
  return v;
}

Conv2dGeometry random_geometry(std::mt19937& rng, int kind) {
  auto r = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Conv2dGeometry g;
  g.batch = r(1, 2);
  g.groups = kind == 2 ? 1 : r(1, 3);
  g.in_c = g.groups * r(1, 9);
  g.out_c = g.groups * r(1, 11);
  g.in_h = r(1, 9);
  g.in_w = r(1, 9);
  if (kind == 2) return g;  // pointwise 1x1
  g.kernel_h = r(1, 4);
  g.kernel_w = r(1, 4);
  g.stride_h = r(1, 3);
  g.stride_w = r(1, 3);
  g.dilation_h = r(1, 2);
  g.dilation_w = r(1, 2);
  g.pad_top = r(0, 2);
  g.pad_bottom = r(0, 2);
  g.pad_left = r(0, 2);
  g.pad_right = r(0, 2);
  g.in_h = std::max<std::ptrdiff_t>(g.in_h, g.dilation_h * (g.kernel_h - 1) + 1);
  g.in_w = std::max<std::ptrdiff_t>(g.in_w, g.dilation_w * (g.kernel_w - 1) + 1);
  return g;
}

template <typename Policy, typename TX, typename TW>
void check_conv_against_reference(int cases, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::ptrdiff_t saturated = 0, total = 0;
  for (int t = 0; t < cases; ++t) {
    const Conv2dGeometry g = random_geometry(rng, t % 3);
    if (t % 3 == 2) {
      ASSERT_TRUE(g.is_pointwise());
    }
    auto x = random_codes<TX>(rng, g.input_size());
    auto w = random_codes<TW>(rng, g.weight_size());
    Layer l = random_output_stage(rng, g.out_c, static_cast<std::int32_t>(g.depth()), std::is_signed<TW>::value && t % 2);
    const std::int32_t zx = std::uniform_int_distribution<int>(std::numeric_limits<TX>::min(), std::numeric_limits<TX>::max())(rng);
    const lowp::ChannelValues<std::int32_t> zw = t % 2 ? lowp::ChannelValues<std::int32_t>(l.wzp.data(), l.wzp.size())
                                                       : lowp::ChannelValues<std::int32_t>(std::is_signed<TW>::value ? 0 : 128);
    std::vector<std::int8_t> expect(static_cast<std::size_t>(g.output_size())), got(expect.size());
    lowp::reference_conv2d<Policy>(g, x.data(), zx, w.data(), zw, l.out, expect.data());
    lowp::conv2d<Policy>(g, x.data(), zx, w.data(), zw, l.out, got.data());
    ASSERT_EQ(expect, got) << "case " << t << ": " << g.in_h << "x" << g.in_w << "x" << g.in_c << " -> " << g.out_c
                           << " k" << g.kernel_h << "x" << g.kernel_w << " s" << g.stride_h << "x" << g.stride_w
                           << " d" << g.dilation_h << "x" << g.dilation_w << " groups " << g.groups;
    for (auto v : got) saturated += (v == 127 || v == -128);
    total += static_cast<std::ptrdiff_t>(got.size());
  }
  EXPECT_LT(saturated, total / 2) << "most outputs saturated: the comparison would be weak";
}

TEST(Conv2d, MatchesReferenceUint8Int8Gemmlowp) {
  REQUIRE_ISA();
  check_conv_against_reference<lowp::GemmlowpRounding, std::uint8_t, std::int8_t>(90, 1);
}
TEST(Conv2d, MatchesReferenceInt8Int8Single) {
  REQUIRE_ISA();
  check_conv_against_reference<lowp::SingleRounding, std::int8_t, std::int8_t>(90, 2);
}
TEST(Conv2d, MatchesReferenceUint8Uint8Float) {
  REQUIRE_ISA();
  check_conv_against_reference<lowp::FloatRounding, std::uint8_t, std::uint8_t>(60, 3);
}

// A hand-computed case pins the reference itself: 3x3 input, 2x2 kernel, pad 1 left/top, stride 2.
TEST(Conv2d, ReferenceHandComputed) {
  REQUIRE_ISA();
  Conv2dGeometry g;
  g.in_h = g.in_w = 3;
  g.in_c = g.out_c = 1;
  g.kernel_h = g.kernel_w = 2;
  g.stride_h = g.stride_w = 2;
  g.pad_top = g.pad_left = 1;
  ASSERT_EQ(g.out_h(), 2);
  const std::int8_t x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};  // zero point 1: centred 0..8
  const std::int8_t w[4] = {1, 2, 3, 4};
  OutputStage out;  // int32 output: the raw accumulator
  std::int32_t y[4];
  lowp::reference_conv2d<lowp::GemmlowpRounding>(g, x, 1, w, 0, out, y);
  // (0,0): only tap (1,1) -> x(0,0)=0 * 4; (0,1): taps (1,0),(1,1) -> x(0,1)*3 + x(0,2)*4 = 1*3 + 2*4
  // (1,0): taps (0,1),(1,1) -> x(1,0)*2 + x(2,0)*4 = 3*2 + 6*4; (1,1): all -> 4*1 + 5*2 + 7*3 + 8*4
  EXPECT_EQ(y[0], 0);
  EXPECT_EQ(y[1], 11);
  EXPECT_EQ(y[2], 30);
  EXPECT_EQ(y[3], 67);
  std::int32_t z[4];
  lowp::conv2d<lowp::GemmlowpRounding>(g, x, 1, w, 0, out, z);
  EXPECT_EQ(std::vector<std::int32_t>(y, y + 4), std::vector<std::int32_t>(z, z + 4));
}

// Extreme codes over a long reduction: 255 x -128 terms must not overflow.
TEST(Conv2d, ExtremeValuesLongDepth) {
  REQUIRE_ISA();
  Conv2dGeometry g;
  g.in_h = g.in_w = 5;
  g.in_c = 1024;
  g.out_c = 3;
  g.kernel_h = g.kernel_w = 3;
  g.pad_top = g.pad_left = g.pad_bottom = g.pad_right = 1;
  std::vector<std::uint8_t> x(static_cast<std::size_t>(g.input_size()), 255);
  std::vector<std::int8_t> w(static_cast<std::size_t>(g.weight_size()), -128);
  OutputStage out;
  std::vector<std::int32_t> expect(static_cast<std::size_t>(g.output_size())), got(expect.size());
  lowp::reference_conv2d<lowp::GemmlowpRounding>(g, x.data(), 0, w.data(), 0, out, expect.data());
  lowp::conv2d<lowp::GemmlowpRounding>(g, x.data(), 0, w.data(), 0, out, got.data());
  EXPECT_EQ(expect, got);
  EXPECT_EQ(got[(2 * 5 + 2) * 3], -255 * 128 * 9 * 1024);  // interior pixel: all 9 taps
  EXPECT_EQ(got[0], -255 * 128 * 4 * 1024);                // corner: 4 taps
}

// Weights packed once serve any input size and batch, with one shared Context.
TEST(Conv2d, PackedWeightsReusedAcrossInputSizes) {
  REQUIRE_ISA();
  std::mt19937 rng(17);
  Conv2dGeometry g = Conv2dGeometry::same(5, 6, 10, 3, 2);
  const auto w = random_codes<std::int8_t>(rng, g.weight_size());
  Layer l = random_output_stage(rng, g.out_c, static_cast<std::int32_t>(g.depth()), true);
  const lowp::ChannelValues<std::int32_t> zw(l.wzp.data(), l.wzp.size());
  const lowp::Conv2dWeights<std::int8_t> packed(g, w.data(), zw);
  lowp::Context ctx;
  for (std::ptrdiff_t hw : {5, 9, 2}) {
    g.in_h = g.in_w = hw;
    g.batch = hw == 9 ? 3 : 1;
    const auto x = random_codes<std::uint8_t>(rng, g.input_size());
    std::vector<std::int8_t> expect(static_cast<std::size_t>(g.output_size())), got(expect.size());
    lowp::reference_conv2d<lowp::GemmlowpRounding>(g, x.data(), 99, w.data(), zw, l.out, expect.data());
    lowp::conv2d<lowp::GemmlowpRounding>(g, x.data(), 99, packed, l.out, got.data(), &ctx);
    ASSERT_EQ(expect, got) << "input " << hw << "x" << hw;
  }
  g.out_c = 8;  // not what was packed
  std::vector<std::uint8_t> x(static_cast<std::size_t>(g.input_size()));
  std::vector<std::int8_t> y(static_cast<std::size_t>(g.output_size()));
  EXPECT_THROW(lowp::conv2d<lowp::GemmlowpRounding>(g, x.data(), 0, packed, l.out, y.data()), lowp::error);
}

// An output stage prepared once for packed weights gives the per-call stage's result for any
// input size, keeps its own copy of the per-channel arrays, and refuses other weights.
TEST(Conv2d, PreparedOutputStageMatchesPerCallStage) {
  REQUIRE_ISA();
  std::mt19937 rng(23);
  Conv2dGeometry g = Conv2dGeometry::same(5, 6, 10, 3, 2);
  const auto w = random_codes<std::int8_t>(rng, g.weight_size());
  Layer l = random_output_stage(rng, g.out_c, static_cast<std::int32_t>(g.depth()), true);
  const lowp::ChannelValues<std::int32_t> zw(l.wzp.data(), l.wzp.size());
  const lowp::Conv2dWeights<std::int8_t> packed(g, w.data(), zw);
  Layer scratch = l;  // the stage is prepared from arrays that are then overwritten
  scratch.out.bias = scratch.bias.data();
  scratch.out.multiplier = {scratch.multiplier.data(), scratch.multiplier.size()};
  scratch.out.shift = {scratch.shift.data(), scratch.shift.size()};
  const auto stage = lowp::prepare_conv2d_output_stage<lowp::SingleRounding, std::uint8_t>(packed, 77, scratch.out);
  std::fill(scratch.bias.begin(), scratch.bias.end(), 0);
  std::fill(scratch.multiplier.begin(), scratch.multiplier.end(), 1 << 30);
  EXPECT_EQ(stage.input_zero_point(), 77);
  lowp::Context ctx;
  for (std::ptrdiff_t hw : {5, 1, 8}) {
    g.in_h = g.in_w = hw;
    g.batch = hw == 8 ? 2 : 1;
    const auto x = random_codes<std::uint8_t>(rng, g.input_size());
    std::vector<std::int8_t> expect(static_cast<std::size_t>(g.output_size())), got(expect.size());
    lowp::reference_conv2d<lowp::SingleRounding>(g, x.data(), 77, w.data(), zw, l.out, expect.data());
    lowp::conv2d(g, x.data(), packed, stage, got.data(), &ctx);
    ASSERT_EQ(expect, got) << "input " << hw << "x" << hw;
  }
  // Pointwise, through both stages.
  Conv2dGeometry pw = Conv2dGeometry::same(4, 6, 10, 1, 2);
  const auto w1 = random_codes<std::int8_t>(rng, pw.weight_size());
  lowp::Conv2dWeights<std::int8_t> packed1(pw, w1.data(), 0);
  const auto stage1 = lowp::prepare_conv2d_output_stage<lowp::FloatRounding, std::uint8_t>(packed1, 3, l.out);
  const auto x1 = random_codes<std::uint8_t>(rng, pw.input_size());
  std::vector<std::int8_t> expect(static_cast<std::size_t>(pw.output_size())), got(expect.size());
  lowp::conv2d<lowp::FloatRounding>(pw, x1.data(), 3, packed1, l.out, expect.data());
  lowp::conv2d(pw, x1.data(), packed1, stage1, got.data());
  EXPECT_EQ(expect, got);
  // Moved weights keep their stage; other weights, even packed from the same data, are refused.
  const lowp::Conv2dWeights<std::int8_t> moved = std::move(packed1);
  std::fill(got.begin(), got.end(), 0);
  lowp::conv2d(pw, x1.data(), moved, stage1, got.data());
  EXPECT_EQ(expect, got);
  const lowp::Conv2dWeights<std::int8_t> other(pw, w1.data(), 0);
  EXPECT_THROW(lowp::conv2d(pw, x1.data(), other, stage1, got.data()), lowp::error);
  // A bad stage is refused when prepared: 3 multipliers for 10 channels.
  lowp::OutputStage bad = l.out;
  bad.multiplier = {l.multiplier.data(), 3};
  EXPECT_THROW((lowp::prepare_conv2d_output_stage<lowp::SingleRounding, std::uint8_t>(packed, 77, bad)), lowp::error);
}

// HWO depthwise weights -> OHWI (I = 1) for the reference.
template <typename TW>
std::vector<TW> hwo_to_ohwi(const std::vector<TW>& hwo, std::ptrdiff_t taps, std::ptrdiff_t out_c) {
  std::vector<TW> ohwi(hwo.size());
  for (std::ptrdiff_t t = 0; t < taps; ++t)
    for (std::ptrdiff_t c = 0; c < out_c; ++c) ohwi[c * taps + t] = hwo[t * out_c + c];
  return ohwi;
}

template <typename Policy, typename TX, typename TW>
void check_depthwise(int cases, std::uint32_t seed) {
  std::mt19937 rng(seed);
  for (int t = 0; t < cases; ++t) {
    Conv2dGeometry g = random_geometry(rng, 0);
    g.in_c = std::uniform_int_distribution<int>(1, 40)(rng);
    g.groups = g.in_c;
    g.out_c = g.in_c * (t % 4 == 3 ? 2 : 1);
    auto x = random_codes<TX>(rng, g.input_size());
    auto w = random_codes<TW>(rng, g.weight_size());
    Layer l = random_output_stage(rng, g.out_c, static_cast<std::int32_t>(g.depth()), t % 2);
    const lowp::ChannelValues<std::int32_t> zw = t % 2 ? lowp::ChannelValues<std::int32_t>(l.wzp.data(), l.wzp.size())
                                                       : lowp::ChannelValues<std::int32_t>(0);
    const std::int32_t zx = std::is_signed<TX>::value ? -3 : 117;
    std::vector<TX> expect(static_cast<std::size_t>(g.output_size())), got(expect.size());
    const auto ohwi = hwo_to_ohwi(w, g.kernel_h * g.kernel_w, g.out_c);
    lowp::reference_conv2d<Policy>(g, x.data(), zx, ohwi.data(), zw, l.out, expect.data());
    lowp::depthwise_conv2d<Policy>(g, x.data(), zx, w.data(), zw, l.out, got.data());
    ASSERT_EQ(expect, got) << "case " << t << " channels " << g.in_c << " -> " << g.out_c;
  }
}

TEST(DepthwiseConv2d, MatchesReferenceUint8) {
  REQUIRE_ISA();
  check_depthwise<lowp::GemmlowpRounding, std::uint8_t, std::int8_t>(120, 4);
}
TEST(DepthwiseConv2d, MatchesReferenceInt8) {
  REQUIRE_ISA();
  check_depthwise<lowp::SingleRounding, std::int8_t, std::int8_t>(120, 5);
}

TEST(Conv2d, RejectsBadInput) {
  REQUIRE_ISA();
  Conv2dGeometry g;
  g.in_h = g.in_w = 4;
  g.in_c = 3;
  g.out_c = 4;
  g.groups = 2;  // does not divide 3
  std::vector<std::uint8_t> x(64);
  std::vector<std::int8_t> w(64);
  std::vector<std::int8_t> y(64);
  OutputStage out;
  EXPECT_THROW(lowp::conv2d<lowp::GemmlowpRounding>(g, x.data(), 0, w.data(), 0, out, y.data()), lowp::error);
  g.groups = 1;
  g.kernel_h = 6;  // larger than the input
  EXPECT_THROW(lowp::conv2d<lowp::GemmlowpRounding>(g, x.data(), 0, w.data(), 0, out, y.data()), lowp::error);
  g.kernel_h = 1;
  EXPECT_THROW(lowp::conv2d<lowp::GemmlowpRounding>(g, x.data(), 300, w.data(), 0, out, y.data()), lowp::error);
  EXPECT_THROW(lowp::reference_conv2d<lowp::GemmlowpRounding>(g, x.data(), 300, w.data(), 0, out, y.data()),
               lowp::error);  // the oracle refuses what the op refuses
  EXPECT_THROW(lowp::reference_conv2d<lowp::GemmlowpRounding>(g, x.data(), 0, w.data(), 128, out, y.data()),
               lowp::error);
  EXPECT_THROW(lowp::depthwise_conv2d<lowp::GemmlowpRounding>(g, x.data(), 0, w.data(), 0, out, y.data()),
               lowp::error);  // groups != in_c
  std::vector<std::int32_t> three(3, 0);
  EXPECT_THROW(lowp::conv2d<lowp::GemmlowpRounding>(g, x.data(), 0, w.data(),
                                                    lowp::ChannelValues<std::int32_t>(three.data(), 3), out, y.data()),
               lowp::error);  // 3 zero points for 4 channels
}


// Every convolution validates the whole output stage against out_c before reading it: per-channel
// arrays of another length (conv2d used to slice them per group without looking, reading past
// their end), shifts outside [-31, 30] (a negative shift count in SingleRounding) and an empty
// clamp are refused by the op and by the oracle alike, never read or executed.
TEST(Conv2d, RejectsBadOutputStage) {
  REQUIRE_ISA();
  const Conv2dGeometry conv = Conv2dGeometry::same(4, 4, 6, 3, 2);       // 2 groups of 3 output channels
  const Conv2dGeometry depthwise = Conv2dGeometry::same(4, 6, 6, 3, 6);  // groups == in_c == out_c
  std::vector<std::uint8_t> x(static_cast<std::size_t>(depthwise.input_size()), 7);
  std::vector<std::int8_t> w(static_cast<std::size_t>(depthwise.weight_size() + conv.weight_size()), 1);
  std::vector<std::int8_t> y(static_cast<std::size_t>(depthwise.output_size() + conv.output_size()));
  std::vector<std::int32_t> three(3, 1 << 30);  // 3 per-channel values for 6 channels
  std::vector<float> three_real(3, 0.25f);
  const auto all_refuse = [&](const OutputStage& out, const char* what) {
    EXPECT_THROW(lowp::conv2d<lowp::SingleRounding>(conv, x.data(), 0, w.data(), 0, out, y.data()), lowp::error)
        << what;
    EXPECT_THROW(lowp::reference_conv2d<lowp::SingleRounding>(conv, x.data(), 0, w.data(), 0, out, y.data()),
                 lowp::error)
        << what;
    EXPECT_THROW(lowp::depthwise_conv2d<lowp::SingleRounding>(depthwise, x.data(), 0, w.data(), 0, out, y.data()),
                 lowp::error)
        << what;
  };
  OutputStage out;
  out.multiplier = 1 << 30;
  out.shift = -8;
  out.real = 0.25f;
  out.multiplier = {three.data(), three.size()};
  all_refuse(out, "3 multipliers for 6 channels");
  out.multiplier = 1 << 30;
  out.shift = {three.data(), three.size()};
  all_refuse(out, "3 shifts for 6 channels");
  out.shift = -8;
  out.real = {three_real.data(), three_real.size()};
  all_refuse(out, "3 real multipliers for 6 channels");
  out.real = 0.25f;
  out.shift = 31;
  all_refuse(out, "shift 31");
  out.shift = -32;
  all_refuse(out, "shift -32");
  out.shift = -8;
  out.real = std::numeric_limits<float>::infinity();  // FloatRounding would convert NaN (Inf * 0) to int
  EXPECT_THROW(lowp::conv2d<lowp::FloatRounding>(conv, x.data(), 0, w.data(), 0, out, y.data()), lowp::error);
  EXPECT_THROW(lowp::reference_conv2d<lowp::FloatRounding>(conv, x.data(), 0, w.data(), 0, out, y.data()),
               lowp::error);
  EXPECT_THROW(lowp::depthwise_conv2d<lowp::FloatRounding>(depthwise, x.data(), 0, w.data(), 0, out, y.data()),
               lowp::error);
  out.real = 0.25f;
  out.clamp_min = 10;
  out.clamp_max = 9;
  all_refuse(out, "clamp_min > clamp_max");
  out.clamp_min = -128;
  out.clamp_max = 127;
  EXPECT_NO_THROW(lowp::conv2d<lowp::SingleRounding>(conv, x.data(), 0, w.data(), 0, out, y.data()));
  EXPECT_NO_THROW(lowp::depthwise_conv2d<lowp::SingleRounding>(depthwise, x.data(), 0, w.data(), 0, out, y.data()));
}

}  // namespace
