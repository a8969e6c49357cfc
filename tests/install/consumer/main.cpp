// A downstream program: includes the umbrella header and checks one result.
#include <lowp/lowp.hpp>

#include <cstdio>

int main() {
  // 3 * 2^-1 rounded: saturating_rounding_doubling_high_mul(3, 2^30) = round(3 * 2^30 / 2^31) = 2.
  const int r = lowp::fixedpoint::saturating_rounding_doubling_high_mul(3, 1 << 30);
  std::printf("lowp consumer: %d\n", r);
  return r == 2 ? 0 : 1;
}
