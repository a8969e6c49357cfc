// The quantizer core: storage ranges, parameter choice, the affine map and its error bound,
// rounding modes, special values, granularities on N-d / strided / Eigen operands, packed int4,
// fake-quantize with its STE mask, requantize, stochastic rounding (reproducible and unbiased),
// and the errors bad input gets.
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <gtest/gtest.h>

#include "lowp/quantize/quantizer.hpp"

namespace {

using lowp::Affine;
using lowp::PerChannel;
using lowp::PerGroup;
using lowp::PerTensor;
using lowp::QuantParams;
using lowp::Quantizer;
using lowp::Symmetric;
using lowp::TensorView;

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

template <typename T>
TensorView<T> vec(std::vector<T>& v) {
  return TensorView<T>(v.data(), {static_cast<std::ptrdiff_t>(v.size())});
}
template <typename T>
TensorView<const T> cvec(const std::vector<T>& v) {
  return TensorView<const T>(v.data(), {static_cast<std::ptrdiff_t>(v.size())});
}

TEST(QuantizeStorage, RangesOfEveryWidthSignAndNarrowVariant) {
  EXPECT_EQ(lowp::Int8::qmin, -128);
  EXPECT_EQ(lowp::Int8::qmax, 127);
  EXPECT_EQ(lowp::UInt8::qmin, 0);
  EXPECT_EQ(lowp::UInt8::qmax, 255);
  EXPECT_EQ(lowp::Int8Narrow::qmin, -127);
  EXPECT_EQ(lowp::Int16::qmin, -32768);
  EXPECT_EQ(lowp::Int32::qmin, std::numeric_limits<std::int32_t>::min());
  EXPECT_EQ(lowp::Int32::qmax, std::numeric_limits<std::int32_t>::max());
  EXPECT_EQ((lowp::IntStorage<std::int8_t, 2>::qmin), -2);
  EXPECT_EQ((lowp::IntStorage<std::int8_t, 2>::qmax), 1);
  EXPECT_EQ((lowp::IntStorage<std::uint8_t, 8, true>::qmin), 1);  // TF narrow_range for quint8
  EXPECT_EQ((lowp::IntStorage<std::uint16_t, 12>::qmax), 4095);
  EXPECT_EQ((lowp::IntStorage<std::int16_t, 16, true>::qmin), -32767);
  EXPECT_EQ(lowp::Int4::qmin, -8);
  EXPECT_EQ(lowp::UInt4::qmax, 15);
  EXPECT_EQ((lowp::PackedNibbles<3, true, true>::qmin), -3);
  EXPECT_EQ(lowp::Int4::storage_size(7), 4);
}

TEST(QuantizeParams, RangeIsWidenedToZeroAndZeroIsExactlyRepresentable) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-50.0f, 50.0f);
  for (int t = 0; t < 2000; ++t) {
    float a = u(rng), b = u(rng);
    if (a > b) std::swap(a, b);
    if (t % 3 == 0) b = a + 1e-3f;  // narrow ranges not containing 0
    const QuantParams ps[] = {lowp::choose_qparams<Affine>(a, b, lowp::UInt8::range()),
                              lowp::choose_qparams<Affine>(a, b, lowp::Int8::range()),
                              lowp::choose_qparams<Symmetric>(a, b, lowp::Int8Narrow::range())};
    Quantizer<lowp::UInt8> qu(PerTensor{ps[0]});
    Quantizer<lowp::Int8> qs(PerTensor{ps[1]});
    Quantizer<lowp::Int8Narrow, Symmetric> qn(PerTensor{ps[2]});
    for (const auto& p : ps) ASSERT_GT(p.scale, 0.0f);
    EXPECT_EQ(qu.dequantize_one(qu.quantize_one(0.0f, 0), 0), 0.0f);
    EXPECT_EQ(qs.dequantize_one(qs.quantize_one(0.0f, 0), 0), 0.0f);
    EXPECT_EQ(qn.quantize_one(0.0f, 0), 0);
    // the widened range [min(a,0), max(b,0)] is covered up to half a step at each end
    const float lo = std::min(a, 0.0f), hi = std::max(b, 0.0f);
    EXPECT_LE(qu.dequantize_one(0, 0), lo + ps[0].scale * 0.5f + 1e-5f);
    EXPECT_GE(qu.dequantize_one(255, 0), hi - ps[0].scale * 0.5f - 1e-5f);
  }
}

TEST(QuantizeParams, DegenerateRangesGiveAValidNonZeroScale) {
  for (float v : {0.0f, 1e-42f, -1e-42f, 3.0f, -7.5f}) {
    for (const auto p : {lowp::choose_qparams<Affine>(v, v, lowp::UInt8::range()),
                         lowp::choose_qparams<Symmetric>(v, v, lowp::Int8::range())}) {
      EXPECT_GE(p.scale, std::numeric_limits<float>::epsilon()) << v;
      EXPECT_TRUE(std::isfinite(1.0f / p.scale));
      Quantizer<lowp::Int16> q(PerTensor{{p.scale, 0}});  // usable without division by zero
      EXPECT_EQ(q.quantize_one(0.0f, 0), 0);
    }
  }
  EXPECT_THROW(lowp::choose_qparams<Affine>(1.0f, kNaN, lowp::Int8::range()), lowp::error);
  EXPECT_THROW(lowp::choose_qparams<Affine>(-kInf, 1.0f, lowp::Int8::range()), lowp::error);
  EXPECT_THROW(lowp::choose_qparams<Affine>(2.0f, 1.0f, lowp::Int8::range()), lowp::error);
  EXPECT_THROW(lowp::choose_qparams<Symmetric>(-1.0f, 1.0f, lowp::QuantRange{5, 5}), lowp::error);
  for (const float amax : {-1.0f, kNaN, kInf}) {
    try {
      lowp::choose_qparams_amax(amax, lowp::Int8::range());
      ADD_FAILURE() << "amax " << amax << " accepted";
    } catch (const lowp::error& e) {
      EXPECT_NE(std::string(e.what()).find("must be finite and non-negative"), std::string::npos) << e.what();
    }
  }
}

// 32-bit code ranges and ranges wider than float32 holds: choose_qparams never overflows (the
// symmetric unsigned midpoint, the affine zero point formed and clamped in float: 2^31 cast to
// int32 for all-negative data on Int32's range) and never returns an infinite scale.
TEST(QuantizeParams, ExtremeCodeAndRealRangesStayExact) {
  const lowp::QuantRange int32_range = lowp::Int32::range();
  // All-negative data: the zero point is qmax, exactly.
  const lowp::QuantParams neg = lowp::choose_qparams<Affine>(-1e4f, 0.0f, int32_range);
  EXPECT_EQ(neg.zero_point, int32_range.qmax);
  EXPECT_EQ(lowp::choose_qparams<Affine>(-1e4f, 0.0f, lowp::Int16::range()).zero_point, 32767);
  const lowp::QuantParams pos = lowp::choose_qparams<Affine>(0.0f, 1e4f, int32_range);
  EXPECT_EQ(pos.zero_point, int32_range.qmin);
  // The upper and lower midpoints of [0, 2^31 - 1].
  const lowp::QuantRange wide_unsigned{0, 2147483647};
  EXPECT_EQ(lowp::choose_qparams<Symmetric>(-1.0f, 1.0f, wide_unsigned).zero_point, 1073741824);
  EXPECT_EQ(lowp::choose_qparams<Symmetric>(-1.0f, 1.0f, wide_unsigned, lowp::SymmetricZeroPoint::lower_midpoint)
                .zero_point,
            1073741823);
  EXPECT_EQ((lowp::torch_observer_qparams<Symmetric>(-1.0f, 1.0f, int32_range, true).zero_point), 0);
  // max - min beyond FLT_MAX: refused, not an infinite scale.
  EXPECT_THROW(lowp::choose_qparams<Affine>(-3e38f, 3e38f, lowp::UInt8::range()), lowp::error);
  EXPECT_THROW(lowp::choose_qparams<Symmetric>(-3e38f, 1.0f, lowp::QuantRange{0, 1}), lowp::error);
  const lowp::QuantParams big = lowp::choose_qparams<Symmetric>(-3e38f, 3e38f, lowp::Int8::range());
  EXPECT_TRUE(std::isfinite(big.scale));
}

TEST(QuantizeParams, SymmetricUnsignedZeroPointConventions) {
  const lowp::QuantRange reduced{0, 127};
  using Z = lowp::SymmetricZeroPoint;
  EXPECT_EQ(lowp::choose_qparams<Symmetric>(-1, 1, lowp::UInt8::range()).zero_point, 128);
  EXPECT_EQ(lowp::choose_qparams<Symmetric>(-1, 1, lowp::UInt8::range(), Z::lower_midpoint).zero_point, 127);
  EXPECT_EQ(lowp::choose_qparams<Symmetric>(-1, 1, reduced).zero_point, 64);
  EXPECT_EQ(lowp::choose_qparams<Symmetric>(-1, 1, reduced, Z::torch_quint8).zero_point, 128);
  const auto p = lowp::torch_observer_qparams<Symmetric>(-1.0f, 1.0f, lowp::TorchDtype::quint8, true);
  EXPECT_EQ(p.zero_point, 128);
  EXPECT_EQ(p.scale, 1.0f / 63.5f);
  // with zero point 128 and 127 levels the codes of [-1, 1] occupy [64, 192] of quint8
  Quantizer<lowp::UInt8, Symmetric> q(PerTensor{p});
  EXPECT_EQ(q.quantize_one(-1.0f, 0), 64);  // -63.5 -> -64 (ties to even)
  EXPECT_EQ(q.quantize_one(1.0f, 0), 192);
  EXPECT_EQ(lowp::choose_qparams_amax(2.0f, lowp::Int8Narrow::range()).scale, 2.0f / 127.0f);
}

TEST(QuantizeAffineMap, FormulaRoundTripAndHalfStepErrorBound) {
  std::mt19937 rng(11);
  std::normal_distribution<float> nd(0.0f, 3.0f);
  std::vector<float> x(4099);
  for (auto& v : x) v = nd(rng);
  const QuantParams p = lowp::choose_qparams<Affine>(-6.0f, 9.0f, lowp::UInt8::range());
  Quantizer<lowp::UInt8> q(PerTensor{p});
  std::vector<std::uint8_t> c(x.size());
  std::vector<float> y(x.size());
  q.quantize(cvec(x), vec(c));
  q.dequantize(cvec(c), vec(y));
  const float inv = 1.0f / p.scale;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double expect = std::min(255.0, std::max(0.0, p.zero_point + static_cast<double>(std::nearbyint(x[i] * inv))));
    ASSERT_EQ(c[i], expect) << x[i];
    ASSERT_EQ(y[i], static_cast<float>(c[i] - p.zero_point) * p.scale);
    const float lo = q.dequantize_one(0, 0), hi = q.dequantize_one(255, 0);
    if (x[i] >= lo && x[i] <= hi) {
      // |x - s (q - z)| <= s / 2, up to the float32 roundings of x * inv and of the product
      ASSERT_LE(std::fabs(y[i] - x[i]), p.scale * 0.5f * (1 + 4e-7f) + 1e-6f) << x[i];
    } else {
      ASSERT_TRUE(c[i] == 0 || c[i] == 255) << "outside the range saturates";
    }
  }
}

TEST(QuantizeRounding, TiesFollowThePolicy) {
  const std::vector<float> x = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 0.49999997f, 2.4f, -2.6f};
  const std::vector<int> even = {0, 2, 2, 0, -2, -2, 0, 2, -3};
  const std::vector<int> away = {1, 2, 3, -1, -2, -3, 0, 2, -3};
  Quantizer<lowp::Int8> qe(PerTensor{{1.0f, 0}});
  Quantizer<lowp::Int8, Affine, PerTensor, lowp::NearestAway> qa(PerTensor{{1.0f, 0}});
  std::vector<std::int8_t> ce(x.size()), ca(x.size()), re(x.size()), ra(x.size());
  qe.quantize(cvec(x), vec(ce));
  qa.quantize(cvec(x), vec(ca));
  qe.quantize_reference(cvec(x), vec(re));
  qa.quantize_reference(cvec(x), vec(ra));
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(ce[i], even[i]) << x[i];
    EXPECT_EQ(ca[i], away[i]) << x[i];
    EXPECT_EQ(re[i], even[i]) << x[i];
    EXPECT_EQ(ra[i], away[i]) << x[i];
  }
  // the zero point is added after rounding (PyTorch's non-legacy FBGEMM order): 0.5 + 3 -> 3, not 4
  EXPECT_EQ(Quantizer<lowp::Int8>(PerTensor{{1.0f, 3}}).quantize_one(0.5f, 0), 3);
}

template <typename Storage>
void expect_special_values() {
  using Code = typename Storage::code_type;
  const std::int32_t zp = Storage::is_signed ? 1 : Storage::qmin + 3;
  Quantizer<Storage> q(PerTensor{{0.25f, zp}});
  std::vector<float> x = {kInf, -kInf, kNaN, 1e30f, -1e30f, 3e9f, -3e9f, 0.0f};
  std::vector<std::int32_t> expect = {Storage::qmax, Storage::qmin, zp, Storage::qmax, Storage::qmin,
                                      Storage::qmax, Storage::qmin, zp};
  if constexpr (Storage::packed) {
    std::vector<std::uint8_t> bytes(Storage::storage_size(x.size()));
    q.quantize(cvec(x), lowp::NibbleSpan<std::uint8_t>{bytes.data(), static_cast<std::ptrdiff_t>(x.size())});
    for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(Storage::get(bytes.data(), i), expect[i]) << i;
  } else {
    std::vector<Code> c(x.size()), r(x.size());
    q.quantize(cvec(x), vec(c));
    q.quantize_reference(cvec(x), vec(r));
    for (std::size_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(c[i], expect[i]) << "element " << i << " bits " << Storage::bits;
      EXPECT_EQ(r[i], expect[i]) << "element " << i;
    }
  }
}

TEST(QuantizeSpecialValues, InfSaturatesNanMapsToZeroPointNeverWraps) {
  expect_special_values<lowp::Int8>();
  expect_special_values<lowp::UInt8>();
  expect_special_values<lowp::Int8Narrow>();
  expect_special_values<lowp::Int16>();
  expect_special_values<lowp::Int32>();
  expect_special_values<lowp::IntStorage<std::uint16_t, 10>>();
  expect_special_values<lowp::IntStorage<std::int8_t, 3>>();
  expect_special_values<lowp::Int4>();
  expect_special_values<lowp::UInt4>();
}

TEST(QuantizeSpecialValues, CheckedVariantReportsTheNanCount) {
  Quantizer<lowp::Int8> q(PerTensor{{0.1f, 0}});
  std::vector<float> x = {1.0f, kNaN, 2.0f, kNaN, kNaN};
  std::vector<std::int8_t> c(x.size());
  try {
    q.quantize_checked(cvec(x), vec(c));
    FAIL() << "NaN accepted";
  } catch (const lowp::error& e) {
    EXPECT_NE(std::string(e.what()).find("3 of 5 inputs are NaN (first at index 1)"), std::string::npos) << e.what();
  }
  x[1] = x[3] = x[4] = kInf;
  q.quantize_checked(cvec(x), vec(c));  // Inf is not an error: it saturates
  EXPECT_EQ(c[1], 127);
}

// OIHW weights per output channel (axis 0) and the same weights as HWIO (axis 3), once copied
// and once as a transposed strided view of the OIHW buffer: identical codes element for element.
TEST(QuantizeGranularity, PerChannelOihwAndHwioAgreeIncludingStridedViews) {
  const std::ptrdiff_t O = 5, I = 3, H = 2, W = 4;
  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> oihw(O * I * H * W), hwio(oihw.size());
  for (auto& v : oihw) v = nd(rng);
  std::vector<QuantParams> ps;
  for (int o = 0; o < O; ++o) ps.push_back({0.01f * (o + 1), 0});
  auto at_oihw = [&](std::ptrdiff_t o, std::ptrdiff_t i, std::ptrdiff_t h, std::ptrdiff_t w) {
    return ((o * I + i) * H + h) * W + w;
  };
  auto at_hwio = [&](std::ptrdiff_t o, std::ptrdiff_t i, std::ptrdiff_t h, std::ptrdiff_t w) {
    return ((h * W + w) * I + i) * O + o;
  };
  for (int o = 0; o < O; ++o)
    for (int i = 0; i < I; ++i)
      for (int h = 0; h < H; ++h)
        for (int w = 0; w < W; ++w) hwio[at_hwio(o, i, h, w)] = oihw[at_oihw(o, i, h, w)];
  using Q = Quantizer<lowp::Int8, Symmetric, PerChannel>;
  std::vector<std::int8_t> c_oihw(oihw.size()), c_hwio(oihw.size()), c_view(oihw.size());
  Q(PerChannel{0, ps}).quantize(TensorView<const float>(oihw.data(), {O, I, H, W}),
                                TensorView<std::int8_t>(c_oihw.data(), {O, I, H, W}));
  Q(PerChannel{3, ps}).quantize(TensorView<const float>(hwio.data(), {H, W, I, O}),
                                TensorView<std::int8_t>(c_hwio.data(), {H, W, I, O}));
  const std::ptrdiff_t shape[] = {H, W, I, O}, strides[] = {W, 1, H * W, I * H * W};
  Q(PerChannel{-1, ps}).quantize(TensorView<const float>(oihw.data(), shape, strides, 4),
                                 TensorView<std::int8_t>(c_view.data(), shape, strides, 4));
  for (int o = 0; o < O; ++o)
    for (int i = 0; i < I; ++i)
      for (int h = 0; h < H; ++h)
        for (int w = 0; w < W; ++w) {
          const auto a = at_oihw(o, i, h, w);
          const int expect = std::max(-128, std::min(127, static_cast<int>(std::nearbyint(oihw[a] / ps[o].scale))));
          ASSERT_EQ(c_oihw[a], expect);
          ASSERT_EQ(c_hwio[at_hwio(o, i, h, w)], expect);
          ASSERT_EQ(c_view[a], expect);
        }
}

TEST(QuantizeGranularity, PerGroupUsesOneParameterSetPerGroupAlongTheAxis) {
  const std::ptrdiff_t R = 3, C = 70, G = 32, NG = 3;  // last group is partial (6 elements)
  std::vector<float> x(R * C);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37f * i) * 4;
  std::vector<QuantParams> ps;
  for (int k = 0; k < R * NG; ++k) ps.push_back({0.02f + 0.01f * k, k % 5});
  for (const auto& mode : {0, 1}) {  // grouped along axis 1 (rows of weights) and axis 0
    const int axis = mode == 0 ? 1 : 0;
    const std::ptrdiff_t rows = mode == 0 ? R : C, cols = mode == 0 ? C : R;
    std::vector<QuantParams> gps = ps;
    if (mode == 1) gps.resize(NG * R);
    Quantizer<lowp::UInt8, Affine, PerGroup> q(PerGroup{axis, G, gps});
    std::vector<std::uint8_t> c(x.size()), r(x.size());
    q.quantize(TensorView<const float>(x.data(), {rows, cols}), TensorView<std::uint8_t>(c.data(), {rows, cols}));
    q.quantize_reference(TensorView<const float>(x.data(), {rows, cols}),
                         TensorView<std::uint8_t>(r.data(), {rows, cols}));
    for (std::ptrdiff_t i = 0; i < rows; ++i)
      for (std::ptrdiff_t j = 0; j < cols; ++j) {
        const std::ptrdiff_t p = mode == 0 ? i * NG + j / G : (i / G) * R + j;
        const std::uint8_t want = Quantizer<lowp::UInt8>(PerTensor{gps[p]}).quantize_one(x[i * cols + j], 0);
        ASSERT_EQ(c[i * cols + j], want) << i << "," << j;
        ASSERT_EQ(r[i * cols + j], want);
      }
  }
  std::vector<std::uint8_t> codes(x.size());  // 8 sets where 3 rows x 3 groups need 9
  EXPECT_THROW((Quantizer<lowp::UInt8, Affine, PerGroup>(PerGroup{1, G, std::vector<QuantParams>(8)})
                    .quantize(TensorView<const float>(x.data(), {R, C}), TensorView<std::uint8_t>(codes.data(), {R, C}))),
               lowp::error);
}

TEST(QuantizeOperands, EigenRowAndColumnMajorMatricesAndMapsWithoutCopies) {
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> a(37, 21);
  for (int r = 0; r < a.rows(); ++r)
    for (int c = 0; c < a.cols(); ++c) a(r, c) = std::cos(0.1f * r + 0.7f * c) * (r + 1) * 0.05f;
  const Eigen::MatrixXf b = a;  // column-major copy of the same logical matrix
  std::vector<QuantParams> ps;
  for (int r = 0; r < a.rows(); ++r) ps.push_back({0.002f * (r + 1), r % 7 - 3});
  using Q = Quantizer<lowp::Int8, Affine, PerChannel, lowp::Stochastic>;
  const Q q(PerChannel{0, ps}, lowp::Stochastic{42});
  Eigen::Matrix<std::int8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> qa(a.rows(), a.cols());
  Eigen::Matrix<std::int8_t, Eigen::Dynamic, Eigen::Dynamic> qb(a.rows(), a.cols());
  q.quantize(a, qa);
  q.quantize(b, qb);
  EXPECT_TRUE((qa.cast<int>().array() == qb.cast<int>().array()).all())
      << "stochastic codes depend on the logical index only, not on the storage order";
  for (int r = 0; r < a.rows(); ++r)
    for (int c = 0; c < a.cols(); ++c)
      ASSERT_EQ(qa(r, c), q.quantize_one(a(r, c), r, static_cast<std::uint64_t>(r * a.cols() + c)));
  // a map with an outer stride (a block of b) in place, and dequantize into a map
  Eigen::Map<const Eigen::MatrixXf, 0, Eigen::OuterStride<>> blk(b.data() + 2, 5, 4, Eigen::OuterStride<>(b.rows()));
  const Quantizer<lowp::Int8, Affine, PerChannel> qn(PerChannel{0, std::vector<QuantParams>(ps.begin() + 2, ps.begin() + 7)});
  Eigen::Matrix<std::int8_t, 5, 4> qblk;
  qn.quantize(blk, qblk);
  std::vector<float> back(20);
  qn.dequantize(qblk, Eigen::Map<Eigen::Matrix<float, 5, 4>>(back.data()));
  for (int r = 0; r < 5; ++r)
    for (int c = 0; c < 4; ++c) {
      ASSERT_EQ(qblk(r, c), qn.quantize_one(b(r + 2, c), r));
      ASSERT_EQ(back[c * 5 + r], qn.dequantize_one(qblk(r, c), r));
    }
  // blocks of a row-major matrix quantized into a block of a column-major code matrix, in place
  Eigen::MatrixX<std::int8_t> codes = Eigen::MatrixX<std::int8_t>::Zero(8, 9);
  auto dst = codes.block(1, 2, 5, 4);
  qn.quantize(a.block(3, 1, 5, 4), dst);
  for (int r = 0; r < 8; ++r)
    for (int c = 0; c < 9; ++c) {
      const bool inside = r >= 1 && r < 6 && c >= 2 && c < 6;
      ASSERT_EQ(codes(r, c), inside ? qn.quantize_one(a(r + 2, c - 1), r - 1) : 0) << r << "," << c;
    }
}

TEST(QuantizeOperands, ContiguousSpansAreRankOneTensors) {
  const std::vector<float> x = {-1.0f, 0.25f, 0.75f, 100.0f, 2.5f};
  std::array<std::int8_t, 5> c{};
  const Quantizer<lowp::Int8> q(PerTensor{{0.5f, 1}});
  q.quantize(x, c);
  const std::array<std::int8_t, 5> want = {-1, 1, 3, 127, 6};  // round(x * 2) + 1: ties to even, saturated
  EXPECT_EQ(c, want);
  std::vector<float> back(5);
  q.dequantize(c, back);
  EXPECT_EQ(back, (std::vector<float>{-1.0f, 0.0f, 1.0f, 63.0f, 2.5f}));
  std::vector<std::int8_t> short_codes(4);
  EXPECT_THROW(q.quantize(x, short_codes), lowp::error);
}

TEST(QuantizePacked, NibbleOrderIsLowNibbleFirstAndRoundTrips) {
  Quantizer<lowp::Int4, Symmetric> q(PerTensor{{1.0f, 0}});
  const std::vector<float> x = {1.0f, -2.0f, 3.0f, 7.0f, -8.0f};
  std::vector<std::uint8_t> bytes(3, 0xFF);
  q.quantize(cvec(x), lowp::NibbleSpan<std::uint8_t>{bytes.data(), 5});
  EXPECT_EQ(bytes[0], 0xE1);  // element 0 (1) low, element 1 (-2 = 0xE) high
  EXPECT_EQ(bytes[1], 0x73);
  EXPECT_EQ(bytes[2], 0x08);  // odd count: the unused high nibble is 0
  std::vector<float> y(5);
  q.dequantize(lowp::NibbleSpan<const std::uint8_t>{bytes.data(), 5}, vec(y));
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(y[i], x[i]);
  Quantizer<lowp::UInt4> qu(PerTensor{{0.5f, 8}});
  std::vector<std::uint8_t> ub(1);
  qu.quantize(cvec(std::vector<float>{-4.0f, 3.5f}), lowp::NibbleSpan<std::uint8_t>{ub.data(), 2});
  EXPECT_EQ(ub[0], 0xF0);
  EXPECT_THROW(q.quantize(cvec(x), lowp::NibbleSpan<std::uint8_t>{bytes.data(), 4}), lowp::error);
  EXPECT_THROW(q.quantize(cvec(x), lowp::NibbleSpan<std::uint8_t>{nullptr, 5}), lowp::error);
  EXPECT_THROW(q.dequantize(lowp::NibbleSpan<const std::uint8_t>{nullptr, 5}, vec(y)), lowp::error);
}

TEST(QuantizeFake, EqualsQuantizeThenDequantizeWithTheSteMask) {
  const QuantParams p{0.05f, -10};
  Quantizer<lowp::Int8> q(PerTensor{p});
  const float lo = q.dequantize_one(-128, 0), hi = q.dequantize_one(127, 0);
  std::vector<float> x = {0.0f, lo, hi, lo - 0.024f, lo - 0.026f, hi + 0.024f, hi + 0.026f, kInf, -kInf, kNaN, 100.f};
  std::vector<float> y(x.size()), y2(x.size());
  std::vector<std::uint8_t> m(x.size()), c(x.size());
  q.fake_quantize(cvec(x), vec(y), vec(m));
  std::vector<std::int8_t> codes(x.size());
  q.quantize(cvec(x), vec(codes));
  q.dequantize(cvec(codes), vec(y2));
  const std::vector<int> mask = {1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0};
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(y[i], y2[i]) << i;
    EXPECT_EQ(m[i], mask[i]) << "element " << i << " x=" << x[i];
  }
  q.fake_quantize(cvec(x), vec(y2));  // the mask is optional
  EXPECT_EQ(y, y2);
}

TEST(QuantizeRequantize, EqualsQuantizeOfDequantizeAcrossGranularitiesAndStorages) {
  const std::ptrdiff_t R = 4, C = 33;
  std::vector<std::uint8_t> in(R * C);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<std::uint8_t>(i * 37);
  std::vector<QuantParams> ps = {{0.1f, 120}, {0.03f, 0}, {0.5f, 255}, {0.07f, 77}};
  Quantizer<lowp::UInt8, Affine, PerChannel> from(PerChannel{0, ps});
  Quantizer<lowp::Int16> to(PerTensor{{0.011f, -5}});
  std::vector<std::int16_t> out(in.size());
  lowp::requantize(from, TensorView<const std::uint8_t>(in.data(), {R, C}), to, TensorView<std::int16_t>(out.data(), {R, C}));
  std::vector<float> x(in.size());
  from.dequantize(TensorView<const std::uint8_t>(in.data(), {R, C}), TensorView<float>(x.data(), {R, C}));
  std::vector<std::int16_t> expect(in.size());
  to.quantize(TensorView<const float>(x.data(), {R, C}), TensorView<std::int16_t>(expect.data(), {R, C}));
  EXPECT_EQ(out, expect);
}

TEST(QuantizeStochastic, ReproducibleAndKeyedByTheLogicalIndexOnly) {
  using Q = Quantizer<lowp::Int8, Affine, PerTensor, lowp::Stochastic>;
  std::vector<float> x(1000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.013f * i - 6.0f;
  std::vector<std::int8_t> a(x.size()), b(x.size()), c(x.size());
  Q(PerTensor{{0.1f, 0}}, lowp::Stochastic{1}).quantize(cvec(x), vec(a));
  Q(PerTensor{{0.1f, 0}}, lowp::Stochastic{1}).quantize(cvec(x), vec(b));
  Q(PerTensor{{0.1f, 0}}, lowp::Stochastic{2}).quantize(cvec(x), vec(c));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // reverse traversal through a negative-stride view: element i still uses index i
  std::vector<std::int8_t> d(x.size());
  const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(x.size()), neg = -1;
  Q(PerTensor{{0.1f, 0}}, lowp::Stochastic{1})
      .quantize(TensorView<const float>(x.data() + n - 1, &n, &neg, 1), TensorView<std::int8_t>(d.data() + n - 1, &n, &neg, 1));
  for (std::ptrdiff_t i = 0; i < n; ++i)
    ASSERT_EQ(d[n - 1 - i], Q(PerTensor{{0.1f, 0}}, lowp::Stochastic{1}).quantize_one(x[n - 1 - i], 0, i));
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float v = x[i] * (1.0f / 0.1f);
    ASSERT_TRUE(a[i] == std::floor(v) || a[i] == std::floor(v) + 1) << "not a neighbour of " << v;
  }
}

// Unbiasedness. The codes of n equal inputs v (scale 1) are independent draws floor(v) + B_i with
// B_i ~ Bernoulli(p), p = ceil(frac(v) * 2^24) / 2^24 (the generator is SplitMix64, whose outputs
// pass BigCrush). By the CLT the sample mean deviates from E = floor(v) + p by more than
// 5 sigma / sqrt(n), sigma^2 = p (1 - p), with probability < 6e-7; |E - v| <= 2^-23 (rounding.hpp).
// The bound (<= 0.0036 for n = 5e5) is far below the bias of nearest rounding (|frac - round| up to 1/2),
// so a biased rounder fails it.
TEST(QuantizeStochastic, MeanOfDequantizedDrawsConvergesToTheInput) {
  const std::ptrdiff_t n = 500000;
  std::vector<float> x(n);
  std::vector<std::int16_t> q(n);
  for (const float v : {0.3f, 2.71828f, -1.1f, -7.5f, 0.001f, 100.999f}) {
    std::fill(x.begin(), x.end(), v);
    for (std::uint64_t seed : {0ull, 12345ull}) {
      Quantizer<lowp::Int16, Affine, PerTensor, lowp::Stochastic>(PerTensor{{1.0f, 0}}, lowp::Stochastic{seed})
          .quantize(cvec(x), vec(q));
      double sum = 0;
      for (auto c : q) sum += c;
      const double mean = sum / n;
      const double p = static_cast<double>(v) - std::floor(static_cast<double>(v));
      const double bound = 5 * std::sqrt(p * (1 - p) / n) + std::ldexp(1.0, -23);
      EXPECT_LE(std::fabs(mean - v), bound) << "v=" << v << " seed " << seed;
      EXPECT_LT(bound, 0.004);
    }
  }
}

TEST(QuantizeErrors, BadParametersAndShapesGetClearErrors) {
  EXPECT_THROW(Quantizer<lowp::Int8>(PerTensor{{0.0f, 0}}), lowp::error);
  EXPECT_THROW(Quantizer<lowp::Int8>(PerTensor{{-1.0f, 0}}), lowp::error);
  EXPECT_THROW(Quantizer<lowp::Int8>(PerTensor{{kNaN, 0}}), lowp::error);
  EXPECT_THROW(Quantizer<lowp::Int8>(PerTensor{{1e-40f, 0}}), lowp::error);  // 1/s overflows
  EXPECT_THROW(Quantizer<lowp::UInt8>(PerTensor{{1.0f, 256}}), lowp::error);
  EXPECT_THROW((Quantizer<lowp::Int8, Symmetric>(PerTensor{{1.0f, 3}})), lowp::error);
  std::vector<float> x(12);
  std::vector<std::int8_t> c(12);
  Quantizer<lowp::Int8, Affine, PerChannel> q(PerChannel{1, std::vector<QuantParams>(3)});
  EXPECT_THROW(q.quantize(TensorView<const float>(x.data(), {3, 4}), TensorView<std::int8_t>(c.data(), {3, 4})),
               lowp::error);  // 3 parameter sets for 4 channels
  EXPECT_NO_THROW(q.quantize(TensorView<const float>(x.data(), {4, 3}), TensorView<std::int8_t>(c.data(), {4, 3})));
  EXPECT_THROW(q.quantize(TensorView<const float>(x.data(), {4, 3}), TensorView<std::int8_t>(c.data(), {3, 4})),
               lowp::error);  // shape mismatch
  EXPECT_THROW(q.quantize(TensorView<const float>(x.data(), {4, 3}), TensorView<std::int8_t>(c.data(), {12})),
               lowp::error);  // rank mismatch
  EXPECT_THROW((Quantizer<lowp::Int8, Affine, PerChannel>(PerChannel{2, std::vector<QuantParams>(3)})
                    .quantize(TensorView<const float>(x.data(), {4, 3}), TensorView<std::int8_t>(c.data(), {4, 3}))),
               lowp::error);  // axis out of range
  EXPECT_THROW(Quantizer<lowp::Int8>(PerTensor{{kInf, 0}}), lowp::error);
}

// Every operand of every operation is checked against the input's shape before anything is
// written, and the granularity against the shape; the output buffers must stay untouched.
TEST(QuantizeErrors, EveryOperationRejectsOperandsThatDoNotMatchTheInput) {
  std::vector<float> x(12, 1.0f), y(12, -5.0f);
  std::vector<std::int8_t> c(12, 9);
  std::vector<std::uint8_t> m(12, 9);
  const Quantizer<lowp::Int8> q(PerTensor{{0.5f, 0}});
  const TensorView<const float> x43(x.data(), {4, 3});
  EXPECT_THROW(q.dequantize(TensorView<const std::int8_t>(c.data(), {4, 3}), TensorView<float>(y.data(), {3, 4})),
               lowp::error);
  EXPECT_THROW(q.dequantize(TensorView<const std::int8_t>(c.data(), {4, 3}), TensorView<float>(y.data(), {12})),
               lowp::error);
  EXPECT_THROW(q.fake_quantize(x43, TensorView<float>(y.data(), {4, 2})), lowp::error);
  EXPECT_THROW(q.fake_quantize(x43, TensorView<float>(y.data(), {4, 3}), TensorView<std::uint8_t>(m.data(), {3, 4})),
               lowp::error);
  EXPECT_THROW(q.quantize_checked(x43, TensorView<std::int8_t>(c.data(), {2, 6})), lowp::error);
  EXPECT_THROW(lowp::requantize(q, TensorView<const std::int8_t>(c.data(), {4, 3}), q,
                                TensorView<std::int8_t>(c.data(), {4, 2})),
               lowp::error);
  EXPECT_THROW(lowp::requantize(q, TensorView<const std::int8_t>(c.data(), {4, 3}), q,
                                TensorView<std::int8_t>(c.data(), {12})),
               lowp::error);
  // requantize into a per-channel target whose parameter count does not match the channels
  EXPECT_THROW(lowp::requantize(q, TensorView<const std::int8_t>(c.data(), {4, 3}),
                                Quantizer<lowp::Int8, Affine, PerChannel>(PerChannel{0, std::vector<QuantParams>(3)}),
                                TensorView<std::int8_t>(c.data(), {4, 3})),
               lowp::error);
  EXPECT_EQ(y, std::vector<float>(12, -5.0f));
  EXPECT_EQ(c, std::vector<std::int8_t>(12, 9));
  EXPECT_EQ(m, std::vector<std::uint8_t>(12, 9));

  // PerGroup: a non-positive group size, an axis out of range, a parameter count for another shape.
  // A group size that does not divide the extent is valid: the last group is partial (docs).
  using G = Quantizer<lowp::Int8, Affine, PerGroup>;
  const TensorView<std::int8_t> c43(c.data(), {4, 3});
  EXPECT_THROW(G(PerGroup{1, 0, std::vector<QuantParams>(4)}).quantize(x43, c43), lowp::error);
  EXPECT_THROW(G(PerGroup{1, -2, std::vector<QuantParams>(4)}).quantize(x43, c43), lowp::error);
  EXPECT_THROW(G(PerGroup{2, 2, std::vector<QuantParams>(8)}).quantize(x43, c43), lowp::error);
  EXPECT_THROW(G(PerGroup{-3, 2, std::vector<QuantParams>(8)}).quantize(x43, c43), lowp::error);
  EXPECT_THROW(G(PerGroup{1, 2, std::vector<QuantParams>(12)}).quantize(x43, c43), lowp::error);
  EXPECT_EQ(c, std::vector<std::int8_t>(12, 9));
  G(PerGroup{1, 2, std::vector<QuantParams>(8, {0.5f, 0})}).quantize(x43, c43);  // ceil(3 / 2) = 2 groups per row
  EXPECT_EQ(c, std::vector<std::int8_t>(12, 2));
  // PerChannel with a negative axis beyond the rank
  EXPECT_THROW((Quantizer<lowp::Int8, Affine, PerChannel>(PerChannel{-3, std::vector<QuantParams>(4)}).quantize(x43, c43)),
               lowp::error);
}

}  // namespace
