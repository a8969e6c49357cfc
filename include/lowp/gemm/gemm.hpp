// lowp/gemm/gemm.hpp: the fast quantized GEMM (public entry points).
//
//   C[m, n] = out( sum_k (A[m, k] - za) * (B[k, n] - zb[n]) + bias[n] )
//
// exactly as reference_gemm (reference.hpp) defines it, bit for bit, for every
// backend, input/output type, requantization policy, stride and shape.
//
// ENTRY POINTS
//   // One shot: packs B, then multiplies (allocates; for tests and one-off calls).
//   lowp::gemm<Policy[, Backend]>(A, B, C, GemmZeroPoints{za, zb}, OutputStage, Context* = nullptr);
//
//   // Inference: pack the weights once, stream activations through them.
//   lowp::PackedWeights<Backend, TB> w(B, zb);        // B: K x N MatrixView, zb per tensor/column
//   lowp::Context ctx;                               // scratch (+ optional ThreadPool)
//   lowp::gemm<Policy>(A, w, C, za, OutputStage, &ctx);  // no allocation once ctx has grown
//   // ... or, for a layer called again and again, prepare its per-column output stage once:
//   auto stage = lowp::prepare_output_stage<Policy, TA>(w, za, OutputStage);  // validates
//   lowp::gemm(A, w, C, stage, &ctx);               // no O(N) work per call (column_stage.hpp)
//
//   A: M x K, uint8 or int8. B: K x N, int8 or uint8. C: M x N, int8/uint8/int16/int32/float.
//   All are lowp::MatrixView (any strides; row- or column-major; Eigen through lowp::view),
//   except that C's strides must give each element its own address (ld >= width).
//   Policy: GemmlowpRounding, SingleRounding or FloatRounding (fixedpoint/requantize.hpp).
//   Errors (shapes, zero points, K beyond gemm_max_k, shifts) throw lowp::error before
//   any work: check_gemm_arguments (one shot), PackedWeights' constructor (zb), and
//   prepare_column_stage (za, OutputStage and the K bound, folded into its pass over N).
//
// BACKENDS (compile-time; lowp::DefaultBackend is the best one the flags enable)
//   lowp::backend::Avx512Vnni   -mavx512vnni -mavx512bw -mavx512vl  VPDPBUSD zmm, tile 8 x 32 (GEMV: 1..4 x 64..128)
//   lowp::backend::AvxVnni      -mavxvnni (VEX) or -mavx512vnni -mavx512vl (same kernel, EVEX)
//                                                                    VPDPBUSD ymm, tile 6 x 16
//   lowp::backend::Avx2         -mavx2                              VPMADDWD on int16 (exact; int8 weights widened), tile 6 x 16
//   lowp::backend::NeonI8mm     -march=armv8.6-a+i8mm (AArch64)     USMMLA, tile 8 x 8
//   lowp::backend::NeonDotprod  -march=armv8.2-a+dotprod (AArch64)  SDOT, tile 8 x 8
//   lowp::backend::Neon         any AArch64                         SMULL + SADALP (exact), tile 4 x 4
//   lowp::backend::Scalar       any                                 portable C++, tile 4 x 8
//   lowp::backend_name<B>() names a backend. Passing a backend the flags do not enable
//   fails with a static_assert that names the missing flags. All code here lives in an
//   inline namespace named after the ISA flags (isa_namespace.hpp), so translation units
//   built with different -m flags can be linked into one program without ODR clashes.
//
// ADDING A BACKEND (what the driver requires; see backend.hpp and scalar/kernel_scalar_4x8.hpp)
//   In its own header, guarded by the ISA's compiler macros, define in
//   lowp::LOWP_ISA_NAMESPACE::backend a struct
//     struct MyIsa {
//       static constexpr bool enabled = true;
//       static constexpr const char* name = "myisa";
//       static constexpr const char* required_flags = "-m...";
//       static constexpr int mr = ..., nr = ...;  // micro-tile rows; columns of one packed B panel
//       static constexpr int kgroup = ...;        // consecutive k interleaved per row/column (4: dot4)
//       static constexpr int max_panels = ...;    // most B panels one kernel call covers (GEMV)
//       static constexpr int panels(int rows);    // panels per call for `rows` rows; divides max_panels
//       using a_type = ...; using b_type = ...;   // packed codes: a' = a + a_shift<TA>, b' = b + b_shift<TB>
//       template <typename TA> static constexpr int a_shift = ...;  // (or inherit UnsignedBySignedCodes:
//       template <typename TB> static constexpr int b_shift = ...;  //  uint8 x int8, the VPDPBUSD domain)
//       static constexpr bool direct_a = ...;     // optional: kernel honours TileArgs::a_row_stride and
//                                                 // a_group_stride, so suitable row-major A is read in place
//       static void pack_a_panel(...);            // optional: vectorized packing of a micro-panel of A (driver.hpp)
//       template <typename Policy, typename TC, int Rows, int Panels>
//       static void kernel(const TileArgs<a_type, b_type, TC>& t);  // Rows x Panels*nr, full K, fused epilogue
//     };
//   and, in the #else branch, `struct MyIsa { static constexpr bool enabled = false; name; required_flags; };`.
//   Packed layouts (driver.hpp, packed_weights.hpp): A micro-panel = for each k-group g,
//   for each row r < mr, kgroup codes; B panel = for each k-group, for each column j < nr,
//   kgroup codes. The kernel computes acc = sum a'b' + offset[j] - zb[j]*row_sums[r] (mod 2^32)
//   and applies the output stage (TileArgs, ColumnParams in backend.hpp) to columns j < t.cols.
//   Then include the header below and extend DefaultBackend; tests/gemm/differential_suite.hpp
//   checks a new backend against the reference with one line.
//
// THREADING: give the Context a lowp::ThreadPool (user-implemented, or lowp::OpenMpThreadPool
// under -fopenmp). C is split into disjoint row/column blocks; results are bit-identical for
// any thread count.
#pragma once

#include <cstdint>
#include <type_traits>

#include "lowp/core/matrix_view.hpp"
#include "lowp/gemm/backend.hpp"
#include "lowp/gemm/column_stage.hpp"
#include "lowp/gemm/context.hpp"
#include "lowp/gemm/driver.hpp"
#include "lowp/gemm/packed_weights.hpp"
#include "lowp/gemm/params.hpp"
#include "lowp/gemm/scalar/kernel_scalar_4x8.hpp"
#include "lowp/gemm/x86/kernel_avx2_6x16.hpp"
#include "lowp/gemm/x86/kernel_avx512vnni_8x32.hpp"
#include "lowp/gemm/x86/kernel_avxvnni_6x16.hpp"
#include "lowp/gemm/arm/kernel_neon_4x4.hpp"
#include "lowp/gemm/arm/kernel_neon_dotprod_8x8.hpp"
#include "lowp/gemm/arm/kernel_neon_i8mm_8x8.hpp"




namespace lowp {
inline namespace LOWP_ISA_NAMESPACE {

#if LOWP_ISA_TAG_AVX512VNNI
using DefaultBackend = backend::Avx512Vnni;
#elif LOWP_ISA_TAG_AVXVNNI
using DefaultBackend = backend::AvxVnni;
#elif LOWP_ISA_TAG_AVX2
using DefaultBackend = backend::Avx2;
#elif defined(__aarch64__) && LOWP_ISA_TAG_I8MM
using DefaultBackend = backend::NeonI8mm;
#elif defined(__aarch64__) && LOWP_ISA_TAG_DOTPROD
using DefaultBackend = backend::NeonDotprod;
#elif defined(__aarch64__) && LOWP_ISA_TAG_NEON
using DefaultBackend = backend::Neon;
#else
using DefaultBackend = backend::Scalar;
#endif

namespace gemm_detail {
template <typename Backend>
constexpr bool require_backend() {
  static_assert(Backend::enabled,
                "lowp::gemm: the requested backend is not enabled by this translation unit's compiler flags "
                "(see Backend::required_flags, e.g. -mavx512vnni -mavx512bw -mavx512vl for Avx512Vnni, "
                "-mavx2 for Avx2, -march=armv8.2-a+dotprod for NeonDotprod, -march=armv8.6-a+i8mm for NeonI8mm)");
  return Backend::enabled;
}
}  // namespace gemm_detail

// Multiplies activations A by prepacked weights.
template <typename Policy, typename Backend, typename TB, typename TA, typename TC>
void gemm(MatrixView<TA> a, const PackedWeights<Backend, TB>& b, MatrixView<TC> c, std::int32_t a_zero_point,
          const OutputStage& out, Context* ctx = nullptr) {
  static_assert(gemm_detail::require_backend<Backend>());
  static_assert(!std::is_const<TC>::value, "lowp::gemm: C must be a view of mutable elements");
  using A = std::remove_const_t<TA>;
  const MatrixView<const A> ac = a;
  gemm_detail::check_packed_shapes(ac, b, c);
  check_output_view(c);
  Context local;
  Context& context = ctx ? *ctx : local;
  // Validation of (za, out) and the per-column arrays: one pass over N, before any output.
  const gemm_detail::ColumnStage stage =
      gemm_detail::prepare_column_stage<Policy, A>(b, a_zero_point, out, context.column_scratch());
  gemm_detail::gemm_packed<Policy>(ac, b, c, stage, context);
}

// Multiplies activations A by prepacked weights through a column stage prepared once for
// them (prepare_output_stage, column_stage.hpp): per call only O(1) checks.
template <typename Policy, typename Backend, typename TB, typename TA, typename TC, typename StageTA>
void gemm(MatrixView<TA> a, const PackedWeights<Backend, TB>& b, MatrixView<TC> c,
          const PreparedOutputStage<Policy, StageTA, Backend, TB>& stage, Context* ctx = nullptr) {
  static_assert(gemm_detail::require_backend<Backend>());
  static_assert(!std::is_const<TC>::value, "lowp::gemm: C must be a view of mutable elements");
  static_assert(std::is_same<std::remove_const_t<TA>, StageTA>::value,
                "lowp::gemm: the PreparedOutputStage was prepared for another activation type");
  const MatrixView<const StageTA> ac = a;
  gemm_detail::check_packed_shapes(ac, b, c);
  check_output_view(c);
  stage.check_weights(b);
  Context local;
  gemm_detail::gemm_packed<Policy>(ac, b, c, stage.stage(), ctx ? *ctx : local);
}

// One-shot: packs B (allocating) and multiplies.
template <typename Policy, typename Backend = DefaultBackend, typename TA, typename TB, typename TC>
void gemm(MatrixView<TA> a, MatrixView<TB> b, MatrixView<TC> c, const GemmZeroPoints& zp, const OutputStage& out,
          Context* ctx = nullptr) {
  static_assert(gemm_detail::require_backend<Backend>());
  using B = std::remove_const_t<TB>;
  static_assert(is_gemm_input<B>::value, "lowp::gemm: weights (B) must be int8 or uint8");
  const MatrixView<const B> bc = b;
  check_gemm_arguments(MatrixView<const std::remove_const_t<TA>>(a), bc, c, zp, out);
  const PackedWeights<Backend, B> packed(bc, zp.b);
  gemm<Policy>(a, packed, c, zp.a, out, ctx);
}

}  // namespace LOWP_ISA_NAMESPACE
}  // namespace lowp
