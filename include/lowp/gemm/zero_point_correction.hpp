// lowp/gemm/zero_point_correction.hpp: the zero-point decomposition fast kernels use.
//
// Expanding the product of centred operands (K = depth):
//
//   sum_k (a[m,k] - za)(b[k,n] - zb[n])
//     = sum_k a[m,k] b[k,n]  -  zb[n] * rowsum_A[m]  -  za * colsum_B[n]  +  K za zb[n]
//
// so a kernel multiplies the raw 8-bit codes (the inner loop a SIMD dot product
// instruction can run), and corrects afterwards with one sum per row of A
// (computed with the packing of A) and one per column of B (computed once when
// the weights are packed). The two terms that do not depend on m fold into the
// bias at packing time:
//
//   column_offset[n] = bias[n] - za * colsum_B[n] + K za zb[n]
//   acc[m,n]         = dot[m,n] - zb[n] * rowsum_A[m] + column_offset[n]
//
// With per-tensor zb (or zb = 0) the row term is one value per row.
//
// Wrapping arithmetic. The raw dot product and the individual terms may exceed
// int32 even when the final accumulator fits (e.g. uint8 activations near 255
// with za = 128: the raw dot reaches K * 255 * 127 while the centred sum stays
// small). Every operation here is therefore done modulo 2^32 on uint32 (as the
// 32-bit lanes of a SIMD register do), which is exact whenever the true
// accumulator lies in int32 (gemm_max_k guarantees it): the identity above holds
// in Z, hence modulo 2^32, and the final uint32 -> int32 conversion recovers the
// value (two's complement conversion; defined since C++20, and by GCC/Clang/MSVC
// before). No signed overflow can occur.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lowp/core/matrix_view.hpp"

namespace lowp {
namespace wrapping {
// int32 operations modulo 2^32: what a SIMD lane computes, without signed-overflow UB.
constexpr std::int32_t to_int32(std::uint32_t x) { return static_cast<std::int32_t>(x); }
constexpr std::int32_t add(std::int32_t a, std::int32_t b) {
  return to_int32(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}
constexpr std::int32_t sub(std::int32_t a, std::int32_t b) {
  return to_int32(static_cast<std::uint32_t>(a) - static_cast<std::uint32_t>(b));
}
constexpr std::int32_t mul(std::int32_t a, std::int32_t b) {
  return to_int32(static_cast<std::uint32_t>(a) * static_cast<std::uint32_t>(b));
}
}  // namespace wrapping

// sums[m] = sum_k a(m, k) for every row m of A (M x K), modulo 2^32.
template <typename TA>
void row_sums(const MatrixView<const TA>& a, std::int32_t* sums) {
  for (std::ptrdiff_t m = 0; m < a.rows; ++m) {
    std::int32_t s = 0;
    for (std::ptrdiff_t k = 0; k < a.cols; ++k) s = wrapping::add(s, a(m, k));
    sums[m] = s;
  }
}

// sums[n] = sum_k b(k, n) for every column n of B (K x N), modulo 2^32.
template <typename TB>
void column_sums(const MatrixView<const TB>& b, std::int32_t* sums) {
  row_sums(b.transposed(), sums);
}

// The per-column constant folded into the bias at weight-packing time:
// bias - za * colsum + K * za * zb, modulo 2^32.
constexpr std::int32_t column_offset(std::int32_t bias, std::int32_t colsum, std::int32_t za,
                                     std::int32_t zb, std::int64_t depth) {
  const auto k = static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(depth)));
  return wrapping::add(wrapping::sub(bias, wrapping::mul(za, colsum)), wrapping::mul(wrapping::mul(k, za), zb));
}

// The accumulator from the raw dot product sum_k a b (itself accumulated modulo
// 2^32): dot - zb * rowsum + column_offset, modulo 2^32. Exact when the true
// accumulator fits in int32.
constexpr std::int32_t corrected_accumulator(std::int32_t dot, std::int32_t rowsum, std::int32_t zb,
                                             std::int32_t col_offset) {
  return wrapping::add(wrapping::sub(dot, wrapping::mul(zb, rowsum)), col_offset);
}

// The raw dot product sum_k a(m, k) b(k, n) of the uncentred codes, modulo 2^32.
template <typename TA, typename TB>
std::int32_t raw_dot(const MatrixView<const TA>& a, const MatrixView<const TB>& b, std::ptrdiff_t m,
                     std::ptrdiff_t n) {
  std::int32_t s = 0;
  for (std::ptrdiff_t k = 0; k < a.cols; ++k)
    s = wrapping::add(s, static_cast<std::int32_t>(a(m, k)) * static_cast<std::int32_t>(b(k, n)));
  return s;
}

}  // namespace lowp
