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
// blocks once for inference, and prepare_conv2d_output_stage prepares the output stage
// once for them; the overload taking raw weights packs per call.
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
  const Conv2dGeometry& geometry() const { return geometry_; }
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

// The output stage of a convolution prepared once (lowp::prepare_output_stage per group,
// gemm/column_stage.hpp) for its packed weights, an input zero point and a policy: conv2d
// through it validates and expands nothing of size out_c per call, image and group. It
// copies what it needs of `out`, and is tied to the very Conv2dWeights it was made for
// (moving them is fine; a copy or other weights are refused by conv2d).
template <typename Policy, typename TX, typename TW>
class Conv2dOutputStage {
 public:
  using group_stage = PreparedOutputStage<Policy, TX, DefaultBackend, TW>;

  Conv2dOutputStage(const Conv2dWeights<TW>& weights, std::int32_t input_zero_point, const OutputStage& out)
      : input_zero_point_(input_zero_point) {
    const Conv2dGeometry& g = weights.geometry();
    check_output_stage<TX>(input_zero_point, out, static_cast<std::size_t>(g.out_c), "conv2d");
    const std::ptrdiff_t ng = g.group_out_c();
    groups_.reserve(static_cast<std::size_t>(g.groups));
    for (std::ptrdiff_t group = 0; group < g.groups; ++group)
      groups_.push_back(prepare_output_stage<Policy, TX>(weights.group(group), input_zero_point,
                                                         channel_slice(out, group * ng, ng)));
  }

  std::int32_t input_zero_point() const { return input_zero_point_; }
  const group_stage& group(std::ptrdiff_t g) const { return groups_[static_cast<std::size_t>(g)]; }
  void check_weights(const Conv2dWeights<TW>& weights) const {
    LOWP_CHECK(static_cast<std::ptrdiff_t>(groups_.size()) == weights.geometry().groups,
               "conv2d: the Conv2dOutputStage was prepared for other weights");
    for (std::size_t g = 0; g < groups_.size(); ++g) groups_[g].check_weights(weights.group(static_cast<std::ptrdiff_t>(g)));
  }

 private:
  std::int32_t input_zero_point_;
  std::vector<group_stage> groups_;
};

template <typename Policy, typename TX, typename TW>
Conv2dOutputStage<Policy, TX, TW> prepare_conv2d_output_stage(const Conv2dWeights<TW>& weights,
                                                              std::int32_t input_zero_point, const OutputStage& out) {
  return Conv2dOutputStage<Policy, TX, TW>(weights, input_zero_point, out);
}

namespace detail {
// The lowering shared by both conv2d overloads: gemm(a, group, c) multiplies the activation
// matrix a of one image (or of the whole batch, pointwise) by group `group`'s weights into c.
template <typename TX, typename TY, typename Gemm>
void conv2d_lowered(const Conv2dGeometry& g, const TX* input, std::int32_t input_zero_point, TY* output,
                    Gemm&& gemm) {
  const std::ptrdiff_t k = g.depth(), cg = g.group_in_c(), ng = g.group_out_c();
  const std::ptrdiff_t pixels = g.out_h() * g.out_w();
  auto run_group = [&](MatrixView<const TX> a, std::ptrdiff_t group, TY* out_rows) {
    gemm(a, group, row_major(out_rows, a.rows, g.out_c).block(0, group * ng, a.rows, ng));
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
}  // namespace detail

template <typename Policy, typename TX, typename TW, typename TY>
void conv2d(const Conv2dGeometry& g, const TX* input, std::int32_t input_zero_point, const Conv2dWeights<TW>& weights,
            const OutputStage& out, TY* output, Context* ctx = nullptr) {
  static_assert(is_gemm_input<TX>::value && is_gemm_input<TW>::value,
                "conv2d: input and weights must be int8 or uint8");
  g.check("conv2d");
  weights.check_fits(g, "conv2d");
  // The whole stage against out_c: the GEMM of each group only sees its slice of the arrays.
  check_output_stage<TX>(input_zero_point, out, static_cast<std::size_t>(g.out_c), "conv2d");
  const std::ptrdiff_t ng = g.group_out_c();
  detail::conv2d_lowered(g, input, input_zero_point, output,
                         [&](MatrixView<const TX> a, std::ptrdiff_t group, MatrixView<TY> c) {
                           detail::ops_gemm<Policy>(a, weights.group(group), c, input_zero_point,
                                                    channel_slice(out, group * ng, ng), ctx);
                         });
}

// Through an output stage prepared once (prepare_conv2d_output_stage): per call only O(1) checks.
template <typename Policy, typename TX, typename TW, typename TY>
void conv2d(const Conv2dGeometry& g, const TX* input, const Conv2dWeights<TW>& weights,
            const Conv2dOutputStage<Policy, TX, TW>& stage, TY* output, Context* ctx = nullptr) {
  g.check("conv2d");
  weights.check_fits(g, "conv2d");
  stage.check_weights(weights);
  detail::conv2d_lowered(g, input, stage.input_zero_point(), output,
                         [&](MatrixView<const TX> a, std::ptrdiff_t group, MatrixView<TY> c) {
                           detail::ops_gemm(a, weights.group(group), c, stage.group(group), ctx);
                         });
}

// One-shot: packs the OHWI weights, then convolves.
template <typename Policy, typename TX, typename TW, typename TY>
void conv2d(const Conv2dGeometry& g, const TX* input, std::int32_t input_zero_point, const TW* weights,
            const ChannelValues<std::int32_t>& weight_zero_points, const OutputStage& out, TY* output,
            Context* ctx = nullptr) {
  conv2d<Policy>(g, input, input_zero_point, Conv2dWeights<TW>(g, weights, weight_zero_points), out, output, ctx);
}

}  // namespace lowp
