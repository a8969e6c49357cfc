// lowp/ops/conv_geometry.hpp: the shape of a 2-d convolution over NHWC tensors.
//
//   y[b, oy, ox, co] = sum_{ky, kx, ci in group(co)} x[b, iy, ix, ci] * w[co, ky, kx, ci - g*Cg]
//   iy = oy * stride_h - pad_top  + ky * dilation_h
//   ix = ox * stride_w - pad_left + kx * dilation_w
//
// Input NHWC (batch, in_h, in_w, in_c); output NHWC (batch, out_h, out_w, out_c).
// Groups split the channels: group g reads input channels [g*Cg, (g+1)*Cg) and
// writes output channels [g*Ng, (g+1)*Ng), Cg = in_c / groups, Ng = out_c / groups.
// Taps that fall in the padding read the real value 0, i.e. the input zero point.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "lowp/core/channel_values.hpp"
#include "lowp/core/error.hpp"
#include "lowp/gemm/params.hpp"
#include "lowp/ops/rescale.hpp"

namespace lowp {

struct Conv2dGeometry {
  std::ptrdiff_t batch = 1, in_h = 0, in_w = 0, in_c = 0;
  std::ptrdiff_t out_c = 0, kernel_h = 1, kernel_w = 1;
  std::ptrdiff_t stride_h = 1, stride_w = 1;
  std::ptrdiff_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  std::ptrdiff_t dilation_h = 1, dilation_w = 1;
  std::ptrdiff_t groups = 1;

  // A square hw x hw image, square kernel, stride 1, padding kernel / 2 on every side
  // ('same' output size for odd kernels).
  static Conv2dGeometry same(std::ptrdiff_t hw, std::ptrdiff_t in_c, std::ptrdiff_t out_c, std::ptrdiff_t kernel,
                             std::ptrdiff_t groups = 1) {
    Conv2dGeometry g;
    g.in_h = g.in_w = hw;
    g.in_c = in_c;
    g.out_c = out_c;
    g.kernel_h = g.kernel_w = kernel;
    g.pad_top = g.pad_left = g.pad_bottom = g.pad_right = kernel / 2;
    g.groups = groups;
    return g;
  }

  std::ptrdiff_t group_in_c() const { return in_c / groups; }
  std::ptrdiff_t group_out_c() const { return out_c / groups; }
  // Reduction depth of one output value: the GEMM's K.
  std::ptrdiff_t depth() const { return kernel_h * kernel_w * group_in_c(); }
  std::ptrdiff_t out_h() const {
    return (in_h + pad_top + pad_bottom - dilation_h * (kernel_h - 1) - 1) / stride_h + 1;
  }
  std::ptrdiff_t out_w() const {
    return (in_w + pad_left + pad_right - dilation_w * (kernel_w - 1) - 1) / stride_w + 1;
  }
  std::ptrdiff_t input_size() const { return batch * in_h * in_w * in_c; }
  std::ptrdiff_t output_size() const { return batch * out_h() * out_w() * out_c; }
  // OHWI weights: out_c x kernel_h x kernel_w x group_in_c.
  std::ptrdiff_t weight_size() const { return out_c * depth(); }
  bool is_pointwise() const {
    return kernel_h == 1 && kernel_w == 1 && stride_h == 1 && stride_w == 1 && pad_top == 0 &&
           pad_left == 0 && pad_bottom == 0 && pad_right == 0;
  }
  bool is_depthwise() const { return groups == in_c && groups > 0 && out_c % in_c == 0; }

  void check(const char* op) const {
    LOWP_CHECK(batch >= 0 && in_h > 0 && in_w > 0 && in_c > 0 && out_c > 0, op,
               ": empty or negative shape (batch ", batch, ", in ", in_h, "x", in_w, "x", in_c,
               ", out_c ", out_c, ")");
    LOWP_CHECK(kernel_h > 0 && kernel_w > 0, op, ": kernel ", kernel_h, "x", kernel_w, " is empty");
    LOWP_CHECK(stride_h > 0 && stride_w > 0, op, ": stride ", stride_h, "x", stride_w, " must be positive");
    LOWP_CHECK(dilation_h > 0 && dilation_w > 0, op, ": dilation ", dilation_h, "x", dilation_w,
               " must be positive");
    LOWP_CHECK(pad_top >= 0 && pad_left >= 0 && pad_bottom >= 0 && pad_right >= 0, op,
               ": negative padding");
    LOWP_CHECK(groups > 0 && in_c % groups == 0 && out_c % groups == 0, op, ": ", groups,
               " groups do not divide in_c ", in_c, " and out_c ", out_c);
    LOWP_CHECK(in_h + pad_top + pad_bottom >= dilation_h * (kernel_h - 1) + 1 &&
                   in_w + pad_left + pad_right >= dilation_w * (kernel_w - 1) + 1,
               op, ": the dilated kernel is larger than the padded input");
  }
};

// Channels [first, first + count) of a per-channel parameter (a per-tensor one is unchanged).
template <typename T>
ChannelValues<T> channel_slice(const ChannelValues<T>& v, std::ptrdiff_t first, std::ptrdiff_t count) {
  LOWP_CHECK(!v.per_channel() || (first >= 0 && count >= 0 && static_cast<std::size_t>(first + count) <= v.size()),
             "channel_slice: channels [", first, ", ", first + count, ") of ", v.size(), " per-channel values");
  return v.per_channel() ? ChannelValues<T>(v.data() + first, static_cast<std::size_t>(count)) : v;
}

// The output stage restricted to output channels [first, first + count).
inline OutputStage channel_slice(const OutputStage& out, std::ptrdiff_t first, std::ptrdiff_t count) {
  OutputStage s = out;
  if (s.bias) s.bias += first;
  s.multiplier = channel_slice(out.multiplier, first, count);
  s.shift = channel_slice(out.shift, first, count);
  s.real = channel_slice(out.real, first, count);
  return s;
}

}  // namespace lowp
