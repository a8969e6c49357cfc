// examples/digits/float_model.hpp: the digits CNN in float, NHWC, with its
// batch norms folded, loaded from the .npy files train.py wrote.
//
//   conv1 3x3 1->16 +ReLU | dw2 3x3 depthwise 16 +ReLU | pw2 1x1 16->32 +ReLU
//   | max pool 2x2 | conv3 3x3 32->64 +ReLU | global average pool | fc 64->10
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "lowp/io/npy.hpp"
#include "lowp/ops/conv_geometry.hpp"
#include "lowp/ops/im2col.hpp"
#include "lowp/transforms/batchnorm_fold.hpp"
#include "lowp/transforms/cross_layer_equalization.hpp"

namespace digits {

constexpr std::ptrdiff_t kImage = 8, kClasses = 10;

// One conv / linear layer: weights (OIHW while loading, OHWI once the model is
// built: out_c x kh x kw x in_c/groups) and bias, BN folded, geometry for one image.
struct FloatConv {
  std::string name;
  lowp::Conv2dGeometry geometry;
  std::vector<float> weight, bias;
  bool relu = true;
};

inline lowp::io::NpyArray load(const std::string& dir, const std::string& name, std::ptrdiff_t expect_size) {
  lowp::io::NpyArray a = lowp::io::read_npy(dir + "/weights/" + name + ".npy");
  LOWP_CHECK(a.size() == expect_size, name, ".npy has ", a.size(), " values, expected ", expect_size);
  return a;
}

// Loads layer `name` (OIHW, as PyTorch stores it) and folds batch norm `bn` (if not empty).
inline FloatConv load_conv(const std::string& dir, const std::string& name, const std::string& bn,
                           const lowp::Conv2dGeometry& g, bool relu) {
  FloatConv l{name, g, load(dir, name + ".weight", g.weight_size()).data, load(dir, name + ".bias", g.out_c).data,
              relu};
  if (!bn.empty()) {
    const auto gamma = load(dir, bn + ".weight", g.out_c), beta = load(dir, bn + ".bias", g.out_c),
               mean = load(dir, bn + ".running_mean", g.out_c), var = load(dir, bn + ".running_var", g.out_c);
    lowp::fold_batchnorm(l.weight.data(), g.weight_size(), lowp::WeightLayout::OIHW, l.bias.data(), g.out_c,
                         {gamma.data.data(), beta.data.data(), mean.data.data(), var.data.data(), 1e-5f});
  }
  return l;
}

// The transforms' view of an OIHW layer.
inline lowp::FloatLayer float_layer(FloatConv& l) {
  const lowp::Conv2dGeometry& g = l.geometry;
  return {l.weight.data(), l.bias.data(), g.out_c, g.in_c, g.kernel_h, g.kernel_w, g.groups};
}

// OIHW -> OHWI, the layout of lowp's conv2d (and of im2col's patch rows).
inline void reorder_to_ohwi(FloatConv& l) {
  const lowp::Conv2dGeometry& g = l.geometry;
  const std::ptrdiff_t cg = g.group_in_c(), taps = g.kernel_h * g.kernel_w;
  const std::vector<float> oihw = l.weight;
  for (std::ptrdiff_t o = 0; o < g.out_c; ++o)
    for (std::ptrdiff_t c = 0; c < cg; ++c)
      for (std::ptrdiff_t t = 0; t < taps; ++t) l.weight[(o * taps + t) * cg + c] = oihw[(o * cg + c) * taps + t];
}

struct FloatModel {
  FloatConv conv1, dw2, pw2, conv3, fc;

  // equalize: cross-layer equalization over the whole chain. Valid here because everything
  // between two layers is positively homogeneous per channel: ReLU, max pool, average pool.
  FloatModel(const std::string& dir, bool equalize)
      : conv1(load_conv(dir, "conv1", "bn1", lowp::Conv2dGeometry::same(8, 1, 16, 3), true)),
        dw2(load_conv(dir, "dw2", "bn2", lowp::Conv2dGeometry::same(8, 16, 16, 3, 16), true)),
        pw2(load_conv(dir, "pw2", "bn3", lowp::Conv2dGeometry::same(8, 16, 32, 1), true)),
        conv3(load_conv(dir, "conv3", "bn4", lowp::Conv2dGeometry::same(4, 32, 64, 3), true)),
        fc(load_conv(dir, "fc", "", lowp::Conv2dGeometry::same(1, 64, 10, 1), false)) {
    if (equalize)
      lowp::equalize_chain({float_layer(conv1), float_layer(dw2), float_layer(pw2), float_layer(conv3), float_layer(fc)});
    for (FloatConv* l : {&conv1, &dw2, &pw2, &conv3, &fc}) reorder_to_ohwi(*l);
  }

  std::vector<const FloatConv*> layers() const { return {&conv1, &dw2, &pw2, &conv3, &fc}; }
  std::size_t parameter_count() const {
    std::size_t n = 0;
    for (const FloatConv* l : layers()) n += l->weight.size() + l->bias.size();
    return n;
  }
};

// Activations of one forward pass, NHWC; the calibration points are the
// quantized tensors of the int8 network.
struct FloatActivations {
  std::vector<float> input, conv1, dw2, pw2, pool, conv3, gap, logits;
};

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// y = act(conv(x)) for a batch of images: im2col + Eigen GEMM per group.
inline std::vector<float> run_conv(const FloatConv& l, const std::vector<float>& x, std::ptrdiff_t batch) {
  lowp::Conv2dGeometry g = l.geometry;
  const std::ptrdiff_t pixels = g.out_h() * g.out_w(), k = g.depth(), ng = g.group_out_c();
  std::vector<float> y(static_cast<std::size_t>(batch * pixels * g.out_c));
  std::vector<float> patches(static_cast<std::size_t>(pixels * k));
  for (std::ptrdiff_t b = 0; b < batch; ++b)
    for (std::ptrdiff_t grp = 0; grp < g.groups; ++grp) {
      lowp::im2col(g, x.data() + b * g.in_h * g.in_w * g.in_c, grp, 0.0f, patches.data());
      Eigen::Map<const RowMajor> a(patches.data(), pixels, k);
      Eigen::Map<const RowMajor> w(l.weight.data() + grp * ng * k, ng, k);
      Eigen::Map<RowMajor, 0, Eigen::OuterStride<>> out(y.data() + b * pixels * g.out_c + grp * ng, pixels, ng,
                                                        Eigen::OuterStride<>(g.out_c));
      out.noalias() = a * w.transpose();
    }
  for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(y.size()); ++i) {
    float v = y[i] + l.bias[i % g.out_c];
    y[i] = l.relu ? std::max(v, 0.0f) : v;
  }
  return y;
}

inline std::vector<float> max_pool_2x2(const std::vector<float>& x, std::ptrdiff_t batch, std::ptrdiff_t hw,
                                       std::ptrdiff_t c) {
  const std::ptrdiff_t oh = hw / 2;
  std::vector<float> y(static_cast<std::size_t>(batch * oh * oh * c));
  for (std::ptrdiff_t b = 0; b < batch; ++b)
    for (std::ptrdiff_t oy = 0; oy < oh; ++oy)
      for (std::ptrdiff_t ox = 0; ox < oh; ++ox)
        for (std::ptrdiff_t ch = 0; ch < c; ++ch) {
          float m = x[((b * hw + 2 * oy) * hw + 2 * ox) * c + ch];
          for (int d = 1; d < 4; ++d) m = std::max(m, x[((b * hw + 2 * oy + d / 2) * hw + 2 * ox + d % 2) * c + ch]);
          y[((b * oh + oy) * oh + ox) * c + ch] = m;
        }
  return y;
}

inline std::vector<float> global_average_pool(const std::vector<float>& x, std::ptrdiff_t batch,
                                              std::ptrdiff_t pixels, std::ptrdiff_t c) {
  std::vector<float> y(static_cast<std::size_t>(batch * c), 0.0f);
  for (std::ptrdiff_t b = 0; b < batch; ++b)
    for (std::ptrdiff_t p = 0; p < pixels; ++p)
      for (std::ptrdiff_t ch = 0; ch < c; ++ch) y[b * c + ch] += x[(b * pixels + p) * c + ch];
  for (float& v : y) v /= static_cast<float>(pixels);
  return y;
}

// images: batch x 8 x 8 values in [0, 1] (pixel / 16).
inline FloatActivations forward(const FloatModel& m, const std::vector<float>& images, std::ptrdiff_t batch) {
  FloatActivations a;
  a.input = images;
  a.conv1 = run_conv(m.conv1, a.input, batch);
  a.dw2 = run_conv(m.dw2, a.conv1, batch);
  a.pw2 = run_conv(m.pw2, a.dw2, batch);
  a.pool = max_pool_2x2(a.pw2, batch, 8, 32);
  a.conv3 = run_conv(m.conv3, a.pool, batch);
  a.gap = global_average_pool(a.conv3, batch, 16, 64);
  a.logits = run_conv(m.fc, a.gap, batch);
  return a;
}

}  // namespace digits
