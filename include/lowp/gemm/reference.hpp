// lowp/gemm/reference.hpp: THE reference quantized GEMM.
//
//   C[m, n] = out( sum_k (A[m, k] - za) * (B[k, n] - zb[n]) + bias[n] )
//
// Implemented twice:
//  - reference_gemm: a direct transcription of the definition in params.hpp,
//    the sum formed in int64. Slow on purpose: it is the oracle every backend is
//    differentially tested against, so it must be obviously right.
//  - reference_gemm_by_sums: the same result through the row/column-sum
//    decomposition of zero_point_correction.hpp in wrapping 32-bit arithmetic,
//    exactly as a SIMD kernel computes it. Tests prove the two agree.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <type_traits>
#include <vector>

#include "lowp/core/error.hpp"
#include "lowp/core/matrix_view.hpp"
#include "lowp/gemm/output_stage.hpp"
#include "lowp/gemm/params.hpp"
#include "lowp/gemm/zero_point_correction.hpp"

namespace lowp {

template <typename T>
struct is_gemm_input : std::bool_constant<std::is_same<T, std::int8_t>::value ||
                                          std::is_same<T, std::uint8_t>::value> {};

// Largest |x - z| over all codes x of type T.
template <typename T>
constexpr std::int64_t max_abs_centered(std::int32_t z) {
  const std::int64_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  return std::max(std::llabs(lo - z), std::llabs(hi - z));
}

// The largest K for which K terms of magnitude <= term plus a bias of magnitude
// <= max_abs_bias stay within int32.
constexpr std::int64_t gemm_max_k_for_term(std::int64_t term, std::int64_t max_abs_bias) {
  const std::int64_t room = std::numeric_limits<std::int32_t>::max() - max_abs_bias;
  if (room < 0) return 0;
  return term == 0 ? std::numeric_limits<std::int64_t>::max() : room / term;
}

// The largest K for which every partial sum of (a - za)(b - zb) terms, plus any
// int32 bias of magnitude <= max_abs_bias, fits in int32, for the given zero
// points (the worst case over all operand values, e.g. 255 * 128 per term for
// uint8 activations with za = 0 and int8 weights with zb = 0: K <= 65793).
template <typename TA, typename TB>
std::int64_t gemm_max_k(std::int32_t za, const ChannelValues<std::int32_t>& zb, std::size_t n,
                        std::int64_t max_abs_bias = 0) {
  std::int64_t worst_b = 0;
  for (std::size_t j = 0; j < (zb.per_channel() ? n : 1); ++j)
    worst_b = std::max(worst_b, max_abs_centered<TB>(zb[j]));
  return gemm_max_k_for_term(max_abs_centered<TA>(za) * worst_b, max_abs_bias);
}

// True iff every v[j] is finite (one pass, no early exit, so that it vectorizes).
inline bool all_finite(const float* v, std::size_t n) {
  int bad = 0;
  for (std::size_t j = 0; j < n; ++j) bad |= !(std::fabs(v[j]) <= std::numeric_limits<float>::max());
  return bad == 0;
}

// The checks of one call's activation zero point and output stage for N output columns,
// shared by check_gemm_arguments, the packed path's column stage (column_stage.hpp) and the
// convolutions; `op` names the caller in the messages.
template <typename TA>
void check_output_stage(std::int32_t za, const OutputStage& out, std::size_t n, const char* op = "gemm") {
  LOWP_CHECK(out.clamp_min <= out.clamp_max, op, ": clamp_min ", out.clamp_min, " > clamp_max ",
             out.clamp_max);
  out.multiplier.check_channels(n, op, ": multiplier");
  out.shift.check_channels(n, op, ": shift");
  out.real.check_channels(n, op, ": real multiplier");
  // FloatRounding would convert NaN (NaN * acc, Inf * 0) to an integer: undefined behaviour.
  LOWP_CHECK(out.real.per_channel() ? all_finite(out.real.data(), n) : std::isfinite(out.real[0]), op,
             ": real multiplier is not finite (NaN or infinity; a zero or denormal scale upstream?)");
  LOWP_CHECK(za >= std::numeric_limits<TA>::min() && za <= std::numeric_limits<TA>::max(),
             op, ": activation zero point ", za, " outside the range of the activation type");
}

// K against gemm_max_k's bound, and the smallest and largest requantization shift.
inline void check_depth(std::int64_t k, std::int64_t max_k) {
  LOWP_CHECK(k <= max_k, "gemm: K = ", k, " exceeds ", max_k,
             ", the largest depth whose worst-case int32 accumulator cannot overflow for these zero points"
             " and bias; split the reduction");
}
inline void check_shift_range(std::int32_t lowest, std::int32_t highest, const char* op = "gemm") {
  LOWP_CHECK(lowest >= -31 && highest <= 30, op, ": shift ", lowest < -31 ? lowest : highest,
             " outside [-31, 30]");
}

// check_output_stage plus the value of every shift: all that apply_output_stage needs of its
// arguments, for the scalar epilogues (reference_gemm, the convolutions).
template <typename TA>
void check_scalar_output_stage(std::int32_t za, const OutputStage& out, std::size_t n, const char* op = "gemm") {
  check_output_stage<TA>(za, out, n, op);
  for (std::size_t j = 0; j < out.shift.size(); ++j) check_shift_range(out.shift[j], out.shift[j], op);
}

// C's strides must give every element its own address (MatrixView::has_distinct_elements).
template <typename TC>
void check_output_view(const MatrixView<TC>& c, const char* op = "gemm") {
  LOWP_CHECK(c.has_distinct_elements(), op, ": the ", c.rows, "x", c.cols, " output view with strides (",
             c.row_stride, ", ", c.col_stride, ") writes some elements twice (leading dimension too small?)");
}

// Validates shapes, zero points and the accumulator bound shared by every GEMM entry point.
template <typename TA, typename TB, typename TC>
void check_gemm_arguments(const MatrixView<const TA>& a, const MatrixView<const TB>& b,
                          const MatrixView<TC>& c, const GemmZeroPoints& zp, const OutputStage& out) {
  static_assert(is_gemm_input<TA>::value, "GEMM activations (A) must be int8 or uint8");
  static_assert(is_gemm_input<TB>::value, "GEMM weights (B) must be int8 or uint8");
  static_assert(is_gemm_output<TC>::value, "GEMM output must be int8, uint8, int16, int32 or float");
  LOWP_CHECK(a.rows >= 0 && a.cols >= 0 && b.cols >= 0, "gemm: negative dimension");
  LOWP_CHECK(a.cols == b.rows, "gemm: A is ", a.rows, "x", a.cols, " but B is ", b.rows, "x", b.cols,
             " (inner dimensions differ)");
  LOWP_CHECK(c.rows == a.rows && c.cols == b.cols, "gemm: C is ", c.rows, "x", c.cols, ", expected ",
             a.rows, "x", b.cols);
  check_output_view(c);
  const auto n = static_cast<std::size_t>(b.cols);
  check_scalar_output_stage<TA>(zp.a, out, n);
  zp.b.check_channels(n, "gemm: weight zero point");
  for (std::size_t j = 0; j < zp.b.size(); ++j)
    LOWP_CHECK(zp.b[j] >= std::numeric_limits<TB>::min() && zp.b[j] <= std::numeric_limits<TB>::max(),
               "gemm: weight zero point ", zp.b[j], " outside the range of the weight type");
  std::int64_t max_bias = 0;
  if (out.bias)
    for (std::size_t j = 0; j < n; ++j) max_bias = std::max<std::int64_t>(max_bias, std::llabs(out.bias[j]));
  const std::int64_t max_k = gemm_max_k<TA, TB>(zp.a, zp.b, n, max_bias);
  check_depth(a.cols, max_k);
}

// A and B may be views of const or mutable elements.
template <typename Policy, typename TA, typename TB, typename TC>
void reference_gemm(MatrixView<TA> a_view, MatrixView<TB> b_view, MatrixView<TC> c,
                    const GemmZeroPoints& zp, const OutputStage& out) {
  const MatrixView<const std::remove_const_t<TA>> a = a_view;
  const MatrixView<const std::remove_const_t<TB>> b = b_view;
  check_gemm_arguments(a, b, c, zp, out);
  for (std::ptrdiff_t i = 0; i < a.rows; ++i) {
    for (std::ptrdiff_t j = 0; j < b.cols; ++j) {
      std::int64_t acc = out.bias ? out.bias[j] : 0;
      const std::int64_t zb = zp.b[static_cast<std::size_t>(j)];
      for (std::ptrdiff_t k = 0; k < a.cols; ++k)
        acc += (static_cast<std::int64_t>(a(i, k)) - zp.a) * (static_cast<std::int64_t>(b(k, j)) - zb);
      c(i, j) = apply_output_stage<Policy, TC>(static_cast<std::int32_t>(acc), static_cast<std::size_t>(j), out);
    }
  }
}

// The same GEMM through the zero-point decomposition, every operation modulo
// 2^32 (zero_point_correction.hpp): dot - zb[n] rowsum[m] + column_offset[n].
template <typename Policy, typename TA, typename TB, typename TC>
void reference_gemm_by_sums(MatrixView<TA> a_view, MatrixView<TB> b_view, MatrixView<TC> c,
                            const GemmZeroPoints& zp, const OutputStage& out) {
  const MatrixView<const std::remove_const_t<TA>> a = a_view;
  const MatrixView<const std::remove_const_t<TB>> b = b_view;
  check_gemm_arguments(a, b, c, zp, out);
  std::vector<std::int32_t> rowsum(static_cast<std::size_t>(a.rows)), offset(static_cast<std::size_t>(b.cols));
  row_sums(a, rowsum.data());
  column_sums(b, offset.data());
  for (std::size_t j = 0; j < offset.size(); ++j)
    offset[j] = column_offset(out.bias ? out.bias[j] : 0, offset[j], zp.a, zp.b[j], a.cols);
  for (std::ptrdiff_t i = 0; i < a.rows; ++i) {
    for (std::ptrdiff_t j = 0; j < b.cols; ++j) {
      const auto n = static_cast<std::size_t>(j);
      const std::int32_t acc = corrected_accumulator(raw_dot(a, b, i, j), rowsum[static_cast<std::size_t>(i)],
                                                     zp.b[n], offset[n]);
      c(i, j) = apply_output_stage<Policy, TC>(acc, n, out);
    }
  }
}

}  // namespace lowp
