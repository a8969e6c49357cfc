// lowp/ops/lut_activation.hpp: any int8 -> int8 (or uint8 -> uint8) activation
// as a 256-entry lookup table built from the input and output parameters.
//
//   table[q] = clamp( round_half_even( f(s_in (q - z_in)) / s_out ) + z_out )
//
// f is evaluated in double, so every entry is the ideally rounded result up to
// double's own error: the tests compare all 256 inputs of each activation with an
// independent long-double evaluation and allow 1 LSB only at exact rounding ties.
// Applying the table is one load per element, whatever the function's cost.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "lowp/core/error.hpp"
#include "lowp/ops/rescale.hpp"
#include "lowp/quantize/params.hpp"

namespace lowp {

template <typename T>
struct LookupTable {
  static_assert(std::is_same<T, std::int8_t>::value || std::is_same<T, std::uint8_t>::value,
                "LookupTable: codes must be int8 or uint8");
  std::array<T, 256> values{};
  T operator()(T q) const { return values[static_cast<std::uint8_t>(q)]; }  // two's complement index
};

template <typename T, typename F>
LookupTable<T> make_lookup_table(F&& f, QuantParams in, QuantParams out) {
  LOWP_CHECK(in.scale > 0 && out.scale > 0 && std::isfinite(in.scale) && std::isfinite(out.scale),
             "make_lookup_table: scales must be finite and positive");
  detail::check_zero_point_fits<T>(in.zero_point, "make_lookup_table: input zero point");
  detail::check_zero_point_fits<T>(out.zero_point, "make_lookup_table: output zero point");
  LookupTable<T> t;
  for (int q = std::numeric_limits<T>::min(); q <= std::numeric_limits<T>::max(); ++q) {
    const double y = f(static_cast<double>(in.scale) * (q - in.zero_point));
    LOWP_CHECK(std::isfinite(y), "make_lookup_table: f(", q, ") is not finite");
    const double code = std::nearbyint(y / out.scale) + out.zero_point;
    const double lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
    t.values[static_cast<std::uint8_t>(static_cast<T>(q))] = static_cast<T>(std::min(std::max(code, lo), hi));
  }
  return t;
}

template <typename T>
void apply_lookup_table(const LookupTable<T>& table, const T* input, T* output, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) output[i] = table(input[i]);
}

// The activations, as double functions (the definitions the tables round).
namespace activation {
inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
inline double tanh(double x) { return std::tanh(x); }
// Exact GELU (PyTorch's approximate='none'): x * Phi(x).
inline double gelu(double x) { return 0.5 * x * std::erfc(-x / std::sqrt(2.0)); }
inline double silu(double x) { return x * sigmoid(x); }
inline double hard_swish(double x) { return x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0; }
inline double elu(double x, double alpha = 1.0) { return x > 0 ? x : alpha * std::expm1(x); }
}  // namespace activation

template <typename T>
LookupTable<T> sigmoid_table(QuantParams in, QuantParams out) {
  return make_lookup_table<T>(activation::sigmoid, in, out);
}
template <typename T>
LookupTable<T> tanh_table(QuantParams in, QuantParams out) {
  return make_lookup_table<T>([](double x) { return activation::tanh(x); }, in, out);
}
template <typename T>
LookupTable<T> gelu_table(QuantParams in, QuantParams out) {
  return make_lookup_table<T>(activation::gelu, in, out);
}
template <typename T>
LookupTable<T> silu_table(QuantParams in, QuantParams out) {
  return make_lookup_table<T>(activation::silu, in, out);
}
template <typename T>
LookupTable<T> hard_swish_table(QuantParams in, QuantParams out) {
  return make_lookup_table<T>(activation::hard_swish, in, out);
}
template <typename T>
LookupTable<T> elu_table(QuantParams in, QuantParams out, double alpha = 1.0) {
  return make_lookup_table<T>([alpha](double x) { return activation::elu(x, alpha); }, in, out);
}

}  // namespace lowp
