// lowp/ops/conv2d.hpp: quantized 2-d convolution, NHWC, through the GEMM.
//
// Result: exactly reference_conv2d() (conv_reference.hpp), for any stride,
// padding, dilation and groups. Two lowerings:
//  - pointwise (1x1, stride 1, no padding): the NHWC input already is the
//    (batch*H*W) x in_c activation matrix; each group is a column block of it,
//    so the GEMM reads it in place;
//  - otherwise im2col per image and group into a scratch patch matrix (padding
//    filled with the input zero point), then one GEMM per image and group.
// Weights are OHWI; for group g the GEMM's B is the column-major K x Ng block
// starting at w[g*Ng, 0, 0, 0] (leading dimension K). Conv2dWeights packs those
// blocks once for inference; the overload taking raw weights packs per call.
#pragma once

#include <cstdint>
#include <vector>

#include "lowp/core/channel_values.hpp"
#include "lowp/core/matrix_view.hpp"
#include "lowp/gemm/params.hpp"
#include "lowp/gemm/reference.hpp"
#include "lowp/ops/conv_geometry.hpp"
#include "lowp/ops/gemm_backend.hpp"
#include "lowp/ops/im2col.hpp"

namespace lowp {

// OHWI conv weights packed for the GEMM, one B operand (K x Ng) per group.
// Valid for any geometry with the same in_c, out_c, kernel and groups.
template <typename TW>
class Conv2dWeights {
 public:
  Conv2dWeights(const Conv2dGeometry& g, const TW* ohwi, const ChannelValues<std::int32_t>& zero_points)
      : geometry_(g) {
    static_assert(is_gemm_input<TW>::value, "Conv2dWeights: weights must be int8 or uint8");
    g.check("Conv2dWeights");
    zero_points.check_channels(static_cast<std::size_t>(g.out_c), "Conv2dWeights: weight zero point");
    const std::ptrdiff_t k = g.depth(), ng = g.group_out_c();
    for (std::ptrdiff_t group = 0; group < g.groups; ++group)
      groups_.emplace_back(col_major(ohwi + group * ng * k, k, ng, k), channel_slice(zero_points, group * ng, ng));
  }

  const OpsPackedWeights<TW>& group(std::ptrdiff_t g) const { return groups_[static_cast<std::size_t>(g)]; }
  void check_fits(const Conv2dGeometry& g, const char* op) const {
    LOWP_CHECK(g.in_c == geometry_.in_c && g.out_c == geometry_.out_c && g.kernel_h == geometry_.kernel_h &&
                   g.kernel_w == geometry_.kernel_w && g.groups == geometry_.groups,
               op, ": weights were packed for in_c ", geometry_.in_c, ", out_c ", geometry_.out_c, ", kernel ",
               geometry_.kernel_h, "x", geometry_.kernel_w, ", groups ", geometry_.groups);
  }

 private:
  Conv2dGeometry geometry_;
  std::vector<OpsPackedWeights<TW>> groups_;
};

template <typename Policy, typename TX, typename TW, typename TY>
void conv2d(const Conv2dGeometry& g, const TX* input, std::int32_t input_zero_point, const Conv2dWeights<TW>& weights,
            const OutputStage& out, TY* output, Context* ctx = nullptr) {
  static_assert(is_gemm_input<TX>::value && is_gemm_input<TW>::value,
                "conv2d: input and weights must be int8 or uint8");
  g.check("conv2d");
  weights.check_fits(g, "conv2d");
  // The whole stage against out_c: the GEMM of each group only sees its slice of the arrays.
  check_output_stage<TX>(input_zero_point, out, static_cast<std::size_t>(g.out_c), "conv2d");
  const std::ptrdiff_t k = g.depth(), cg = g.group_in_c(), ng = g.group_out_c();
  const std::ptrdiff_t pixels = g.out_h() * g.out_w();
  auto run_group = [&](MatrixView<const TX> a, std::ptrdiff_t group, TY* out_rows) {
    const MatrixView<TY> c = row_major(out_rows, a.rows, g.out_c).block(0, group * ng, a.rows, ng);
    detail::ops_gemm<Policy>(a, weights.group(group), c, input_zero_point, channel_slice(out, group * ng, ng), ctx);
  };
  if (g.is_pointwise()) {
    const MatrixView<const TX> x = row_major(input, g.batch * pixels, g.in_c);
    for (std::ptrdiff_t group = 0; group < g.groups; ++group)
      run_group(x.block(0, group * cg, x.rows, cg), group, output);
    return;
  }
  std::vector<TX> patches(static_cast<std::size_t>(pixels * k));
  for (std::ptrdiff_t b = 0; b < g.batch; ++b)
    for (std::ptrdiff_t group = 0; group < g.groups; ++group) {
      im2col(g, input + b * g.in_h * g.in_w * g.in_c, group, static_cast<TX>(input_zero_point), patches.data());
      run_group(row_major<const TX>(patches.data(), pixels, k), group, output + b * pixels * g.out_c);
    }
}

// One-shot: packs the OHWI weights, then convolves.
template <typename Policy, typename TX, typename TW, typename TY>
void conv2d(const Conv2dGeometry& g, const TX* input, std::int32_t input_zero_point, const TW* weights,
            const ChannelValues<std::int32_t>& weight_zero_points, const OutputStage& out, TY* output,
            Context* ctx = nullptr) {
  conv2d<Policy>(g, input, input_zero_point, Conv2dWeights<TW>(g, weights, weight_zero_points), out, output, ctx);
}

}  // namespace lowp
