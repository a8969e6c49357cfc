// lowp/gemm/packed_weights.hpp: weights (B, K x N) packed once into a backend's layout.
//
// Layout (backend constants nr, kgroup; b' = b + b_shift, the backend's code):
//
//   panel p = columns [p*nr, (p+1)*nr), stored one after another, each K' x nr codes
//   (K' = K rounded up to kgroup):
//
//     panel p:  [ k-group 0: col 0: k0 k1 k2 k3 | col 1: k0 k1 k2 k3 | ... col nr-1 ]
//               [ k-group 1: col 0: k4 k5 k6 k7 | ...                                ]
//               ...
//
//   so one k-group of a panel is exactly the nr*kgroup codes a VPDPBUSD (kgroup 4)
//   or VPMADDWD (kgroup 2) vector row multiplies. Padding (k >= K, n >= N) is code 0,
//   which adds nothing to any dot product or column sum. N is padded to a multiple of
//   nr * max_panels so a multi-panel (GEMV) kernel never reads past the buffer.
//
// Alongside: colsum'[n] = sum_k b'[k][n] and zb'[n] = zb[n] + b_shift, the column
// terms of the zero-point correction (see driver.hpp).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "lowp/core/channel_values.hpp"
#include "lowp/core/error.hpp"
#include "lowp/core/matrix_view.hpp"
#include "lowp/gemm/aligned_buffer.hpp"
#include "lowp/gemm/backend.hpp"
#include "lowp/gemm/reference.hpp"

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {

template <typename Backend, typename TB>
class PackedWeights {
  static_assert(Backend::enabled, "lowp::PackedWeights: this backend is not enabled by the compiler flags");
  static_assert(is_gemm_input<TB>::value, "lowp::PackedWeights: weights (B) must be int8 or uint8");

 public:
  using backend_type = Backend;
  using weight_type = TB;
  using code_type = typename Backend::b_type;

  PackedWeights() = default;

  // b: K x N weights, any strides. zb: per-tensor or per-column (N values) zero points.
  template <typename T>
  PackedWeights(MatrixView<T> b_view, ChannelValues<std::int32_t> zb) {
    const MatrixView<const TB> b = b_view;
    LOWP_CHECK(b.rows >= 0 && b.cols >= 0, "PackedWeights: negative dimension");
    zb.check_channels(static_cast<std::size_t>(b.cols), "PackedWeights: weight zero point");
    for (std::size_t j = 0; j < zb.size(); ++j) {
      LOWP_CHECK(zb[j] >= std::numeric_limits<TB>::min() && zb[j] <= std::numeric_limits<TB>::max(),
                 "PackedWeights: weight zero point ", zb[j], " outside the range of the weight type");
      max_abs_centered_ = std::max(max_abs_centered_, max_abs_centered<TB>(zb[j]));
    }
    // No activation zero point brings |a - za| below 128 (int8 or uint8 A), so deeper weights
    // could never be multiplied; refusing them here also keeps the int32 column sums exact.
    const std::int64_t deepest = gemm_max_k_for_term(128 * max_abs_centered_, 0);
    LOWP_CHECK(b.rows <= deepest, "PackedWeights: K = ", b.rows, " exceeds ", deepest,
               ", the int32-safe depth for any activation zero point with these weights; split the reduction");
    id_ = next_packing_id();
    k_ = b.rows;
    n_ = b.cols;
    kgroups_ = (k_ + kg - 1) / kg;
    const std::ptrdiff_t width = nr * Backend::max_panels;
    n_padded_ = std::max<std::ptrdiff_t>(width, (n_ + width - 1) / width * width);
    panel_stride_ = kgroups_ * kg * nr;
    const std::ptrdiff_t panels = n_padded_ / nr;
    buffer_.reserve(static_cast<std::size_t>(panels * panel_stride_) * sizeof(code_type));
    code_type* dst = buffer_.template as<code_type>();
    std::fill(dst, dst + panels * panel_stride_, code_type{0});
    colsum_.assign(static_cast<std::size_t>(n_padded_), 0);
    zb_.assign(static_cast<std::size_t>(n_padded_), 0);
    zb_raw_.resize(zb.size());
    for (std::size_t j = 0; j < zb.size(); ++j) zb_raw_[j] = zb[j];
    zb_per_channel_ = zb.per_channel();
    constexpr int shift = Backend::template b_shift<TB>;
    for (std::ptrdiff_t n = 0; n < n_; ++n) {
      code_type* panel = dst + (n / nr) * panel_stride_ + (n % nr) * kg;
      std::int32_t sum = 0;
      for (std::ptrdiff_t k = 0; k < k_; ++k) {
        const auto code = static_cast<code_type>(static_cast<int>(b(k, n)) + shift);
        panel[(k / kg) * nr * kg + k % kg] = code;
        sum += code;  // |sum| <= K * 255 < 2^31: K <= deepest above
      }
      colsum_[static_cast<std::size_t>(n)] = sum;
      zb_[static_cast<std::size_t>(n)] = zb[static_cast<std::size_t>(n)] + shift;
      all_zb_zero_ = all_zb_zero_ && zb_[static_cast<std::size_t>(n)] == 0;
    }
  }

  std::ptrdiff_t rows() const { return k_; }  // K
  std::ptrdiff_t cols() const { return n_; }  // N
  std::ptrdiff_t kgroups() const { return kgroups_; }
  std::ptrdiff_t padded_cols() const { return n_padded_; }
  std::ptrdiff_t panel_stride() const { return panel_stride_; }
  const code_type* panel(std::ptrdiff_t p) const { return buffer_.template as<const code_type>() + p * panel_stride_; }
  const std::int32_t* column_sums() const { return colsum_.data(); }  // colsum'[n], padded
  const std::int32_t* shifted_zero_points() const { return zb_.data(); }  // zb'[n], padded
  bool all_shifted_zero_points_zero() const { return all_zb_zero_; }
  // max over n and every code b of |b - zb[n]|: the weight factor of the K bound (gemm_max_k).
  std::int64_t max_abs_centered_weight() const { return max_abs_centered_; }
  // Which packing these are: unique per packing constructor call in the process, kept by
  // moves (PackedWeights is move-only), 0 for default-constructed weights. PreparedOutputStage
  // checks it, because a re-packed buffer may reuse the address of the one it replaced.
  std::uint64_t packing_id() const { return id_; }
  // The zero points as given (per tensor or per column).
  ChannelValues<std::int32_t> zero_points() const {
    return zb_per_channel_ ? ChannelValues<std::int32_t>(zb_raw_.data(), zb_raw_.size())
                           : ChannelValues<std::int32_t>(zb_raw_.empty() ? 0 : zb_raw_[0]);
  }

 private:
  static std::uint64_t next_packing_id() {
    static std::atomic<std::uint64_t> counter{0};
    return ++counter;
  }
  static constexpr int nr = Backend::nr;
  static constexpr int kg = Backend::kgroup;
  std::uint64_t id_ = 0;
  std::ptrdiff_t k_ = 0, n_ = 0, kgroups_ = 0, n_padded_ = 0, panel_stride_ = 0;
  gemm_detail::AlignedBuffer buffer_;
  std::vector<std::int32_t> colsum_, zb_, zb_raw_;
  std::int64_t max_abs_centered_ = 0;
  bool zb_per_channel_ = false;
  bool all_zb_zero_ = true;
};

}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
