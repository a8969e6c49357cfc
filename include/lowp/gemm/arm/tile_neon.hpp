// lowp/gemm/arm/tile_neon.hpp: the 8x8 int32 accumulator tile shared by the
// AArch64 micro-kernels, and the lane tricks their inner loops use.
//
// Every micro-kernel computes raw[r][j] = sum_k a'[r][k] * b'[k][j] over the
// packed codes a', b' in 16 q-registers (row r, columns 4h..4h+3 in v[r][h]).
// Unsigned kernels (UDOT, UMMLA) accumulate in uint32 lanes: all arithmetic is
// mod 2^32 and the driver's zero-point terms are too, so the final value, which
// fits in int32, is exact whatever intermediate sums wrap.
#pragma once

#if !defined(__aarch64__)
#error "lowp/gemm/arm/*: AArch64 only"
#endif

#include <arm_neon.h>

#include <cstdint>
#include <utility>

namespace lowp {
namespace arm {

struct Tile8x8 {
  int32x4_t v[8][2];

  static Tile8x8 zero() {
    Tile8x8 t;
    for (auto& row : t.v) row[0] = row[1] = vdupq_n_s32(0);
    return t;
  }
  void store(std::int32_t* dst, std::ptrdiff_t row_stride) const {
    for (int r = 0; r < 8; ++r) {
      vst1q_s32(dst + r * row_stride, v[r][0]);
      vst1q_s32(dst + r * row_stride + 4, v[r][1]);
    }
  }
};

// Calls f(std::integral_constant<int, 0>) ... f(std::integral_constant<int, N-1>):
// lane-indexed intrinsics need their lane as a compile-time constant.
template <typename F, int... I>
inline void for_each_lane_impl(F& f, std::integer_sequence<int, I...>) {
  (f(std::integral_constant<int, I>{}), ...);
}
template <int N, typename F>
inline void for_each_lane(F&& f) {
  for_each_lane_impl(f, std::make_integer_sequence<int, N>{});
}

}  // namespace arm
}  // namespace lowp
