// lowp/quantize/kernels.hpp: the vectorized fp32 <-> 8-bit paths of Quantizer.
//
// A strided N-d operation is planned as runs along one dimension (make_run_plan): dimensions of
// extent 1 are dropped, a dimension contiguous in both operands is moved innermost, and
// neighbours that are contiguous in memory AND compatible in their parameters are merged. So
// OIHW per-channel (axis 0) becomes O runs of I*H*W elements with one parameter set, and HWIO
// per-channel (axis 3) becomes H*W*I runs of O elements with consecutive parameter sets. Runs
// with unit strides go to the xsimd kernels; others to the scalar per-element formula.
//
// Every kernel computes, per element,
//     v = x * inv_scale;  NaN -> zero_point;  v = clamp(v, qmin - zp, qmax - zp);  q = round(v) + zp
// which equals the reference clamp(zp + round(x * inv_scale), qmin, qmax) exactly: qmin - zp and
// qmax - zp are integers (exact in float32 for 8-bit codes) and rounding is monotone and fixes
// integers, so clamping before or after rounding gives the same integer.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "lowp/core/diagnostics.hpp"
#include "lowp/core/tensor_view.hpp"
#include "lowp/quantize/affine_map.hpp"
#include "lowp/quantize/granularity.hpp"
#include "lowp/quantize/rounding.hpp"
#include "lowp/quantize/simd_codes.hpp"

LOWP_BEGIN_SIMD_CODE

namespace lowp {
namespace detail {

// Per-parameter-set constants, precomputed once per Quantizer.
struct ParamTable {
  std::vector<float> scale, inv_scale, lo, hi;  // lo = qmin - zp, hi = qmax - zp
  std::vector<std::int32_t> zero_point;
};

// The scalar element formula of the kernels (their tails and strided runs): clamp, then round,
// which equals quantize_value() (see the top of this file) and matches the SIMD lanes step by step.
template <typename Round>
inline std::int32_t quantize_clamped(float x, float inv, float lo, float hi, std::int32_t zp) {
  float v = x * inv;
  if (std::isnan(v)) return zp;
  v = v < lo ? lo : v > hi ? hi : v;
  return static_cast<std::int32_t>(Round{}(v, 0)) + zp;
}

template <typename Round, typename A>
inline int_batch<A> quantize_batch(xsimd::batch<float, A> x, xsimd::batch<float, A> inv, xsimd::batch<float, A> lo,
                                   xsimd::batch<float, A> hi, int_batch<A> zp) {
  using fb = xsimd::batch<float, A>;
  fb v = x * inv;
  v = xsimd::select(xsimd::isnan(v), fb(0.0f), v);  // NaN -> offset 0 -> zero point
  v = xsimd::min(xsimd::max(v, lo), hi);
  int_batch<A> r;
  if constexpr (std::is_same<Round, NearestEven>::value) {
    r = xsimd::to_int(xsimd::nearbyint(v));  // |v| <= 2^16: the conversion is exact
  } else {
    // Ties away from zero from truncation: t = trunc(v), f = v - t exact; step by sign(v) iff |f| >= 1/2.
    const fb t = xsimd::to_float(xsimd::to_int(v));
    const fb f = v - t;
    const fb step = xsimd::select(f >= fb(0.5f), fb(1.0f), fb(0.0f)) - xsimd::select(f <= fb(-0.5f), fb(1.0f), fb(0.0f));
    r = xsimd::to_int(t + step);  // small integers: every operation is exact
  }
  return r + zp;
}

// x[0..n) -> q[0..n), one parameter set.
template <typename Round, typename Code, typename A>
void quantize_run(const float* x, Code* q, std::ptrdiff_t n, float inv, float lo, float hi, std::int32_t zp) {
  using fb = xsimd::batch<float, A>;
  constexpr std::ptrdiff_t W = fb::size;
  const fb vinv(inv), vlo(lo), vhi(hi);
  const int_batch<A> vzp(zp);
  std::ptrdiff_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    int_batch<A> r[4];
    for (int k = 0; k < 4; ++k) r[k] = quantize_batch<Round, A>(fb::load_unaligned(x + i + k * W), vinv, vlo, vhi, vzp);
    store_codes<Code, A>(r, q + i, A{});
  }
  for (; i < n; ++i) q[i] = static_cast<Code>(quantize_clamped<Round>(x[i], inv, lo, hi, zp));
}

// x[0..n) -> q[0..n), element i with parameter set p0 + i.
template <typename Round, typename Code, typename A>
void quantize_run_varying(const float* x, Code* q, std::ptrdiff_t n, const ParamTable& t, std::ptrdiff_t p0) {
  using fb = xsimd::batch<float, A>;
  constexpr std::ptrdiff_t W = fb::size;
  const float* inv = t.inv_scale.data() + p0;
  const float* lo = t.lo.data() + p0;
  const float* hi = t.hi.data() + p0;
  const std::int32_t* zp = t.zero_point.data() + p0;
  std::ptrdiff_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    int_batch<A> r[4];
    for (int k = 0; k < 4; ++k) {
      const std::ptrdiff_t j = i + k * W;
      r[k] = quantize_batch<Round, A>(fb::load_unaligned(x + j), fb::load_unaligned(inv + j), fb::load_unaligned(lo + j),
                                      fb::load_unaligned(hi + j), int_batch<A>::load_unaligned(zp + j));
    }
    store_codes<Code, A>(r, q + i, A{});
  }
  for (; i < n; ++i) q[i] = static_cast<Code>(quantize_clamped<Round>(x[i], inv[i], lo[i], hi[i], zp[i]));
}

template <typename Code, typename A>
void dequantize_run(const Code* q, float* x, std::ptrdiff_t n, float scale, std::int32_t zp) {
  using fb = xsimd::batch<float, A>;
  constexpr std::ptrdiff_t W = fb::size;
  const fb vs(scale);
  const int_batch<A> vzp(zp);
  std::ptrdiff_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    int_batch<A> c[4];
    load_codes<Code, A>(q + i, c, A{});
    for (int k = 0; k < 4; ++k) (xsimd::to_float(c[k] - vzp) * vs).store_unaligned(x + i + k * W);
  }
  for (; i < n; ++i) x[i] = dequantize_value(q[i], scale, zp);
}

template <typename Code, typename A>
void dequantize_run_varying(const Code* q, float* x, std::ptrdiff_t n, const ParamTable& t, std::ptrdiff_t p0) {
  using fb = xsimd::batch<float, A>;
  constexpr std::ptrdiff_t W = fb::size;
  const float* s = t.scale.data() + p0;
  const std::int32_t* zp = t.zero_point.data() + p0;
  std::ptrdiff_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    int_batch<A> c[4];
    load_codes<Code, A>(q + i, c, A{});
    for (int k = 0; k < 4; ++k) {
      const std::ptrdiff_t j = i + k * W;
      (xsimd::to_float(c[k] - int_batch<A>::load_unaligned(zp + j)) * fb::load_unaligned(s + j)).store_unaligned(x + j);
    }
  }
  for (; i < n; ++i) x[i] = dequantize_value(q[i], s[i], zp[i]);
}

// ---- planning ----------------------------------------------------------------------------

struct PlanDim {
  std::ptrdiff_t extent, in_stride, out_stride, divisor, pstride;
};

struct RunPlan {
  int rank = 0;  // dims[rank - 1] is the run dimension
  PlanDim dims[kMaxRank];
};

inline RunPlan make_run_plan(const std::ptrdiff_t* shape, int rank, const std::ptrdiff_t* in_strides,
                             const std::ptrdiff_t* out_strides, const ParamMap& map) {
  RunPlan plan;
  for (int d = 0; d < rank; ++d)
    if (shape[d] != 1)
      plan.dims[plan.rank++] = {shape[d], in_strides[d], out_strides[d], map.divisor[d], map.stride[d]};
  if (plan.rank == 0) {
    plan.dims[plan.rank++] = {1, 1, 1, 0, 0};
    return plan;
  }
  // Innermost: the last dimension contiguous in both operands (column-major matrices: dim 0).
  for (int d = plan.rank - 1; d >= 0; --d) {
    if (plan.dims[d].in_stride == 1 && plan.dims[d].out_stride == 1) {
      const PlanDim inner = plan.dims[d];
      for (int e = d; e + 1 < plan.rank; ++e) plan.dims[e] = plan.dims[e + 1];
      plan.dims[plan.rank - 1] = inner;
      break;
    }
  }
  // Merge an outer dimension into the run dimension while memory and parameters allow.
  while (plan.rank > 1) {
    const PlanDim& o = plan.dims[plan.rank - 2];
    PlanDim& i = plan.dims[plan.rank - 1];
    const bool memory = o.in_stride == i.in_stride * i.extent && o.out_stride == i.out_stride * i.extent;
    const bool params = (o.divisor == 0 && i.divisor == 0) ||
                        (o.divisor == 1 && i.divisor == 1 && o.pstride == i.pstride * i.extent);
    if (!memory || !params) break;
    i.extent *= o.extent;
    plan.dims[plan.rank - 2] = i;
    --plan.rank;
  }
  return plan;
}

// Calls run(in_offset, out_offset, param_base) for every run of the plan (all but the last dim).
template <typename F>
void for_each_run(const RunPlan& plan, F&& run) {
  const int outer = plan.rank - 1;
  std::ptrdiff_t idx[kMaxRank] = {};
  std::ptrdiff_t in_off = 0, out_off = 0;
  for (;;) {
    std::ptrdiff_t p = 0;
    for (int d = 0; d < outer; ++d)
      if (plan.dims[d].divisor > 0) p += idx[d] / plan.dims[d].divisor * plan.dims[d].pstride;
    run(in_off, out_off, p);
    int d = outer - 1;
    for (; d >= 0; --d) {
      in_off += plan.dims[d].in_stride;
      out_off += plan.dims[d].out_stride;
      if (++idx[d] < plan.dims[d].extent) break;
      in_off -= plan.dims[d].in_stride * plan.dims[d].extent;
      out_off -= plan.dims[d].out_stride * plan.dims[d].extent;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

// Splits every run by how its parameters vary and calls
//   uniform(in_off, out_off, len, p)    unit strides, one parameter set for len elements
//   varying(in_off, out_off, len, p0)   unit strides, element j uses parameter set p0 + j
//   element(in_off, out_off, p)         anything else, one element at a time
template <typename Uniform, typename Varying, typename Element>
void for_each_stretch(const RunPlan& plan, Uniform&& uniform, Varying&& varying, Element&& element) {
  const PlanDim r = plan.dims[plan.rank - 1];
  const bool unit = r.in_stride == 1 && r.out_stride == 1;
  for_each_run(plan, [&](std::ptrdiff_t io, std::ptrdiff_t oo, std::ptrdiff_t p) {
    if (unit && (r.divisor == 0 || r.pstride == 0)) {
      uniform(io, oo, r.extent, p);
    } else if (unit && r.divisor == 1 && r.pstride == 1) {
      varying(io, oo, r.extent, p);
    } else if (unit && r.divisor > 1) {  // groups along the run: one parameter set per group
      for (std::ptrdiff_t j = 0; j < r.extent; j += r.divisor) {
        const std::ptrdiff_t len = r.extent - j < r.divisor ? r.extent - j : r.divisor;
        uniform(io + j, oo + j, len, p + j / r.divisor * r.pstride);
      }
    } else {
      for (std::ptrdiff_t j = 0; j < r.extent; ++j)
        element(io + j * r.in_stride, oo + j * r.out_stride, r.divisor > 0 ? p + j / r.divisor * r.pstride : p);
    }
  });
}

// quantize over a strided N-d tensor (size > 0), 8-bit codes, NearestEven or NearestAway.
template <typename Round, typename Code, typename A = xsimd::default_arch>
void quantize_planned(const float* x, Code* q, const RunPlan& plan, const ParamTable& t) {
  for_each_stretch(
      plan,
      [&](std::ptrdiff_t io, std::ptrdiff_t oo, std::ptrdiff_t n, std::ptrdiff_t p) {
        quantize_run<Round, Code, A>(x + io, q + oo, n, t.inv_scale[p], t.lo[p], t.hi[p], t.zero_point[p]);
      },
      [&](std::ptrdiff_t io, std::ptrdiff_t oo, std::ptrdiff_t n, std::ptrdiff_t p) {
        quantize_run_varying<Round, Code, A>(x + io, q + oo, n, t, p);
      },
      [&](std::ptrdiff_t io, std::ptrdiff_t oo, std::ptrdiff_t p) {
        q[oo] = static_cast<Code>(quantize_clamped<Round>(x[io], t.inv_scale[p], t.lo[p], t.hi[p], t.zero_point[p]));
      });
}

template <typename Code, typename A = xsimd::default_arch>
void dequantize_planned(const Code* q, float* x, const RunPlan& plan, const ParamTable& t) {
  for_each_stretch(
      plan,
      [&](std::ptrdiff_t io, std::ptrdiff_t oo, std::ptrdiff_t n, std::ptrdiff_t p) {
        dequantize_run<Code, A>(q + io, x + oo, n, t.scale[p], t.zero_point[p]);
      },
      [&](std::ptrdiff_t io, std::ptrdiff_t oo, std::ptrdiff_t n, std::ptrdiff_t p) {
        dequantize_run_varying<Code, A>(q + io, x + oo, n, t, p);
      },
      [&](std::ptrdiff_t io, std::ptrdiff_t oo, std::ptrdiff_t p) {
        x[oo] = dequantize_value(q[io], t.scale[p], t.zero_point[p]);
      });
}

}  // namespace detail
}  // namespace lowp

LOWP_END_SIMD_CODE
