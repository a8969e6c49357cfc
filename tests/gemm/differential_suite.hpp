// tests/gemm/differential_suite.hpp: the randomized differential suite every GEMM
// backend must pass, bit-exact against lowp::reference_gemm.
//
// Backend-generic: a test binary compiled for an ISA instantiates
//   LOWP_GEMM_DIFFERENTIAL_TESTS(SuiteName, lowp::backend::X, cpu_supported_expr)
// and gets the random suite (>= 2000 cases over shapes 1..~300, all four input type
// combinations, all output types and policies, per-tensor/per-channel parameters,
// strides, row/col-major), the adversarial extremes and the long-K bound tests.
// A CPU without the ISA makes every test GTEST_SKIP with the reason.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "lowp/gemm/gemm.hpp"
#include "lowp/gemm/reference.hpp"

namespace lowp_test {

using lowp::GemmlowpRounding;
using lowp::SingleRounding;
using lowp::FloatRounding;

// A strided matrix with storage, for one operand of a case.
template <typename T>
struct Operand {
  std::vector<T> storage;
  lowp::MatrixView<T> view;
  Operand(std::ptrdiff_t rows, std::ptrdiff_t cols, bool col_major, std::ptrdiff_t pad) {
    const std::ptrdiff_t ld = (col_major ? rows : cols) + pad;
    storage.assign(static_cast<std::size_t>(std::max<std::ptrdiff_t>(1, ld * (col_major ? cols : rows))), T{});
    view = col_major ? lowp::col_major(storage.data(), rows, cols, ld) : lowp::row_major(storage.data(), rows, cols, ld);
  }
};

// Quantized multiplier of a real scale (multiplier in [2^30, 2^31), TFLite convention).
inline void quantize_multiplier(double real, std::int32_t& mult, std::int32_t& shift) {
  int exp = 0;
  const double q = std::frexp(real, &exp);  // real = q * 2^exp, q in [0.5, 1)
  auto m = static_cast<std::int64_t>(std::llround(q * (1ll << 31)));
  if (m == (1ll << 31)) {
    m /= 2;
    ++exp;
  }
  mult = static_cast<std::int32_t>(m);
  shift = std::clamp(exp, -31, 30);
}

struct CaseParams {
  std::ptrdiff_t m, n, k;
  bool a_col_major, b_col_major, c_col_major;
  std::ptrdiff_t a_pad, b_pad, c_pad;
  bool per_channel_zb, per_channel_mult, with_bias, clamp;
  int values;  // 0 uniform random, 1 only extremes, 2 narrow around zero points
  bool threads;
};

template <typename TA, typename TB>
struct CaseData {
  Operand<TA> a;
  Operand<TB> b;
  std::int32_t za;
  std::vector<std::int32_t> zb, bias, mult, shift;
  std::vector<float> real;
  lowp::GemmZeroPoints zp;
  lowp::OutputStage out;
};

template <typename T>
T random_code(std::mt19937& rng, int mode, std::int32_t center) {
  using L = std::numeric_limits<T>;
  if (mode == 1) return (rng() & 1) ? L::max() : L::min();
  if (mode == 2) {
    const int v = center + static_cast<int>(rng() % 7) - 3;
    return static_cast<T>(std::clamp<int>(v, L::min(), L::max()));
  }
  return static_cast<T>(static_cast<int>(L::min()) + static_cast<int>(rng() % 256));
}

template <typename TA, typename TB, typename TC>
CaseData<TA, TB> make_case(const CaseParams& p, std::mt19937& rng) {
  CaseData<TA, TB> d{Operand<TA>(p.m, p.k, p.a_col_major, p.a_pad), Operand<TB>(p.k, p.n, p.b_col_major, p.b_pad),
                     0, {}, {}, {}, {}, {}, {}, {}};
  using LA = std::numeric_limits<TA>;
  using LB = std::numeric_limits<TB>;
  d.za = p.values == 1 ? ((rng() & 1) ? LA::min() : LA::max()) : LA::min() + static_cast<int>(rng() % 256);
  if (rng() % 4 == 0) d.za = 0;
  const std::size_t nz = p.per_channel_zb ? static_cast<std::size_t>(p.n) : 1;
  for (std::size_t j = 0; j < nz; ++j)
    d.zb.push_back(rng() % 3 == 0 ? (std::is_signed<TB>::value ? 0 : 128) : LB::min() + static_cast<int>(rng() % 256));
  for (std::ptrdiff_t i = 0; i < p.m; ++i)
    for (std::ptrdiff_t k = 0; k < p.k; ++k) d.a.view(i, k) = random_code<TA>(rng, p.values, d.za);
  for (std::ptrdiff_t k = 0; k < p.k; ++k)
    for (std::ptrdiff_t j = 0; j < p.n; ++j) d.b.view(k, j) = random_code<TB>(rng, p.values, d.zb[p.per_channel_zb ? j : 0]);
  d.zp.a = d.za;
  d.zp.b = p.per_channel_zb ? lowp::ChannelValues<std::int32_t>(d.zb.data(), d.zb.size())
                            : lowp::ChannelValues<std::int32_t>(d.zb[0]);
  // Output scale: roughly 1 / (typical |acc|) so outputs spread over the range, with
  // occasional huge and tiny scales to exercise saturation and the shift extremes.
  const double typical = 64.0 * std::sqrt(static_cast<double>(std::max<std::ptrdiff_t>(1, p.k))) + 1.0;
  const std::size_t nm = p.per_channel_mult ? static_cast<std::size_t>(p.n) : 1;
  for (std::size_t j = 0; j < nm; ++j) {
    double real = std::ldexp(1.0 + (rng() % 1000) / 1000.0, static_cast<int>(rng() % 6)) / typical;
    const int r = static_cast<int>(rng() % 16);
    if (r == 0) real = std::ldexp(1.0 + (rng() % 1000) / 1000.0, static_cast<int>(rng() % 20));   // left shifts
    if (r == 1) real = std::ldexp(1.0 + (rng() % 1000) / 1000.0, -31 + static_cast<int>(rng() % 8)); // tiny
    std::int32_t mu = 0, sh = 0;
    quantize_multiplier(real, mu, sh);
    d.mult.push_back(mu);
    d.shift.push_back(sh);
    d.real.push_back(static_cast<float>(real));
  }
  if (p.with_bias)
    for (std::ptrdiff_t j = 0; j < p.n; ++j) d.bias.push_back(static_cast<std::int32_t>(rng() % 200001) - 100000);
  d.out.bias = p.with_bias ? d.bias.data() : nullptr;
  if (p.per_channel_mult) {
    d.out.multiplier = lowp::ChannelValues<std::int32_t>(d.mult.data(), d.mult.size());
    d.out.shift = lowp::ChannelValues<std::int32_t>(d.shift.data(), d.shift.size());
    d.out.real = lowp::ChannelValues<float>(d.real.data(), d.real.size());
  } else {
    d.out.multiplier = d.mult[0];
    d.out.shift = d.shift[0];
    d.out.real = d.real[0];
  }
  if constexpr (!std::is_same<TC, float>::value && !std::is_same<TC, std::int32_t>::value) {
    using LC = std::numeric_limits<TC>;
    d.out.output_zero_point = static_cast<std::int32_t>(LC::min()) +
                              static_cast<std::int32_t>(rng() % (static_cast<std::uint32_t>(LC::max() - LC::min()) + 1));
    // Now and then a zero point far outside TC (any int32 is legal: the sum is clamped in
    // int64), so that the epilogues' shifted clamp bounds [lo - zc, hi - zc] leave int32 or the
    // integers a float holds exactly (2^24), and their fallbacks run (x86/epilogue_avx512.hpp).
    if (rng() % 8 == 0) {
      static const std::int32_t far[] = {INT32_MIN,          INT32_MIN + 100,    -(1 << 30), -(1 << 24) - 129,
                                         -(1 << 24) + 127,   (1 << 24) - 128,    (1 << 24) + 200,
                                         1 << 30,            INT32_MAX - 100,    INT32_MAX};
      d.out.output_zero_point = far[rng() % (sizeof(far) / sizeof(far[0]))];
    }
    if (p.clamp) {
      const std::int32_t x = LC::min() + static_cast<std::int32_t>(rng() % 64);
      std::int32_t y = LC::max() - static_cast<std::int32_t>(rng() % 64);
      if (rng() % 4 == 0) y = x + static_cast<std::int32_t>(rng() % 8);  // a narrow window at the bottom
      d.out.clamp_min = x;
      d.out.clamp_max = y;
    }
  }
  return d;
}

template <typename T>
bool same_bits(T x, T y) {
  return std::memcmp(&x, &y, sizeof(T)) == 0;
}

inline std::string describe(const CaseParams& p, const char* types, const char* policy) {
  std::ostringstream os;
  os << "M=" << p.m << " N=" << p.n << " K=" << p.k << " types=" << types << " policy=" << policy
     << " layout A/B/C col-major=" << p.a_col_major << p.b_col_major << p.c_col_major << " pads=" << p.a_pad << ","
     << p.b_pad << "," << p.c_pad << " zb/mult per-channel=" << p.per_channel_zb << p.per_channel_mult
     << " bias=" << p.with_bias << " clamp=" << p.clamp << " values=" << p.values;
  return os.str();
}

// A tiny ThreadPool for tests: std::thread per task batch (allocation is fine here).
class TestThreadPool final : public lowp::ThreadPool {
 public:
  explicit TestThreadPool(int n) : n_(n) {}
  int num_threads() const override { return n_; }
  void run(int count, void (*task)(void*, int), void* context) override;

 private:
  int n_;
};

// Runs one case through backend B (packed path, optional threads) and the reference; returns
// false (after a gtest failure naming the first mismatch) when they differ.
template <typename Backend, typename Policy, typename TA, typename TB, typename TC>
bool check_case(const CaseParams& p, std::mt19937& rng, lowp::ThreadPool* pool = nullptr) {
  CaseData<TA, TB> d = make_case<TA, TB, TC>(p, rng);
  Operand<TC> c(p.m, p.n, p.c_col_major, p.c_pad), ref(p.m, p.n, false, 0);
  lowp::reference_gemm<Policy>(d.a.view, d.b.view, ref.view, d.zp, d.out);
  lowp::Context ctx(pool);
  // Every entry point: one shot (1/2 of the cases), packed weights with the output stage
  // prepared per call (1/4) or once beforehand (1/4).
  if (rng() % 2) {
    lowp::gemm<Policy, Backend>(d.a.view, d.b.view, c.view, d.zp, d.out, &ctx);
  } else {
    const lowp::PackedWeights<Backend, TB> w(d.b.view, d.zp.b);
    if (rng() % 2) {
      lowp::gemm<Policy>(d.a.view, w, c.view, d.za, d.out, &ctx);
    } else {
      const auto stage = lowp::prepare_output_stage<Policy, TA>(w, d.za, d.out);
      lowp::gemm(d.a.view, w, c.view, stage, &ctx);
    }
  }
  for (std::ptrdiff_t i = 0; i < p.m; ++i)
    for (std::ptrdiff_t j = 0; j < p.n; ++j)
      if (!same_bits(c.view(i, j), ref.view(i, j))) {
        ADD_FAILURE() << lowp::backend_name<Backend>() << " differs from reference_gemm at (" << i << ", " << j
                      << "): got " << +c.view(i, j) << ", expected " << +ref.view(i, j) << "\n  case: "
                      << describe(p, typeid(TA).name(), Policy::name()) << " TB=" << typeid(TB).name()
                      << " TC=" << typeid(TC).name();
        return false;
      }
  return true;
}

template <typename Backend, typename Policy, typename TA, typename TB>
bool check_case_any_output(int tc, const CaseParams& p, std::mt19937& rng, lowp::ThreadPool* pool) {
  switch (tc) {
    case 0: return check_case<Backend, Policy, TA, TB, std::int8_t>(p, rng, pool);
    case 1: return check_case<Backend, Policy, TA, TB, std::uint8_t>(p, rng, pool);
    case 2: return check_case<Backend, Policy, TA, TB, std::int16_t>(p, rng, pool);
    case 3: return check_case<Backend, Policy, TA, TB, std::int32_t>(p, rng, pool);
    default: return check_case<Backend, Policy, TA, TB, float>(p, rng, pool);
  }
}

template <typename Backend, typename Policy>
bool check_case_any_types(int combo, int tc, const CaseParams& p, std::mt19937& rng, lowp::ThreadPool* pool) {
  switch (combo) {
    case 0: return check_case_any_output<Backend, Policy, std::uint8_t, std::int8_t>(tc, p, rng, pool);
    case 1: return check_case_any_output<Backend, Policy, std::int8_t, std::int8_t>(tc, p, rng, pool);
    case 2: return check_case_any_output<Backend, Policy, std::uint8_t, std::uint8_t>(tc, p, rng, pool);
    default: return check_case_any_output<Backend, Policy, std::int8_t, std::uint8_t>(tc, p, rng, pool);
  }
}

template <typename Backend>
bool check_case_any(int policy, int combo, int tc, const CaseParams& p, std::mt19937& rng,
                    lowp::ThreadPool* pool = nullptr) {
  switch (policy) {
    case 0: return check_case_any_types<Backend, GemmlowpRounding>(combo, tc, p, rng, pool);
    case 1: return check_case_any_types<Backend, SingleRounding>(combo, tc, p, rng, pool);
    default: return check_case_any_types<Backend, FloatRounding>(combo, tc, p, rng, pool);
  }
}

// Dimensions 1..~300: mostly small (every tail width of every tile), some primes and mid sizes.
inline std::ptrdiff_t random_dim(std::mt19937& rng) {
  static const int primes[] = {1, 2, 3, 5, 7, 11, 13, 17, 31, 37, 61, 67, 97, 127, 131, 193, 251, 257, 293};
  const int r = static_cast<int>(rng() % 10);
  if (r < 5) return 1 + static_cast<std::ptrdiff_t>(rng() % 40);
  if (r < 7) return primes[rng() % (sizeof(primes) / sizeof(primes[0]))];
  if (r < 9) return 40 + static_cast<std::ptrdiff_t>(rng() % 100);
  return 140 + static_cast<std::ptrdiff_t>(rng() % 160);
}

inline CaseParams random_params(std::mt19937& rng) {
  CaseParams p{};
  p.m = random_dim(rng);
  p.n = random_dim(rng);
  p.k = random_dim(rng);
  // Keep the reference's work per case bounded (the suite also runs under ASan).
  while (p.m * p.n * p.k > 600000) {
    if (p.m >= p.n && p.m >= p.k) p.m = p.m / 2 + 1;
    else if (p.n >= p.k) p.n = p.n / 2 + 1;
    else p.k = p.k / 2 + 1;
  }
  if (rng() % 8 == 0) p.m = 1 + static_cast<std::ptrdiff_t>(rng() % 4);  // GEMV
  p.a_col_major = rng() % 4 == 0;
  p.b_col_major = rng() % 2 == 0;
  p.c_col_major = rng() % 5 == 0;
  p.a_pad = rng() % 3 == 0 ? static_cast<std::ptrdiff_t>(rng() % 5) : 0;
  p.b_pad = rng() % 3 == 0 ? static_cast<std::ptrdiff_t>(rng() % 5) : 0;
  p.c_pad = rng() % 3 == 0 ? static_cast<std::ptrdiff_t>(rng() % 5) : 0;
  p.per_channel_zb = rng() % 2;
  p.per_channel_mult = rng() % 2;
  p.with_bias = rng() % 3 != 0;
  p.clamp = rng() % 4 == 0;
  p.values = rng() % 6 == 0 ? 1 : (rng() % 6 == 0 ? 2 : 0);
  return p;
}

// The random suite: `cases` cases, cycling policies, type combinations and output types
// so that each (policy, TA, TB, TC) combination gets cases/60 of them.
template <typename Backend>
void run_random_suite(int cases, std::uint32_t seed) {
  std::mt19937 rng(seed);
  int failures = 0;
  for (int i = 0; i < cases && failures < 5; ++i) {
    const CaseParams p = random_params(rng);
    if (!check_case_any<Backend>(i % 3, (i / 3) % 4, (i / 12) % 5, p, rng)) ++failures;
  }
}

// Adversarial extremes: every activation at one end of its range, every weight at one end
// of its range, at the longest K the accumulator bound admits, into int32 (the raw sum)
// and requantized outputs. This is the case a saturating VPMADDUBSW gets wrong.
// (m = 3, n = 19: a partial tile in both directions.)
template <typename Backend, typename TA, typename TB>
void check_extremes(TA a_value, TB b_value, std::int32_t za, std::int32_t zb, std::ptrdiff_t m = 3,
                    std::int64_t k_cap = 140000) {
  const lowp::ChannelValues<std::int32_t> zbv(zb);
  const std::int64_t max_k = lowp::gemm_max_k<TA, TB>(za, zbv, 1);
  const std::ptrdiff_t k = static_cast<std::ptrdiff_t>(std::min<std::int64_t>(max_k, k_cap));
  const std::ptrdiff_t n = 19;
  std::vector<TA> a(static_cast<std::size_t>(m * k), a_value);
  std::vector<TB> b(static_cast<std::size_t>(k * n), b_value);
  std::vector<std::int32_t> c(static_cast<std::size_t>(m * n)), ref(c.size());
  std::vector<std::int8_t> c8(c.size()), ref8(c.size());
  lowp::GemmZeroPoints zp{za, zbv};
  lowp::OutputStage out;
  lowp::reference_gemm<GemmlowpRounding>(lowp::row_major(a.data(), m, k), lowp::row_major(b.data(), k, n),
                                         lowp::row_major(ref.data(), m, n), zp, out);
  lowp::gemm<GemmlowpRounding, Backend>(lowp::row_major(a.data(), m, k), lowp::row_major(b.data(), k, n),
                                        lowp::row_major(c.data(), m, n), zp, out);
  const std::int64_t expected = static_cast<std::int64_t>(k) * (static_cast<std::int64_t>(a_value) - za) *
                                (static_cast<std::int64_t>(b_value) - zb);
  ASSERT_EQ(ref[0], expected) << "reference itself";
  EXPECT_EQ(c, ref) << lowp::backend_name<Backend>() << " a=" << +a_value << " b=" << +b_value << " K=" << k;
  out.multiplier = 1 << 30;
  out.shift = -20;
  lowp::reference_gemm<SingleRounding>(lowp::row_major(a.data(), m, k), lowp::row_major(b.data(), k, n),
                                       lowp::row_major(ref8.data(), m, n), zp, out);
  lowp::gemm<SingleRounding, Backend>(lowp::row_major(a.data(), m, k), lowp::row_major(b.data(), k, n),
                                      lowp::row_major(c8.data(), m, n), zp, out);
  EXPECT_EQ(c8, ref8);
  // One step beyond the bound is refused.
  if (max_k < k_cap) {
    std::vector<TA> a2(static_cast<std::size_t>(k + 1), a_value);
    std::vector<TB> b2(static_cast<std::size_t>(k + 1), b_value);
    std::int32_t c1 = 0;
    EXPECT_THROW((lowp::gemm<GemmlowpRounding, Backend>(lowp::row_major(a2.data(), 1, k + 1),
                                                         lowp::row_major(b2.data(), k + 1, 1),
                                                         lowp::row_major(&c1, 1, 1), zp, out)),
                 lowp::error);
  }
}

template <typename Backend>
void run_extremes() {
  using i8 = std::int8_t;
  using u8 = std::uint8_t;
  for (std::int8_t bv : {i8(-128), i8(127)}) {
    check_extremes<Backend, u8, i8>(255, bv, 0, 0);
    check_extremes<Backend, i8, i8>(-128, bv, 0, 0);
    check_extremes<Backend, i8, i8>(127, bv, -128, 0);
  }
  for (std::uint8_t bv : {u8(0), u8(255)}) {
    check_extremes<Backend, u8, u8>(255, bv, 0, 128);
    check_extremes<Backend, i8, u8>(-128, bv, 127, 128);
    check_extremes<Backend, u8, u8>(0, bv, 255, 0);
  }
  check_extremes<Backend, u8, i8>(0, -128, 255, 127);
}

// Long depths (1027..4099, past the random suite's ~300) with full row tiles (M >= 8, the
// 8-row tiles of the x86 kernels), where a driver that split the depth into blocks of 256 or
// 512 would carry int32 partial sums across blocks: random and extreme operands, every
// policy, type pair and output type, and all-255 x -128 into int32; one case's weights
// outgrow L2.
template <typename Backend>
void run_long_depth(std::uint32_t seed) {
  std::mt19937 rng(seed);
  const std::ptrdiff_t shapes[][3] = {{9, 37, 1027}, {16, 40, 1539}, {17, 33, 2053}, {8, 64, 3001}, {24, 20, 4099}};
  int i = 0;
  for (const auto& s : shapes)
    for (int rep = 0; rep < 3; ++rep, ++i) {
      CaseParams p{};
      p.m = s[0];
      p.n = s[1];
      p.k = s[2];
      p.a_col_major = rep == 2;
      p.per_channel_zb = p.per_channel_mult = rep != 1;
      p.with_bias = true;
      p.values = rep == 1 ? 1 : 0;
      check_case_any<Backend>(i % 3, (i / 3) % 4, i % 5, p, rng);
    }
  // Packed B of 4.8 MB, beyond any L2: the prefetching depth loops of the x86 kernels
  // (TileArgs::b_beyond_l2, b_prefetch) run, with 6-row and 1-row ymm tiles, and 8-row
  // zmm tiles of which the second prefetches the next panel. int32 output: any error shows.
  CaseParams big{};
  big.m = 19;
  big.n = 1100;
  big.k = 4099;
  big.per_channel_zb = big.per_channel_mult = big.with_bias = true;
  check_case_any<Backend>(1, 2, 3, big, rng);
  // Rows beyond one row block (the packed A block takes about half of L2: ~15 micro-panels of
  // 8 rows at this depth with a 1 MiB L2), so the rows are cut into several blocks, each
  // packed into the same scratch with its own row sums: 261 rows, and two blocks of MC rows
  // plus a partial micro-panel, which the last block takes in (one panel more than MC: the
  // scratch must hold it, as ASan checks).
  CaseParams tall{};
  tall.n = 23;
  tall.k = 4099;
  tall.per_channel_zb = tall.with_bias = true;
  const std::ptrdiff_t tall_kgroups = (tall.k + Backend::kgroup - 1) / Backend::kgroup;
  const std::ptrdiff_t mc_rows = lowp::gemm_detail::row_block_panels<Backend>(tall_kgroups) * Backend::mr;
  for (const std::ptrdiff_t m : {std::ptrdiff_t{261}, 2 * mc_rows + Backend::mr / 2 + 1}) {
    tall.m = m;
    check_case_any<Backend>(2, 1, 4, tall, rng);
  }
  using i8 = std::int8_t;
  using u8 = std::uint8_t;
  check_extremes<Backend, u8, i8>(255, -128, 0, 0, 9, 4099);
  check_extremes<Backend, i8, u8>(-128, 255, 127, 0, 17, 2053);
}

// GEMV row tiles (1..4 rows) at every column count around their panel boundaries: the driver
// runs a multi-panel tile whose columns fit in half its panels as the narrower tile
// (GemmJob::run_kernel), so N = nr, nr + 1, 2 nr, 2 nr + 1, ... switch tile widths.
template <typename Backend>
void run_gemv_column_tails(std::uint32_t seed) {
  std::mt19937 rng(seed);
  constexpr std::ptrdiff_t nr = Backend::nr;
  int i = 0;
  for (std::ptrdiff_t m = 1; m <= 4; ++m)
    for (const std::ptrdiff_t n : {std::ptrdiff_t{1}, nr - 1, nr, nr + 1, 2 * nr - 1, 2 * nr, 2 * nr + 1, 3 * nr + 1,
                                   4 * nr, 4 * nr + 1, 5 * nr - 1})
      for (const std::ptrdiff_t k : {std::ptrdiff_t{7}, std::ptrdiff_t{133}}) {
        CaseParams p{};
        p.m = m;
        p.n = n;
        p.k = k;
        p.per_channel_zb = p.per_channel_mult = i % 2 == 0;
        p.with_bias = true;
        p.c_col_major = i % 7 == 0;
        check_case_any<Backend>(i % 3, (i / 3) % 4, i % 5, p, rng);
        ++i;
      }
}

// Bit-identical results for 1..4 threads (and equal to the reference).
template <typename Backend>
void run_threading(std::uint32_t seed) {
  std::mt19937 rng(seed);
  const std::ptrdiff_t shapes[][3] = {{1, 300, 64}, {4, 513, 129}, {33, 200, 100}, {130, 97, 61}, {70, 70, 300}, {40, 70, 1100}};
  for (const auto& s : shapes) {
    CaseParams p{};
    p.m = s[0];
    p.n = s[1];
    p.k = s[2];
    p.per_channel_zb = p.per_channel_mult = p.with_bias = true;
    for (int threads = 1; threads <= 4; ++threads) {
      TestThreadPool pool(threads);
      std::mt19937 case_rng(seed + static_cast<std::uint32_t>(s[0]));
      EXPECT_TRUE((check_case<Backend, SingleRounding, std::uint8_t, std::int8_t, std::int8_t>(p, case_rng, &pool)))
          << threads << " threads";
      std::mt19937 case_rng2(seed + static_cast<std::uint32_t>(s[1]));
      EXPECT_TRUE((check_case<Backend, FloatRounding, std::int8_t, std::int8_t, float>(p, case_rng2, &pool)))
          << threads << " threads";
    }
  }
  (void)rng;
}

}  // namespace lowp_test

#include <thread>

inline void lowp_test::TestThreadPool::run(int count, void (*task)(void*, int), void* context) {
  std::vector<std::thread> workers;
  for (int w = 0; w < n_; ++w)
    workers.emplace_back([=] {
      for (int i = w; i < count; i += n_) task(context, i);
    });
  for (auto& t : workers) t.join();
}

// Instantiates the suite for one backend. `supported` is evaluated at run time (cpuid).
#define LOWP_GEMM_DIFFERENTIAL_TESTS(Suite, Backend, supported, reason)                       \
  TEST(Suite, RandomCasesMatchReference) {                                                    \
    if (!(supported)) GTEST_SKIP() << reason;                                                 \
    lowp_test::run_random_suite<Backend>(2100, 20261121u);                                    \
  }                                                                                           \
  TEST(Suite, ExtremeOperandsAtLongestK) {                                                    \
    if (!(supported)) GTEST_SKIP() << reason;                                                 \
    lowp_test::run_extremes<Backend>();                                                       \
  }                                                                                           \
  TEST(Suite, LongDepthMatchesReference) {                                                    \
    if (!(supported)) GTEST_SKIP() << reason;                                                 \
    lowp_test::run_long_depth<Backend>(11u);                                                  \
  }                                                                                           \
  TEST(Suite, GemvColumnTailsMatchReference) {                                                \
    if (!(supported)) GTEST_SKIP() << reason;                                                 \
    lowp_test::run_gemv_column_tails<Backend>(5u);                                            \
  }                                                                                           \
  TEST(Suite, ThreadCountDoesNotChangeBits) {                                                 \
    if (!(supported)) GTEST_SKIP() << reason;                                                 \
    lowp_test::run_threading<Backend>(7u);                                                    \
  }
