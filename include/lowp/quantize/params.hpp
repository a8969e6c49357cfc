// lowp/quantize/params.hpp: quantization parameters and how a float range becomes them.
//
// The affine map between a real value x and its integer code q (see docs/quantization.md):
//     q = clamp(zero_point + round(x * (1 / scale)), qmin, qmax),   x ~= scale * (q - zero_point)
// choose_qparams() follows PyTorch's observers (torch.ao.quantization, 1.13) in
// float32 arithmetic so that scale and zero point match them bit for bit:
//   the range is widened to contain 0 (so 0 is exactly representable),
//   symmetric:  scale = max(-min, max) / ((qmax - qmin) / 2), zero point fixed (see below),
//   affine:     scale = (max - min) / (qmax - qmin),
//               zero_point = clamp(qmin - round_half_even(min / scale), qmin, qmax),
//   scale >= float32 epsilon, so a degenerate range (min == max, all zeros,
//   denormals) still yields a valid non-zero scale; a range whose width overflows float32
//   (e.g. [-3e38, 3e38] on 8 bits) throws instead of giving an infinite scale.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "lowp/core/error.hpp"
#include "lowp/quantize/scheme.hpp"

namespace lowp {

struct QuantParams {
  float scale = 1.0f;
  std::int32_t zero_point = 0;
};

// The integer interval codes live in, e.g. [-128, 127], [0, 255], narrow [-127, 127].
struct QuantRange {
  std::int32_t qmin = -128;
  std::int32_t qmax = 127;
  // qmax - qmin, in 64 bits: 2^32 - 1 for int32 codes.
  constexpr std::int64_t levels() const { return std::int64_t{qmax} - qmin; }
};

// Where a symmetric scheme on an unsigned range puts its zero point. Signed ranges always use 0.
// PyTorch's observers differ by how the range was given, so each convention is selectable:
enum class SymmetricZeroPoint {
  upper_midpoint,  // (qmin + qmax + 1) / 2: 128 for [0, 255]. lowp's default.
  lower_midpoint,  // (qmin + qmax) / 2: PyTorch observers given a custom quant_min/quant_max.
  torch_quint8,    // always 128: PyTorch quint8 observers with the default range. PyTorch refuses
                   // reduce_range there; lowp keeps 128 for the reduced [0, 127] range too, so the
                   // scale spans 127 levels and the codes occupy [64, 191] of the full quint8 range.
};

template <typename Scheme>
QuantParams choose_qparams(float min, float max, QuantRange range,
                           SymmetricZeroPoint unsigned_zero = SymmetricZeroPoint::upper_midpoint) {
  static_assert(is_scheme_v<Scheme>, "choose_qparams<Scheme>: Scheme must be lowp::Symmetric or lowp::Affine");
  LOWP_CHECK(std::isfinite(min) && std::isfinite(max), "choose_qparams: range [", min, ", ", max,
             "] is not finite");
  LOWP_CHECK(min <= max, "choose_qparams: min ", min, " > max ", max);
  LOWP_CHECK(range.qmin < range.qmax, "choose_qparams: empty integer range [", range.qmin, ", ",
             range.qmax, "]");
  const float eps = std::numeric_limits<float>::epsilon();
  const float min_neg = std::min(min, 0.0f);
  const float max_pos = std::max(max, 0.0f);
  // (qmax - qmin) is converted like PyTorch's float(quant_max - quant_min): exact up to 2^24.
  const float levels = static_cast<float>(range.levels());
  QuantParams p;
  if constexpr (Scheme::symmetric) {
    const float amax = std::max(-min_neg, max_pos);
    p.scale = std::max(amax / (levels / 2.0f), eps);
    if (range.qmin < 0) {
      p.zero_point = 0;
    } else {
      switch (unsigned_zero) {
        // In 64 bits: qmin + qmax + 1 overflows int32 for ranges reaching 2^31 - 1.
        case SymmetricZeroPoint::upper_midpoint:
          p.zero_point = static_cast<std::int32_t>((std::int64_t{range.qmin} + range.qmax + 1) / 2);
          break;
        case SymmetricZeroPoint::lower_midpoint:
          p.zero_point = static_cast<std::int32_t>((std::int64_t{range.qmin} + range.qmax) / 2);
          break;
        case SymmetricZeroPoint::torch_quint8: p.zero_point = 128; break;
      }
    }
  } else {
    p.scale = std::max((max_pos - min_neg) / levels, eps);
    // qmin - round(min / scale), clamped: PyTorch forms it in float32, where it is exact for code
    // ranges up to 2^24; in double it stays exact for 32-bit ranges, and the clamp to qmax = 2^31 - 1
    // does not become float's 2^31, which no int32 holds.
    const double zp = static_cast<double>(range.qmin) - std::nearbyint(min_neg / p.scale);
    p.zero_point = static_cast<std::int32_t>(
        std::min(std::max(zp, static_cast<double>(range.qmin)), static_cast<double>(range.qmax)));
  }
  // Finite endpoints can still span more than float32 holds (max - min > FLT_MAX).
  LOWP_CHECK(std::isfinite(p.scale), "choose_qparams: range [", min, ", ", max, "] over ", range.levels(),
             " levels gives an infinite scale");
  return p;
}

// Symmetric parameters from an absolute maximum (range [-amax, amax]).
template <typename Scheme = Symmetric>
QuantParams choose_qparams_amax(float amax, QuantRange range,
                                SymmetricZeroPoint unsigned_zero = SymmetricZeroPoint::upper_midpoint) {
  LOWP_CHECK(std::isfinite(amax) && amax >= 0.0f, "choose_qparams_amax: amax ", amax,
             " must be finite and non-negative");
  return choose_qparams<Scheme>(-amax, amax, range, unsigned_zero);
}

// PyTorch's default observer ranges (torch.ao.quantization.utils.calculate_qmin_qmax without a
// custom range): quint8 [0, 255], qint8 [-128, 127]; reduce_range drops one bit: [0, 127], [-64, 63].
// The range only feeds the scale computation: PyTorch still clamps codes to the full dtype range.
enum class TorchDtype { quint8, qint8 };
inline QuantRange torch_observer_range(TorchDtype dtype, bool reduce_range) {
  if (dtype == TorchDtype::quint8) return reduce_range ? QuantRange{0, 127} : QuantRange{0, 255};
  return reduce_range ? QuantRange{-64, 63} : QuantRange{-128, 127};
}

// Exactly what MinMaxObserver / PerChannelMinMaxObserver (PyTorch 1.13) compute for a
// channel with observed [min, max], default quant range and the given dtype/reduce_range.
// (PyTorch rejects symmetric quint8 with reduce_range; lowp computes it with zero point 128.)
template <typename Scheme>
QuantParams torch_observer_qparams(float min, float max, TorchDtype dtype, bool reduce_range) {
  return choose_qparams<Scheme>(min, max, torch_observer_range(dtype, reduce_range),
                                SymmetricZeroPoint::torch_quint8);
}

// The same observers given a custom quant_min/quant_max: reduce_range halves the custom range
// by floor division, and an unsigned symmetric zero point is the floor midpoint (127 for [0, 255]).
template <typename Scheme>
QuantParams torch_observer_qparams(float min, float max, QuantRange custom, bool reduce_range) {
  const auto floor_half = [](std::int32_t v) {
    return static_cast<std::int32_t>(v >= 0 ? v / 2 : -((std::int64_t{1} - v) / 2));  // no -INT32_MIN
  };
  const QuantRange range = reduce_range ? QuantRange{floor_half(custom.qmin), floor_half(custom.qmax)} : custom;
  return choose_qparams<Scheme>(min, max, range, SymmetricZeroPoint::lower_midpoint);
}

}  // namespace lowp
