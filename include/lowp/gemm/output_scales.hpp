// lowp/gemm/output_scales.hpp: from float scales to the integers of the output stage.
//
// A quantized linear layer y = x W^T + b with x ~= s_in (a - za),
// W[n] ~= s_w[n] (w - zw[n]) and y ~= s_out (c - zc) computes
//
//     c = zc + (s_in s_w[n] / s_out) * ( sum_k (a - za)(w - zw[n]) + b[n] / (s_in s_w[n]) )
//
// so the int32 bias lives at scale s_in * s_w[n] and the requantization
// multiplier is M[n] = s_in * s_w[n] / s_out (docs/requantization.md derives it).
// This header turns float scales into those integers, following the reference
// each policy is matched against:
//
//   real (FloatRounding, float output):  float32 (s_w * s_in) * (1 / s_out), exactly
//       PyTorch's QNNPACK (generate_requantization_scales; note: multiplication by
//       the float32 reciprocal, which differs in the last bit from s_in * s_w / s_out
//       for some scales, and that bit changes rounded outputs);
//   multiplier/shift (GemmlowpRounding, SingleRounding): quantize_multiplier of the
//       double (s_in * s_w / s_out), TFLite's GetQuantizedConvolutionMultipler;
//   bias: quantize_bias() below, PyTorch's (fbgemm::Quantize) arithmetic.
//
// A float (dequantized) GEMM output is acc * real[n], so it needs real = s_in * s_w[n]:
// OutputScales(s_in, s_w, n, 1.0f) gives exactly that float32 product.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "lowp/core/channel_values.hpp"
#include "lowp/core/error.hpp"
#include "lowp/fixedpoint/quantize_multiplier.hpp"
#include "lowp/gemm/params.hpp"

namespace lowp {

namespace detail {
inline void check_scale(float s, const char* what) {
  LOWP_CHECK(std::isfinite(s) && s > 0.0f, what, " scale ", s, " must be finite and positive");
}
}  // namespace detail

// PyTorch/QNNPACK's float32 requantization scale: (s_w * s_in) * (1 / s_out).
inline float requant_scale_f32(float s_in, float s_w, float s_out) {
  const float inverse_output_scale = 1.0f / s_out;
  return (s_w * s_in) * inverse_output_scale;
}

// round(bias / (s_in * s_w)) saturated to int32, in PyTorch's arithmetic
// (quantize_per_tensor / quantize_per_channel to qint32, which qnnpack and
// fbgemm use for a float bias): the bias scale is the float32 product
// s_in * s_w (PyTorch forms it in double from two floats, which is exact, then
// rounds to float32: the same number), its reciprocal is taken in float32, the
// bias is multiplied by it in float32 and rounded half to even; the result is
// clamped to [-2^31, 2^31 - 1]. Non-finite biases are refused.
inline std::int32_t quantize_bias_value(float bias, float s_in, float s_w) {
  LOWP_CHECK(std::isfinite(bias), "quantize_bias: bias ", bias, " is not finite");
  const float scale = s_in * s_w;
  LOWP_CHECK(std::isnormal(scale), "quantize_bias: bias scale s_in * s_w = ", scale,
             " is zero or denormal");
  const float inverse_scale = 1.0f / scale;
  const double q = std::nearbyint(bias * inverse_scale);  // float product, exact in double
  return static_cast<std::int32_t>(std::min(std::max(q, -2147483648.0), 2147483647.0));
}

// Quantizes n biases: out[j] = quantize_bias_value(bias[j], s_in, s_w[j]);
// s_w is per tensor or has n per-channel values.
inline void quantize_bias(const float* bias, std::size_t n, float s_in, ChannelValues<float> s_w,
                          std::int32_t* out) {
  detail::check_scale(s_in, "quantize_bias: input");
  s_w.check_channels(n, "quantize_bias: weight scale");
  for (std::size_t j = 0; j < n; ++j) {
    detail::check_scale(s_w[j], "quantize_bias: weight");
    out[j] = quantize_bias_value(bias[j], s_in, s_w[j]);
  }
}

// The multipliers of an output stage for input scale s_in, weight scales s_w
// (per tensor, or per output channel) and output scale s_out. Owns the
// per-channel arrays; apply() points an OutputStage at them.
class OutputScales {
 public:
  OutputScales(float s_in, ChannelValues<float> s_w, std::size_t channels, float s_out)
      : per_channel_(s_w.per_channel()) {
    detail::check_scale(s_in, "OutputScales: input");
    detail::check_scale(s_out, "OutputScales: output");
    s_w.check_channels(channels, "OutputScales: weight scale");
    for (std::size_t j = 0; j < s_w.size(); ++j) {
      detail::check_scale(s_w[j], "OutputScales: weight");
      const float real = requant_scale_f32(s_in, s_w[j], s_out);
      LOWP_CHECK(std::isnormal(real), "OutputScales: requantization scale ", real,
                 " underflows float32");
      const QuantizedMultiplier q = quantize_multiplier(static_cast<double>(s_in) * s_w[j] / s_out);
      multiplier_.push_back(q.multiplier);
      shift_.push_back(q.shift);
      real_.push_back(real);
    }
  }

  // Sets out.multiplier, out.shift and out.real. Per-channel values are views of
  // this object's storage: it must outlive every use of `out`.
  void apply(OutputStage& out) const {
    if (per_channel_) {
      out.multiplier = ChannelValues<std::int32_t>(multiplier_.data(), multiplier_.size());
      out.shift = ChannelValues<std::int32_t>(shift_.data(), shift_.size());
      out.real = ChannelValues<float>(real_.data(), real_.size());
    } else {
      out.multiplier = multiplier_[0];
      out.shift = shift_[0];
      out.real = real_[0];
    }
  }

  bool per_channel() const { return per_channel_; }
  RequantMultiplier at(std::size_t j) const {
    const std::size_t i = per_channel_ ? j : 0;
    return {multiplier_[i], shift_[i], real_[i]};
  }

 private:
  bool per_channel_;
  std::vector<std::int32_t> multiplier_, shift_;
  std::vector<float> real_;
};

// Fused activations are clamps in the output's integer domain.
// ReLU: outputs below the code of 0.0 (the zero point) are raised to it.
inline void fuse_relu(OutputStage& out) { out.clamp_min = std::max(out.clamp_min, out.output_zero_point); }
// ReLU6: additionally capped at the code of 6.0, zc + round(6 / s_out) (TFLite's
// CalculateActivationRangeQuantized, ties away from zero).
inline void fuse_relu6(OutputStage& out, float s_out) {
  detail::check_scale(s_out, "fuse_relu6: output");
  fuse_relu(out);
  const double six = std::round(static_cast<double>(6.0f / s_out)) + out.output_zero_point;
  out.clamp_max = static_cast<std::int32_t>(std::min<double>(out.clamp_max, six));
}

}  // namespace lowp
