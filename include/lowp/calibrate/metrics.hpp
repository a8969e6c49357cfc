// lowp/calibrate/metrics.hpp: what a choice of quantization parameters does to actual data.
//
// For x quantized with (scale s, zero point z) into [qmin, qmax] and dequantized back,
//   x^ = s (clamp(z + round(x * (1 / s)), qmin, qmax) - z)   (round half to even, as PyTorch's
//                                                            fake_quantize and lowp's quantizer)
// measure() reports the mean squared error E[(x - x^)^2], the signal-to-quantization-noise
// ratio SQNR = 10 log10(sum x^2 / sum (x - x^)^2) in dB, and the fraction of values clipped
// (outside the representable [s (qmin - z), s (qmax - z)] by more than half a step).
// Non-finite values are left out of all three (the calibrators have already refused or counted
// them; see ObserveOptions). Parameters no quantizer can produce (scale <= 0, NaN or infinite,
// qmin > qmax) throw instead of yielding meaningless numbers.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>

#include "lowp/core/error.hpp"
#include "lowp/quantize/affine_map.hpp"
#include "lowp/quantize/params.hpp"

namespace lowp {
namespace calib {

struct QuantError {
  double mse = 0.0;
  double sqnr_db = 0.0;  // +inf when the error is exactly zero
  double clipped_fraction = 0.0;
};

// Quantize then dequantize, exactly as Quantizer<...>::fake_quantize (the same element definition).
inline float fake_quantize(float x, QuantParams p, QuantRange q) {
  return dequantize_value(quantize_value(x, 1.0f / p.scale, p.zero_point, q), p.scale, p.zero_point);
}

inline QuantError measure(const float* x, std::size_t n, QuantParams p, QuantRange q) {
  LOWP_CHECK(n > 0, "measure: empty data");
  LOWP_CHECK(std::isfinite(p.scale) && p.scale > 0.0f && std::isfinite(1.0f / p.scale), "measure: scale ", p.scale,
             " must be finite and positive, with a finite reciprocal (as for a Quantizer)");
  LOWP_CHECK(q.qmin <= q.qmax, "measure: empty integer range [", q.qmin, ", ", q.qmax, "]");
  // "Clipped" means the quantizer clamps the value: its unclamped code, formed with the
  // quantizer's own float arithmetic, lies outside [qmin, qmax]. A bound computed in real
  // arithmetic, scale * (qmax - zp + 1/2), disagrees at the edge (12.75 with scale 0.1f:
  // 12.75f * 10.0f = 127.5 rounds to 128 and is clamped, yet 12.75 < 0.1f * 127.5).
  const float inv_scale = 1.0f / p.scale;
  double err = 0.0, sig = 0.0;
  std::size_t clipped = 0, used = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) continue;
    const double d = static_cast<double>(x[i]) - fake_quantize(x[i], p, q);
    err += d * d;
    sig += static_cast<double>(x[i]) * x[i];
    const double code = unclamped_code(x[i], inv_scale, p.zero_point);
    clipped += (code < q.qmin || code > q.qmax) ? 1 : 0;
    ++used;
  }
  LOWP_CHECK(used > 0, "measure: no finite value");
  QuantError r;
  r.mse = err / static_cast<double>(used);
  r.sqnr_db = err > 0.0 ? 10.0 * std::log10(sig / err) : std::numeric_limits<double>::infinity();
  r.clipped_fraction = static_cast<double>(clipped) / static_cast<double>(used);
  return r;
}

}  // namespace calib
}  // namespace lowp
