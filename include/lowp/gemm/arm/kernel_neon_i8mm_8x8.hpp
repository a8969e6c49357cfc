// lowp/gemm/arm/kernel_neon_i8mm_8x8.hpp: backend::NeonI8mm, the armv8.6 int8
// matrix-multiply micro-kernel (USMMLA), 8x8 tile, K group 8.
//
// USMMLA vd.4s, vn.16b, vm.16b treats vn as a 2x8 uint8 matrix (two rows of 8
// codes), vm as a 2x8 int8 matrix and adds vn * vm^T, a 2x2 int32 block laid out
// [r0c0 r0c1 r1c0 r1c1], to vd: 32 MACs per instruction. So the packed layout,
// per group of 8 k, is rows 0..7 each with 8 consecutive k (64 bytes): register p
// holds rows 2p and 2p+1, exactly an MMLA operand; B likewise with columns. The
// 8x8 tile is 4 x 4 such 2x2 blocks (16 accumulators); rows are recovered at the
// end with ZIP1/ZIP2 on 64-bit lanes.
// Signedness: the mixed-sign USMMLA takes the uint8-activation x int8-weight case
// directly; int8 activations are packed +128 and uint8 weights -128, shifts the
// driver folds into the zero points (the codes of the x86 VNNI backends), so one
// exact instruction serves every input combination. (SMMLA / UMMLA would only
// save that free XOR in packing.)
#pragma once

#include <cstdint>
#include <type_traits>

#include "lowp/gemm/backend.hpp"

#if defined(__aarch64__) && defined(__ARM_FEATURE_MATMUL_INT8)
#include "lowp/gemm/arm/tile_neon.hpp"
#endif

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {
namespace backend {

#if defined(__aarch64__) && defined(__ARM_FEATURE_MATMUL_INT8)

struct NeonI8mm : arm::SinglePanelKernel<NeonI8mm>, UnsignedBySignedCodes {
  static constexpr bool enabled = true;
  static constexpr const char* name = "neon-i8mm";
  static constexpr const char* required_flags = "-march=armv8.6-a+i8mm (or armv8.2-a+i8mm)";
  static constexpr int mr = 8, nr = 8, kgroup = 8;

  static arm::Tile8x8 accumulate(const a_type* a, const b_type* b, std::ptrdiff_t kgroups) {
    // blk[p][q]: rows 2p, 2p+1 x columns 2q, 2q+1. Loops over p, q are unrolled
    // at compile time so that the 16 accumulators stay in registers.
    int32x4_t blk[4][4];
    arm::for_each_lane<4>([&](auto p) { arm::for_each_lane<4>([&](auto q) { blk[p][q] = vdupq_n_s32(0); }); });
    for (std::ptrdiff_t g = 0; g < kgroups; ++g, a += 64, b += 64) {
      const uint8x16_t av[4] = {vld1q_u8(a), vld1q_u8(a + 16), vld1q_u8(a + 32), vld1q_u8(a + 48)};
      const int8x16_t bv[4] = {vld1q_s8(b), vld1q_s8(b + 16), vld1q_s8(b + 32), vld1q_s8(b + 48)};
      arm::for_each_lane<4>([&](auto p) {
        arm::for_each_lane<4>([&](auto q) { blk[p][q] = vusmmlaq_s32(blk[p][q], av[p], bv[q]); });
      });
    }
    arm::Tile8x8 t;
    arm::for_each_lane<4>([&](auto p) {
      arm::for_each_lane<2>([&](auto h) {
        const int64x2_t left = vreinterpretq_s64_s32(blk[p][2 * h]);
        const int64x2_t right = vreinterpretq_s64_s32(blk[p][2 * h + 1]);
        t.v[2 * p][h] = vreinterpretq_s32_s64(vzip1q_s64(left, right));
        t.v[2 * p + 1][h] = vreinterpretq_s32_s64(vzip2q_s64(left, right));
      });
    });
    return t;
  }
};

#else

struct NeonI8mm {
  static constexpr bool enabled = false;
  static constexpr const char* name = "neon-i8mm";
  static constexpr const char* required_flags = "-march=armv8.6-a+i8mm (or armv8.2-a+i8mm)";
};

#endif

}  // namespace backend
}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
