// lowp/gemm/arm/kernel_neon_4x4.hpp: backend::Neon, the armv8.0 AArch64 NEON
// micro-kernel (SMULL + SADALP), 4x4 tile, K group 16.
//
// Without dot-product instructions, 8-bit products are formed 8 at a time in
// int16 lanes by SMULL/SMULL2 and folded pairwise into int32 accumulators by
// SADALP. One int8 x int8 product, at most (-128)(-128) = 16384, always fits in
// int16; the faster-looking SMULL + SMLAL2 (two products per int16 lane before
// SADALP) overflows at (-128)(-128) + (-128)(-128) = 32768, which is why that
// trick needs weights restricted to [-127, 127]. lowp accepts every code, so it
// spends one SADALP per SMULL: on A76/N1/V1 SMULL and SADALP issue on different
// pipes, so the pair still sustains 8 MACs per cycle per pipe pair.
//
// Packed layout (the driver's, with kgroup 16): per group of 16 k, rows 0..3 of A
// each as 16 consecutive codes (one q-register per row); B the same per column.
// Accumulator (r, j) holds 4 partial sums (int32x4) until the end, where ADDP
// reduces the 16 accumulators to the 4x4 tile. Both operands are int8: uint8
// inputs are packed as code ^ 0x80 (a_shift / b_shift = -128), folded by the driver.
#pragma once

#include <cstdint>
#include <type_traits>

#include "lowp/gemm/backend.hpp"

#if defined(__aarch64__) && defined(__ARM_NEON)
#include "lowp/gemm/arm/tile_neon.hpp"
#endif

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
namespace backend {

#if defined(__aarch64__) && defined(__ARM_NEON)

struct Neon : arm::SinglePanelKernel<Neon> {
  static constexpr bool enabled = true;
  static constexpr const char* name = "neon";
  static constexpr const char* required_flags = "-march=armv8-a (AArch64)";
  static constexpr int mr = 4, nr = 4, kgroup = 16;
  using a_type = std::int8_t;
  using b_type = std::int8_t;
  template <typename TA>
  static constexpr int a_shift = arm::shift_to_int8<TA>;
  template <typename TB>
  static constexpr int b_shift = arm::shift_to_int8<TB>;

  LOWP_ARM_NO_PREPASS_SCHEDULING static arm::Tile4x4 accumulate(const a_type* a, const b_type* b, std::ptrdiff_t kgroups) {
    int32x4_t acc[4][4];  // acc[r][j]: four partial sums of row r x column j
    arm::for_each_lane<4>([&](auto r) { arm::for_each_lane<4>([&](auto j) { acc[r][j] = vdupq_n_s32(0); }); });
    for (std::ptrdiff_t g = 0; g < kgroups; ++g, a += 64, b += 64) {
      const int8x16_t av[4] = {vld1q_s8(a), vld1q_s8(a + 16), vld1q_s8(a + 32), vld1q_s8(a + 48)};
      // One column of B at a time keeps 16 accumulators + 5 operands + products
      // within the 32 vector registers.
      arm::for_each_lane<4>([&](auto j) {
        const int8x16_t bj = vld1q_s8(b + 16 * j);
        arm::for_each_lane<4>([&](auto r) {
          acc[r][j] = vpadalq_s16(acc[r][j], vmull_s8(vget_low_s8(av[r]), vget_low_s8(bj)));
          acc[r][j] = vpadalq_s16(acc[r][j], vmull_high_s8(av[r], bj));
        });
      });
    }
    // Row r: ADDP(ADDP(acc[r][0], acc[r][1]), ADDP(acc[r][2], acc[r][3])) = the 4 full sums.
    arm::Tile4x4 t;
    arm::for_each_lane<4>([&](auto r) {
      t.v[r][0] = vpaddq_s32(vpaddq_s32(acc[r][0], acc[r][1]), vpaddq_s32(acc[r][2], acc[r][3]));
    });
    return t;
  }
};

#else

struct Neon {
  static constexpr bool enabled = false;
  static constexpr const char* name = "neon";
  static constexpr const char* required_flags = "-march=armv8-a (AArch64)";
};

#endif

}  // namespace backend
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
