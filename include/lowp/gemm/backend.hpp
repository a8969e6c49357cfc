// lowp/gemm/backend.hpp: the contract between the GEMM driver and a backend.
//
// A backend is a struct (also the tag users pass as lowp::gemm's Backend parameter)
// that describes its packed layouts and supplies one register-tiled micro-kernel.
// The driver (driver.hpp) owns everything else: argument checks, packing, cache
// blocking, the zero-point algebra, threading. Adding a backend means writing one
// such struct in its own header, guarded by the compiler macros of its ISA, and
// listing the header in gemm.hpp; the driver is never edited. See the comment at
// the top of gemm.hpp for the full contract.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "lowp/gemm/isa_namespace.hpp"

// Full unrolling of the fixed-trip loops over a micro-tile's rows and vectors, so that
// the accumulator arrays of a kernel live in registers (GCC does not unroll at -O2).
#if defined(__clang__)
#define LOWP_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define LOWP_UNROLL _Pragma("GCC unroll 32")
#else
#define LOWP_UNROLL
#endif

// Micro-kernels are kept out of line: inlined into the driver's loops, GCC hoists the
// epilogue's constants above the depth loop and then spills accumulators to the stack.
#if defined(__GNUC__)
#define LOWP_KERNEL_NOINLINE __attribute__((noinline))
#else
#define LOWP_KERNEL_NOINLINE
#endif

// A depth loop written once as a lambda and instantiated twice inside one kernel (with and
// without a hint) must be inlined into it, or its accumulators go through memory.
#if defined(__GNUC__)
#define LOWP_ALWAYS_INLINE_LAMBDA __attribute__((always_inline))
#else
#define LOWP_ALWAYS_INLINE_LAMBDA
#endif

namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {

// How far ahead (bytes of its own B panel) an x86 tile prefetches into L2 when the packed B
// outgrows L2 (TileArgs::b_beyond_l2): the hardware prefetcher alone keeps too few lines in
// flight from L3 (x86/tile_ymm_6x16.hpp and x86/kernel_avx512vnni_8x32.hpp give the A/B runs;
// 8 and 32 KiB did as well as 16 KiB, 4 KiB less).
inline constexpr std::ptrdiff_t b_prefetch_ahead_bytes = 16 * 1024;

// Per output column n, for the columns of one micro-tile (pointers already point at the
// tile's first column; arrays are padded to the packed width, so whole vectors may be loaded).
struct ColumnParams {
  const std::int32_t* offset;       // bias[n] + za' * (K * zb'[n] - colsum'[n])   (mod 2^32)
  const std::int32_t* zb;           // zb'[n] = zb[n] + b_shift; nullptr when every zb'[n] is 0
  const std::int32_t* multiplier;   // OutputStage::multiplier[n]
  const std::int32_t* shift;        // OutputStage::shift[n] (TFLite sign convention)
  const std::int32_t* left_shift;   // GemmlowpRounding: max(shift, 0)
  const std::int32_t* right_shift;  // GemmlowpRounding: max(-shift, 0); SingleRounding: 31 - shift
  const float* real;                // OutputStage::real[n]
};

// One micro-kernel call: Rows x (Panels * nr) outputs over the full depth K.
//   acc[r][j] = sum_k a'[r][k] * b'[k][j] + offset[j] - zb[j] * row_sums[r]   (mod 2^32, exact)
//   c[r][j]   = out(acc[r][j])   for j < cols   (the output stage of output_stage.hpp)
// a' and b' are the packed (shifted) codes; the result equals the reference exactly
// because the true value fits in int32 (check_gemm_arguments) and all terms are mod 2^32.
template <typename PA, typename PB, typename TC>
struct TileArgs {
  const PA* a;                     // A codes of the tile's first row at k = 0; the k-group g of row r
  std::ptrdiff_t a_row_stride;     //   starts at a + r * a_row_stride + g * a_group_stride (packed
  std::ptrdiff_t a_group_stride;   //   micro-panel: kgroup and mr * kgroup; see Backend::direct_a)
  const PB* b;                     // packed B, first panel of the tile, at k = 0
  std::ptrdiff_t b_panel_stride;   // elements from one packed B panel to the next
  std::ptrdiff_t kgroups;          // ceil(K / kgroup)
  bool b_beyond_l2;                // the packed B outgrows L2: its panels stream from L3 or memory
  const std::int32_t* row_sums;    // sum_k a'[r][k] for each of the Rows rows
  ColumnParams col;
  int cols;                        // valid columns, 1 .. Panels * nr
  std::int32_t zc, lo, hi;         // output zero point and clamp bounds (already intersected with TC)
  TC* c;                           // C(r, j) = c[r * c_row_stride + j * c_col_stride]
  std::ptrdiff_t c_row_stride, c_col_stride;
  // Optional hint (nullptr: none; kernels may ignore it): B that a later tile will read from
  // beyond L2. A kernel that honours it prefetches into L2, at k-group g, the two cache lines
  // at b_prefetch + g * b_prefetch_step (step <= 128 bytes, so the lines cover
  // [b_prefetch, b_prefetch + kgroups * step)).
  const PB* b_prefetch = nullptr;
  std::ptrdiff_t b_prefetch_step = 0;
};

namespace backend {
// The tags. Each is defined in full (enabled = true, layouts, kernel) by its header
// when the compiler flags enable its ISA, and as a disabled placeholder otherwise.
struct Scalar;
struct Avx2;
struct AvxVnni;
struct Avx512Vnni;
struct Neon;
struct NeonDotprod;
struct NeonI8mm;
}  // namespace backend

// The code domain of VPDPBUSD-style dot products (uint8 x int8): int8 activations are
// shifted by +128 and uint8 weights by -128 (each a flip of the byte's top bit).
// Backends with this domain inherit it.
struct UnsignedBySignedCodes {
  using a_type = std::uint8_t;
  using b_type = std::int8_t;
  template <typename TA>
  static constexpr int a_shift = std::is_same<TA, std::int8_t>::value ? 128 : 0;
  template <typename TB>
  static constexpr int b_shift = std::is_same<TB, std::uint8_t>::value ? -128 : 0;
};

template <typename Backend>
constexpr const char* backend_name() {
  return Backend::name;
}

}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
