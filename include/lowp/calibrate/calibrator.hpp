// lowp/calibrate/calibrator.hpp: the streaming calibrator interface shared by every method.
//
// A calibrator watches float batches and then proposes the real range [min, max] that a tensor
// should be quantized to (for a symmetric scheme the range is [-amax, amax]). Every calibrator C
// in lowp/calibrate models this interface (checked by is_calibrator<C>):
//
//   c.observe(batch)                     batch: (pointer, count), a contiguous float range
//                                        (std::vector, std::array, std::span, ...),
//                                        TensorView<const float> (any strides), Eigen dense object
//   Range r = c.range(quant_range, symmetric)   the range to quantize to, for that integer range
//   QuantParams p = c.qparams<Symmetric>(quant_range)   r turned into scale / zero point by
//                                                       lowp::choose_qparams
//   c.merge(other)                       combine the state of a shard (same options); every
//                                        calibrator but the order-dependent moving average
//   std::vector<uint8_t> b = c.serialize();  C::deserialize(b.data(), b.size(), options)
//   c.count(), c.nonfinite_ignored()     finite values observed, NaN/Inf values skipped
//
// Bad input is never silently absorbed: an empty batch, or a batch with NaN/Inf (unless
// ObserveOptions::ignore_nonfinite) throws lowp::error before the state changes; asking for a
// range before any finite value was observed throws as well. Constant and all-zero data are
// valid: choose_qparams keeps the scale >= float32 epsilon.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "lowp/core/error.hpp"
#include "lowp/core/tensor_view.hpp"
#include "lowp/quantize/operand.hpp"
#include "lowp/quantize/params.hpp"

namespace lowp {
namespace calib {

// The real interval a tensor is quantized to.
struct Range {
  float min = 0.0f;
  float max = 0.0f;
  float amax() const { return std::max(-min, max); }
};

struct ObserveOptions {
  // false: a batch containing NaN or +-Inf throws (naming how many). true: such values are
  // skipped and counted (nonfinite_ignored()).
  bool ignore_nonfinite = false;
};

// The integer range of a `bits`-bit code: signed [-2^(b-1), 2^(b-1) - 1] for a symmetric
// scheme, unsigned [0, 2^b - 1] for an affine one (PyTorch's qint8 / quint8 convention).
inline QuantRange quant_range_for_bits(int bits, bool symmetric) {
  LOWP_CHECK(bits >= 2 && bits <= 16, "calibration: bit width ", bits, " outside [2, 16]");
  return symmetric ? QuantRange{-(1 << (bits - 1)), (1 << (bits - 1)) - 1} : QuantRange{0, (1 << bits) - 1};
}

namespace detail {

// One pass over a batch: min, max, and the number of non-finite values.
struct BatchStats {
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();
  std::size_t nonfinite = 0;
  std::size_t finite() const { return total - nonfinite; }
  std::size_t total = 0;
};

inline BatchStats scan_batch(const float* x, std::size_t n, const ObserveOptions& opt, const char* who) {
  LOWP_CHECK(n > 0, who, ": empty batch (0 values)");
  LOWP_CHECK(x != nullptr, who, ": null data pointer");
  BatchStats s;
  s.total = n;
  // Branch-free so that it vectorizes: a non-finite value fails |x| <= FLT_MAX (NaN compares
  // false) and is excluded from min/max through the select.
  float mn = std::numeric_limits<float>::infinity(), mx = -mn;
  std::size_t bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const float v = x[i];
    const bool ok = std::fabs(v) <= std::numeric_limits<float>::max();
    bad += ok ? 0 : 1;
    mn = std::min(mn, ok ? v : mn);
    mx = std::max(mx, ok ? v : mx);
  }
  s.min = mn;
  s.max = mx;
  s.nonfinite = bad;
  LOWP_CHECK(bad == 0 || opt.ignore_nonfinite, who, ": batch contains ", bad, " NaN/Inf value",
             bad == 1 ? "" : "s", " (of ", n, "); set ObserveOptions::ignore_nonfinite to skip and count them");
  return s;
}

// Calls f(pointer, count) on contiguous float chunks covering a strided view, in C order.
template <typename F>
void for_each_chunk(const TensorView<const float>& t, F&& f) {
  LOWP_CHECK(t.size() > 0, "observe: empty batch (a tensor with ", t.size(), " elements)");
  if (t.is_contiguous()) {
    f(t.data(), static_cast<std::size_t>(t.size()));
    return;
  }
  std::vector<float> buf;
  buf.reserve(static_cast<std::size_t>(t.size()));
  t.for_each([&](const float& v, std::ptrdiff_t, std::ptrdiff_t) { buf.push_back(v); });
  f(buf.data(), buf.size());
}

// A contiguous range of floats: std::vector<float>, std::array, std::span<const float> (C++20),
// anything with data() -> float pointer and size() (the quantizer's span operands, operand.hpp).
template <typename R, typename = void>
struct is_float_span : std::false_type {};
template <typename R>
struct is_float_span<R, std::enable_if_t<lowp::detail::is_contiguous_range<const R>::value>>
    : std::is_convertible<decltype(std::declval<const R&>().data()), const float*> {};

}  // namespace detail

// CRTP base: the observe() overloads and qparams(), written once. Derived provides
// observe(const float*, std::size_t) and range(QuantRange, bool).
template <typename Derived>
class CalibratorBase {
 public:
  template <typename R, typename = std::enable_if_t<detail::is_float_span<R>::value>>
  void observe(const R& x) {
    self().observe(x.data(), static_cast<std::size_t>(x.size()));
  }
  void observe(const TensorView<const float>& t) {
    detail::for_each_chunk(t, [&](const float* p, std::size_t n) { self().observe(p, n); });
  }
  void observe(const TensorView<float>& t) { observe(TensorView<const float>(t)); }
  // Any Eigen dense expression with float scalars (matrices, arrays, maps, blocks, products...).
  template <typename E>
  void observe(const Eigen::DenseBase<E>& x) {
    static_assert(std::is_same<typename E::Scalar, float>::value,
                  "calibrators observe float data: cast the Eigen expression with .cast<float>()");
    const E& e = x.derived();
    if constexpr (bool(Eigen::internal::traits<E>::Flags & Eigen::DirectAccessBit)) {
      // Contiguous storage (Matrix, Array, or a Map / Block without gaps): no copy.
      if (e.innerStride() == 1 && (e.outerStride() == e.innerSize() || e.outerSize() == 1)) {
        self().observe(e.data(), static_cast<std::size_t>(e.size()));
        return;
      }
    }
    const Eigen::Array<float, Eigen::Dynamic, Eigen::Dynamic> copy = e;  // evaluates expressions
    self().observe(copy.data(), static_cast<std::size_t>(copy.size()));
  }

  template <typename Scheme>
  QuantParams qparams(QuantRange q) const {
    const Range r = self().range(q, Scheme::symmetric);
    return choose_qparams<Scheme>(r.min, r.max, q);
  }

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
  const Derived& self() const { return static_cast<const Derived&>(*this); }
};

// is_calibrator<C>: C has the interface documented at the top of this file.
template <typename C, typename = void>
struct is_calibrator : std::false_type {};
template <typename C>
struct is_calibrator<
    C, std::void_t<decltype(std::declval<C&>().observe(std::declval<const float*>(), std::size_t{})),
                   decltype(std::declval<const C&>().range(QuantRange{}, true)),
                   decltype(std::declval<const C&>().serialize()),
                   decltype(std::declval<const C&>().count())>> : std::true_type {};

}  // namespace calib
}  // namespace lowp
