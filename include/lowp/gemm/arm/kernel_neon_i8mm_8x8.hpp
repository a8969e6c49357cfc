// lowp/gemm/arm/kernel_neon_i8mm_8x8.hpp: the armv8.6 int8 matrix-multiply
// micro-kernel (SMMLA / USMMLA / UMMLA), 8x8 tile, K group 8.
//
// xMMLA vd.4s, vn.16b, vm.16b treats vn as a 2x8 matrix (two rows of 8 codes),
// vm as another 2x8 and adds vn * vm^T, a 2x2 int32 block laid out
// [r0c0 r0c1 r1c0 r1c1], to vd: 32 MACs per instruction. So the packed layout,
// per group of 8 k, is rows 0..7 each with 8 consecutive k (64 bytes): register p
// holds rows 2p and 2p+1, exactly an MMLA operand; B likewise with columns. The
// 8x8 tile is 4 x 4 such 2x2 blocks (16 accumulators); rows are recovered at the
// end with ZIP1/ZIP2 on 64-bit lanes.
// Signedness: SMMLA s8 x s8, UMMLA u8 x u8, USMMLA u8 (A) x s8 (B); the remaining
// s8 x u8 packs B shifted by -128 and runs SMMLA (the driver folds the shift).
#pragma once

#include <type_traits>

#include "lowp/gemm/arm/tile_neon.hpp"

#if !defined(__ARM_FEATURE_MATMUL_INT8)
#error "kernel_neon_i8mm_8x8.hpp needs -march=armv8.6-a+i8mm (or armv8.2-a+i8mm)"
#endif

namespace lowp {
namespace arm {

namespace i8mm_detail {
inline int32x4_t mmla(int32x4_t acc, int8x16_t a, int8x16_t b) { return vmmlaq_s32(acc, a, b); }
inline int32x4_t mmla(int32x4_t acc, uint8x16_t a, int8x16_t b) { return vusmmlaq_s32(acc, a, b); }
inline int32x4_t mmla(int32x4_t acc, uint8x16_t a, uint8x16_t b) {
  return vreinterpretq_s32_u32(vmmlaq_u32(vreinterpretq_u32_s32(acc), a, b));
}
inline int8x16_t load(const std::int8_t* p) { return vld1q_s8(p); }
inline uint8x16_t load(const std::uint8_t* p) { return vld1q_u8(p); }
}  // namespace i8mm_detail

struct KernelNeonI8mm8x8 {
  static constexpr int mr = 8, nr = 8, kgroup = 8;

  // Packed code types for operands TA x TB (only s8 x u8 needs a shifted B).
  template <typename TA, typename TB>
  using packed_a = TA;
  template <typename TA, typename TB>
  using packed_b = std::conditional_t<std::is_same<TA, std::int8_t>::value, std::int8_t, TB>;

  template <typename PA, typename PB>
  static Tile8x8 accumulate(const PA* a, const PB* b, std::ptrdiff_t kgroups) {
    int32x4_t blk[4][4];  // blk[p][q]: rows 2p, 2p+1 x columns 2q, 2q+1
    for (auto& row : blk)
      for (auto& x : row) x = vdupq_n_s32(0);
    for (std::ptrdiff_t g = 0; g < kgroups; ++g, a += 64, b += 64) {
      decltype(i8mm_detail::load(a)) av[4];
      decltype(i8mm_detail::load(b)) bv[4];
      for (int p = 0; p < 4; ++p) av[p] = i8mm_detail::load(a + 16 * p);
      for (int q = 0; q < 4; ++q) bv[q] = i8mm_detail::load(b + 16 * q);
      for (int p = 0; p < 4; ++p)
        for (int q = 0; q < 4; ++q) blk[p][q] = i8mm_detail::mmla(blk[p][q], av[p], bv[q]);
    }
    Tile8x8 t;
    for (int p = 0; p < 4; ++p) {
      for (int h = 0; h < 2; ++h) {
        const int64x2_t left = vreinterpretq_s64_s32(blk[p][2 * h]);
        const int64x2_t right = vreinterpretq_s64_s32(blk[p][2 * h + 1]);
        t.v[2 * p][h] = vreinterpretq_s32_s64(vzip1q_s64(left, right));
        t.v[2 * p + 1][h] = vreinterpretq_s32_s64(vzip2q_s64(left, right));
      }
    }
    return t;
  }
};

}  // namespace arm
}  // namespace lowp
