// lowp/gemm/arm/kernel_neon_dotprod_8x8.hpp: backend::NeonDotprod, the armv8.2
// dot-product micro-kernel (SDOT by element), 8x8 tile, K group 4.
//
// Packed A, per group of 4 k: rows 0..7, each 4 consecutive k (32 bytes = two
// q-registers, rows 0-3 and rows 4-7); packed B the same with columns for rows.
// SDOT v.4s, b.16b, a.4b[r] adds to row r, columns 0..3, the 4-deep dot products
// of columns 0..3 with row r: 16 instructions per group, 16 MACs each.
// SDOT multiplies int8 by int8 (UDOT uint8 by uint8; a mixed pair needs i8mm's
// USDOT), so both operands are packed as int8: uint8 codes are shifted by -128
// (code ^ 0x80) and the driver folds the shift into that side's zero point.
// That makes every input signedness one exact SDOT stream.
#pragma once

#include <cstdint>
#include <type_traits>

#include "lowp/gemm/backend.hpp"

#if defined(__aarch64__) && defined(__ARM_FEATURE_DOTPROD)
#include "lowp/gemm/arm/tile_neon.hpp"
#endif

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
namespace backend {

#if defined(__aarch64__) && defined(__ARM_FEATURE_DOTPROD)

struct NeonDotprod : arm::SinglePanelKernel<NeonDotprod> {
  static constexpr bool enabled = true;
  static constexpr const char* name = "neon-dotprod";
  static constexpr const char* required_flags = "-march=armv8.2-a+dotprod";
  static constexpr int mr = 8, nr = 8, kgroup = 4;
  using a_type = std::int8_t;
  using b_type = std::int8_t;
  template <typename TA>
  static constexpr int a_shift = arm::shift_to_int8<TA>;
  template <typename TB>
  static constexpr int b_shift = arm::shift_to_int8<TB>;

  static arm::Tile8x8 accumulate(const a_type* a, const b_type* b, std::ptrdiff_t kgroups) {
    arm::Tile8x8 t = arm::Tile8x8::zero();
    for (std::ptrdiff_t g = 0; g < kgroups; ++g, a += 32, b += 32) {
      const int8x16_t a0 = vld1q_s8(a), a1 = vld1q_s8(a + 16);
      const int8x16_t b0 = vld1q_s8(b), b1 = vld1q_s8(b + 16);
      arm::for_each_lane<4>([&](auto r) {
        t.v[r][0] = vdotq_laneq_s32(t.v[r][0], b0, a0, r);
        t.v[r][1] = vdotq_laneq_s32(t.v[r][1], b1, a0, r);
        t.v[r + 4][0] = vdotq_laneq_s32(t.v[r + 4][0], b0, a1, r);
        t.v[r + 4][1] = vdotq_laneq_s32(t.v[r + 4][1], b1, a1, r);
      });
    }
    return t;
  }
};

#else

struct NeonDotprod {
  static constexpr bool enabled = false;
  static constexpr const char* name = "neon-dotprod";
  static constexpr const char* required_flags = "-march=armv8.2-a+dotprod";
};

#endif

}  // namespace backend
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
