// lowp/gemm/arm/kernel_neon_8x8.hpp: backend::Neon, the armv8.0 AArch64 NEON
// micro-kernel, 8x8 tile, K group 1 (packed A: per k, the codes of rows 0..7;
// packed B: per k, the codes of columns 0..7).
//
// Without dot-product instructions a product of two 8-bit codes must be widened.
// Both operands are widened to int16 once (UXTL for the uint8 activations, SXTL
// for the int8 weights), then SMLAL/SMLAL2 by element form 8 int16 x int16 ->
// int32 products each: for one k, row r gains b[0..7] * a[r]. 16 instructions per
// k for 64 MACs, 2 k per 16-byte load of each operand.
// (SMULL + SADALP on 8-bit codes, the classic trick, is not exact over the full
// code range: two products summed in int16 overflow at (-128)(-128) twice.)
// Packed codes are those of backend::Scalar and the x86 VNNI backends: uint8
// activations, int8 weights, +-128 shifts folded into the zero points by the driver.
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

struct Neon {
  static constexpr bool enabled = true;
  static constexpr const char* name = "neon";
  static constexpr const char* required_flags = "-march=armv8-a (AArch64)";
  static constexpr int mr = 8, nr = 8, kgroup = 1;
  static constexpr int max_panels = 1;
  static constexpr int panels(int /*rows*/) { return 1; }
  using a_type = std::uint8_t;
  using b_type = std::int8_t;
  template <typename TA>
  static constexpr int a_shift = std::is_same<TA, std::int8_t>::value ? 128 : 0;
  template <typename TB>
  static constexpr int b_shift = std::is_same<TB, std::uint8_t>::value ? -128 : 0;

  // One depth step: a holds the 8 row codes, b the 8 column codes, widened.
  LOWP_ARM_ALWAYS_INLINE static void step(arm::Tile8x8& t, int16x8_t a, int16x8_t b) {
    const int16x4_t b_lo = vget_low_s16(b);
    arm::for_each_lane<8>([&](auto r) {
      t.v[r][0] = vmlal_laneq_s16(t.v[r][0], b_lo, a, r);
      t.v[r][1] = vmlal_high_laneq_s16(t.v[r][1], b, a, r);
    });
  }

  // raw[r][j] = sum_k a'[k][r] b'[k][j] over k < depth (kgroup 1: kgroups = K).
  static arm::Tile8x8 accumulate(const a_type* a, const b_type* b, std::ptrdiff_t depth) {
    arm::Tile8x8 t = arm::Tile8x8::zero();
    std::ptrdiff_t k = 0;
    for (; k + 2 <= depth; k += 2, a += 16, b += 16) {
      const uint8x16_t a2 = vld1q_u8(a);
      const int8x16_t b2 = vld1q_s8(b);
      step(t, vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(a2))), vmovl_s8(vget_low_s8(b2)));
      step(t, vreinterpretq_s16_u16(vmovl_high_u8(a2)), vmovl_high_s8(b2));
    }
    if (k < depth) step(t, vreinterpretq_s16_u16(vmovl_u8(vld1_u8(a))), vmovl_s8(vld1_s8(b)));
    return t;
  }

  template <typename Policy, typename TC, int Rows, int Panels>
  static void kernel(const TileArgs<a_type, b_type, TC>& t) {
    static_assert(Rows >= 1 && Rows <= mr && Panels == 1, "neon kernel: bad tile");
    arm::store_tile<Policy, TC, Rows>(accumulate(t.a, t.b, t.kgroups), t);
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
