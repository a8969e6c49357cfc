// Views: element addressing, transposition, Eigen interop without copies,
// N-d iteration order and per-channel indices, and rejection of bad shapes.
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "lowp/core/channel_values.hpp"
#include "lowp/core/matrix_view.hpp"
#include "lowp/core/tensor_view.hpp"

namespace {

TEST(MatrixView, RowAndColumnMajorAddressTheSameLogicalElement) {
  std::vector<int> buf(12);
  for (int i = 0; i < 12; ++i) buf[i] = i;
  auto rm = lowp::row_major(buf.data(), 3, 4);
  auto cm = lowp::col_major(buf.data(), 4, 3);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) {
      EXPECT_EQ(rm(r, c), r * 4 + c);
      EXPECT_EQ(cm(c, r), rm(r, c));  // the same buffer read column-major is the transpose
      EXPECT_EQ(rm.transposed()(c, r), rm(r, c));
    }
  auto b = rm.block(1, 2, 2, 2);
  EXPECT_EQ(b(0, 0), 6);
  EXPECT_EQ(b(1, 1), 11);
}

TEST(MatrixView, EigenMatricesMapsAndBlocksAreViewedInPlace) {
  Eigen::Matrix<int, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rm(3, 5);
  Eigen::MatrixXi cm(3, 5);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 5; ++c) rm(r, c) = cm(r, c) = 10 * r + c;
  auto vr = lowp::view(rm);
  auto vc = lowp::view(cm);
  EXPECT_EQ(vr.data, rm.data());
  EXPECT_EQ(vc.data, cm.data());
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 5; ++c) {
      EXPECT_EQ(vr(r, c), 10 * r + c);
      EXPECT_EQ(vc(r, c), 10 * r + c);
    }
  Eigen::Map<Eigen::MatrixXi, 0, Eigen::OuterStride<>> m(cm.data() + 1, 2, 5, Eigen::OuterStride<>(3));
  auto vm = lowp::view(m);
  EXPECT_EQ(vm(1, 4), cm(2, 4));
  // A writable Map gives a writable view (usable as a GEMM output), a const Map a read-only one.
  static_assert(std::is_same<decltype(vm), lowp::MatrixView<int>>::value, "writable map");
  vm(0, 0) = -7;
  EXPECT_EQ(cm(1, 0), -7);
  Eigen::Map<const Eigen::MatrixXi> cmap(cm.data(), 3, 5);
  static_assert(std::is_same<decltype(lowp::view(cmap)), lowp::MatrixView<const int>>::value, "const map");
}

TEST(TensorView, IteratesInCOrderAndReportsTheChannelAlongAnyAxis) {
  std::vector<float> buf(2 * 3 * 4);
  lowp::TensorView<float> t(buf.data(), {2, 3, 4});
  EXPECT_EQ(t.size(), 24);
  EXPECT_TRUE(t.is_contiguous());
  std::ptrdiff_t expected = 0;
  t.for_each(
      [&](float& x, std::ptrdiff_t linear, std::ptrdiff_t ch) {
        EXPECT_EQ(linear, expected);
        EXPECT_EQ(&x, buf.data() + linear);
        EXPECT_EQ(ch, (linear / 4) % 3);
        ++expected;
      },
      1);
  EXPECT_EQ(expected, 24);
  // A transposed (non-contiguous) view visits the same elements in its own order.
  const std::ptrdiff_t shape[] = {4, 3, 2};
  const std::ptrdiff_t strides[] = {1, 4, 12};
  lowp::TensorView<float> tt(buf.data(), shape, strides, 3);
  EXPECT_FALSE(tt.is_contiguous());
  std::vector<int> seen(24, 0);
  tt.for_each([&](float& x, std::ptrdiff_t, std::ptrdiff_t ch) {
    seen[&x - buf.data()]++;
    EXPECT_EQ(ch, (&x - buf.data()) % 4);
  }, -3);
  for (int s : seen) EXPECT_EQ(s, 1);
}

// An output view must not write one element twice: BLAS's leading-dimension rule.
TEST(MatrixView, DistinctElementsFollowTheLeadingDimensionRule) {
  int x[64] = {};
  EXPECT_TRUE(lowp::row_major(x, 3, 4).has_distinct_elements());
  EXPECT_TRUE(lowp::row_major(x, 3, 4, 5).has_distinct_elements());
  EXPECT_TRUE(lowp::col_major(x, 3, 4).has_distinct_elements());
  EXPECT_TRUE(lowp::row_major(x, 3, 4).transposed().has_distinct_elements());
  EXPECT_TRUE((lowp::MatrixView<int>{x + 63, 3, 4, -4, -1}.has_distinct_elements()));  // reversed
  EXPECT_TRUE(lowp::row_major(x, 1, 4, 0).has_distinct_elements());  // one row: its stride is never used
  EXPECT_TRUE(lowp::row_major(x, 0, 4, 0).has_distinct_elements());  // empty
  EXPECT_FALSE(lowp::row_major(x, 3, 4, 3).has_distinct_elements());  // ld < cols: rows overlap
  EXPECT_FALSE(lowp::col_major(x, 3, 4, 2).has_distinct_elements());
  EXPECT_FALSE(lowp::row_major(x, 3, 4, 0).has_distinct_elements());  // every row is row 0
  EXPECT_FALSE((lowp::MatrixView<int>{x, 1, 4, 1, 0}.has_distinct_elements()));
  EXPECT_FALSE((lowp::MatrixView<int>{x, 3, 1, 0, 1}.has_distinct_elements()));
}

TEST(TensorView, RejectsBadAxesAndShapes) {
  float x = 0;
  lowp::TensorView<float> t(&x, {1, 1});
  EXPECT_THROW(t.normalize_axis(2), lowp::error);
  EXPECT_THROW(t.normalize_axis(-3), lowp::error);
  EXPECT_THROW(lowp::TensorView<float>(&x, {1, -1}), lowp::error);
  EXPECT_THROW(lowp::TensorView<float>(nullptr, {2, 3}), lowp::error);
  const std::ptrdiff_t shape[] = {2, 3}, strides[] = {3, 1};
  EXPECT_THROW(lowp::TensorView<const float>(nullptr, shape, strides, 2), lowp::error);
  EXPECT_NO_THROW(lowp::TensorView<float>(nullptr, {2, 0}));  // empty: no element is ever addressed
  // Element counts or offsets past std::ptrdiff_t: size() and indexing would be signed overflow.
  const std::ptrdiff_t big = std::ptrdiff_t{1} << 32;
  EXPECT_THROW(lowp::TensorView<float>(&x, {big, big}), lowp::error);
  EXPECT_THROW(lowp::TensorView<float>(&x, {2, big, big}), lowp::error);
  const std::ptrdiff_t far_shape[] = {3, 2}, far_strides[] = {PTRDIFF_MAX / 2 + 1, 1};
  EXPECT_THROW(lowp::TensorView<float>(&x, far_shape, far_strides, 2), lowp::error);
  const std::ptrdiff_t min_strides[] = {PTRDIFF_MIN, 1};
  EXPECT_THROW(lowp::TensorView<float>(&x, far_shape, min_strides, 2), lowp::error);
  EXPECT_NO_THROW(lowp::TensorView<float>(nullptr, {big, 0}));  // empty: its count is 0
}

TEST(ChannelValues, PerTensorAndPerChannel) {
  lowp::ChannelValues<int> a(7);
  EXPECT_FALSE(a.per_channel());
  EXPECT_EQ(a[123], 7);
  const int v[] = {1, 2, 3};
  lowp::ChannelValues<int> b(v, 3);
  EXPECT_TRUE(b.per_channel());
  EXPECT_EQ(b[2], 3);
  EXPECT_NO_THROW(b.check_channels(3, "zero point"));
  EXPECT_THROW(b.check_channels(4, "zero point"), lowp::error);
  EXPECT_NO_THROW(a.check_channels(4, "zero point"));
}

}  // namespace
