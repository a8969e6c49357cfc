// The two implementations of the reference GEMM agree with each other and with
// an independent int64 computation (Eigen, int64 scalars) on random problems of
// every input type combination, layout and zero-point flavour, including the
// extremes of the accumulator bound; K beyond the bound is refused.
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <type_traits>
#include <vector>

#include <Eigen/Core>
#include <gtest/gtest.h>

#include "lowp/core/error.hpp"
#include "lowp/gemm/reference.hpp"

namespace {
using I64Matrix = Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic>;

template <typename T>
T random_code(std::mt19937& rng, int extreme_bias) {
  // with probability extreme_bias/8 pick the type's min or max (long runs of extremes)
  std::uniform_int_distribution<int> coin(0, 7), any(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  const int c = coin(rng);
  if (c < extreme_bias) return (c & 1) ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max();
  return static_cast<T>(any(rng));
}

// A strided matrix: random storage order and padding.
template <typename T>
struct Strided {
  std::vector<T> storage;
  lowp::MatrixView<T> view;
  Strided(std::ptrdiff_t rows, std::ptrdiff_t cols, std::mt19937& rng) {
    std::uniform_int_distribution<int> pad(0, 3), coin(0, 1);
    const bool row_major = coin(rng);
    const std::ptrdiff_t ld = (row_major ? cols : rows) + pad(rng);
    storage.assign(static_cast<std::size_t>(ld * (row_major ? rows : cols) + 1), T{});
    view = row_major ? lowp::row_major(storage.data(), rows, cols, ld) : lowp::col_major(storage.data(), rows, cols, ld);
  }
};

// One random problem for input types TA x TB.
template <typename TA, typename TB>
struct Problem {
  std::ptrdiff_t m, k, n;
  Strided<TA> a;
  Strided<TB> b;
  std::int32_t za;
  std::vector<std::int32_t> zb, bias;
  bool per_channel;
  lowp::GemmZeroPoints zp;
  lowp::OutputStage out;

  Problem(std::ptrdiff_t m_, std::ptrdiff_t k_, std::ptrdiff_t n_, std::mt19937& rng)
      : m(m_), k(k_), n(n_), a(m_, k_, rng), b(k_, n_, rng) {
    std::uniform_int_distribution<int> coin(0, 3);
    const int extremes = coin(rng) * 2;  // 0, 2, 4 or 6 out of 8 codes at the type's limits
    for (std::ptrdiff_t i = 0; i < m; ++i)
      for (std::ptrdiff_t j = 0; j < k; ++j) a.view(i, j) = random_code<TA>(rng, extremes);
    for (std::ptrdiff_t i = 0; i < k; ++i)
      for (std::ptrdiff_t j = 0; j < n; ++j) b.view(i, j) = random_code<TB>(rng, extremes);
    za = random_code<TA>(rng, 4);
    per_channel = coin(rng) & 1;
    zb.resize(per_channel ? static_cast<std::size_t>(n) : 1);
    for (auto& z : zb) z = random_code<TB>(rng, 3);
    zp.a = za;
    zp.b = per_channel ? lowp::ChannelValues<std::int32_t>(zb.data(), zb.size()) : lowp::ChannelValues<std::int32_t>(zb[0]);
    const std::int64_t room = std::numeric_limits<std::int32_t>::max() -
                              k * lowp::max_abs_centered<TA>(za) * 255;  // keep the bias within the bound
    std::uniform_int_distribution<std::int64_t> bias_dist(-std::max<std::int64_t>(room, 0) / 2, std::max<std::int64_t>(room, 0) / 2);
    bias.resize(static_cast<std::size_t>(n));
    for (auto& v : bias) v = static_cast<std::int32_t>(bias_dist(rng));
    if (coin(rng) != 0) out.bias = bias.data();
  }

  // sum_k (a - za)(b - zb[n]) + bias[n] as an Eigen int64 product of centred matrices.
  I64Matrix int64_accumulators() const {
    I64Matrix ca(m, k), cb(k, n);
    for (std::ptrdiff_t i = 0; i < m; ++i)
      for (std::ptrdiff_t j = 0; j < k; ++j) ca(i, j) = std::int64_t{a.view(i, j)} - za;
    for (std::ptrdiff_t i = 0; i < k; ++i)
      for (std::ptrdiff_t j = 0; j < n; ++j) cb(i, j) = std::int64_t{b.view(i, j)} - zb[per_channel ? j : 0];
    I64Matrix acc = ca * cb;
    if (out.bias)
      for (std::ptrdiff_t j = 0; j < n; ++j) acc.col(j).array() += out.bias[j];
    return acc;
  }
};

template <typename TA, typename TB>
void check_random_problems(int cases, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dim(0, 9), depth(0, 70);
  for (int c = 0; c < cases; ++c) {
    Problem<TA, TB> p(dim(rng), c % 16 == 15 ? 2000 + depth(rng) : depth(rng), dim(rng), rng);
    std::vector<std::int32_t> direct(static_cast<std::size_t>(p.m * p.n)), sums(direct.size());
    lowp::reference_gemm<lowp::GemmlowpRounding>(p.a.view, p.b.view, lowp::row_major(direct.data(), p.m, p.n), p.zp, p.out);
    lowp::reference_gemm_by_sums<lowp::GemmlowpRounding>(p.a.view, p.b.view, lowp::row_major(sums.data(), p.m, p.n), p.zp, p.out);
    const I64Matrix want = p.int64_accumulators();
    for (std::ptrdiff_t i = 0; i < p.m; ++i)
      for (std::ptrdiff_t j = 0; j < p.n; ++j) {
        const auto at = static_cast<std::size_t>(i * p.n + j);
        ASSERT_EQ(direct[at], want(i, j)) << "case " << c << " (" << i << ", " << j << ")";
        ASSERT_EQ(sums[at], want(i, j)) << "case " << c << " (" << i << ", " << j << ")";
      }
  }
}

// >= 1000 cases per type combination, K up to ~2070, extremes in most.
TEST(ReferenceGemm, DirectAndSumsEqualInt64U8S8) { check_random_problems<std::uint8_t, std::int8_t>(1000, 1); }
TEST(ReferenceGemm, DirectAndSumsEqualInt64S8S8) { check_random_problems<std::int8_t, std::int8_t>(1000, 2); }
TEST(ReferenceGemm, DirectAndSumsEqualInt64U8U8) { check_random_problems<std::uint8_t, std::uint8_t>(1000, 3); }
TEST(ReferenceGemm, DirectAndSumsEqualInt64S8U8) { check_random_problems<std::int8_t, std::uint8_t>(1000, 4); }

// Worst case of the bound: a constant A row times a constant B column at K = max.
template <typename TA, typename TB>
void check_bound(TA a_value, TB b_value, std::int32_t za, std::int32_t zb, std::int64_t expected_max_k) {
  const std::int64_t max_k = lowp::gemm_max_k<TA, TB>(za, zb, 1);
  ASSERT_EQ(max_k, expected_max_k);
  std::vector<TA> a(static_cast<std::size_t>(max_k + 1), a_value);
  std::vector<TB> b(a.size(), b_value);
  const lowp::GemmZeroPoints zp{za, zb};
  const lowp::OutputStage out;
  const std::int64_t term = (std::int64_t{a_value} - za) * (std::int64_t{b_value} - zb);
  std::int32_t c_direct = 0, c_sums = 0;
  lowp::reference_gemm<lowp::SingleRounding>(lowp::row_major(a.data(), 1, max_k), lowp::col_major(b.data(), max_k, 1),
                                             lowp::row_major(&c_direct, 1, 1), zp, out);
  lowp::reference_gemm_by_sums<lowp::SingleRounding>(lowp::row_major(a.data(), 1, max_k), lowp::col_major(b.data(), max_k, 1),
                                                     lowp::row_major(&c_sums, 1, 1), zp, out);
  EXPECT_EQ(c_direct, term * max_k);
  EXPECT_EQ(c_sums, term * max_k);
  if (std::llabs(term) == lowp::max_abs_centered<TA>(za) * lowp::max_abs_centered<TB>(zb)) {  // worst term: tight
    EXPECT_GT(std::llabs(term * (max_k + 1)), std::int64_t{std::numeric_limits<std::int32_t>::max()});
  }
  EXPECT_THROW(lowp::reference_gemm<lowp::SingleRounding>(lowp::row_major(a.data(), 1, max_k + 1),
                                                          lowp::col_major(b.data(), max_k + 1, 1),
                                                          lowp::row_major(&c_direct, 1, 1), zp, out),
               lowp::error);
  EXPECT_THROW(lowp::reference_gemm_by_sums<lowp::SingleRounding>(lowp::row_major(a.data(), 1, max_k + 1),
                                                                  lowp::col_major(b.data(), max_k + 1, 1),
                                                                  lowp::row_major(&c_sums, 1, 1), zp, out),
               lowp::error);
}

// The table of docs/requantization.md: floor((2^31 - 1) / max|a - za| max|b - zb|).
TEST(ReferenceGemm, AccumulatorBoundZeroPointsZero) {
  check_bound<std::uint8_t, std::int8_t>(255, -128, 0, 0, 65793);   // 255 * 128 = 32640
  check_bound<std::uint8_t, std::int8_t>(255, 127, 0, 0, 65793);
  check_bound<std::int8_t, std::int8_t>(-128, -128, 0, 0, 131071);  // 128 * 128 = 16384
  check_bound<std::uint8_t, std::uint8_t>(255, 255, 0, 0, 33025);   // 255 * 255 = 65025
  check_bound<std::int8_t, std::uint8_t>(-128, 255, 0, 0, 65793);
}

TEST(ReferenceGemm, AccumulatorBoundWorstZeroPoints) {
  // |a - za| and |b - zb| reach 255 for every type when the zero point sits at one end.
  check_bound<std::uint8_t, std::int8_t>(0, 127, 255, -128, 33025);
  check_bound<std::int8_t, std::int8_t>(127, -128, -128, 127, 33025);
  check_bound<std::uint8_t, std::uint8_t>(255, 0, 0, 255, 33025);
  check_bound<std::int8_t, std::uint8_t>(-128, 0, 127, 255, 33025);
  // the symmetric uint8 zero point 128 gives the int8 bound
  check_bound<std::uint8_t, std::int8_t>(0, -128, 128, 0, 131071);
}

TEST(ReferenceGemm, BiasShrinksTheBoundAndBadArgumentsAreRefused) {
  const std::int32_t zb = 0;
  EXPECT_EQ((lowp::gemm_max_k<std::uint8_t, std::int8_t>(0, zb, 1, 32640)), 65792);
  std::uint8_t a[4] = {1, 2, 3, 4};
  std::int8_t b[4] = {1, 2, 3, 4};
  std::int32_t c[4];
  lowp::OutputStage out;
  const lowp::GemmZeroPoints zp{};
  auto gemm = [&](lowp::MatrixView<std::uint8_t> av, lowp::MatrixView<std::int8_t> bv, lowp::MatrixView<std::int32_t> cv,
                  const lowp::GemmZeroPoints& z) { lowp::reference_gemm<lowp::SingleRounding>(av, bv, cv, z, out); };
  EXPECT_THROW(gemm(lowp::row_major(a, 2, 2), lowp::row_major(b, 1, 4), lowp::row_major(c, 2, 4), zp), lowp::error);
  EXPECT_THROW(gemm(lowp::row_major(a, 2, 2), lowp::row_major(b, 2, 2), lowp::row_major(c, 1, 2), zp), lowp::error);
  EXPECT_THROW(gemm(lowp::row_major(a, 2, 2), lowp::row_major(b, 2, 2), lowp::row_major(c, 2, 2), {256, 0}), lowp::error);
  EXPECT_THROW(gemm(lowp::row_major(a, 2, 2), lowp::row_major(b, 2, 2), lowp::row_major(c, 2, 2), {0, 128}), lowp::error);
  const std::int32_t three_zb[3] = {0, 0, 0};
  EXPECT_THROW(gemm(lowp::row_major(a, 2, 2), lowp::row_major(b, 2, 2), lowp::row_major(c, 2, 2),
                    {0, lowp::ChannelValues<std::int32_t>(three_zb, 3)}),
               lowp::error);
  out.clamp_min = 10;
  out.clamp_max = 9;
  EXPECT_THROW(gemm(lowp::row_major(a, 2, 2), lowp::row_major(b, 2, 2), lowp::row_major(c, 2, 2), zp), lowp::error);
  out = lowp::OutputStage{};
  out.shift = 31;
  EXPECT_THROW(gemm(lowp::row_major(a, 2, 2), lowp::row_major(b, 2, 2), lowp::row_major(c, 2, 2), zp), lowp::error);
  out = lowp::OutputStage{};
  // C's leading dimension below its width: row 1 would overwrite row 0's second element.
  EXPECT_THROW(gemm(lowp::row_major(a, 2, 2), lowp::row_major(b, 2, 2), lowp::row_major(c, 2, 2, 1), zp), lowp::error);
  EXPECT_THROW(gemm(lowp::row_major(a, 2, 2), lowp::row_major(b, 2, 2), lowp::col_major(c, 2, 2, 0), zp), lowp::error);
  // Inputs may share elements (a broadcast row of A is a valid operand).
  EXPECT_NO_THROW(gemm(lowp::row_major(a, 2, 2, 0), lowp::row_major(b, 2, 2), lowp::row_major(c, 2, 2), zp));
  EXPECT_EQ(c[0], c[2]);
}

// A real multiplier that is not finite is refused, per tensor and per channel: FloatRounding
// would convert NaN (NaN * acc, or Inf * 0) to an integer, undefined behaviour that x86 turns
// into INT32_MIN and then into a silently clamped output, and a float output would be NaN.
TEST(ReferenceGemm, NonFiniteRealMultiplierIsRefused) {
  std::uint8_t a[4] = {1, 2, 3, 4};
  std::int8_t b[4] = {1, 0, -3, 4};
  std::int8_t c[4];
  float cf[4];
  const lowp::GemmZeroPoints zp{};
  for (const float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity()}) {
    const float per_channel[2] = {0.5f, bad};
    for (const lowp::ChannelValues<float> real : {lowp::ChannelValues<float>(bad), lowp::ChannelValues<float>(per_channel, 2)}) {
      lowp::OutputStage out;
      out.real = real;
      EXPECT_THROW(lowp::reference_gemm<lowp::FloatRounding>(lowp::row_major(a, 2, 2), lowp::row_major(b, 2, 2),
                                                             lowp::row_major(c, 2, 2), zp, out),
                   lowp::error)
          << bad;
      EXPECT_THROW(lowp::reference_gemm<lowp::FloatRounding>(lowp::row_major(a, 2, 2), lowp::row_major(b, 2, 2),
                                                             lowp::row_major(cf, 2, 2), zp, out),
                   lowp::error)
          << bad;
    }
  }
}

TEST(ReferenceGemm, EigenMapsAndBlocksAreViews) {
  // the same product through Eigen objects of both storage orders and a strided block
  std::mt19937 rng(17);
  Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> a(5, 13);
  Eigen::Matrix<std::int8_t, Eigen::Dynamic, Eigen::Dynamic> big_b(20, 9);  // column-major
  for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = random_code<std::uint8_t>(rng, 2);
  for (Eigen::Index i = 0; i < big_b.size(); ++i) big_b.data()[i] = random_code<std::int8_t>(rng, 2);
  const Eigen::Ref<const Eigen::Matrix<std::int8_t, Eigen::Dynamic, Eigen::Dynamic>, 0, Eigen::OuterStride<>> b =
      big_b.block(3, 2, 13, 6);
  const lowp::GemmZeroPoints zp{7, -3};
  const lowp::OutputStage out;
  Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic> c(5, 6);
  Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> c2(5, 6);
  lowp::reference_gemm<lowp::GemmlowpRounding>(lowp::view(a), lowp::view(b), lowp::view(c), zp, out);
  // A read-only map of A (view(const Map&) yields a const view, fine for inputs).
  const Eigen::Map<const Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> a_map(a.data(), 5, 13);
  lowp::reference_gemm_by_sums<lowp::GemmlowpRounding>(lowp::view(a_map), lowp::view(b), lowp::view(c2), zp, out);
  const I64Matrix want = (a.cast<std::int64_t>().array() - 7).matrix() * (b.cast<std::int64_t>().array() + 3).matrix();
  EXPECT_TRUE((c.cast<std::int64_t>() == want));
  EXPECT_TRUE((c2.cast<std::int64_t>() == want));
}

}  // namespace
