// A downstream program: includes the umbrella header and checks a fixed-point result and a
// quantize() that runs the xsimd kernel (64 values: the vector loop, not only its scalar tail).
#include <lowp/lowp.hpp>

#include <cstdint>
#include <cstdio>
#include <vector>

int main() {
  // 3 * 2^-1 rounded: saturating_rounding_doubling_high_mul(3, 2^30) = round(3 * 2^30 / 2^31) = 2.
  const int r = lowp::fixedpoint::saturating_rounding_doubling_high_mul(3, 1 << 30);
  // x = 2.5 with scale 0.5 and zero point 1: round(5) + 1 = 6.
  const std::vector<float> x(64, 2.5f);
  std::vector<std::int8_t> q(64);
  lowp::Quantizer<lowp::Int8>(lowp::PerTensor{{0.5f, 1}})
      .quantize(lowp::TensorView<const float>(x.data(), {64}), lowp::TensorView<std::int8_t>(q.data(), {64}));
  std::printf("lowp consumer: %d %d\n", r, q[63]);
  return r == 2 && q[0] == 6 && q[63] == 6 ? 0 : 1;
}
