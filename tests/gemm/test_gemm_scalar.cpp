// The portable backend against the reference, plus the API properties that do not
// depend on an ISA (argument checks, allocation-free packed calls, backend names).
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>
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
  // C with a leading dimension below its width writes elements twice: refused, one-shot and packed.
  EXPECT_THROW((lowp::gemm<P, S>(lowp::row_major(a.data(), 3, 4), lowp::row_major(b.data(), 4, 3),
                                 lowp::row_major(c.data(), 3, 3, 2), zp, out)),
               lowp::error);
  const lowp::PackedWeights<S, std::int8_t> w43(lowp::row_major(b.data(), 4, 3), 0);
  EXPECT_THROW((lowp::gemm<P>(lowp::row_major(a.data(), 3, 4), w43, lowp::row_major(c.data(), 3, 3, 2), 0, out)),
               lowp::error);
  const auto stage = lowp::prepare_output_stage<P, std::uint8_t>(w43, 0, out);
  EXPECT_THROW((lowp::gemm(lowp::row_major(a.data(), 3, 4), w43, lowp::col_major(c.data(), 3, 3, 0), stage)),
               lowp::error);
  // Weights deeper than any activation zero point allows are refused when packed, before their
  // int32 column sums (here 17M x -128) could overflow. One row repeated: no memory needed.
  const std::int8_t row = -128;
  const auto deep = [&](std::ptrdiff_t k) { return lowp::MatrixView<const std::int8_t>{&row, k, 1, 0, 1}; };
  EXPECT_THROW((lowp::PackedWeights<S, std::int8_t>(deep(17000000), 0)), lowp::error);
  EXPECT_NO_THROW((lowp::PackedWeights<S, std::int8_t>(deep(131071), 0)));  // 131071 * 128 * 128 < 2^31
  EXPECT_THROW((lowp::PackedWeights<S, std::int8_t>(deep(131072), 0)), lowp::error);
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
  // The same through an output stage prepared once: equal results, no allocation either.
  std::vector<std::int8_t> c2(c.size());
  const auto stage = lowp::prepare_output_stage<lowp::GemmlowpRounding, std::int8_t>(w, 1, out);
  lowp::gemm(lowp::row_major(a.data(), m, k), w, lowp::row_major(c2.data(), m, n), stage, &ctx);
  lowp::gemm<lowp::GemmlowpRounding>(lowp::row_major(a.data(), m, k), w, lowp::row_major(c.data(), m, n), 1, out, &ctx);
  EXPECT_EQ(c2, c);
  const long before_prepared = g_allocations.load();
  for (int rows : {m, 1, 4, 20})
    lowp::gemm(lowp::row_major(a.data(), rows, k), w, lowp::row_major(c2.data(), rows, n), stage, &ctx);
  EXPECT_EQ(g_allocations.load() - before_prepared, 0) << "a prepared GEMM with a warmed-up Context allocated";
}

// Bad per-column parameters are refused, by the per-call path before C is written and by
// prepare_output_stage when the stage is made; a stage only serves the weights it was made for.
TEST(GemmApi, OutputStageIsValidatedOnceAndBoundToItsWeights) {
  using P = lowp::GemmlowpRounding;
  using S = lowp::backend::Scalar;
  const int m = 2, n = 5, k = 7;
  std::vector<std::uint8_t> a(m * k, 9);
  std::vector<std::int8_t> b(k * n, -3), c(m * n, 42);
  const std::vector<std::int8_t> untouched = c;
  const lowp::PackedWeights<S, std::int8_t> w(lowp::row_major(b.data(), k, n), 0);
  const lowp::PackedWeights<S, std::int8_t> other(lowp::row_major(b.data(), k, n), 0);
  const auto a_view = lowp::row_major(a.data(), m, k);
  const auto c_view = lowp::row_major(c.data(), m, n);
  lowp::OutputStage out;
  out.multiplier = 1 << 30;
  std::vector<std::int32_t> shifts(n, -3), bias(n, 0), mults(n - 1, 1 << 30);
  shifts[3] = 31;  // outside [-31, 30]
  out.shift = lowp::ChannelValues<std::int32_t>(shifts.data(), shifts.size());
  EXPECT_THROW(lowp::gemm<P>(a_view, w, c_view, 3, out, nullptr), lowp::error);
  EXPECT_THROW((lowp::prepare_output_stage<P, std::uint8_t>(w, 3, out)), lowp::error);
  shifts[3] = -32;
  EXPECT_THROW((lowp::prepare_output_stage<P, std::uint8_t>(w, 3, out)), lowp::error);
  shifts[3] = -3;
  // A bias so large that K = 7 worst-case terms of 255 * 128 no longer fit beside it in int32.
  bias[4] = std::numeric_limits<std::int32_t>::min();
  out.bias = bias.data();
  EXPECT_THROW(lowp::gemm<P>(a_view, w, c_view, 0, out, nullptr), lowp::error);
  EXPECT_THROW((lowp::prepare_output_stage<P, std::uint8_t>(w, 0, out)), lowp::error);
  bias[4] = 1000;
  out.multiplier = lowp::ChannelValues<std::int32_t>(mults.data(), mults.size());  // n - 1 values
  EXPECT_THROW((lowp::prepare_output_stage<P, std::uint8_t>(w, 0, out)), lowp::error);
  out.multiplier = 1 << 30;
  EXPECT_THROW((lowp::prepare_output_stage<P, std::uint8_t>(w, 256, out)), lowp::error);  // za outside uint8
  EXPECT_EQ(c, untouched) << "a refused call wrote C";

  const auto stage = lowp::prepare_output_stage<P, std::uint8_t>(w, 3, out);
  EXPECT_THROW(lowp::gemm(a_view, other, c_view, stage), lowp::error);
  EXPECT_THROW(lowp::gemm(lowp::row_major(a.data(), m, k - 1), w, c_view, stage), lowp::error);
  EXPECT_EQ(c, untouched);
  // The stage holds its own copy of the per-column values: `out` may change or go away.
  std::vector<std::int8_t> ref(c.size());
  lowp::reference_gemm<P>(a_view, lowp::row_major(b.data(), k, n), lowp::row_major(ref.data(), m, n),
                          lowp::GemmZeroPoints{3, 0}, out);
  std::fill(bias.begin(), bias.end(), 0);
  std::fill(shifts.begin(), shifts.end(), 0);
  lowp::gemm(a_view, w, c_view, stage);
  EXPECT_EQ(c, ref);

  // Weights re-packed in place (same object, new contents) no longer match the stage.
  lowp::PackedWeights<S, std::int8_t> repacked(lowp::row_major(b.data(), k, n), 0);
  const auto repacked_stage = lowp::prepare_output_stage<P, std::uint8_t>(repacked, 3, out);
  lowp::gemm(a_view, repacked, c_view, repacked_stage);
  std::vector<std::int8_t> b2(b.size(), 5);
  repacked = lowp::PackedWeights<S, std::int8_t>(lowp::row_major(b2.data(), k, n), 0);
  EXPECT_THROW(lowp::gemm(a_view, repacked, c_view, repacked_stage), lowp::error);
  EXPECT_NE(repacked.packing_id(), w.packing_id());
  EXPECT_NE(w.packing_id(), other.packing_id());
}

// Buffers of 2 MiB or more (in practice packed weights beyond L2) are mappings of their own,
// aligned for transparent huge pages on Linux (aligned_buffer.hpp): they hold and grow to
// their whole capacity, and weights that large still give the reference's result.
TEST(GemmApi, LargeBuffersAreHugePageAlignedMappings) {
  using lowp::gemm_detail::AlignedBuffer;
  AlignedBuffer buf(3 << 20);
  for (std::size_t grow : {std::size_t{3} << 20, std::size_t{7} << 20}) {
    buf.reserve(grow);
    ASSERT_GE(buf.capacity(), grow);
#if defined(__linux__)
    EXPECT_EQ(buf.capacity() % AlignedBuffer::huge_page, 0u);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(buf.as<unsigned char>()) % AlignedBuffer::huge_page, 0u);
#endif
    std::memset(buf.as<unsigned char>(), 0xA5, buf.capacity());  // faults if the mapping is short
  }

  const int m = 3, k = 1100, n = 2053;  // 2.2 MB of packed weights
  std::mt19937 rng(5);
  std::vector<std::uint8_t> a(m * k);
  std::vector<std::int8_t> b(static_cast<std::size_t>(k) * n);
  std::vector<std::int32_t> zb(n), c(m * n), ref(m * n);
  for (auto& x : a) x = static_cast<std::uint8_t>(rng());
  for (auto& x : b) x = static_cast<std::int8_t>(rng());
  for (auto& x : zb) x = static_cast<std::int8_t>(rng());
  using S = lowp::backend::Scalar;
  const lowp::ChannelValues<std::int32_t> zb_view(zb.data(), zb.size());
  const lowp::PackedWeights<S, std::int8_t> w(lowp::row_major(b.data(), k, n), zb_view);
  ASSERT_GE(static_cast<std::size_t>(w.panel_stride()) * static_cast<std::size_t>(w.padded_cols() / S::nr),
            AlignedBuffer::huge_page);
  lowp::gemm<lowp::SingleRounding>(lowp::row_major(a.data(), m, k), w, lowp::row_major(c.data(), m, n), 7,
                                   lowp::OutputStage{});
  lowp::reference_gemm<lowp::SingleRounding>(lowp::row_major(a.data(), m, k), lowp::row_major(b.data(), k, n),
                                             lowp::row_major(ref.data(), m, n), lowp::GemmZeroPoints{7, zb_view},
                                             lowp::OutputStage{});
  EXPECT_EQ(c, ref);
}
