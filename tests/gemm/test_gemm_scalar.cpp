// The portable backend against the reference, plus the API properties that do not
// depend on an ISA (argument checks, allocation-free packed calls, backend names).
#include <atomic>
#include <cstdlib>
#include <new>

#include "differential_suite.hpp"

// Counts every allocation of this program, to check the packed GEMM's hot path. (GCC sees
// malloc/free behind the replaced operators and warns about a mismatch that is not one.)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<long> g_allocations{0};
}
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

LOWP_GEMM_DIFFERENTIAL_TESTS(GemmScalar, lowp::backend::Scalar, true, "")

TEST(GemmApi, BadArgumentsAreRefused) {
  std::vector<std::uint8_t> a(12, 1);
  std::vector<std::int8_t> b(12, 1);
  std::vector<std::int32_t> c(9);
  lowp::GemmZeroPoints zp;
  lowp::OutputStage out;
  using P = lowp::SingleRounding;
  using S = lowp::backend::Scalar;
  // Inner dimensions differ.
  EXPECT_THROW((lowp::gemm<P, S>(lowp::row_major(a.data(), 3, 4), lowp::row_major(b.data(), 3, 4),
                                 lowp::row_major(c.data(), 3, 4), zp, out)),
               lowp::error);
  // Zero point outside the activation type.
  zp.a = 300;
  EXPECT_THROW((lowp::gemm<P, S>(lowp::row_major(a.data(), 3, 4), lowp::row_major(b.data(), 4, 3),
                                 lowp::row_major(c.data(), 3, 3), zp, out)),
               lowp::error);
  zp.a = 0;
  // Packed weights of the wrong depth.
  const lowp::PackedWeights<S, std::int8_t> w(lowp::row_major(b.data(), 3, 4), 0);
  EXPECT_THROW((lowp::gemm<P>(lowp::row_major(a.data(), 3, 4), w, lowp::row_major(c.data(), 3, 4), 0, out)),
               lowp::error);
  EXPECT_STREQ(lowp::backend_name<S>(), "scalar");
}

TEST(GemmApi, PackedCallsDoNotAllocate) {
  const int m = 37, n = 45, k = 70;
  std::vector<std::int8_t> a(m * k, 3), c(m * n);
  std::vector<std::uint8_t> b(k * n, 200);
  std::vector<std::int32_t> zb(n, 130), bias(n, -5);
  lowp::OutputStage out;
  out.bias = bias.data();
  out.multiplier = 1 << 30;
  out.shift = -6;
  using S = lowp::backend::Scalar;
  const lowp::PackedWeights<S, std::uint8_t> w(lowp::row_major(b.data(), k, n),
                                               lowp::ChannelValues<std::int32_t>(zb.data(), zb.size()));
  lowp::Context ctx;
  lowp::gemm<lowp::GemmlowpRounding>(lowp::row_major(a.data(), m, k), w, lowp::row_major(c.data(), m, n), 1, out, &ctx);
  const long before = g_allocations.load();
  for (int rows : {m, 1, 4, 20})
    lowp::gemm<lowp::GemmlowpRounding>(lowp::row_major(a.data(), rows, k), w, lowp::row_major(c.data(), rows, n), 1,
                                       out, &ctx);
  EXPECT_EQ(g_allocations.load() - before, 0) << "a packed GEMM with a warmed-up Context allocated";
}
