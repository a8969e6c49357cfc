// lowp/quantize/operand.hpp: what the quantizer operations read and write.
//
// Every operation takes its tensors as strided N-d views without copying: a TensorView, a
// MatrixView, an Eigen matrix / map / ref / block (row- or column-major), or a contiguous span
// (std::vector, std::array: rank 1), all normalized by as_view().
// Packed nibble codes have no per-element address, so they are a NibbleSpan: `count` codes in
// the C order of the logical shape of the tensor they pair with.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <Eigen/Core>

#include "lowp/core/matrix_view.hpp"
#include "lowp/core/tensor_view.hpp"

namespace lowp {

template <typename Byte>
struct NibbleSpan {
  static_assert(std::is_same<std::remove_const_t<Byte>, std::uint8_t>::value,
                "lowp::NibbleSpan: packed codes live in a std::uint8_t buffer");
  Byte* bytes = nullptr;
  std::ptrdiff_t count = 0;  // number of codes (bytes: (count + 1) / 2)

  template <typename U = Byte, typename = std::enable_if_t<!std::is_const<U>::value>>
  operator NibbleSpan<const U>() const {  // NOLINT: implicit like T* -> const T*
    return {bytes, count};
  }
};

template <typename T>
TensorView<T> as_view(const TensorView<T>& v) {
  return v;
}
template <typename T>
TensorView<T> as_view(const MatrixView<T>& m) {
  const std::ptrdiff_t shape[2] = {m.rows, m.cols};
  const std::ptrdiff_t strides[2] = {m.row_stride, m.col_stride};
  return TensorView<T>(m.data, shape, strides, 2);
}
template <typename Derived>
auto as_view(Eigen::PlainObjectBase<Derived>& m) {
  return as_view(view(m));
}
template <typename Derived>
auto as_view(const Eigen::PlainObjectBase<Derived>& m) {
  return as_view(view(m));
}
// Every Eigen expression with direct memory access: Map, Ref, and blocks of matrices or maps
// (rows, columns, sub-blocks), with Eigen's inner and outer strides.
template <typename Derived>
auto as_view(const Eigen::MapBase<Derived, Eigen::ReadOnlyAccessors>& m) {
  using T = const typename Derived::Scalar;
  return as_view(MatrixView<T>{m.data(), m.rows(), m.cols(), m.rowStride(), m.colStride()});
}
template <typename Derived>
auto as_view(Eigen::MapBase<Derived, Eigen::WriteAccessors>& m) {
  using T = std::remove_pointer_t<decltype(m.data())>;
  return as_view(MatrixView<T>{m.data(), m.rows(), m.cols(), m.rowStride(), m.colStride()});
}

namespace detail {
template <typename T>
struct is_tensor_view : std::false_type {};
template <typename T>
struct is_tensor_view<TensorView<T>> : std::true_type {};

// R has data() -> pointer and size(), and is neither an Eigen object (strided, has its own
// overloads) nor a TensorView (which would otherwise match better when non-const).
template <typename R, typename = void>
struct is_contiguous_range : std::false_type {};
template <typename R>
struct is_contiguous_range<R, std::void_t<decltype(std::declval<R&>().data()), decltype(std::declval<R&>().size())>>
    : std::bool_constant<std::is_pointer<decltype(std::declval<R&>().data())>::value &&
                         !std::is_base_of<Eigen::EigenBase<std::remove_const_t<R>>, std::remove_const_t<R>>::value &&
                         !is_tensor_view<std::remove_const_t<R>>::value> {};
}  // namespace detail

// A contiguous span (std::vector, std::array, std::span in C++20, ...): a rank-1 tensor.
template <typename R, typename = std::enable_if_t<detail::is_contiguous_range<R>::value>>
auto as_view(R& r) {
  using T = std::remove_pointer_t<decltype(r.data())>;
  const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(r.size());
  return TensorView<T>(r.data(), &n, 1);
}

namespace detail {

template <typename T>
struct is_nibble_span : std::false_type {};
template <typename B>
struct is_nibble_span<NibbleSpan<B>> : std::true_type {};

template <typename V>
struct view_element;
template <typename T>
struct view_element<TensorView<T>> {
  using type = T;
};

// A walk over a logical shape in C order, carrying element offsets of up to three
// operands with their own strides (a NibbleSpan walks with C-contiguous strides).
struct Walk {
  int rank = 0;
  std::array<std::ptrdiff_t, kMaxRank> shape{};
  std::array<std::array<std::ptrdiff_t, kMaxRank>, 3> strides{};

  std::ptrdiff_t size() const {
    std::ptrdiff_t n = 1;
    for (int d = 0; d < rank; ++d) n *= shape[d];
    return n;
  }
  // f(idx, linear, off0, off1, off2) for every element.
  template <typename F>
  void run(F&& f) const {
    std::array<std::ptrdiff_t, kMaxRank> idx{};
    std::array<std::ptrdiff_t, 3> off{};
    const std::ptrdiff_t n = size();
    for (std::ptrdiff_t linear = 0; linear < n; ++linear) {
      f(idx.data(), linear, off[0], off[1], off[2]);
      for (int d = rank - 1; d >= 0; --d) {
        for (int k = 0; k < 3; ++k) off[k] += strides[k][d];
        if (++idx[d] < shape[d]) break;
        for (int k = 0; k < 3; ++k) off[k] -= strides[k][d] * shape[d];
        idx[d] = 0;
      }
    }
  }
};

inline void contiguous_strides(const std::ptrdiff_t* shape, int rank, std::ptrdiff_t* strides) {
  std::ptrdiff_t s = 1;
  for (int d = rank - 1; d >= 0; --d) {
    strides[d] = s;
    s *= shape[d];
  }
}

}  // namespace detail
}  // namespace lowp
