// lowp/gemm/params.hpp: what a quantized GEMM needs besides its three matrices.
//
//   C[m, n] = out( sum_k (A[m, k] - za) * (B[k, n] - zb[n]) + bias[n] )
//
// A (M x K) holds activations (uint8 or int8, one zero point za), B (K x N) holds
// weights (int8 or uint8, zero point per tensor or per output column n), and
// out() is the output stage: for 8/16-bit outputs
//
//   out(acc) = clamp( Policy::scale(acc, M[n]) + zc, lo, hi ),
//   lo = max(clamp_min, min of output type), hi = min(clamp_max, max of output type),
//
// with Policy one of GemmlowpRounding / SingleRounding / FloatRounding
// (fixedpoint/requantize.hpp). An int32 output is acc itself; a float output is
// float(acc) * M[n].real (dequantization at scale s_a * s_b[n]).
// Accumulators never overflow: gemm_max_k() bounds K so that every partial sum fits in int32, and calls beyond the bound are refused.
#pragma once

#include <cstdint>
#include <limits>

#include <cstddef>

#include "lowp/core/channel_values.hpp"
#include "lowp/fixedpoint/requantize.hpp"

namespace lowp {

// Zero points of the two GEMM inputs.
struct GemmZeroPoints {
  std::int32_t a = 0;                 // activations: per tensor
  ChannelValues<std::int32_t> b{0};   // weights: per tensor, or one per output column n
};

// The fused epilogue applied to each int32 accumulator.
struct OutputStage {
  const std::int32_t* bias = nullptr;         // N values at scale s_a * s_b[n], or null
  ChannelValues<std::int32_t> multiplier{0};  // Q31 mantissa in [2^30, 2^31) (integer policies)
  ChannelValues<std::int32_t> shift{0};       // exponent, > 0 means left shift (TFLite convention)
  ChannelValues<float> real{0.0f};            // M as float32 (FloatRounding, float output)
  std::int32_t output_zero_point = 0;
  std::int32_t clamp_min = std::numeric_limits<std::int32_t>::min();  // fused ReLU/ReLU6 = clamp
  std::int32_t clamp_max = std::numeric_limits<std::int32_t>::max();

  RequantMultiplier multiplier_at(std::size_t n) const { return {multiplier[n], shift[n], real[n]}; }
};

}  // namespace lowp
