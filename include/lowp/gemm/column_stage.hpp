// lowp/gemm/column_stage.hpp: the per-column half of the output stage, validated and
// expanded for the micro-kernels, per call or once (PreparedOutputStage).
//
// For packed weights B (K x N) and an activation zero point za, the kernels read, per
// output column n (arrays padded to the packed width, see backend.hpp's ColumnParams):
//
//   offset[n] = bias[n] + za' (K zb'[n] - colsum'[n])     (mod 2^32, driver.hpp)
//   multiplier[n], shift[n], left/right shifts, real[n]  (per-tensor values expanded)
//
// Forming them is O(N) work that depends only on (B, za, OutputStage), never on A. The
// validation of the same inputs (shift range, the bias term of the int32 bound on K) is
// folded into that one pass, so a call scans N once. An inference engine that calls the
// same layer again and again can go further and prepare the stage once:
//
//   const auto stage = lowp::prepare_output_stage<lowp::FloatRounding, std::uint8_t>(w, za, out);
//   lowp::gemm(A, w, C, stage, &ctx);   // per call: O(1) checks, no O(N) pass
//
// The stage copies every per-column value it needs (`out` and its arrays may go away) and
// remembers which PackedWeights it was made for: using it with any other weights (or with
// weights moved or re-packed since) throws lowp::error.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "lowp/core/channel_values.hpp"
#include "lowp/core/error.hpp"
#include "lowp/gemm/aligned_buffer.hpp"
#include "lowp/gemm/backend.hpp"
#include "lowp/gemm/packed_weights.hpp"
#include "lowp/gemm/params.hpp"
#include "lowp/gemm/reference.hpp"

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
namespace gemm_detail {

// What the driver hands to every kernel call besides A, B and C.
struct ColumnStage {
  ColumnParams col;
  std::int32_t output_zero_point, clamp_min, clamp_max;
};

// The value that fills the padding columns [N, padded width): never stored, any valid value.
template <typename T>
T padding_value(const ChannelValues<T>& values) {
  return values.size() == 0 ? T{} : values[0];
}

// (min, max) of v[0 .. n), n >= 1. Written so that GCC 12 vectorizes it: one reduction per
// loop, and a ternary on values (it does not vectorize std::min's reference form).
inline std::pair<std::int32_t, std::int32_t> min_max(const std::int32_t* v, std::ptrdiff_t n) {
  std::int32_t lo = v[0], hi = v[0];
  for (std::ptrdiff_t j = 0; j < n; ++j) lo = v[j] < lo ? v[j] : lo;
  for (std::ptrdiff_t j = 0; j < n; ++j) hi = v[j] > hi ? v[j] : hi;
  return {lo, hi};
}

// The exponents each integer policy's kernel applies: GemmlowpRounding shifts left by
// max(shift, 0) before and right by max(-shift, 0) after the doubling high multiply;
// SingleRounding shifts the 64-bit product right by 31 - shift.
template <bool SingleRoundingPolicy>
void split_shifts(const std::int32_t* __restrict shift, std::int32_t* __restrict left, std::int32_t* __restrict right,
                  std::ptrdiff_t n) {
  for (std::ptrdiff_t j = 0; j < n; ++j) {
    left[j] = std::max(shift[j], 0);
    right[j] = SingleRoundingPolicy ? 31 - shift[j] : std::max(-shift[j], 0);
  }
}

// Validates (za, out) against packed weights b and writes the kernel's per-column arrays
// into buf, before any output is written. Throws lowp::error on: per-channel arrays of the
// wrong length, clamp_min > clamp_max, za outside TA, a real multiplier that is not finite,
// a shift outside [-31, 30], or K beyond the int32 bound for these zero points and this bias
// (gemm_max_k). The zero points of b were checked when b was packed.
template <typename Policy, typename TA, typename Backend, typename TB>
ColumnStage prepare_column_stage(const PackedWeights<Backend, TB>& b, std::int32_t za, const OutputStage& out,
                                 AlignedBuffer& buf) {
  static_assert(is_gemm_input<TA>::value, "GEMM activations (A) must be int8 or uint8");
  static_assert(is_requantization_policy_v<Policy>,
                "the requantization Policy must be lowp::GemmlowpRounding, lowp::SingleRounding or lowp::FloatRounding");
  const std::ptrdiff_t np = b.padded_cols(), n = b.cols();
  check_output_stage<TA>(za, out, static_cast<std::size_t>(n));

  buf.reserve(static_cast<std::size_t>(np) * 6 * sizeof(std::int32_t));
  std::int32_t* offset = buf.as<std::int32_t>();
  std::int32_t* mult = offset + np;
  std::int32_t* shift = mult + np;
  std::int32_t* left = shift + np;
  std::int32_t* right = left + np;
  float* real = reinterpret_cast<float*>(right + np);

  // offset, and max |bias| for the K bound. Wrapping arithmetic in uint32 (mod 2^32, see
  // driver.hpp); zb' and colsum' are 0 in the padding. Every loop below is a plain
  // streaming loop over L1-resident arrays, which the compiler vectorizes: the column
  // stage is the GEMV's only O(N) overhead besides the weights themselves.
  const auto za_shifted = static_cast<std::uint32_t>(za + Backend::template a_shift<TA>);
  const auto k = static_cast<std::uint32_t>(b.rows());
  const std::int32_t* colsum = b.column_sums();
  const std::int32_t* zb = b.shifted_zero_points();
  auto* offset_u = reinterpret_cast<std::uint32_t*>(offset);
  for (std::ptrdiff_t j = 0; j < np; ++j)
    offset_u[j] = za_shifted * (k * static_cast<std::uint32_t>(zb[j]) - static_cast<std::uint32_t>(colsum[j]));
  std::int64_t max_abs_bias = 0;
  if (out.bias) {
    for (std::ptrdiff_t j = 0; j < n; ++j) offset_u[j] += static_cast<std::uint32_t>(out.bias[j]);
    if (n > 0) {
      const std::pair<std::int32_t, std::int32_t> bias_range = min_max(out.bias, n);
      max_abs_bias = std::max(-static_cast<std::int64_t>(bias_range.first), static_cast<std::int64_t>(bias_range.second));
    }
  }
  const std::int64_t max_k =
      gemm_max_k_for_term(max_abs_centered<TA>(za) * b.max_abs_centered_weight(), max_abs_bias);
  check_depth(b.rows(), max_k);

  auto expand = [&](auto values, auto* dst) {
    if (values.per_channel()) {
      std::copy(values.data(), values.data() + n, dst);
      std::fill(dst + n, dst + np, padding_value(values));
    } else {
      std::fill(dst, dst + np, values[0]);
    }
  };
  // Shifts: range check, then the per-policy split into left and right shifts.
  expand(out.shift, shift);
  const std::pair<std::int32_t, std::int32_t> shift_range = min_max(shift, np);
  check_shift_range(shift_range.first, shift_range.second);
  split_shifts<std::is_same<Policy, SingleRounding>::value>(shift, left, right, np);
  expand(out.multiplier, mult);
  expand(out.real, real);
  return ColumnStage{
      ColumnParams{offset, b.all_shifted_zero_points_zero() ? nullptr : zb, mult, shift, left, right, real},
      out.output_zero_point, out.clamp_min, out.clamp_max};
}

}  // namespace gemm_detail

// The column stage of one (PackedWeights, activation type TA, za, OutputStage, Policy),
// prepared once for repeated GEMM calls (see the top of this file). Owns its arrays.
template <typename Policy, typename TA, typename Backend, typename TB>
class PreparedOutputStage {
 public:
  using policy_type = Policy;
  using activation_type = TA;

  PreparedOutputStage(const PackedWeights<Backend, TB>& w, std::int32_t za, const OutputStage& out)
      : weights_(&w),
        weights_id_(w.packing_id()),
        weights_data_(w.panel(0)),
        stage_(gemm_detail::prepare_column_stage<Policy, TA>(w, za, out, buffer_)) {}

  // The arrays live in buffer_: a copy would point into the original's.
  PreparedOutputStage(const PreparedOutputStage&) = delete;
  PreparedOutputStage& operator=(const PreparedOutputStage&) = delete;
  PreparedOutputStage(PreparedOutputStage&&) = default;  // moves the buffer, pointers stay valid
  PreparedOutputStage& operator=(PreparedOutputStage&&) = default;

  // Throws unless w is the very PackedWeights this stage was prepared from: the same object,
  // still holding the same packing (its packing_id; the buffer address alone could be reused).
  void check_weights(const PackedWeights<Backend, TB>& w) const {
    LOWP_CHECK(&w == weights_ && w.packing_id() == weights_id_ && w.panel(0) == weights_data_,
               "gemm: this PreparedOutputStage was prepared for other packed weights (or they were moved or"
               " re-packed since)");
  }
  const gemm_detail::ColumnStage& stage() const { return stage_; }

 private:
  const PackedWeights<Backend, TB>* weights_;
  std::uint64_t weights_id_;
  const typename Backend::b_type* weights_data_;
  gemm_detail::AlignedBuffer buffer_;  // declared before stage_: filled by its initializer
  gemm_detail::ColumnStage stage_;
};

// Prepares the column stage of w for activations of type TA with zero point za, policy
// Policy and output stage out (validated here: lowp::error on bad input).
template <typename Policy, typename TA, typename Backend, typename TB>
PreparedOutputStage<Policy, TA, Backend, TB> prepare_output_stage(const PackedWeights<Backend, TB>& w,
                                                                  std::int32_t za, const OutputStage& out) {
  return PreparedOutputStage<Policy, TA, Backend, TB>(w, za, out);
}

}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
