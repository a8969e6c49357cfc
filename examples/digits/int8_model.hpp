// examples/digits/int8_model.hpp: the digits CNN quantized with lowp and run in int8.
//
// Activations: uint8, affine, one (scale, zero point) per tensor from a calibrator.
// Weights: int8, symmetric per output channel (scale = max |w| / 127, zero point 0).
// Biases: int32 at scale s_in * s_w[c]. Every conv requantizes its int32
// accumulators straight to the next uint8 activation with ReLU fused as a clamp;
// max pool and average pool keep their input's parameters; the fc layer's
// accumulators are dequantized to float logits (acc * s_in * s_w[c]).
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "float_model.hpp"
#include "lowp/gemm/output_scales.hpp"
#include "lowp/ops/conv2d.hpp"
#include "lowp/ops/depthwise_conv2d.hpp"
#include "lowp/ops/pool2d.hpp"
#include "lowp/quantize/params.hpp"
#include "lowp/quantize/quantizer.hpp"

namespace digits {

using Policy = lowp::GemmlowpRounding;
constexpr lowp::QuantRange kActivationRange{0, 255};
constexpr lowp::QuantRange kWeightRange{-127, 127};
// int8 codes in the narrow range [-127, 127], symmetric, one scale per output channel.
using WeightQuantizer = lowp::Quantizer<lowp::IntStorage<std::int8_t, 8, true>, lowp::Symmetric, lowp::PerChannel>;

struct QuantConv {
  lowp::Conv2dGeometry geometry;
  bool depthwise = false, relu = true;
  std::vector<std::int8_t> weight;  // OHWI, or HWO for depthwise
  std::unique_ptr<lowp::Conv2dWeights<std::int8_t>> packed;  // packed once for lowp::gemm (not depthwise)
  // ... and its output stage validated and expanded once for them (heap-held: tied to *packed)
  std::unique_ptr<lowp::Conv2dOutputStage<Policy, std::uint8_t, std::int8_t>> prepared;
  std::vector<float> weight_scale;
  std::vector<std::int32_t> bias;
  lowp::QuantParams in, out;
  std::unique_ptr<lowp::OutputScales> scales;

  // float_output: the accumulators are dequantized to float instead of requantized to `out`.
  QuantConv(const FloatConv& f, lowp::QuantParams in_params, lowp::QuantParams out_params, bool float_output,
            bool per_channel)
      : geometry(f.geometry), depthwise(f.geometry.groups > 1 && f.geometry.is_depthwise()), relu(f.relu),
        in(in_params), out(out_params) {
    const std::ptrdiff_t oc = geometry.out_c, fan_in = geometry.depth();
    // Per output channel (axis 0 of the oc x fan_in OHWI matrix): scale = max |w| / 127;
    // per tensor: the same scale, max over all weights, repeated for every channel.
    lowp::PerChannel channels{0, {}};
    float tensor_amax = 0.0f;
    for (float w : f.weight) tensor_amax = std::max(tensor_amax, std::fabs(w));
    for (std::ptrdiff_t o = 0; o < oc; ++o) {
      float amax = 0.0f;
      for (std::ptrdiff_t k = 0; k < fan_in; ++k) amax = std::max(amax, std::fabs(f.weight[o * fan_in + k]));
      if (!per_channel) amax = tensor_amax;
      channels.params.push_back(lowp::choose_qparams<lowp::Symmetric>(-amax, amax, kWeightRange));
      weight_scale.push_back(channels.params.back().scale);
    }
    std::vector<std::int8_t> ohwi(f.weight.size());
    const WeightQuantizer quantizer(channels);
    quantizer.quantize_checked(lowp::TensorView<const float>(f.weight.data(), {oc, fan_in}),
                               lowp::TensorView<std::int8_t>(ohwi.data(), {oc, fan_in}));
    weight = ohwi;
    if (!depthwise) packed = std::make_unique<lowp::Conv2dWeights<std::int8_t>>(geometry, weight.data(), 0);
    if (depthwise)  // the depthwise kernel takes HWO: tap k of channel o at k * out_c + o
      for (std::ptrdiff_t o = 0; o < oc; ++o)
        for (std::ptrdiff_t k = 0; k < fan_in; ++k) weight[static_cast<std::size_t>(k * oc + o)] = ohwi[o * fan_in + k];
    bias.resize(static_cast<std::size_t>(oc));
    lowp::quantize_bias(f.bias.data(), bias.size(), in.scale, {weight_scale.data(), weight_scale.size()}, bias.data());
    scales = std::make_unique<lowp::OutputScales>(in.scale, lowp::ChannelValues<float>(weight_scale.data(), weight_scale.size()),
                                                  static_cast<std::size_t>(oc), float_output ? 1.0f : out.scale);
    if (!depthwise)
      prepared = std::make_unique<lowp::Conv2dOutputStage<Policy, std::uint8_t, std::int8_t>>(*packed, in.zero_point,
                                                                                               stage());
  }

  lowp::OutputStage stage() const {
    lowp::OutputStage s;
    scales->apply(s);
    s.bias = bias.data();
    s.output_zero_point = out.zero_point;
    if (relu) lowp::fuse_relu(s);
    return s;
  }

  std::size_t bytes() const {
    return weight.size() + bias.size() * sizeof(std::int32_t) + weight_scale.size() * sizeof(float);
  }

  template <typename TY>
  std::vector<TY> run(const std::vector<std::uint8_t>& x, std::ptrdiff_t batch, lowp::Context* ctx) const {
    lowp::Conv2dGeometry g = geometry;
    g.batch = batch;
    std::vector<TY> y(static_cast<std::size_t>(g.output_size()));
    if (depthwise)
      lowp::depthwise_conv2d<Policy>(g, x.data(), in.zero_point, weight.data(), 0, stage(), y.data());
    else
      lowp::conv2d(g, x.data(), *packed, *prepared, y.data(), ctx);
    return y;
  }
};

// Calibrated activation parameters: one per quantized tensor.
struct ActivationParams {
  lowp::QuantParams input, conv1, dw2, pw2, conv3;
};

struct Int8Model {
  lowp::QuantParams input;
  QuantConv conv1, dw2, pw2, conv3, fc;
  mutable lowp::Context context;  // GEMM scratch, reused by every layer and call

  // per_channel = false: one weight scale per layer (what cross-layer equalization is for).
  Int8Model(const FloatModel& m, const ActivationParams& a, bool per_channel = true)
      : input(a.input),
        conv1(m.conv1, a.input, a.conv1, false, per_channel),
        dw2(m.dw2, a.conv1, a.dw2, false, per_channel),
        pw2(m.pw2, a.dw2, a.pw2, false, per_channel),
        conv3(m.conv3, a.pw2, a.conv3, false, per_channel),  // max pool keeps pw2's parameters
        fc(m.fc, a.conv3, {}, true, per_channel) {}          // average pool keeps conv3's

  std::size_t bytes() const {
    return conv1.bytes() + dw2.bytes() + pw2.bytes() + conv3.bytes() + fc.bytes() + 5 * sizeof(lowp::QuantParams);
  }

  // images: batch x 64 floats in [0, 1]; returns batch x 10 float logits.
  std::vector<float> forward(const std::vector<float>& images, std::ptrdiff_t batch) const {
    std::vector<std::uint8_t> x(images.size());
    const float inv = 1.0f / input.scale;
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] = static_cast<std::uint8_t>(std::min(255.0f, std::max(0.0f, std::nearbyint(images[i] * inv) + input.zero_point)));
    const auto a1 = conv1.run<std::uint8_t>(x, batch, &context);
    const auto a2 = dw2.run<std::uint8_t>(a1, batch, &context);
    const auto a3 = pw2.run<std::uint8_t>(a2, batch, &context);
    lowp::Pool2dGeometry pool;
    pool.batch = batch;
    pool.in_h = pool.in_w = 8;
    pool.channels = 32;
    pool.kernel_h = pool.kernel_w = pool.stride_h = pool.stride_w = 2;
    std::vector<std::uint8_t> a4(static_cast<std::size_t>(pool.output_size()));
    lowp::max_pool2d(pool, a3.data(), a4.data());
    const auto a5 = conv3.run<std::uint8_t>(a4, batch, &context);
    lowp::Pool2dGeometry gap;
    gap.batch = batch;
    gap.in_h = gap.in_w = gap.kernel_h = gap.kernel_w = 4;
    gap.channels = 64;
    std::vector<std::uint8_t> a6(static_cast<std::size_t>(gap.output_size()));
    lowp::avg_pool2d(gap, a5.data(), conv3.out.zero_point, false, a6.data());
    return fc.run<float>(a6, batch, &context);
  }
};

}  // namespace digits
