// The AArch64 micro-kernels (accumulate()) on single tiles: the raw sums of packed codes
// against an int64 loop, then the zero-point algebra (with the -128 shift of
// mixed-sign dot products folded into the zero point) against the exact
// sum_k (a - za)(b - zb). Every operand signedness, K not a multiple of the K
// group, partial tiles, and the extreme codes over long K.
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "lowp/gemm/arm/cpu_features.hpp"
#include "lowp/gemm/arm/kernel_neon_4x4.hpp"
#include "lowp/gemm/arm/kernel_neon_dotprod_8x8.hpp"
#include "lowp/gemm/arm/kernel_neon_i8mm_8x8.hpp"

namespace lowp {
namespace {

// Packs `src.size()` (<= width) rows of codes src[lane][k] into the kernels' layout
// (the driver's, restated independently): per group of G depths, lanes
// 0..width-1 each with G consecutive codes; missing lanes and depths are zero
// codes; code' = code + shift.
template <typename P, typename T>
std::vector<P> pack(const std::vector<std::vector<T>>& src, int width, int kgroup, std::int32_t shift) {
  const int lanes = static_cast<int>(src.size());
  const int k = static_cast<int>(src[0].size());
  const int groups = (k + kgroup - 1) / kgroup;
  std::vector<P> out(static_cast<std::size_t>(groups) * width * kgroup, P{0});
  for (int l = 0; l < lanes; ++l)
    for (int d = 0; d < k; ++d)
      out[static_cast<std::size_t>((d / kgroup) * width * kgroup + l * kgroup + d % kgroup)] =
          static_cast<P>(static_cast<std::int32_t>(src[l][d]) + shift);
  return out;
}

template <typename T>
T random_code(std::mt19937& rng, bool extreme) {
  const int lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  if (extreme) return static_cast<T>(std::uniform_int_distribution<int>(0, 1)(rng) ? hi : lo);
  return static_cast<T>(std::uniform_int_distribution<int>(lo, hi)(rng));
}

template <typename Kernel, typename TA, typename TB>
void expect_kernel_exact(std::uint32_t seed) {
  using PA = typename Kernel::a_type;
  using PB = typename Kernel::b_type;
  const std::int32_t a_shift = Kernel::template a_shift<TA>, b_shift = Kernel::template b_shift<TB>;
  std::mt19937 rng(seed);
  static constexpr int depths[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 257, 4099};
  for (int depth : depths) {
    for (int trial = 0; trial < 6; ++trial) {
      const bool extreme = trial >= 4;  // all codes at their type's min or max
      constexpr int mr = Kernel::mr, nr = Kernel::nr;
      const int rows = trial == 1 ? 1 + static_cast<int>(rng() % mr) : mr;
      const int cols = trial == 2 ? 1 + static_cast<int>(rng() % nr) : nr;
      std::vector<std::vector<TA>> a(rows, std::vector<TA>(depth));  // a[r][k]
      std::vector<std::vector<TB>> bt(cols, std::vector<TB>(depth));  // bt[j][k] = B[k][j]
      for (auto& row : a)
        for (auto& x : row) x = random_code<TA>(rng, extreme);
      for (auto& col : bt)
        for (auto& x : col) x = random_code<TB>(rng, extreme);
      const auto pa = pack<PA>(a, mr, Kernel::kgroup, a_shift);
      const auto pb = pack<PB>(bt, nr, Kernel::kgroup, b_shift);
      const std::ptrdiff_t kgroups = (depth + Kernel::kgroup - 1) / Kernel::kgroup;
      std::int32_t raw[mr][nr];
      Kernel::accumulate(pa.data(), pb.data(), kgroups).store(&raw[0][0], nr);

      // Zero points: random, or the worst case for |a - za| |b - zb|.
      const std::int32_t za = extreme ? (std::is_signed<TA>::value ? 127 : 0)
                                      : random_code<TA>(rng, false);
      const std::int32_t zb = extreme ? (std::is_signed<TB>::value ? 127 : 255) * (trial == 5)
                                      : random_code<TB>(rng, false);
      const std::int32_t za_packed = za + a_shift, zb_packed = zb + b_shift;  // zero points of the codes
      for (int r = 0; r < mr; ++r) {
        std::int64_t row_sum = 0;
        for (int d = 0; d < depth && r < rows; ++d) row_sum += static_cast<std::int32_t>(a[r][d]) + a_shift;
        for (int j = 0; j < nr; ++j) {
          std::int64_t want_raw = 0, want = 0, col_sum = 0;
          if (r < rows && j < cols) {
            for (int d = 0; d < depth; ++d) {
              const std::int64_t x = a[r][d], y = bt[j][d];
              want_raw += (x + a_shift) * (y + b_shift);
              want += (x - za) * (y - zb);
              col_sum += y + b_shift;
            }
          }
          ASSERT_EQ(static_cast<std::uint32_t>(raw[r][j]), static_cast<std::uint32_t>(want_raw))
              << "raw sum, K=" << depth << " r=" << r << " j=" << j;
          if (r >= rows || j >= cols) continue;
          // The driver's algebra, mod 2^32: the true value fits in int32 here.
          const std::uint32_t got = static_cast<std::uint32_t>(raw[r][j]) -
                                    static_cast<std::uint32_t>(za_packed) * static_cast<std::uint32_t>(col_sum) -
                                    static_cast<std::uint32_t>(zb_packed) * static_cast<std::uint32_t>(row_sum) +
                                    static_cast<std::uint32_t>(depth) * static_cast<std::uint32_t>(za_packed) *
                                        static_cast<std::uint32_t>(zb_packed);
          ASSERT_LE(std::llabs(want), std::numeric_limits<std::int32_t>::max());
          ASSERT_EQ(static_cast<std::int32_t>(got), want)
              << "K=" << depth << " za=" << za << " zb=" << zb << " r=" << r << " j=" << j;
        }
      }
    }
  }
}

template <typename Kernel>
void expect_all_signedness() {
  expect_kernel_exact<Kernel, std::uint8_t, std::int8_t>(1);
  expect_kernel_exact<Kernel, std::int8_t, std::int8_t>(2);
  expect_kernel_exact<Kernel, std::uint8_t, std::uint8_t>(3);
  expect_kernel_exact<Kernel, std::int8_t, std::uint8_t>(4);
}

TEST(ArmNeon, Kernel4x4AllSignednessExact) { expect_all_signedness<backend::Neon>(); }

#if defined(__ARM_FEATURE_DOTPROD)
TEST(ArmDotprod, Kernel8x8AllSignednessExact) {
  if (!arm::cpu_has_dotprod()) GTEST_SKIP() << "CPU lacks the dot-product instructions (HWCAP_ASIMDDP)";
  expect_all_signedness<backend::NeonDotprod>();
}
#endif

#if defined(__ARM_FEATURE_MATMUL_INT8)
TEST(ArmI8mm, Kernel8x8AllSignednessExact) {
  if (!arm::cpu_has_i8mm()) GTEST_SKIP() << "CPU lacks the int8 matrix-multiply instructions (HWCAP2_I8MM)";
  expect_all_signedness<backend::NeonI8mm>();
}
#endif

}  // namespace
}  // namespace lowp
