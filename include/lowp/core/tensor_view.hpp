// lowp/core/tensor_view.hpp: a non-owning N-d strided view (rank <= kMaxRank).
//
// Shapes and strides are stored inline (no allocation), strides in elements, so a
// view can describe a transposed, sliced or broadcast tensor without copying.
// Quantizers and calibrators take TensorView for "per-channel along axis a".
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <type_traits>

#include "lowp/core/error.hpp"

namespace lowp {

inline constexpr int kMaxRank = 8;

template <typename T>
class TensorView {
 public:
  TensorView() = default;
  // Contiguous row-major (C order) tensor of the given shape.
  TensorView(T* data, std::initializer_list<std::ptrdiff_t> shape)
      : TensorView(data, shape.begin(), static_cast<int>(shape.size())) {}
  TensorView(T* data, const std::ptrdiff_t* shape, int rank) : data_(data), rank_(rank) {
    LOWP_CHECK(rank >= 0 && rank <= kMaxRank, "TensorView: rank ", rank, " outside [0, ", kMaxRank, "]");
    std::ptrdiff_t stride = 1;
    for (int d = rank - 1; d >= 0; --d) {
      LOWP_CHECK(shape[d] >= 0, "TensorView: negative extent ", shape[d], " in dimension ", d);
      shape_[d] = shape[d];
      strides_[d] = stride;
      LOWP_CHECK(!__builtin_mul_overflow(stride, shape[d], &stride), "TensorView: the shape's element count overflows std::ptrdiff_t");
    }
    check_data();
  }
  // Arbitrary strides (in elements).
  TensorView(T* data, const std::ptrdiff_t* shape, const std::ptrdiff_t* strides, int rank)
      : data_(data), rank_(rank) {
    LOWP_CHECK(rank >= 0 && rank <= kMaxRank, "TensorView: rank ", rank, " outside [0, ", kMaxRank, "]");
    for (int d = 0; d < rank; ++d) {
      LOWP_CHECK(shape[d] >= 0, "TensorView: negative extent ", shape[d], " in dimension ", d);
      shape_[d] = shape[d];
      strides_[d] = strides[d];
    }
    check_data();
  }

  T* data() const { return data_; }
  int rank() const { return rank_; }
  std::ptrdiff_t extent(int d) const { return shape_[d]; }
  std::ptrdiff_t stride(int d) const { return strides_[d]; }
  const std::ptrdiff_t* shape() const { return shape_.data(); }
  const std::ptrdiff_t* strides() const { return strides_.data(); }
  std::ptrdiff_t size() const {
    std::ptrdiff_t n = 1;
    for (int d = 0; d < rank_; ++d) n *= shape_[d];
    return n;
  }
  bool is_contiguous() const {
    std::ptrdiff_t expect = 1;
    for (int d = rank_ - 1; d >= 0; --d) {
      if (shape_[d] != 1 && strides_[d] != expect) return false;
      expect *= shape_[d];
    }
    return true;
  }
  // Normalizes a possibly negative axis (Python style) and checks its range.
  int normalize_axis(int axis) const {
    const int a = axis < 0 ? axis + rank_ : axis;
    LOWP_CHECK(a >= 0 && a < rank_, "axis ", axis, " out of range for a rank-", rank_, " tensor");
    return a;
  }
  // Calls f(element&, linear_index, channel) for every element, in C order of the
  // logical shape; `channel` is the index along `axis` (0 when axis < 0 means none).
  template <typename F>
  void for_each(F&& f, int axis = -1000) const {
    const int a = axis == -1000 ? -1 : normalize_axis(axis);
    if (rank_ == 0) {
      f(*data_, std::ptrdiff_t{0}, std::ptrdiff_t{0});
      return;
    }
    if (size() == 0) return;
    std::array<std::ptrdiff_t, kMaxRank> idx{};
    std::ptrdiff_t linear = 0;
    T* p = data_;
    for (;;) {
      f(*p, linear, a >= 0 ? idx[a] : std::ptrdiff_t{0});
      ++linear;
      int d = rank_ - 1;
      for (; d >= 0; --d) {
        p += strides_[d];
        if (++idx[d] < shape_[d]) break;
        p -= strides_[d] * shape_[d];
        idx[d] = 0;
      }
      if (d < 0) return;
    }
  }
  template <typename U = T, typename = std::enable_if_t<!std::is_const<U>::value>>
  operator TensorView<const U>() const {
    return TensorView<const U>(data_, shape_.data(), strides_.data(), rank_);
  }

 private:
  // The element count and every element's offset must be representable: an overflowing
  // shape product would make size(), for_each and every index undefined behaviour. A null
  // pointer is only an empty tensor; with elements it is a caller's bug that would
  // otherwise surface as a crash deep inside a kernel.
  void check_data() const {
    std::ptrdiff_t count = 1, reach = 0;  // reach: sum of (extent - 1) * |stride|
    bool fits = true;
    for (int d = 0; d < rank_; ++d) {
      std::ptrdiff_t step = 0;
      fits = fits && !__builtin_mul_overflow(count, shape_[d], &count);
      if (shape_[d] > 0)
        fits = fits && strides_[d] != PTRDIFF_MIN &&
               !__builtin_mul_overflow(shape_[d] - 1, strides_[d] < 0 ? -strides_[d] : strides_[d], &step) &&
               !__builtin_add_overflow(reach, step, &reach);
    }
    LOWP_CHECK(fits, "TensorView: the element count or an element offset overflows std::ptrdiff_t");
    LOWP_CHECK(data_ != nullptr || count == 0, "TensorView: null data for a tensor of ", count, " elements");
  }

  T* data_ = nullptr;
  int rank_ = 0;
  std::array<std::ptrdiff_t, kMaxRank> shape_{};
  std::array<std::ptrdiff_t, kMaxRank> strides_{};
};

}  // namespace lowp
