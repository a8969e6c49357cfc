// lowp/ops/gemm_backend.hpp: the one place where the ops choose their GEMM.
//
// Every GEMM-based op (conv2d) multiplies through ops_gemm() with weights
// packed by OpsPackedWeights: lowp::gemm with the best backend the compiler
// flags enable (gemm/gemm.hpp), whose result is by definition reference_gemm's,
// so the ops stay bit-exact with reference_conv2d whatever the backend.
#pragma once

#include <cstdint>

#include "lowp/core/matrix_view.hpp"
#include "lowp/gemm/context.hpp"
#include "lowp/gemm/gemm.hpp"
#include "lowp/gemm/params.hpp"

namespace lowp {

template <typename TW>
using OpsPackedWeights = PackedWeights<DefaultBackend, TW>;

namespace detail {

template <typename Policy, typename TA, typename TW, typename TC>
void ops_gemm(MatrixView<const TA> a, const OpsPackedWeights<TW>& b, MatrixView<TC> c, std::int32_t a_zero_point,
              const OutputStage& out, Context* ctx) {
  gemm<Policy>(a, b, c, a_zero_point, out, ctx);
}

template <typename Policy, typename TA, typename TW, typename TC>
void ops_gemm(MatrixView<const TA> a, const OpsPackedWeights<TW>& b, MatrixView<TC> c,
              const PreparedOutputStage<Policy, TA, DefaultBackend, TW>& stage, Context* ctx) {
  gemm(a, b, c, stage, ctx);
}

}  // namespace detail
}  // namespace lowp
