// lowp/gemm/scalar/kernel_scalar_4x8.hpp: the portable backend, a 4 x 8 tile in plain C++.
//
// It uses the same packed codes as the x86 VNNI backend (activations as uint8,
// weights as int8, shifted by 128 where the input type differs), so the +128 shift
// algebra of the driver is exercised on every platform, and it is the fallback
// wherever no SIMD backend is enabled.
#pragma once

#include <cstdint>
#include <type_traits>

#include "lowp/gemm/backend.hpp"
#include "lowp/gemm/epilogue_scalar.hpp"

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
namespace backend {

struct Scalar : UnsignedBySignedCodes {
  static constexpr bool enabled = true;
  static constexpr const char* name = "scalar";
  static constexpr const char* required_flags = "(none)";
  static constexpr int mr = 4;
  static constexpr int nr = 8;
  static constexpr int kgroup = 4;
  static constexpr int max_panels = 1;
  static constexpr bool direct_a = true;
  static constexpr int panels(int /*rows*/) { return 1; }

  template <typename Policy, typename TC, int Rows, int Panels>
  static void kernel(const TileArgs<a_type, b_type, TC>& t) {
    static_assert(Rows >= 1 && Rows <= mr && Panels == 1, "scalar kernel: bad tile");
    std::uint32_t acc[Rows][nr] = {};
    for (std::ptrdiff_t g = 0; g < t.kgroups; ++g) {
      const a_type* a = t.a + g * t.a_group_stride;
      const b_type* b = t.b + g * nr * kgroup;
      for (int r = 0; r < Rows; ++r)
        for (int j = 0; j < nr; ++j)
          for (int kk = 0; kk < kgroup; ++kk)
            acc[r][j] += static_cast<std::uint32_t>(a[r * t.a_row_stride + kk] * b[j * kgroup + kk]);
    }
    for (int r = 0; r < Rows; ++r) {
      for (int j = 0; j < t.cols; ++j) {
        std::int32_t v = gemm_detail::wrap_add(static_cast<std::int32_t>(acc[r][j]), t.col.offset[j]);
        if (t.col.zb) v = gemm_detail::wrap_sub(v, gemm_detail::wrap_mul(t.col.zb[j], t.row_sums[r]));
        t.c[r * t.c_row_stride + j * t.c_col_stride] =
            gemm_detail::output_scalar<Policy, TC>(v, t.col, j, t.zc, t.lo, t.hi);
      }
    }
  }
};

}  // namespace backend
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
