// lowp/gemm/arm/tile_neon.hpp: the 8x8 int32 accumulator tile shared by the
// AArch64 micro-kernels and its fused epilogue.
//
// Every micro-kernel computes raw[r][j] = sum_k a'[r][k] * b'[k][j] over the
// packed codes a', b' in 16 q-registers (row r, columns 4h..4h+3 in v[r][h]).
// store_tile() then adds the driver's zero-point terms (offset[j] - zb'[j] *
// rowsum'[r], all mod 2^32: the final value fits in int32, so wrapped partial
// sums still give it exactly) and runs the NEON output stage.
#pragma once

#if !defined(__aarch64__)
#error "lowp/gemm/arm/*: AArch64 only"
#endif

#include <arm_neon.h>

#include <cstdint>
#include <type_traits>
#include <utility>

#include "lowp/gemm/arm/output_stage_neon.hpp"
#include "lowp/gemm/backend.hpp"

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
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

// Forced inlining where GCC's heuristics would outline a helper and spill the
// 16 accumulators of the tile to memory on every call.
#define LOWP_ARM_ALWAYS_INLINE inline __attribute__((always_inline))

// Calls f(std::integral_constant<int, 0>) ... f(std::integral_constant<int, N-1>):
// lane-indexed intrinsics need their lane as a compile-time constant.
template <typename F, int... I>
LOWP_ARM_ALWAYS_INLINE void for_each_lane_impl(F& f, std::integer_sequence<int, I...>) {
  (f(std::integral_constant<int, I>{}), ...);
}
template <int N, typename F>
LOWP_ARM_ALWAYS_INLINE void for_each_lane(F&& f) {
  for_each_lane_impl(f, std::make_integer_sequence<int, N>{});
}

// The first Rows rows and t.cols columns of the tile through the output stage into C.
template <typename Policy, typename TC, int Rows, typename PA, typename PB>
inline void store_tile(const Tile8x8& tile, const TileArgs<PA, PB, TC>& t) {
  static_assert(Rows >= 1 && Rows <= 8, "store_tile: 1..8 rows");
  const ColumnParams& col = t.col;
  const int32x4_t offset[2] = {vld1q_s32(col.offset), vld1q_s32(col.offset + 4)};
  // zb is null (and row sums are not formed) when every shifted weight zero point is 0.
  const int32x4_t zb[2] = {col.zb ? vld1q_s32(col.zb) : vdupq_n_s32(0), col.zb ? vld1q_s32(col.zb + 4) : vdupq_n_s32(0)};
  const NeonChannelParams params[2] = {load_channel_params(col, 0), load_channel_params(col, 4)};
  const NeonClamp clamp(t.zc, t.lo, t.hi);
  const bool contiguous = t.cols == 8 && t.c_col_stride == 1;
  for (int r = 0; r < Rows; ++r) {
    TC* row = t.c + r * t.c_row_stride;
    TC partial[8];
    TC* dst = contiguous ? row : partial;
    for (int h = 0; h < 2; ++h) {
      int32x4_t acc = vaddq_s32(tile.v[r][h], offset[h]);
      if (col.zb) acc = vmlsq_n_s32(acc, zb[h], t.row_sums[r]);
      output4<Policy, TC>(acc, params[h], clamp, dst + 4 * h);
    }
    if (!contiguous)
      for (int j = 0; j < t.cols; ++j) row[j * t.c_col_stride] = partial[j];
  }
}

}  // namespace arm
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
