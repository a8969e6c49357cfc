// lowp/gemm/arm/kernel_neon_dotprod_8x8.hpp: the armv8.2 dot-product micro-kernel
// (SDOT/UDOT by element), 8x8 tile, K group 4.
//
// Packed A, per group of 4 k: rows 0..7, each 4 consecutive k (32 bytes = two
// q-registers, rows 0-3 and rows 4-7); packed B the same with columns for rows.
// SDOT v.4s, b.16b, a.4b[r] adds to row r, columns 0..3 the 4-deep dot products
// of columns 0..3 with row r: 16 instructions per group, 16 MACs each.
// SDOT needs both operands signed, UDOT both unsigned; a mixed pair is made
// signed by packing the uint8 side shifted by -128 (code ^ 0x80), which the
// driver folds into that side's zero point (operand_shift below).
#pragma once

#include <type_traits>

#include "lowp/gemm/arm/tile_neon.hpp"

#if !defined(__ARM_FEATURE_DOTPROD)
#error "kernel_neon_dotprod_8x8.hpp needs -march=armv8.2-a+dotprod (or later)"
#endif

namespace lowp {
namespace arm {

struct KernelNeonDotprod8x8 {
  static constexpr int mr = 8, nr = 8, kgroup = 4;

  // The packed code types for operands TA x TB: both unsigned only for u8 x u8.
  template <typename TA, typename TB>
  using packed_a = std::conditional_t<std::is_same<TA, std::uint8_t>::value && std::is_same<TB, std::uint8_t>::value,
                                      std::uint8_t, std::int8_t>;
  template <typename TA, typename TB>
  using packed_b = packed_a<TA, TB>;

  static Tile8x8 accumulate(const std::int8_t* a, const std::int8_t* b, std::ptrdiff_t kgroups) {
    Tile8x8 t = Tile8x8::zero();
    for (std::ptrdiff_t g = 0; g < kgroups; ++g, a += 32, b += 32) {
      const int8x16_t a0 = vld1q_s8(a), a1 = vld1q_s8(a + 16);
      const int8x16_t b0 = vld1q_s8(b), b1 = vld1q_s8(b + 16);
      for_each_lane<4>([&](auto r) {
        t.v[r][0] = vdotq_laneq_s32(t.v[r][0], b0, a0, r);
        t.v[r][1] = vdotq_laneq_s32(t.v[r][1], b1, a0, r);
        t.v[r + 4][0] = vdotq_laneq_s32(t.v[r + 4][0], b0, a1, r);
        t.v[r + 4][1] = vdotq_laneq_s32(t.v[r + 4][1], b1, a1, r);
      });
    }
    return t;
  }

  static Tile8x8 accumulate(const std::uint8_t* a, const std::uint8_t* b, std::ptrdiff_t kgroups) {
    uint32x4_t u[8][2];
    for (auto& row : u) row[0] = row[1] = vdupq_n_u32(0);
    for (std::ptrdiff_t g = 0; g < kgroups; ++g, a += 32, b += 32) {
      const uint8x16_t a0 = vld1q_u8(a), a1 = vld1q_u8(a + 16);
      const uint8x16_t b0 = vld1q_u8(b), b1 = vld1q_u8(b + 16);
      for_each_lane<4>([&](auto r) {
        u[r][0] = vdotq_laneq_u32(u[r][0], b0, a0, r);
        u[r][1] = vdotq_laneq_u32(u[r][1], b1, a0, r);
        u[r + 4][0] = vdotq_laneq_u32(u[r + 4][0], b0, a1, r);
        u[r + 4][1] = vdotq_laneq_u32(u[r + 4][1], b1, a1, r);
      });
    }
    Tile8x8 t;
    for (int r = 0; r < 8; ++r)
      for (int h = 0; h < 2; ++h) t.v[r][h] = vreinterpretq_s32_u32(u[r][h]);
    return t;
  }
};

}  // namespace arm
}  // namespace lowp
