// lowp/gemm/arm/kernel_neon_8x8.hpp: the armv8.0 NEON micro-kernel, 8x8 tile,
// K group 1 (packed A: per k, 8 row codes; packed B: per k, 8 column codes).
//
// Without dot-product instructions a product of two 8-bit codes must be widened.
// Both operands are widened to int16 once (SXTL for int8, UXTL for uint8, so
// every signedness combination is exact with no +128 shift), then
// SMLAL/SMLAL2 by element form 8 int16 x int16 -> int32 products each: for one
// k, row r gains b[0..7] * a[r]. 16 multiply-accumulates per k for 64 MACs.
// (The SMULL + SADALP scheme of 8-bit kernels without widening is not exact:
// two int8 products summed in int16 overflow at (-128)(-128) + (-128)(-128).)
#pragma once

#include <type_traits>

#include "lowp/gemm/arm/tile_neon.hpp"

namespace lowp {
namespace arm {

inline int16x8_t widen_low(uint8x16_t x) { return vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(x))); }
inline int16x8_t widen_high(uint8x16_t x) { return vreinterpretq_s16_u16(vmovl_high_u8(x)); }
inline int16x8_t widen_low(int8x16_t x) { return vmovl_s8(vget_low_s8(x)); }
inline int16x8_t widen_high(int8x16_t x) { return vmovl_high_s8(x); }
inline int16x8_t widen(uint8x8_t x) { return vreinterpretq_s16_u16(vmovl_u8(x)); }
inline int16x8_t widen(int8x8_t x) { return vmovl_s8(x); }
inline uint8x16_t load16(const std::uint8_t* p) { return vld1q_u8(p); }
inline int8x16_t load16(const std::int8_t* p) { return vld1q_s8(p); }
inline uint8x8_t load8(const std::uint8_t* p) { return vld1_u8(p); }
inline int8x8_t load8(const std::int8_t* p) { return vld1_s8(p); }

struct KernelNeon8x8 {
  static constexpr int mr = 8, nr = 8, kgroup = 1;

  // Widening makes every signedness exact: codes are packed unchanged.
  template <typename TA, typename TB>
  using packed_a = TA;
  template <typename TA, typename TB>
  using packed_b = TB;

  // One depth step: a holds the 8 row codes, b the 8 column codes (int16).
  static void step(Tile8x8& t, int16x8_t a, int16x8_t b) {
    const int16x4_t b_lo = vget_low_s16(b);
    for_each_lane<8>([&](auto r) {
      t.v[r][0] = vmlal_laneq_s16(t.v[r][0], b_lo, a, r);
      t.v[r][1] = vmlal_high_laneq_s16(t.v[r][1], b, a, r);
    });
  }

  // raw[r][j] = sum_k a[k][r] * b[k][j] for k < K; PA, PB int8_t or uint8_t.
  template <typename PA, typename PB>
  static Tile8x8 accumulate(const PA* a, const PB* b, std::ptrdiff_t kgroups) {  // kgroup = 1: kgroups = K
    Tile8x8 t = Tile8x8::zero();
    std::ptrdiff_t k = 0;
    for (; k + 2 <= kgroups; k += 2, a += 16, b += 16) {
      const auto a2 = load16(a);
      const auto b2 = load16(b);
      step(t, widen_low(a2), widen_low(b2));
      step(t, widen_high(a2), widen_high(b2));
    }
    if (k < kgroups) step(t, widen(load8(a)), widen(load8(b)));
    return t;
  }
};

}  // namespace arm
}  // namespace lowp
