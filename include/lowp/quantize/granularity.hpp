// lowp/quantize/granularity.hpp: granularity policies, i.e. which elements share parameters.
//
//   PerTensor{p}               one QuantParams for every element.
//   PerChannel{axis, ps}       ps[i] for the elements whose index along `axis` is i
//                              (axis 0 of OIHW conv weights, axis 3 of HWIO, axis 0 of a
//                              row-major [out, in] matrix; negative axes count from the end).
//   PerGroup{axis, G, ps}      G consecutive elements along `axis` share parameters (G = 32, 64,
//                              128 for weight-only int4). ps is laid out in C order over the
//                              tensor's shape with extent(axis) replaced by ceil(extent(axis) / G):
//                              for a [rows, cols] matrix grouped along axis 1, ps[r * ceil(cols/G) + c/G].
//                              G need not divide the extent: the last group is then shorter but
//                              still has its own set (a K = 4000 row with G = 128 needs 32 sets).
//
// Each policy yields a ParamMap: parameter index = sum_d (idx[d] / divisor[d]) * stride[d] over the
// dimensions with divisor[d] > 0. The kernels use it to find runs of elements with equal or
// contiguous parameters; the reference uses it element by element.
#pragma once

#include <array>
#include <cstddef>
#include <utility>
#include <vector>

#include "lowp/core/error.hpp"
#include "lowp/core/tensor_view.hpp"
#include "lowp/quantize/params.hpp"

namespace lowp {

struct ParamMap {
  int rank = 0;
  std::array<std::ptrdiff_t, kMaxRank> divisor{};  // 0: the parameters do not vary along d
  std::array<std::ptrdiff_t, kMaxRank> stride{};
  std::ptrdiff_t index(const std::ptrdiff_t* idx) const {
    std::ptrdiff_t p = 0;
    for (int d = 0; d < rank; ++d)
      if (divisor[d] > 0) p += idx[d] / divisor[d] * stride[d];
    return p;
  }
};

struct PerTensor {
  QuantParams params;

  const QuantParams* data() const { return &params; }
  std::size_t count() const { return 1; }
  ParamMap map(const std::ptrdiff_t* /*shape*/, int rank) const {
    ParamMap m;
    m.rank = rank;
    return m;
  }
};

struct PerChannel {
  int axis = 0;
  std::vector<QuantParams> params;

  const QuantParams* data() const { return params.data(); }
  std::size_t count() const { return params.size(); }
  ParamMap map(const std::ptrdiff_t* shape, int rank) const {
    const int a = axis < 0 ? axis + rank : axis;
    LOWP_CHECK(a >= 0 && a < rank, "PerChannel: axis ", axis, " out of range for a rank-", rank, " tensor");
    LOWP_CHECK(static_cast<std::ptrdiff_t>(params.size()) == shape[a], "PerChannel: ", params.size(),
               " parameter sets for ", shape[a], " channels along axis ", a);
    ParamMap m;
    m.rank = rank;
    m.divisor[a] = 1;
    m.stride[a] = 1;
    return m;
  }
};

struct PerGroup {
  int axis = -1;
  std::ptrdiff_t group_size = 32;
  std::vector<QuantParams> params;

  const QuantParams* data() const { return params.data(); }
  std::size_t count() const { return params.size(); }
  // Number of groups along the axis for an extent.
  std::ptrdiff_t groups(std::ptrdiff_t extent) const { return (extent + group_size - 1) / group_size; }
  ParamMap map(const std::ptrdiff_t* shape, int rank) const {
    const int a = axis < 0 ? axis + rank : axis;
    LOWP_CHECK(a >= 0 && a < rank, "PerGroup: axis ", axis, " out of range for a rank-", rank, " tensor");
    LOWP_CHECK(group_size > 0, "PerGroup: group size ", group_size, " must be positive");
    ParamMap m;
    m.rank = rank;
    std::ptrdiff_t stride = 1;
    for (int d = rank - 1; d >= 0; --d) {
      m.divisor[d] = d == a ? group_size : 1;
      m.stride[d] = stride;
      stride *= d == a ? groups(shape[d]) : shape[d];
    }
    LOWP_CHECK(static_cast<std::ptrdiff_t>(params.size()) == stride, "PerGroup: ", params.size(),
               " parameter sets given, the shape with groups of ", group_size, " along axis ", a,
               " needs ", stride);
    return m;
  }
};

template <typename T>
inline constexpr bool is_granularity_v =
    std::is_same<T, PerTensor>::value || std::is_same<T, PerChannel>::value || std::is_same<T, PerGroup>::value;

}  // namespace lowp
