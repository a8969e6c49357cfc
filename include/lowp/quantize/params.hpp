// lowp/quantize/params.hpp: quantization parameters and how a float range becomes them.
//
// The affine map between a real value x and its integer code q:
//     q = clamp(round(x / scale) + zero_point, qmin, qmax),   x ~= scale * (q - zero_point)
// choose_qparams() follows PyTorch's observers (torch.ao.quantization, 1.13) in
// float32 arithmetic so that scale and zero point match them bit for bit:
//   the range is widened to contain 0 (so 0 is exactly representable),
//   symmetric:  scale = max(-min, max) / ((qmax - qmin) / 2), zero point at the middle,
//   affine:     scale = (max - min) / (qmax - qmin),
//               zero_point = clamp(qmin - round_half_even(min / scale), qmin, qmax),
//   scale >= float32 epsilon, so a degenerate range (min == max, all zeros,
//   denormals) still yields a valid non-zero scale.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "lowp/core/error.hpp"

namespace lowp {

struct QuantParams {
  float scale = 1.0f;
  std::int32_t zero_point = 0;
};

// The integer interval codes live in, e.g. [-128, 127], [0, 255], narrow [-127, 127].
struct QuantRange {
  std::int32_t qmin = -128;
  std::int32_t qmax = 127;
  constexpr std::int32_t levels() const { return qmax - qmin; }
};

// Scheme policies.
struct Symmetric {
  static constexpr bool symmetric = true;
};
struct Affine {
  static constexpr bool symmetric = false;
};

template <typename Scheme>
QuantParams choose_qparams(float min, float max, QuantRange range) {
  LOWP_CHECK(std::isfinite(min) && std::isfinite(max), "choose_qparams: range [", min, ", ", max,
             "] is not finite");
  LOWP_CHECK(min <= max, "choose_qparams: min ", min, " > max ", max);
  LOWP_CHECK(range.qmin < range.qmax, "choose_qparams: empty integer range [", range.qmin, ", ",
             range.qmax, "]");
  const float eps = std::numeric_limits<float>::epsilon();
  const float min_neg = std::min(min, 0.0f);
  const float max_pos = std::max(max, 0.0f);
  QuantParams p;
  if constexpr (Scheme::symmetric) {
    const float amax = std::max(-min_neg, max_pos);
    p.scale = std::max(amax / (static_cast<float>(range.qmax - range.qmin) / 2.0f), eps);
    // PyTorch: unsigned symmetric centres at (qmin + qmax + 1) / 2 (128 for [0, 255]);
    // signed symmetric uses 0.
    p.zero_point = range.qmin < 0 ? 0 : (range.qmin + range.qmax + 1) / 2;
  } else {
    p.scale = std::max((max_pos - min_neg) / static_cast<float>(range.qmax - range.qmin), eps);
    const float zp = static_cast<float>(range.qmin) - std::nearbyint(min_neg / p.scale);
    p.zero_point = static_cast<std::int32_t>(
        std::min(std::max(zp, static_cast<float>(range.qmin)), static_cast<float>(range.qmax)));
  }
  return p;
}

}  // namespace lowp
