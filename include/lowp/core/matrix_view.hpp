// lowp/core/matrix_view.hpp: a non-owning 2-d strided view, the currency of the GEMM.
//
// Element (r, c) lives at data[r * row_stride + c * col_stride] (strides in elements).
// Row-major with leading dimension ld: row_stride = ld, col_stride = 1.
// Column-major with leading dimension ld: row_stride = 1, col_stride = ld.
// Eigen matrices and maps convert through lowp::view(...) without copying.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <Eigen/Core>

#include "lowp/core/error.hpp"

namespace lowp {

template <typename T>
struct MatrixView {
  T* data = nullptr;
  std::ptrdiff_t rows = 0;
  std::ptrdiff_t cols = 0;
  std::ptrdiff_t row_stride = 0;
  std::ptrdiff_t col_stride = 1;

  constexpr T& operator()(std::ptrdiff_t r, std::ptrdiff_t c) const {
    return data[r * row_stride + c * col_stride];
  }
  constexpr bool is_row_major_contiguous() const { return col_stride == 1; }
  // True when no two elements share an address, by BLAS's leading-dimension rule: the smaller
  // |stride| is >= 1 and the larger spans a whole line of it (ld >= cols for row-major). An
  // output must satisfy it, or which of two writes to one element survives would depend on the
  // backend's order of work. (Views that interleave otherwise are refused too; inputs may alias.)
  constexpr bool has_distinct_elements() const {
    const std::ptrdiff_t rs = row_stride < 0 ? -row_stride : row_stride;
    const std::ptrdiff_t cs = col_stride < 0 ? -col_stride : col_stride;
    if (rows <= 0 || cols <= 0 || (rows == 1 && cols == 1)) return true;
    if (rows == 1) return cs >= 1;
    if (cols == 1) return rs >= 1;
    return cs <= rs ? cs >= 1 && rs >= cs * cols : rs >= 1 && cs >= rs * rows;
  }
  constexpr bool is_col_major_contiguous() const { return row_stride == 1; }
  // A view of the same elements with rows and columns swapped (no copy).
  constexpr MatrixView transposed() const { return {data, cols, rows, col_stride, row_stride}; }
  constexpr MatrixView block(std::ptrdiff_t r0, std::ptrdiff_t c0, std::ptrdiff_t nr,
                             std::ptrdiff_t nc) const {
    return {data + r0 * row_stride + c0 * col_stride, nr, nc, row_stride, col_stride};
  }
  // Implicit conversion T -> const T, as for pointers.
  template <typename U = T, typename = std::enable_if_t<!std::is_const<U>::value>>
  constexpr operator MatrixView<const U>() const {
    return {data, rows, cols, row_stride, col_stride};
  }
};

template <typename T>
constexpr MatrixView<T> row_major(T* data, std::ptrdiff_t rows, std::ptrdiff_t cols,
                                  std::ptrdiff_t ld = -1) {
  return {data, rows, cols, ld < 0 ? cols : ld, 1};
}
template <typename T>
constexpr MatrixView<T> col_major(T* data, std::ptrdiff_t rows, std::ptrdiff_t cols,
                                  std::ptrdiff_t ld = -1) {
  return {data, rows, cols, 1, ld < 0 ? rows : ld};
}

// Views of Eigen dense objects (Matrix, Map, Ref, Block): strides are taken
// from Eigen, so blocks and maps with outer strides work without copies.
template <typename Derived>
auto view(Eigen::PlainObjectBase<Derived>& m) {
  using T = typename Derived::Scalar;
  return MatrixView<T>{m.data(), m.rows(), m.cols(), m.rowStride(), m.colStride()};
}
template <typename Derived>
auto view(const Eigen::PlainObjectBase<Derived>& m) {
  using T = const typename Derived::Scalar;
  return MatrixView<T>{m.data(), m.rows(), m.cols(), m.rowStride(), m.colStride()};
}
// A temporary matrix dies at the end of the statement, and a view of it with it: refused.
template <typename Derived>
MatrixView<const typename Derived::Scalar> view(const Eigen::PlainObjectBase<Derived>&&) {
  static_assert(sizeof(Derived) == 0,
                "lowp::view: the matrix is a temporary, so the view would dangle once the statement ends; "
                "name the matrix first");
  return {};
}
// Maps and Refs are taken by value (they are pointer-sized handles), so a
// writable Map<MatrixXi> gives a writable view even when passed as a temporary,
// and a Map<const MatrixXi> gives a read-only one.
template <typename PlainType, int Options, typename StrideType>
auto view(Eigen::Map<PlainType, Options, StrideType> m) {
  using T = std::remove_pointer_t<decltype(m.data())>;
  return MatrixView<T>{m.data(), m.rows(), m.cols(), m.rowStride(), m.colStride()};
}
template <typename PlainType, int Options, typename StrideType>
auto view(Eigen::Ref<PlainType, Options, StrideType> m) {
  using T = std::remove_pointer_t<decltype(m.data())>;
  return MatrixView<T>{m.data(), m.rows(), m.cols(), m.rowStride(), m.colStride()};
}

}  // namespace lowp
