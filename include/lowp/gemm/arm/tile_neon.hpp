// lowp/gemm/arm/tile_neon.hpp: the int32 accumulator tile shared by the AArch64
// micro-kernels and its fused epilogue.
//
// Every micro-kernel computes raw[r][j] = sum_k a'[r][k] * b'[k][j] over the
// packed codes a', b' in q-registers (row r, columns 4q..4q+3 in v[r][q]).
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

// An R x 4Q int32 tile: row r, columns 4q..4q+3 in v[r][q].
template <int R, int Q>
struct Tile {
  static constexpr int rows = R, cols = 4 * Q;
  int32x4_t v[R][Q];

  static Tile zero() {
    Tile t;
    for (auto& row : t.v)
      for (auto& x : row) x = vdupq_n_s32(0);
    return t;
  }
  void store(std::int32_t* dst, std::ptrdiff_t row_stride) const {
    for (int r = 0; r < R; ++r)
      for (int q = 0; q < Q; ++q) vst1q_s32(dst + r * row_stride + 4 * q, v[r][q]);
  }
};
using Tile8x8 = Tile<8, 2>;
using Tile4x4 = Tile<4, 1>;

// Forced inlining where GCC's heuristics would outline a helper and spill the
// 16 accumulators of the tile to memory on every call.
#define LOWP_ARM_ALWAYS_INLINE inline __attribute__((always_inline))

// GCC's pre-register-allocation scheduler hoists all 32 SMULL of the NEON kernel
// ahead of their SADALP and then spills accumulators inside the loop (92 instead
// of 75 instructions per iteration with GCC 12); clang needs no help.
#if defined(__GNUC__) && !defined(__clang__)
#define LOWP_ARM_NO_PREPASS_SCHEDULING __attribute__((optimize("no-schedule-insns")))
#else
#define LOWP_ARM_NO_PREPASS_SCHEDULING
#endif

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
template <typename Policy, typename TC, int Rows, int R, int Q, typename PA, typename PB>
inline void store_tile(const Tile<R, Q>& tile, const TileArgs<PA, PB, TC>& t) {
  static_assert(Rows >= 1 && Rows <= R, "store_tile: more rows than the tile has");
  constexpr int nr = 4 * Q;
  const ColumnParams& col = t.col;
  int32x4_t offset[Q], zb[Q];
  NeonChannelParams params[Q];
  for (int q = 0; q < Q; ++q) {
    offset[q] = vld1q_s32(col.offset + 4 * q);
    // zb is null (and row sums are not formed) when every shifted weight zero point is 0.
    zb[q] = col.zb ? vld1q_s32(col.zb + 4 * q) : vdupq_n_s32(0);
    params[q] = load_channel_params(col, 4 * q);
  }
  const NeonClamp clamp(t.zc, t.lo, t.hi);
  const bool contiguous = t.cols == nr && t.c_col_stride == 1;
  for (int r = 0; r < Rows; ++r) {
    TC* row = t.c + r * t.c_row_stride;
    TC partial[nr];
    TC* dst = contiguous ? row : partial;
    for (int q = 0; q < Q; ++q) {
      int32x4_t acc = vaddq_s32(tile.v[r][q], offset[q]);
      if (col.zb) acc = vmlsq_n_s32(acc, zb[q], t.row_sums[r]);
      output4<Policy, TC>(acc, params[q], clamp, dst + 4 * q);
    }
    if (!contiguous)
      for (int j = 0; j < t.cols; ++j) row[j * t.c_col_stride] = partial[j];
  }
}

// The shift that makes a uint8 or int8 input an int8 code (folded into the zero point
// by the driver): uint8 codes lose 128, i.e. their top bit flips. The uint8 x int8
// domain of USMMLA is backend.hpp's UnsignedBySignedCodes.
template <typename T>
constexpr int shift_to_int8 = std::is_same<T, std::uint8_t>::value ? -128 : 0;

// What the ARM backends share around their accumulate(): one B panel per call and
// the fused epilogue on the tile (CRTP: Backend::mr, Backend::accumulate()).
template <typename Backend>
struct SinglePanelKernel {
  static constexpr int max_panels = 1;
  static constexpr int panels(int /*rows*/) { return 1; }

  // Out of line like the x86 kernels (LOWP_KERNEL_NOINLINE, backend.hpp): inlined
  // into the driver's loops GCC would hoist the epilogue's loads above the k loop.
  template <typename Policy, typename TC, int Rows, int Panels, typename PA, typename PB>
  LOWP_KERNEL_NOINLINE static void kernel(const TileArgs<PA, PB, TC>& t) {
    static_assert(Rows >= 1 && Rows <= Backend::mr && Panels == 1, "ARM kernel: 1..mr rows, one panel");
    store_tile<Policy, TC, Rows>(Backend::accumulate(t.a, t.b, t.kgroups), t);
  }
};

}  // namespace arm
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
