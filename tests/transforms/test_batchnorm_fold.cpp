// Batch-norm folding against PyTorch's fuse_conv_bn_eval / fuse_linear_bn_eval
// (golden data: tests/data/transforms/gen_bn_fold.py).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "lowp/io/npy.hpp"
#include "lowp/transforms/batchnorm_fold.hpp"

namespace {

lowp::io::NpyArray load(const std::string& c, const std::string& name) {
  return lowp::io::read_npy(std::string(LOWP_TEST_DATA_DIR) + "/transforms/" + c + "_" + name + ".npy");
}

void expect_close(const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 2e-6f * std::max(1.0f, std::fabs(want[i]))) << what << " [" << i << "]";
}

// OIHW (O, I, H, W) <-> HWIO (H, W, I, O) for a weight with `out` output channels.
std::vector<float> oihw_to_hwio(const std::vector<float>& w, const std::vector<std::ptrdiff_t>& shape) {
  const std::ptrdiff_t o_n = shape[0], i_n = shape[1], hw = shape.size() == 4 ? shape[2] * shape[3] : 1;
  std::vector<float> r(w.size());
  for (std::ptrdiff_t o = 0; o < o_n; ++o)
    for (std::ptrdiff_t i = 0; i < i_n; ++i)
      for (std::ptrdiff_t t = 0; t < hw; ++t) r[(t * i_n + i) * o_n + o] = w[(o * i_n + i) * hw + t];
  return r;
}

class BatchNormFold : public ::testing::TestWithParam<std::string> {};

TEST_P(BatchNormFold, MatchesPyTorchFuse) {
  const std::string c = GetParam();
  const auto w = load(c, "weight"), b = load(c, "bias"), gamma = load(c, "gamma"), beta = load(c, "beta"),
             mean = load(c, "mean"), var = load(c, "var"), fw = load(c, "fused_weight"), fb = load(c, "fused_bias");
  const float eps = c == "conv_eps" ? 1e-3f : 1e-5f;
  const lowp::BatchNormParams bn{gamma.data.data(), beta.data.data(), mean.data.data(), var.data.data(), eps};
  const std::ptrdiff_t out_c = w.shape[0];
  {  // OIHW, PyTorch's own layout
    std::vector<float> weights = w.data, bias = b.data;
    lowp::fold_batchnorm(weights.data(), w.size(), lowp::WeightLayout::OIHW, bias.data(), out_c, bn);
    expect_close(weights, fw.data, c + " OIHW weight");
    expect_close(bias, fb.data, c + " bias");
  }
  {  // HWIO: the same layer transposed; folding must commute with the transpose
    std::vector<float> weights = oihw_to_hwio(w.data, w.shape), bias = b.data;
    lowp::fold_batchnorm(weights.data(), w.size(), lowp::WeightLayout::HWIO, bias.data(), out_c, bn);
    expect_close(weights, oihw_to_hwio(fw.data, w.shape), c + " HWIO weight");
    expect_close(bias, fb.data, c + " HWIO bias");
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, BatchNormFold,
                         ::testing::Values("conv", "conv_groups", "depthwise", "depthwise_mult2", "conv_eps", "linear"));

TEST(BatchNormFoldErrors, RejectsBadStatistics) {
  std::vector<float> w(6, 1.0f), b(2, 0.0f);
  const float gamma[2] = {1, 1}, beta[2] = {0, 0}, mean[2] = {0, 0}, bad_var[2] = {1, -1};
  EXPECT_THROW(lowp::fold_batchnorm(w.data(), 6, lowp::WeightLayout::OIHW, b.data(), 2, {gamma, beta, mean, bad_var}),
               lowp::error);
  const float zero_var[2] = {0, 1};
  EXPECT_THROW(lowp::fold_batchnorm(w.data(), 6, lowp::WeightLayout::OIHW, b.data(), 2, {gamma, beta, mean, zero_var, 0.0f}),
               lowp::error);
  EXPECT_THROW(lowp::fold_batchnorm(w.data(), 7, lowp::WeightLayout::OIHW, b.data(), 2, {gamma, beta, mean, mean}),
               lowp::error);  // 7 weights for 2 channels
  // A NaN/Inf statistic would otherwise turn a whole output channel into NaN without an error.
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const float good_var[2] = {1, 1}, nan_gamma[2] = {1, nan}, inf_beta[2] = {inf, 0}, nan_mean[2] = {0, nan};
  EXPECT_THROW(lowp::fold_batchnorm(w.data(), 6, lowp::WeightLayout::OIHW, b.data(), 2, {nan_gamma, beta, mean, good_var}),
               lowp::error);
  EXPECT_THROW(lowp::fold_batchnorm(w.data(), 6, lowp::WeightLayout::OIHW, b.data(), 2, {gamma, inf_beta, mean, good_var}),
               lowp::error);
  EXPECT_THROW(lowp::fold_batchnorm(w.data(), 6, lowp::WeightLayout::HWIO, b.data(), 2, {gamma, beta, nan_mean, good_var}),
               lowp::error);
  // Finite statistics whose fold overflows float: a denormal variance with eps = 0 (1/sqrt
  // of 1e-44 is ~1e22) times gamma 1e20, and a large weight times a large (finite) factor.
  const float tiny_var[2] = {1, 1e-44f}, big_gamma[2] = {1, 1e20f}, big_factor_gamma[2] = {1e30f, 1};
  EXPECT_THROW(lowp::fold_batchnorm(w.data(), 6, lowp::WeightLayout::OIHW, b.data(), 2,
                                    {big_gamma, beta, mean, tiny_var, 0.0f}),
               lowp::error);
  std::vector<float> big_w(6, 1.0f);
  big_w[0] = 1e10f;
  EXPECT_THROW(lowp::fold_batchnorm(big_w.data(), 6, lowp::WeightLayout::OIHW, b.data(), 2,
                                    {big_factor_gamma, beta, mean, good_var}),
               lowp::error);
  EXPECT_EQ(big_w[0], 1e10f) << "a rejected fold must leave the weights untouched";
  // A NaN weight would fold into NaN silently.
  std::vector<float> nan_w(6, 1.0f);
  nan_w[4] = nan;
  EXPECT_THROW(lowp::fold_batchnorm(nan_w.data(), 6, lowp::WeightLayout::HWIO, b.data(), 2, {gamma, beta, mean, good_var}),
               lowp::error);
  EXPECT_EQ(w, std::vector<float>(6, 1.0f)) << "a rejected fold must leave the weights untouched";
  EXPECT_EQ(b, std::vector<float>(2, 0.0f)) << "a rejected fold must leave the bias untouched";
}

}  // namespace
