// lowp/ops/gemm_backend.hpp: the one place where the ops choose their GEMM.
//
// Every GEMM-based op (conv2d) calls ops_gemm(); it forwards to the library's
// GEMM (gemm/gemm.hpp, the best backend the compiler flags enable), whose result
// is by definition reference_gemm's, so the ops stay bit-exact with
// reference_conv2d whatever the backend.
#pragma once

#include "lowp/core/matrix_view.hpp"
#include "lowp/gemm/params.hpp"
#include "lowp/gemm/gemm.hpp"

namespace lowp {
namespace detail {

template <typename Policy, typename TA, typename TB, typename TC>
void ops_gemm(MatrixView<const TA> a, MatrixView<const TB> b, MatrixView<TC> c, const GemmZeroPoints& zp,
              const OutputStage& out) {
  gemm<Policy>(a, b, c, zp, out);
}

}  // namespace detail
}  // namespace lowp
