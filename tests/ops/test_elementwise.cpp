// Requantized add, pools, concat, LUT activations and leaky ReLU against the
// ideally rounded float result.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "lowp/ops/add.hpp"
#include "lowp/ops/concat.hpp"
#include "lowp/ops/leaky_relu.hpp"
#include "lowp/ops/lut_activation.hpp"
#include "lowp/ops/pool2d.hpp"

namespace {

using lowp::QuantParams;

// The ideally rounded code of real value y (ties to even), clamped to T.
template <typename T>
long ideal_code(long double y, QuantParams p) {
  const long double c = std::nearbyint(y / p.scale) + p.zero_point;
  return static_cast<long>(std::min<long double>(std::max<long double>(c, std::numeric_limits<T>::min()),
                                                 std::numeric_limits<T>::max()));
}
template <typename T>
long double real_of(int q, QuantParams p) {
  return static_cast<long double>(p.scale) * (q - p.zero_point);
}

template <typename Policy, typename T>
void check_add_all_pairs(QuantParams a, QuantParams b, QuantParams out) {
  const lowp::AddParams<T> p(a, b, out);
  long off_by_one = 0;
  for (int qa = std::numeric_limits<T>::min(); qa <= std::numeric_limits<T>::max(); ++qa)
    for (int qb = std::numeric_limits<T>::min(); qb <= std::numeric_limits<T>::max(); ++qb) {
      const long got = lowp::quantized_add<Policy>(p, static_cast<T>(qa), static_cast<T>(qb));
      const long want = ideal_code<T>(real_of<T>(qa, a) + real_of<T>(qb, b), out);
      ASSERT_LE(std::labs(got - want), 1) << qa << " + " << qb;
      off_by_one += got != want;
    }
  EXPECT_LT(off_by_one, 65536 / 50) << "more than 2% of sums are off by one LSB";
}

TEST(QuantizedAdd, AllPairsWithinOneLsb) {
  check_add_all_pairs<lowp::GemmlowpRounding, std::int8_t>({0.05f, 3}, {0.013f, -20}, {0.06f, -5});
  check_add_all_pairs<lowp::SingleRounding, std::int8_t>({0.2f, 0}, {0.2f, 0}, {0.37f, 1});
  check_add_all_pairs<lowp::GemmlowpRounding, std::uint8_t>({0.0078f, 128}, {0.11f, 30}, {0.13f, 40});
  check_add_all_pairs<lowp::FloatRounding, std::uint8_t>({1e-3f, 0}, {0.5f, 255}, {0.25f, 200});
}

TEST(QuantizedAdd, FusedClampAndBadScales) {
  const lowp::AddParams<std::int8_t> relu({0.1f, 0}, {0.1f, 0}, {0.1f, -128}, {-128, 127});
  EXPECT_EQ(lowp::quantized_add<lowp::GemmlowpRounding>(relu, std::int8_t{10}, std::int8_t{-4}), -122);
  const lowp::AddParams<std::int8_t> clamped({0.1f, 0}, {0.1f, 0}, {0.1f, 0}, {0, 20});
  EXPECT_EQ(lowp::quantized_add<lowp::GemmlowpRounding>(clamped, std::int8_t{10}, std::int8_t{-40}), 0);
  EXPECT_EQ(lowp::quantized_add<lowp::GemmlowpRounding>(clamped, std::int8_t{10}, std::int8_t{40}), 20);
  EXPECT_THROW(lowp::AddParams<std::int8_t>({0.0f, 0}, {0.1f, 0}, {0.1f, 0}), lowp::error);
}

TEST(Pool2d, MaxPoolMatchesBruteForceAndIgnoresPadding) {
  std::mt19937 rng(11);
  lowp::Pool2dGeometry g;
  g.batch = 2;
  g.in_h = 7;
  g.in_w = 6;
  g.channels = 5;
  g.kernel_h = 3;
  g.kernel_w = 2;
  g.stride_h = 2;
  g.stride_w = 2;
  g.pad_top = g.pad_bottom = 1;
  g.pad_left = 1;
  std::vector<std::int8_t> x(static_cast<std::size_t>(g.batch * g.in_h * g.in_w * g.channels));
  for (auto& v : x) v = static_cast<std::int8_t>(std::uniform_int_distribution<int>(-128, -100)(rng));  // all negative
  std::vector<std::int8_t> y(static_cast<std::size_t>(g.output_size()));
  lowp::max_pool2d(g, x.data(), y.data());
  for (std::ptrdiff_t b = 0; b < g.batch; ++b)
    for (std::ptrdiff_t oy = 0; oy < g.out_h(); ++oy)
      for (std::ptrdiff_t ox = 0; ox < g.out_w(); ++ox)
        for (std::ptrdiff_t c = 0; c < g.channels; ++c) {
          int m = -129;
          for (std::ptrdiff_t ky = 0; ky < g.kernel_h; ++ky)
            for (std::ptrdiff_t kx = 0; kx < g.kernel_w; ++kx) {
              const std::ptrdiff_t iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
              if (iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w)
                m = std::max<int>(m, x[((b * g.in_h + iy) * g.in_w + ix) * g.channels + c]);
            }
          ASSERT_EQ(y[((b * g.out_h() + oy) * g.out_w() + ox) * g.channels + c], m);
        }
}

TEST(Pool2d, AveragePoolRoundsHalfAwayFromZero) {
  lowp::Pool2dGeometry g;
  g.in_h = 1;
  g.in_w = 4;
  g.channels = 1;
  g.kernel_w = 2;
  g.stride_w = 2;
  {
    const std::int8_t x[4] = {1, 2, -1, -2};  // means 1.5 and -1.5
    std::int8_t y[2];
    lowp::avg_pool2d(g, x, 0, false, y);
    EXPECT_EQ(y[0], 2);
    EXPECT_EQ(y[1], -2);
  }
  {
    const std::uint8_t x[4] = {254, 255, 0, 1};  // 254.5 -> 255, 0.5 -> 1
    std::uint8_t y[2];
    lowp::avg_pool2d(g, x, 0, false, y);
    EXPECT_EQ(y[0], 255);
    EXPECT_EQ(y[1], 1);
  }
}

TEST(Pool2d, AveragePoolPaddingCountsLikePyTorch) {
  // 3x3 kernel, stride 1, pad 1 on a 3x3 input of 9s, zero point 3:
  // count_include_pad: corner = (4*9 + 5*3) / 9 = 51/9 = 5.67 -> 6; exclude: 9.
  lowp::Pool2dGeometry g;
  g.in_h = g.in_w = 3;
  g.channels = 1;
  g.kernel_h = g.kernel_w = 3;
  g.pad_top = g.pad_left = g.pad_bottom = g.pad_right = 1;
  std::vector<std::uint8_t> x(9, 9), y(9);
  lowp::avg_pool2d(g, x.data(), 3, true, y.data());
  EXPECT_EQ(y[0], 6);
  EXPECT_EQ(y[1], 7);  // (6*9 + 3*3) / 9 = 7
  EXPECT_EQ(y[4], 9);
  lowp::avg_pool2d(g, x.data(), 3, false, y.data());
  EXPECT_EQ(y[0], 9);
  // Random windows against an exact rational mean.
  std::mt19937 rng(3);
  g.in_h = 6;
  g.in_w = 5;
  g.channels = 3;
  g.kernel_h = 3;
  g.kernel_w = 2;
  g.stride_h = 2;
  g.pad_top = 1;
  g.pad_left = 1;
  g.pad_bottom = 0;
  g.pad_right = 0;
  std::vector<std::int8_t> xi(6 * 5 * 3), yi(static_cast<std::size_t>(g.output_size()));
  for (auto& v : xi) v = static_cast<std::int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
  lowp::avg_pool2d(g, xi.data(), 0, false, yi.data());
  for (std::ptrdiff_t oy = 0; oy < g.out_h(); ++oy)
    for (std::ptrdiff_t ox = 0; ox < g.out_w(); ++ox)
      for (std::ptrdiff_t c = 0; c < 3; ++c) {
        long sum = 0, n = 0;
        for (std::ptrdiff_t ky = 0; ky < 3; ++ky)
          for (std::ptrdiff_t kx = 0; kx < 2; ++kx) {
            const std::ptrdiff_t iy = oy * 2 - 1 + ky, ix = ox - 1 + kx;
            if (iy >= 0 && iy < 6 && ix >= 0 && ix < 5) sum += xi[(iy * 5 + ix) * 3 + c], ++n;
          }
        ASSERT_EQ(yi[(oy * g.out_w() + ox) * 3 + c], std::lround(static_cast<double>(sum) / n));
      }
}

TEST(Concat, CopiesSharedParamsAndRequantizesOthers) {
  const std::ptrdiff_t pixels = 256;
  std::vector<std::int8_t> a(pixels * 2), b(pixels * 1);
  for (std::ptrdiff_t p = 0; p < pixels; ++p) {
    a[p * 2] = static_cast<std::int8_t>(p - 128);
    a[p * 2 + 1] = static_cast<std::int8_t>(127 - p);
    b[p] = static_cast<std::int8_t>(p - 128);
  }
  const QuantParams out{0.05f, 4}, pb{0.031f, -7};
  std::vector<std::int8_t> y(pixels * 3);
  lowp::concat_channels<lowp::GemmlowpRounding, std::int8_t>(pixels, {{a.data(), 2, out}, {b.data(), 1, pb}}, out, y.data());
  for (std::ptrdiff_t p = 0; p < pixels; ++p) {
    ASSERT_EQ(y[p * 3], a[p * 2]);
    ASSERT_EQ(y[p * 3 + 1], a[p * 2 + 1]);
    const long want = ideal_code<std::int8_t>(real_of<std::int8_t>(b[p], pb), out);
    ASSERT_LE(std::labs(y[p * 3 + 2] - want), 1) << "code " << int(b[p]);
  }
  EXPECT_THROW((lowp::concat_channels<lowp::GemmlowpRounding, std::int8_t>(pixels, {}, out, y.data())), lowp::error);
}

// Independent long-double definitions of the activations.
long double ref_sigmoid(long double x) { return 1.0L / (1.0L + std::exp(-x)); }
long double ref_tanh(long double x) { return std::tanh(x); }
long double ref_gelu(long double x) { return 0.5L * x * (1.0L + std::erf(x / std::sqrt(2.0L))); }
long double ref_silu(long double x) { return x / (1.0L + std::exp(-x)); }
long double ref_hard_swish(long double x) { return x <= -3 ? 0.0L : x >= 3 ? x : x * (x + 3) / 6; }
long double ref_elu(long double x) { return x > 0 ? x : std::exp(x) - 1.0L; }

template <typename T>
void check_table(const char* name, const lowp::LookupTable<T>& t, long double (*f)(long double), QuantParams in,
                 QuantParams out) {
  int exact = 0;
  for (int q = std::numeric_limits<T>::min(); q <= std::numeric_limits<T>::max(); ++q) {
    const long want = ideal_code<T>(f(real_of<T>(q, in)), out);
    const long got = t(static_cast<T>(q));
    ASSERT_LE(std::labs(got - want), 1) << name << " at code " << q;
    exact += got == want;
  }
  EXPECT_GE(exact, 254) << name << ": only rounding ties may differ";
}

template <typename T>
void check_all_activations(QuantParams in, QuantParams sig_out, QuantParams sym_out, QuantParams wide_out) {
  check_table<T>("sigmoid", lowp::sigmoid_table<T>(in, sig_out), ref_sigmoid, in, sig_out);
  check_table<T>("tanh", lowp::tanh_table<T>(in, sym_out), ref_tanh, in, sym_out);
  check_table<T>("gelu", lowp::gelu_table<T>(in, wide_out), ref_gelu, in, wide_out);
  check_table<T>("silu", lowp::silu_table<T>(in, wide_out), ref_silu, in, wide_out);
  check_table<T>("hard_swish", lowp::hard_swish_table<T>(in, wide_out), ref_hard_swish, in, wide_out);
  check_table<T>("elu", lowp::elu_table<T>(in, wide_out), ref_elu, in, wide_out);
}

TEST(LutActivation, EveryInputWithinOneLsbInt8) {
  check_all_activations<std::int8_t>({8.0f / 128, 0}, {1.0f / 256, -128}, {1.0f / 128, 0}, {8.0f / 128, -10});
  check_all_activations<std::int8_t>({0.0213f, 37}, {0.0039f, -128}, {0.0079f, 0}, {0.021f, -40});
}

TEST(LutActivation, EveryInputWithinOneLsbUint8) {
  check_all_activations<std::uint8_t>({0.05f, 128}, {1.0f / 256, 0}, {1.0f / 128, 128}, {0.04f, 30});
}

TEST(LutActivation, ApplyAndRejectNonFinite) {
  const auto t = lowp::sigmoid_table<std::int8_t>({0.1f, 0}, {1.0f / 256, -128});
  const std::int8_t x[3] = {-128, 0, 127};
  std::int8_t y[3];
  lowp::apply_lookup_table(t, x, y, 3);
  EXPECT_EQ(y[1], 0);  // sigmoid(0) = 0.5 -> 128 - 128
  EXPECT_LT(y[0], -120);
  EXPECT_EQ(y[2], 127);
  EXPECT_THROW(lowp::make_lookup_table<std::int8_t>([](double x) { return std::log(x); }, {0.1f, 0}, {0.1f, 0}),
               lowp::error);
}

// Zero points outside the code type used to reach int32 arithmetic: (q - z) * 2^20 in
// quantized_add overflows for |q - z| >= 2^11 (UB), and an output zero point of 300 clamps
// every uint8 output to 255 without a word.
TEST(ElementwiseOps, RejectZeroPointsAndClampsOutsideTheCodeType) {
  using I8 = std::int8_t;
  using U8 = std::uint8_t;
  EXPECT_THROW(lowp::AddParams<I8>({0.1f, 5000}, {0.1f, 0}, {0.1f, 0}), lowp::error);
  EXPECT_THROW(lowp::AddParams<I8>({0.1f, 0}, {0.1f, -129}, {0.1f, 0}), lowp::error);
  EXPECT_THROW(lowp::AddParams<U8>({0.1f, 0}, {0.1f, 0}, {0.1f, 300}), lowp::error);
  EXPECT_THROW(lowp::AddParams<I8>({0.1f, 0}, {0.1f, 0}, {0.1f, 0}, {20, 10}), lowp::error);
  EXPECT_THROW(lowp::AddParams<U8>({0.1f, 0}, {0.1f, 0}, {0.1f, 0}, {-1, 255}), lowp::error);
  EXPECT_NO_THROW(lowp::AddParams<U8>({0.1f, 0}, {0.1f, 255}, {0.1f, 128}, {128, 255}));
  EXPECT_THROW(lowp::LeakyReluParams<I8>(0.1, {0.05f, 128}, {0.05f, 0}), lowp::error);
  EXPECT_THROW(lowp::LeakyReluParams<U8>(0.1, {0.05f, 0}, {0.05f, -1}), lowp::error);
  EXPECT_THROW(lowp::sigmoid_table<I8>({0.1f, std::numeric_limits<std::int32_t>::min()}, {1.0f / 256, -128}),
               lowp::error);
  EXPECT_THROW(lowp::tanh_table<U8>({0.1f, 128}, {1.0f / 128, 256}), lowp::error);
  const std::vector<I8> a(4, 1);
  std::vector<I8> y(4);
  EXPECT_THROW((lowp::concat_channels<lowp::GemmlowpRounding, I8>(4, {{a.data(), 1, {0.1f, -200}}}, {0.1f, 0},
                                                                   y.data())),
               lowp::error);
  EXPECT_THROW((lowp::concat_channels<lowp::GemmlowpRounding, I8>(4, {{a.data(), 1, {0.1f, 0}}}, {0.2f, 128},
                                                                   y.data())),
               lowp::error);
}

template <typename Policy, typename T>
void check_leaky(double alpha, QuantParams in, QuantParams out) {
  const lowp::LeakyReluParams<T> p(alpha, in, out);
  for (int q = std::numeric_limits<T>::min(); q <= std::numeric_limits<T>::max(); ++q) {
    const long double x = real_of<T>(q, in);
    const long want = ideal_code<T>(x >= 0 ? x : static_cast<long double>(alpha) * x, out);
    const long got = lowp::leaky_relu<Policy>(p, static_cast<T>(q));
    ASSERT_LE(std::labs(got - want), 1) << "alpha " << alpha << " code " << q;
  }
}

TEST(LeakyRelu, EveryInputWithinOneLsb) {
  check_leaky<lowp::GemmlowpRounding, std::int8_t>(0.01, {0.05f, 0}, {0.05f, 0});
  check_leaky<lowp::GemmlowpRounding, std::int8_t>(0.2, {0.05f, 10}, {0.03f, -60});
  check_leaky<lowp::SingleRounding, std::uint8_t>(0.1, {0.02f, 100}, {0.015f, 60});
  check_leaky<lowp::FloatRounding, std::int8_t>(0.3, {0.1f, -5}, {0.2f, 3});
  // Same parameters in and out: the positive side is the identity.
  const lowp::LeakyReluParams<std::int8_t> p(0.1, {0.05f, 0}, {0.05f, 0});
  for (int q = 0; q < 128; ++q) ASSERT_EQ(lowp::leaky_relu<lowp::GemmlowpRounding>(p, static_cast<std::int8_t>(q)), q);
  EXPECT_THROW(lowp::LeakyReluParams<std::int8_t>(0.0, {0.05f, 0}, {0.05f, 0}), lowp::error);
}

}  // namespace
