// The xsimd kernels against the scalar reference, bit for bit: randomized shapes (tails of every
// length), per-tensor / per-channel (every axis, both ends) / per-group, strided and column-major
// operands, both nearest roundings, int8 / uint8 / narrow / low-bit codes, and data full of ties
// (x.5 after scaling), huge values, +-Inf, NaN, -0 and denormals. Built once with the build's
// flags and once per x86 ISA (LOWP_TEST_REQUIRE_ISA), skipped loudly when the CPU lacks it.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lowp/quantize/quantizer.hpp"

#define LOWP_STR2(x) #x
#define LOWP_STR(x) LOWP_STR2(x)

namespace {

using lowp::PerChannel;
using lowp::PerGroup;
using lowp::PerTensor;
using lowp::QuantParams;
using lowp::TensorView;

bool cpu_has_required_isa(std::string& missing) {
#if defined(LOWP_TEST_REQUIRE_ISA)
  const std::string isa = LOWP_STR(LOWP_TEST_REQUIRE_ISA);
  __builtin_cpu_init();
  if (isa == "avx2") {
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) missing = "AVX2 + FMA";
  } else if (isa == "avx512bw") {
    if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw") ||
        !__builtin_cpu_supports("avx512vl") || !__builtin_cpu_supports("avx512dq"))
      missing = "AVX-512 F/BW/VL/DQ";
  }
#endif
  (void)missing;
  return missing.empty();
}

class QuantizeSimd : public testing::Test {
 protected:
  void SetUp() override {
    std::string missing;
    if (!cpu_has_required_isa(missing)) GTEST_SKIP() << "this CPU lacks " << missing << ": kernels not run";
  }
};

TEST_F(QuantizeSimd, CompiledForTheRequestedArchitecture) {
  const std::string arch = xsimd::default_arch::name();
  std::printf("xsimd::default_arch = %s, %zu floats per batch\n", arch.c_str(), xsimd::batch<float>::size);
#if defined(LOWP_TEST_REQUIRE_ISA)
  EXPECT_NE(arch.find(LOWP_STR(LOWP_TEST_REQUIRE_ISA)), std::string::npos) << arch;
#endif
}

// Values that stress the kernels: ties after scaling, both ends, specials.
float nasty(std::mt19937& rng, float scale) {
  std::uniform_int_distribution<int> kind(0, 19);
  std::uniform_int_distribution<int> k(-400, 400);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  switch (kind(rng)) {
    case 0: return std::numeric_limits<float>::infinity();
    case 1: return -std::numeric_limits<float>::infinity();
    case 2: return std::numeric_limits<float>::quiet_NaN();
    case 3: return nd(rng) * 3e38f;
    case 4: return nd(rng) * 3e9f;  // beyond int32 after scaling
    case 5: return -0.0f;
    case 6: return 1e-40f * nd(rng);
    case 7: case 8: case 9: case 10: case 11:
      return (k(rng) + 0.5f) * scale;  // a tie whenever 1 / scale is exact
    default: return nd(rng) * 100.0f * scale;
  }
}

float random_scale(std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(0, 3);
  std::uniform_real_distribution<float> u(0.001f, 2.0f);
  switch (pick(rng)) {
    case 0: return std::ldexp(1.0f, std::uniform_int_distribution<int>(-8, 3)(rng));  // exact reciprocal
    case 1: return 1.0f / 3.0f;
    default: return u(rng);
  }
}

template <typename Storage>
QuantParams random_params(std::mt19937& rng) {
  return {random_scale(rng), std::uniform_int_distribution<std::int32_t>(Storage::qmin, Storage::qmax)(rng)};
}

struct Shape {
  std::vector<std::ptrdiff_t> extents, in_strides, out_strides;
  std::ptrdiff_t in_span = 0, out_span = 0;  // buffer sizes
};

// A random shape of rank 1..4; operands C-contiguous, column-major (reversed) or padded.
Shape random_shape(std::mt19937& rng) {
  Shape s;
  const int rank = std::uniform_int_distribution<int>(1, 4)(rng);
  const std::ptrdiff_t maxe = rank == 1 ? 300 : rank == 2 ? 70 : 12;
  for (int d = 0; d < rank; ++d) s.extents.push_back(std::uniform_int_distribution<std::ptrdiff_t>(1, maxe)(rng));
  auto strides = [&](std::vector<std::ptrdiff_t>& st, std::ptrdiff_t& span) {
    const int layout = std::uniform_int_distribution<int>(0, 3)(rng);
    st.assign(rank, 0);
    std::ptrdiff_t acc = 1;
    for (int i = 0; i < rank; ++i) {
      const int d = layout == 1 ? i : rank - 1 - i;  // layout 1: column-major
      st[d] = acc;
      acc *= s.extents[d] + (layout == 2 && i == 0 ? 3 : 0);  // layout 2: padded rows
    }
    span = acc;
  };
  strides(s.in_strides, s.in_span);
  strides(s.out_strides, s.out_span);
  return s;
}

template <typename Q>
void compare_quantize(const Q& q, const Shape& s, std::mt19937& rng, float scale_hint, const char* what) {
  using Code = typename Q::code_type;
  static_assert(Q::vectorized, "this test is about the vectorized path");
  std::vector<float> x(s.in_span);
  for (auto& v : x) v = nasty(rng, scale_hint);
  std::vector<Code> fast(s.out_span, 0x5A), ref(s.out_span, 0x5A);
  const int r = static_cast<int>(s.extents.size());
  const TensorView<const float> xv(x.data(), s.extents.data(), s.in_strides.data(), r);
  q.quantize(xv, TensorView<Code>(fast.data(), s.extents.data(), s.out_strides.data(), r));
  q.quantize_reference(xv, TensorView<Code>(ref.data(), s.extents.data(), s.out_strides.data(), r));
  for (std::size_t i = 0; i < fast.size(); ++i)
    ASSERT_EQ(static_cast<int>(fast[i]), static_cast<int>(ref[i])) << what << ": output offset " << i << " of "
                                                                     << fast.size() << ", rank " << r;
  // dequantize the codes back (padding bytes included: any code is valid input)
  std::vector<float> dfast(s.in_span, 1.0f), dref(s.in_span, 1.0f);
  const TensorView<const Code> cv(fast.data(), s.extents.data(), s.out_strides.data(), r);
  q.dequantize(cv, TensorView<float>(dfast.data(), s.extents.data(), s.in_strides.data(), r));
  q.dequantize_reference(cv, TensorView<float>(dref.data(), s.extents.data(), s.in_strides.data(), r));
  ASSERT_TRUE(dfast.empty() || std::memcmp(dfast.data(), dref.data(), dfast.size() * sizeof(float)) == 0)
      << what << ": dequantize";
}

template <typename Storage, typename Rounding>
void run_random_cases(int cases, std::uint32_t seed) {
  std::mt19937 rng(seed);
  for (int t = 0; t < cases; ++t) {
    const Shape s = random_shape(rng);
    const int rank = static_cast<int>(s.extents.size());
    const int kind = t % 3;
    if (kind == 0) {
      const QuantParams p = random_params<Storage>(rng);
      compare_quantize(lowp::Quantizer<Storage, lowp::Affine, PerTensor, Rounding>(PerTensor{p}), s, rng, p.scale,
                       "per-tensor");
    } else if (kind == 1) {
      const int axis = std::uniform_int_distribution<int>(0, rank - 1)(rng);
      std::vector<QuantParams> ps;
      for (std::ptrdiff_t c = 0; c < s.extents[axis]; ++c) ps.push_back(random_params<Storage>(rng));
      compare_quantize(lowp::Quantizer<Storage, lowp::Affine, PerChannel, Rounding>(PerChannel{axis, ps}), s, rng,
                       ps[0].scale, "per-channel");
    } else {
      const int axis = std::uniform_int_distribution<int>(0, rank - 1)(rng);
      const std::ptrdiff_t g = std::uniform_int_distribution<std::ptrdiff_t>(1, 40)(rng);
      std::ptrdiff_t n = 1;
      for (int d = 0; d < rank; ++d) n *= d == axis ? (s.extents[d] + g - 1) / g : s.extents[d];
      std::vector<QuantParams> ps;
      for (std::ptrdiff_t c = 0; c < n; ++c) ps.push_back(random_params<Storage>(rng));
      compare_quantize(lowp::Quantizer<Storage, lowp::Affine, PerGroup, Rounding>(PerGroup{axis, g, ps}), s, rng,
                       ps[0].scale, "per-group");
    }
    if (testing::Test::HasFatalFailure()) return;
  }
}

TEST_F(QuantizeSimd, Int8NearestEvenMatchesReference) { run_random_cases<lowp::Int8, lowp::NearestEven>(240, 1); }
TEST_F(QuantizeSimd, UInt8NearestEvenMatchesReference) { run_random_cases<lowp::UInt8, lowp::NearestEven>(240, 2); }
TEST_F(QuantizeSimd, NearestAwayMatchesReference) {
  run_random_cases<lowp::Int8, lowp::NearestAway>(120, 3);
  run_random_cases<lowp::UInt8, lowp::NearestAway>(120, 4);
}
TEST_F(QuantizeSimd, NarrowAndLowBitCodesMatchReference) {
  run_random_cases<lowp::Int8Narrow, lowp::NearestEven>(60, 5);
  run_random_cases<lowp::IntStorage<std::int8_t, 4>, lowp::NearestEven>(60, 6);
  run_random_cases<lowp::IntStorage<std::uint8_t, 8, true>, lowp::NearestAway>(60, 7);
}

// Long contiguous runs: the main loop, every tail length, and exact ties for every code.
TEST_F(QuantizeSimd, EveryTailLengthAndEveryTie) {
  std::mt19937 rng(9);
  for (std::ptrdiff_t n = 0; n <= 200; ++n) {
    Shape s;
    s.extents = {n};
    s.in_strides = s.out_strides = {1};
    s.in_span = s.out_span = n;
    compare_quantize(lowp::Quantizer<lowp::Int8>(PerTensor{{0.5f, -3}}), s, rng, 0.5f, "tail");
    compare_quantize(lowp::Quantizer<lowp::UInt8, lowp::Affine, PerTensor, lowp::NearestAway>(PerTensor{{0.25f, 200}}),
                     s, rng, 0.25f, "tail");
    if (HasFatalFailure()) return;
  }
  std::vector<float> x;
  for (int k = -300; k <= 300; ++k) x.push_back(k + 0.5f);
  std::vector<std::uint8_t> fast(x.size()), ref(x.size());
  const lowp::Quantizer<lowp::UInt8> q(PerTensor{{1.0f, 100}});
  const TensorView<const float> xv(x.data(), {static_cast<std::ptrdiff_t>(x.size())});
  q.quantize(xv, TensorView<std::uint8_t>(fast.data(), {static_cast<std::ptrdiff_t>(x.size())}));
  q.quantize_reference(xv, TensorView<std::uint8_t>(ref.data(), {static_cast<std::ptrdiff_t>(x.size())}));
  for (std::size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(fast[i], ref[i]) << x[i];
    const double even = std::min(255.0, std::max(0.0, 100 + std::nearbyint(static_cast<double>(x[i]))));
    ASSERT_EQ(fast[i], even) << x[i];
  }
}

}  // namespace
