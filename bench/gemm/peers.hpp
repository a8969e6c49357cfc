// bench/gemm/peers.hpp: the libraries lowp's GEMM is compared with, each doing the same
// work on a GemmProblem. A peer is compiled only when CMake found its Debian package
// (LOWP_BENCH_HAVE_<PEER>); each has a constructor that prepares everything a real engine
// prepares once (weight packing, primitive creation), run() for the timed call, result()
// exposing what it computed and expected(): lowp's reference for the same computation.
//
//   OnednnMatmul   oneDNN matmul primitive, u8 x s8 -> s8, src zero point, s32 bias,
//                  per-channel output scales, weights PREPACKED (format_tag::any). The fair peer.
//   OnednnGemm     dnnl_gemm_u8s8s32 (BLAS-style: repacks both operands every call), s32 output.
//   XnnpackFc      XNNPACK qs8 fully connected (s8 x s8 -> s8, per-tensor scale in this version).
//   Gemmlowp       gemmlowp GemmWithOutputPipeline, u8 x u8 -> u8, bias + per-tensor fixed point.
//   EigenF32 / OpenblasF32  fp32 GEMM of the same shape: the int8-vs-float ratio.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <algorithm>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "gemm_problem.hpp"

#if LOWP_BENCH_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>
#endif
#if LOWP_BENCH_HAVE_XNNPACK
#include <xnnpack.h>
#endif
#if LOWP_BENCH_HAVE_GEMMLOWP
#include <gemmlowp/public/gemmlowp.h>
#endif
#if LOWP_BENCH_HAVE_OPENBLAS
#include <cblas.h>
#endif
#include <Eigen/Core>

namespace lowp_bench {

#if LOWP_BENCH_HAVE_ONEDNN
// TC = int8: the benchmarked configuration; TC = int32: no scales, the exact check of the MACs.
template <typename TC>
class OnednnMatmulT {
  static constexpr bool int32_output = std::is_same<TC, std::int32_t>::value;

 public:
  explicit OnednnMatmulT(const GemmProblem& p) : p_(p), eng_(dnnl::engine::kind::cpu, 0), stream_(eng_) {
    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    const dnnl::memory::dim m = p.shape.m, k = p.shape.k, n = p.shape.n;
    dnnl::memory::desc a_md({m, k}, dt::u8, tag::ab), b_any({k, n}, dt::s8, tag::any),
        bias_md({1, n}, dt::s32, tag::ab), c_md({m, n}, int32_output ? dt::s32 : dt::s8, tag::ab);
    dnnl::primitive_attr attr;
    if (!int32_output) attr.set_output_scales(2, std::vector<float>(p.real.begin(), p.real.end()));
    attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
    if (!int32_output) attr.set_zero_points(DNNL_ARG_DST, 0, {DNNL_RUNTIME_S32_VAL});
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a_md, b_any, bias_md, c_md), attr, eng_);
    impl_ = pd.impl_info_str();
    // Prepack the weights once, as an engine does at model load.
    dnnl::memory b_user({{k, n}, dt::s8, tag::ab}, eng_, const_cast<std::int8_t*>(p.b.data()));
    b_ = dnnl::memory(pd.weights_desc(), eng_);
    dnnl::reorder(b_user, b_).execute(stream_, b_user, b_);
    a_ = dnnl::memory(a_md, eng_, const_cast<std::uint8_t*>(p.a.data()));
    bias_ = dnnl::memory(bias_md, eng_, const_cast<std::int32_t*>(p.bias.data()));
    c_buf_.resize(std::size_t(m) * n);
    c_ = dnnl::memory(c_md, eng_, c_buf_.data());
    const dnnl::memory::desc zp_md({1}, dt::s32, tag::x);
    za_ = dnnl::memory(zp_md, eng_, &za_value_);
    zc_ = dnnl::memory(zp_md, eng_, &zc_value_);
    args_ = {{DNNL_ARG_SRC, a_}, {DNNL_ARG_WEIGHTS, b_}, {DNNL_ARG_BIAS, bias_}, {DNNL_ARG_DST, c_},
             {DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC, za_}};
    if (!int32_output) args_[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST] = zc_;
    prim_ = dnnl::matmul(pd);
    stream_.wait();
  }
  void run() {
    prim_.execute(stream_, args_);
    stream_.wait();
  }
  const std::vector<TC>& result() const { return c_buf_; }
  std::vector<TC> expected() const { return p_.reference<lowp::FloatRounding, TC>(); }
  const std::string& implementation() const { return impl_; }

 private:
  const GemmProblem& p_;
  dnnl::engine eng_;
  dnnl::stream stream_;
  dnnl::memory a_, b_, bias_, c_, za_, zc_;
  std::int32_t za_value_ = GemmProblem::za, zc_value_ = GemmProblem::zc;
  std::unordered_map<int, dnnl::memory> args_;
  dnnl::matmul prim_;
  std::vector<TC> c_buf_;
  std::string impl_;
};
using OnednnMatmul = OnednnMatmulT<std::int8_t>;

// C (s32) = (A - za) * B + bias, row-major; bias as the per-column ("R") C offset.
class OnednnGemm {
 public:
  explicit OnednnGemm(const GemmProblem& p) : p_(p), c_(std::size_t(p.shape.m) * p.shape.n) {}
  void run() {
    const auto& s = p_.shape;
    const auto st = dnnl_gemm_u8s8s32('N', 'N', 'R', s.m, s.n, s.k, 1.0f, p_.a.data(), s.k,
                                      static_cast<std::uint8_t>(GemmProblem::za), p_.b.data(), s.n, 0,
                                      0.0f, c_.data(), s.n, p_.bias.data());
    if (st != dnnl_success) throw std::runtime_error("dnnl_gemm_u8s8s32 failed");
  }
  const std::vector<std::int32_t>& result() const { return c_; }
  std::vector<std::int32_t> expected() const { return p_.reference<lowp::FloatRounding, std::int32_t>(); }

 private:
  const GemmProblem& p_;
  std::vector<std::int32_t> c_;
};
#endif  // LOWP_BENCH_HAVE_ONEDNN

#if LOWP_BENCH_HAVE_XNNPACK
// XNNPACK's qs8 operator takes int8 activations: A - 128 with zero point za - 128 is the
// same tensor. Its kernel scale is per tensor in this version, so the requantization uses
// one multiplier, real[0] (the check's reference does the same).
class XnnpackFc {
 public:
  explicit XnnpackFc(const GemmProblem& p) : p_(p), a_(p.a.size()), c_(p.c.size()) {
    static const bool init = xnn_initialize(nullptr) == xnn_status_success;
    if (!init) throw std::runtime_error("xnn_initialize failed");
    for (std::size_t i = 0; i < a_.size(); ++i) a_[i] = static_cast<std::int8_t>(p.a[i] - 128);
    const auto& s = p.shape;
    // input_scale * kernel_scale / output_scale = real[0]
    const auto st = xnn_create_fully_connected_nc_qs8(
        s.k, s.n, s.k, s.n, static_cast<std::int8_t>(GemmProblem::za - 128), 1.0f, p.real[0], p.b.data(),
        p.bias.data(), static_cast<std::int8_t>(GemmProblem::zc), 1.0f, -128, 127, XNN_FLAG_TRANSPOSE_WEIGHTS,
        &op_);
    if (st != xnn_status_success) throw std::runtime_error("xnn_create_fully_connected_nc_qs8 failed");
    if (xnn_setup_fully_connected_nc_qs8(op_, s.m, a_.data(), c_.data(), nullptr) != xnn_status_success)
      throw std::runtime_error("xnn_setup_fully_connected_nc_qs8 failed");
  }
  ~XnnpackFc() { xnn_delete_operator(op_); }
  XnnpackFc(const XnnpackFc&) = delete;
  XnnpackFc& operator=(const XnnpackFc&) = delete;
  void run() {
    if (xnn_run_operator(op_, nullptr) != xnn_status_success) throw std::runtime_error("xnn_run_operator");
  }
  const std::vector<std::int8_t>& result() const { return c_; }
  // The reference with XNNPACK's one output scale, real[0], for every channel.
  std::vector<std::int8_t> expected() const {
    GemmProblem per_tensor = p_;
    std::fill(per_tensor.real.begin(), per_tensor.real.end(), p_.real[0]);
    return per_tensor.reference<lowp::FloatRounding, std::int8_t>();
  }

 private:
  const GemmProblem& p_;
  std::vector<std::int8_t> a_, c_;
  xnn_operator_t op_ = nullptr;
};
#endif  // LOWP_BENCH_HAVE_XNNPACK

#if LOWP_BENCH_HAVE_GEMMLOWP
// gemmlowp multiplies uint8 by uint8: the weights become B + 128 with zero point 128,
// stored column-major (gemmlowp's natural RHS order); output uint8 with zero point zc + 128.
// One multiplier for all channels: gemmlowp's per-channel stage
// (OutputStageScaleInt32ByFixedPointAndExponentPC) does not compile for its SSE/AVX2 register
// types (no vector Max); the per-tensor stage costs the same.
class Gemmlowp {
 public:
  explicit Gemmlowp(const GemmProblem& p) : p_(p), b_(p.b.size()), c_(p.c.size()) {
    const auto& s = p.shape;
    for (int k = 0; k < s.k; ++k)
      for (int j = 0; j < s.n; ++j)
        b_[std::size_t(j) * s.k + k] = static_cast<std::uint8_t>(p.b[std::size_t(k) * s.n + j] + 128);
    ctx_.set_max_num_threads(1);
  }
  void run() {
    const auto& s = p_.shape;
    using VM = gemmlowp::VectorMap<const std::int32_t, gemmlowp::VectorShape::Row>;
    gemmlowp::MatrixMap<const std::uint8_t, gemmlowp::MapOrder::RowMajor> lhs(p_.a.data(), s.m, s.k);
    gemmlowp::MatrixMap<const std::uint8_t, gemmlowp::MapOrder::ColMajor> rhs(b_.data(), s.k, s.n);
    gemmlowp::MatrixMap<std::uint8_t, gemmlowp::MapOrder::RowMajor> res(c_.data(), s.m, s.n);
    gemmlowp::OutputStageBiasAddition<VM> bias{VM(p_.bias.data(), s.n)};
    gemmlowp::OutputStageScaleInt32ByFixedPointAndExponent scale;
    scale.result_fixedpoint_multiplier = p_.multiplier[0];
    scale.result_exponent = p_.shift[0];
    scale.result_offset_after_shift = GemmProblem::zc + 128;
    gemmlowp::OutputStageSaturatingCastToUint8 cast;
    gemmlowp::GemmWithOutputPipeline<std::uint8_t, std::uint8_t, gemmlowp::DefaultL8R8BitDepthParams>(
        &ctx_, lhs, rhs, &res, -GemmProblem::za, -128, std::make_tuple(bias, scale, cast));
  }
  const std::vector<std::uint8_t>& result() const { return c_; }
  // The same math with every code shifted by 128: uint8 output with zc + 128, one multiplier.
  std::vector<std::uint8_t> expected() const {
    std::vector<std::uint8_t> want(p_.c.size());
    lowp::OutputStage out = p_.output_stage();
    out.multiplier = p_.multiplier[0];
    out.shift = p_.shift[0];
    out.output_zero_point += 128;
    lowp::reference_gemm<lowp::GemmlowpRounding>(p_.a_view(), p_.b_view(),
                                                 lowp::row_major(want.data(), p_.shape.m, p_.shape.n),
                                                 p_.zero_points(), out);
    return want;
  }

 private:
  const GemmProblem& p_;
  std::vector<std::uint8_t> b_, c_;
  gemmlowp::GemmContext ctx_;
};
#endif  // LOWP_BENCH_HAVE_GEMMLOWP

// fp32 GEMM of the same shape on the same values (as floats), row-major.
struct F32Operands {
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> a, b, c;
  explicit F32Operands(const GemmProblem& p) : a(p.shape.m, p.shape.k), b(p.shape.k, p.shape.n), c(p.shape.m, p.shape.n) {
    for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = p.a[std::size_t(i)];
    for (Eigen::Index i = 0; i < b.size(); ++i) b.data()[i] = p.b[std::size_t(i)];
  }
};

class EigenF32 {
 public:
  explicit EigenF32(const GemmProblem& p) : f_(p) { Eigen::setNbThreads(1); }  // matters under -fopenmp
  void run() { f_.c.noalias() = f_.a * f_.b; }

 private:
  F32Operands f_;
};

#if LOWP_BENCH_HAVE_OPENBLAS
class OpenblasF32 {
 public:
  explicit OpenblasF32(const GemmProblem& p) : f_(p) {}
  void run() {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(f_.a.rows()), int(f_.b.cols()), int(f_.a.cols()),
                1.0f, f_.a.data(), int(f_.a.cols()), f_.b.data(), int(f_.b.cols()), 0.0f, f_.c.data(),
                int(f_.c.cols()));
  }

 private:
  F32Operands f_;
};
#endif  // LOWP_BENCH_HAVE_OPENBLAS

}  // namespace lowp_bench
