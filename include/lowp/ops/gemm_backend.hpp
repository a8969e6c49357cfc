// lowp/ops/gemm_backend.hpp: the one place where the ops choose their GEMM.
//
// Every GEMM-based op (conv2d, fully_connected) calls ops_gemm(); it forwards to
// the library's GEMM entry point, whose result is by definition reference_gemm's.
#pragma once

#include "lowp/core/matrix_view.hpp"
#include "lowp/gemm/params.hpp"
#include "lowp/gemm/reference.hpp"

namespace lowp {
namespace detail {

template <typename Policy, typename TA, typename TB, typename TC>
void ops_gemm(MatrixView<const TA> a, MatrixView<const TB> b, MatrixView<TC> c, const GemmZeroPoints& zp,
              const OutputStage& out) {
  reference_gemm<Policy>(a, b, c, zp, out);
}

}  // namespace detail
}  // namespace lowp
