// lowp/ops/pool2d.hpp: max and average pooling of quantized NHWC tensors.
//
// Both keep the input's quantization parameters: max commutes with the
// monotonic map q -> s (q - z), and the mean of codes is z + mean(q - z).
// Average pooling rounds the exact integer mean half away from zero
//   round(S / n) = floor((2 S + n) / (2 n)) for S >= 0, -floor((-2 S + n) / (2 n)) otherwise,
// with n the number of valid taps, or the full window when count_include_pad
// (PyTorch's default), padding then contributing the zero point (real 0).
// Max pooling ignores padding taps (PyTorch pads with -infinity).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "lowp/core/error.hpp"
#include "lowp/ops/rescale.hpp"

namespace lowp {

struct Pool2dGeometry {
  std::ptrdiff_t batch = 1, in_h = 0, in_w = 0, channels = 0;
  std::ptrdiff_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
  std::ptrdiff_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;

  std::ptrdiff_t out_h() const { return (in_h + pad_top + pad_bottom - kernel_h) / stride_h + 1; }
  std::ptrdiff_t out_w() const { return (in_w + pad_left + pad_right - kernel_w) / stride_w + 1; }
  std::ptrdiff_t output_size() const { return batch * out_h() * out_w() * channels; }
  void check(const char* op) const {
    LOWP_CHECK(batch >= 0 && in_h > 0 && in_w > 0 && channels > 0, op, ": empty or negative shape");
    LOWP_CHECK(kernel_h > 0 && kernel_w > 0 && stride_h > 0 && stride_w > 0, op,
               ": kernel and stride must be positive");
    LOWP_CHECK(pad_top >= 0 && pad_left >= 0 && pad_bottom >= 0 && pad_right >= 0, op, ": negative padding");
    // As in PyTorch: padding at most half the kernel, so no window is all padding.
    LOWP_CHECK(2 * std::max(pad_top, pad_bottom) <= kernel_h && 2 * std::max(pad_left, pad_right) <= kernel_w,
               op, ": padding larger than half the kernel");
    LOWP_CHECK(in_h + pad_top + pad_bottom >= kernel_h && in_w + pad_left + pad_right >= kernel_w, op,
               ": kernel larger than the padded input");
  }
};

namespace detail {
// Calls f(b, oy, ox, y0, y1, x0, x1) for each output pixel, with its window
// clipped to the input: rows [y0, y1), columns [x0, x1).
template <typename F>
void for_each_pool_window(const Pool2dGeometry& g, F&& f) {
  const std::ptrdiff_t oh = g.out_h(), ow = g.out_w();
  for (std::ptrdiff_t b = 0; b < g.batch; ++b)
    for (std::ptrdiff_t oy = 0; oy < oh; ++oy)
      for (std::ptrdiff_t ox = 0; ox < ow; ++ox) {
        const std::ptrdiff_t ys = oy * g.stride_h - g.pad_top, xs = ox * g.stride_w - g.pad_left;
        f(b, oy, ox, std::max<std::ptrdiff_t>(ys, 0), std::min(ys + g.kernel_h, g.in_h),
          std::max<std::ptrdiff_t>(xs, 0), std::min(xs + g.kernel_w, g.in_w));
      }
}

// round(sum / n), ties away from zero, n > 0.
inline std::int64_t rounded_mean(std::int64_t sum, std::int64_t n) {
  return sum >= 0 ? (2 * sum + n) / (2 * n) : -((-2 * sum + n) / (2 * n));
}
}  // namespace detail

template <typename T>
void max_pool2d(const Pool2dGeometry& g, const T* input, T* output) {
  static_assert(std::numeric_limits<T>::is_integer, "max_pool2d: quantized codes must be integers");
  g.check("max_pool2d");
  detail::for_each_pool_window(g, [&](auto b, auto oy, auto ox, auto y0, auto y1, auto x0, auto x1) {
    T* out = output + ((b * g.out_h() + oy) * g.out_w() + ox) * g.channels;
    std::fill(out, out + g.channels, std::numeric_limits<T>::min());
    for (std::ptrdiff_t y = y0; y < y1; ++y)
      for (std::ptrdiff_t x = x0; x < x1; ++x) {
        const T* in = input + ((b * g.in_h + y) * g.in_w + x) * g.channels;
        for (std::ptrdiff_t c = 0; c < g.channels; ++c) out[c] = std::max(out[c], in[c]);
      }
  });
}

template <typename T>
void avg_pool2d(const Pool2dGeometry& g, const T* input, std::int32_t zero_point, bool count_include_pad,
                T* output) {
  static_assert(std::numeric_limits<T>::is_integer, "avg_pool2d: quantized codes must be integers");
  g.check("avg_pool2d");
  detail::check_zero_point_fits<T>(zero_point, "avg_pool2d: zero point");
  std::vector<std::int64_t> sum(static_cast<std::size_t>(g.channels));
  detail::for_each_pool_window(g, [&](auto b, auto oy, auto ox, auto y0, auto y1, auto x0, auto x1) {
    const std::int64_t valid = (y1 - y0) * (x1 - x0);
    // Taps inside the padded extent (PyTorch clips the window at the padded border).
    const std::ptrdiff_t ys = oy * g.stride_h - g.pad_top, xs = ox * g.stride_w - g.pad_left;
    const std::int64_t padded = (std::min(ys + g.kernel_h, g.in_h + g.pad_bottom) - ys) *
                                (std::min(xs + g.kernel_w, g.in_w + g.pad_right) - xs);
    const std::int64_t n = count_include_pad ? padded : valid;
    std::fill(sum.begin(), sum.end(), count_include_pad ? (padded - valid) * zero_point : 0);
    for (std::ptrdiff_t y = y0; y < y1; ++y)
      for (std::ptrdiff_t x = x0; x < x1; ++x) {
        const T* in = input + ((b * g.in_h + y) * g.in_w + x) * g.channels;
        for (std::ptrdiff_t c = 0; c < g.channels; ++c) sum[static_cast<std::size_t>(c)] += in[c];
      }
    T* out = output + ((b * g.out_h() + oy) * g.out_w() + ox) * g.channels;
    for (std::ptrdiff_t c = 0; c < g.channels; ++c)
      out[c] = static_cast<T>(detail::rounded_mean(sum[static_cast<std::size_t>(c)], n));
  });
}

}  // namespace lowp
