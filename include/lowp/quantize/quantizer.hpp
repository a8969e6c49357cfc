// lowp/quantize/quantizer.hpp: Quantizer<Storage, Scheme, Granularity, Rounding> and its operations.
//
//   quantize       q = clamp(zp + round(x * (1 / s)), qmin, qmax)
//   dequantize     x = float(q - zp) * s
//   fake_quantize  x' = dequantize(quantize(x)), with the straight-through-estimator mask
//                  m = 1 iff qmin <= zp + round(x * (1 / s)) <= qmax (x inside the clip range)
//   requantize     q' = to.quantize(from.dequantize(q))   (free function below)
//
// 1 / s is the float32 reciprocal and the product is rounded once, as in PyTorch and FBGEMM (a
// division x / s can differ in the last bit, hence in ties). Special values: +-Inf saturate to
// qmin / qmax, NaN maps to the zero point (and gets mask 0); quantize_checked() throws instead.
// Out-of-range values saturate, never wrap.
//
// The *_reference() members are THE definition, element by element in C order. The plain members
// give identical results; for 8-bit codes with nearest rounding they run the xsimd kernels.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "lowp/core/error.hpp"
#include "lowp/core/tensor_view.hpp"
#include "lowp/quantize/affine_map.hpp"
#include "lowp/quantize/granularity.hpp"
#include "lowp/quantize/kernels.hpp"
#include "lowp/quantize/operand.hpp"
#include "lowp/quantize/params.hpp"
#include "lowp/quantize/rounding.hpp"
#include "lowp/quantize/scheme.hpp"
#include "lowp/quantize/storage.hpp"

namespace lowp {

template <typename Storage, typename Scheme = Affine, typename Granularity = PerTensor, typename Rounding = NearestEven>
class Quantizer {
  static_assert(is_storage<Storage>::value,
                "lowp::Quantizer<Storage, Scheme, Granularity, Rounding>: Storage must be a storage policy "
                "(lowp::Int8, lowp::UInt8, lowp::Int16, lowp::Int32, lowp::IntStorage<...>, lowp::Int4, ...)");
  static_assert(is_scheme_v<Scheme>, "lowp::Quantizer: Scheme must be lowp::Symmetric or lowp::Affine");
  static_assert(is_granularity_v<Granularity>,
                "lowp::Quantizer: Granularity must be lowp::PerTensor, lowp::PerChannel or lowp::PerGroup");
  static_assert(is_rounding_v<Rounding>,
                "lowp::Quantizer: Rounding must be lowp::NearestEven, lowp::NearestAway or lowp::Stochastic");

 public:
  using storage = Storage;
  using scheme = Scheme;
  using granularity = Granularity;
  using rounding = Rounding;
  using code_type = typename Storage::code_type;
  static constexpr std::int32_t qmin = Storage::qmin;
  static constexpr std::int32_t qmax = Storage::qmax;
  // Codes: a strided tensor of code_type, or a NibbleSpan for packed storage.
  template <typename T>
  using codes_view = std::conditional_t<Storage::packed, NibbleSpan<T>, TensorView<T>>;
  // True when quantize()/dequantize() run the xsimd kernels.
  static constexpr bool vectorized = !Storage::packed && sizeof(code_type) == 1 && !Rounding::uses_index;

  explicit Quantizer(Granularity g, Rounding r = {}) : granularity_(std::move(g)), round_(r) {
    const std::size_t n = granularity_.count();
    const QuantParams* ps = granularity_.data();
    table_.scale.resize(n);
    table_.inv_scale.resize(n);
    table_.lo.resize(n);
    table_.hi.resize(n);
    table_.zero_point.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const QuantParams& p = ps[i];
      const float inv = 1.0f / p.scale;
      LOWP_CHECK(std::isfinite(p.scale) && p.scale > 0.0f && std::isfinite(inv), "Quantizer: scale ", p.scale,
                 " (parameter set ", i, ") must be positive, finite, with a finite reciprocal");
      LOWP_CHECK(p.zero_point >= qmin && p.zero_point <= qmax, "Quantizer: zero point ", p.zero_point,
                 " (parameter set ", i, ") outside the code range [", qmin, ", ", qmax, "]");
      LOWP_CHECK(!(Scheme::symmetric && Storage::is_signed && p.zero_point != 0), "Quantizer: symmetric scheme on ",
                 "signed codes needs zero point 0, parameter set ", i, " has ", p.zero_point);
      table_.scale[i] = p.scale;
      table_.inv_scale[i] = inv;
      table_.lo[i] = static_cast<float>(static_cast<double>(qmin) - p.zero_point);
      table_.hi[i] = static_cast<float>(static_cast<double>(qmax) - p.zero_point);
      table_.zero_point[i] = p.zero_point;
    }
  }

  const Granularity& params() const { return granularity_; }
  const Rounding& rounder() const { return round_; }

  // ---- element definitions (p: parameter set, index: logical C-order position) ----
  std::int32_t quantize_one(float x, std::size_t p, std::uint64_t index = 0) const {
    return quantize_value(x, table_.inv_scale[p], table_.zero_point[p], Storage::range(), round_, index);
  }
  float dequantize_one(std::int32_t q, std::size_t p) const {
    return dequantize_value(q, table_.scale[p], table_.zero_point[p]);
  }
  // The STE mask: x is inside the clip range (before saturation). NaN is outside.
  bool inside_one(float x, std::size_t p, std::uint64_t index = 0) const {
    if (std::isnan(x)) return false;
    const double q = unclamped_code(x, table_.inv_scale[p], table_.zero_point[p], round_, index);
    return q >= qmin && q <= qmax;
  }

  // ---- operations: any operand accepted by as_view() (TensorView, MatrixView, Eigen) ----
  template <typename In, typename Out>
  void quantize(const In& in, Out&& out) const {
    quantize_impl(as_view(in), as_codes(out), false);
  }
  template <typename In, typename Out>
  void quantize_reference(const In& in, Out&& out) const {
    quantize_impl(as_view(in), as_codes(out), true);
  }
  // Like quantize(), but throws lowp::error naming the number of NaN inputs, if any.
  template <typename In, typename Out>
  void quantize_checked(const In& in, Out&& out) const {
    const TensorView<const float> x = as_view(in);
    std::ptrdiff_t nans = 0, first = -1;
    x.for_each([&](const float& v, std::ptrdiff_t linear, std::ptrdiff_t) {
      if (std::isnan(v) && nans++ == 0) first = linear;
    });
    LOWP_CHECK(nans == 0, "quantize_checked: ", nans, " of ", x.size(), " inputs are NaN (first at index ", first,
               ")");
    quantize_impl(x, as_codes(out), false);
  }

  template <typename In, typename Out>
  void dequantize(const In& in, Out&& out) const {
    dequantize_impl(as_codes(in), as_view(out), false);
  }
  template <typename In, typename Out>
  void dequantize_reference(const In& in, Out&& out) const {
    dequantize_impl(as_codes(in), as_view(out), true);
  }

  // out = dequantize(quantize(in)); mask (uint8, may be omitted) = 1 inside the clip range.
  template <typename In, typename Out>
  void fake_quantize(const In& in, Out&& out) const {
    fake_quantize_impl(as_view(in), as_view(out), TensorView<std::uint8_t>());
  }
  template <typename In, typename Out, typename Mask>
  void fake_quantize(const In& in, Out&& out, Mask&& mask) const {
    fake_quantize_impl(as_view(in), as_view(out), as_view(mask));
  }

  // The parameter set of every element of a tensor of this shape, and its walk (for requantize).
  ParamMap param_map(const std::ptrdiff_t* shape, int rank) const { return granularity_.map(shape, rank); }

 private:
  template <typename C>
  static auto as_codes(C&& c) {
    if constexpr (Storage::packed) {
      static_assert(detail::is_nibble_span<std::decay_t<C>>::value,
                    "lowp::Quantizer: packed storage (lowp::Int4, lowp::UInt4, PackedNibbles) reads and writes a "
                    "lowp::NibbleSpan, two codes per byte, not a tensor of int8 codes");
      return c;
    } else {
      auto v = as_view(c);
      static_assert(std::is_same<std::remove_const_t<typename detail::view_element<decltype(v)>::type>, code_type>::value,
                    "lowp::Quantizer: the code tensor's element type must be the storage's code_type (e.g. int8_t "
                    "for lowp::Int8, uint8_t for lowp::UInt8, int16_t for lowp::Int16)");
      return v;
    }
  }

  // Walk over `shape` with the operand strides; codes may be packed (C-contiguous walk).
  template <typename T>
  static void set_operand(detail::Walk& w, int k, const TensorView<T>& v, const char* what) {
    LOWP_CHECK(v.rank() == w.rank, what, ": rank ", v.rank(), " does not match the input rank ", w.rank);
    for (int d = 0; d < w.rank; ++d) {
      LOWP_CHECK(v.extent(d) == w.shape[d], what, ": extent ", v.extent(d), " in dimension ", d,
                 " does not match the input extent ", w.shape[d]);
      w.strides[k][d] = v.stride(d);
    }
  }
  template <typename T>
  static void set_operand(detail::Walk& w, int k, const NibbleSpan<T>& v, const char* what) {
    LOWP_CHECK(v.count == w.size(), what, ": ", v.count, " packed codes for ", w.size(), " elements");
    LOWP_CHECK(v.bytes != nullptr || v.count == 0, what, ": null byte buffer for ", v.count, " packed codes");
    detail::contiguous_strides(w.shape.data(), w.rank, w.strides[k].data());
  }
  template <typename T>
  static detail::Walk walk_of(const TensorView<T>& v) {
    detail::Walk w;
    w.rank = v.rank();
    for (int d = 0; d < w.rank; ++d) {
      w.shape[d] = v.extent(d);
      w.strides[0][d] = v.stride(d);
    }
    return w;
  }
  static std::int32_t get_code(const codes_view<const code_type>& c, std::ptrdiff_t off) {
    if constexpr (Storage::packed) {
      return Storage::get(c.bytes, off);
    } else {
      return c.data()[off];
    }
  }
  static void put_code(const codes_view<code_type>& c, std::ptrdiff_t off, std::int32_t q) {
    if constexpr (Storage::packed) {
      Storage::set(c.bytes, off, q);
    } else {
      c.data()[off] = static_cast<code_type>(q);
    }
  }
  std::size_t param_index(const ParamMap& m, const std::ptrdiff_t* idx) const {
    if constexpr (std::is_same<Granularity, PerTensor>::value) {
      return 0;
    } else {
      return static_cast<std::size_t>(m.index(idx));
    }
  }

  void quantize_impl(const TensorView<const float>& x, const codes_view<code_type>& q, bool reference) const {
    detail::Walk w = walk_of(x);
    set_operand(w, 1, q, "quantize: output");
    const ParamMap m = granularity_.map(w.shape.data(), w.rank);
    if (w.size() == 0) return;
    if constexpr (vectorized) {
      if (!reference) {
        const detail::RunPlan plan = detail::make_run_plan(w.shape.data(), w.rank, w.strides[0].data(),
                                                           w.strides[1].data(), m);
        detail::quantize_planned<Rounding, code_type>(x.data(), q.data(), plan, table_);
        return;
      }
    }
    w.run([&](const std::ptrdiff_t* idx, std::ptrdiff_t linear, std::ptrdiff_t xo, std::ptrdiff_t qo, std::ptrdiff_t) {
      put_code(q, qo, quantize_one(x.data()[xo], param_index(m, idx), static_cast<std::uint64_t>(linear)));
    });
    if constexpr (Storage::packed) {
      if (q.count % 2) q.bytes[q.count / 2] &= 0x0F;  // documented: an unused high nibble is 0
    }
  }

  void dequantize_impl(const codes_view<const code_type>& q, const TensorView<float>& x, bool reference) const {
    detail::Walk w = walk_of(x);
    std::swap(w.strides[0], w.strides[1]);  // operand 0: codes, operand 1: floats
    set_operand(w, 0, q, "dequantize: input");
    const ParamMap m = granularity_.map(w.shape.data(), w.rank);
    if (w.size() == 0) return;
    if constexpr (vectorized) {
      if (!reference) {
        const detail::RunPlan plan = detail::make_run_plan(w.shape.data(), w.rank, w.strides[0].data(),
                                                           w.strides[1].data(), m);
        detail::dequantize_planned<code_type>(q.data(), x.data(), plan, table_);
        return;
      }
    }
    w.run([&](const std::ptrdiff_t* idx, std::ptrdiff_t, std::ptrdiff_t qo, std::ptrdiff_t xo, std::ptrdiff_t) {
      x.data()[xo] = dequantize_one(get_code(q, qo), param_index(m, idx));
    });
  }

  void fake_quantize_impl(const TensorView<const float>& x, const TensorView<float>& y,
                          const TensorView<std::uint8_t>& mask) const {
    detail::Walk w = walk_of(x);
    set_operand(w, 1, y, "fake_quantize: output");
    const bool with_mask = mask.data() != nullptr;
    if (with_mask) set_operand(w, 2, mask, "fake_quantize: mask");
    const ParamMap m = granularity_.map(w.shape.data(), w.rank);
    w.run([&](const std::ptrdiff_t* idx, std::ptrdiff_t linear, std::ptrdiff_t xo, std::ptrdiff_t yo,
              std::ptrdiff_t mo) {
      const std::size_t p = param_index(m, idx);
      const float v = x.data()[xo];
      const auto i = static_cast<std::uint64_t>(linear);
      y.data()[yo] = dequantize_one(quantize_one(v, p, i), p);
      if (with_mask) mask.data()[mo] = inside_one(v, p, i) ? 1 : 0;
    });
  }

  Granularity granularity_;
  Rounding round_;
  detail::ParamTable table_;
};

// q_out = to.quantize(from.dequantize(q_in)) element by element (one float rounding per step,
// so requantize(q) equals quantize(dequantize(q)) bit for bit). Unpacked codes only: the shape
// (and so the per-channel / per-group parameters) comes from the tensors.
template <typename From, typename To, typename In, typename Out>
void requantize(const From& from, const In& in, const To& to, Out&& out) {
  static_assert(!From::storage::packed && !To::storage::packed,
                "lowp::requantize: packed nibbles carry no shape; requantize unpacked codes");
  const TensorView<const typename From::code_type> q = as_view(in);
  const TensorView<typename To::code_type> r = as_view(out);
  LOWP_CHECK(q.rank() == r.rank(), "requantize: input rank ", q.rank(), " != output rank ", r.rank());
  detail::Walk w;
  w.rank = q.rank();
  for (int d = 0; d < w.rank; ++d) {
    LOWP_CHECK(q.extent(d) == r.extent(d), "requantize: extent ", q.extent(d), " != ", r.extent(d), " in dimension ",
               d);
    w.shape[d] = q.extent(d);
    w.strides[0][d] = q.stride(d);
    w.strides[1][d] = r.stride(d);
  }
  const ParamMap mf = from.param_map(w.shape.data(), w.rank);
  const ParamMap mt = to.param_map(w.shape.data(), w.rank);
  w.run([&](const std::ptrdiff_t* idx, std::ptrdiff_t linear, std::ptrdiff_t qo, std::ptrdiff_t ro, std::ptrdiff_t) {
    const float x = from.dequantize_one(q.data()[qo], static_cast<std::size_t>(mf.index(idx)));
    r.data()[ro] = static_cast<typename To::code_type>(
        to.quantize_one(x, static_cast<std::size_t>(mt.index(idx)), static_cast<std::uint64_t>(linear)));
  });
}

}  // namespace lowp
