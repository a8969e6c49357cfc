// lowp/calibrate/histogram.hpp: the growable histogram every histogram method shares, and the
// calibrator that wraps it with a threshold-search method.
//
// Layout: 2*B bins over [-R, R] (B = bins per side, 2048 by default), symmetric around zero, so
// the histogram of |x| is the exact fold  abs[k] = pos[k] + neg[k]. The half-range R is always a
// power of two, R = 2^e >= max|x|, and bin k of a side covers |x| in (k*w, (k+1)*w] with
// w = R / B (right-closed, so R itself is in the last bin); zero is in bin 0 of the positive side.
//
// Why a power of two: when a batch exceeds R, R grows by a factor 2^k and each new bin is
// exactly the union of 2^k old bins (new index = old index >> k), so re-binning never loses or
// smears a count. Because |x| * B / 2^e is computed exactly, binning a value directly
// at the final R gives the same bin as binning it early and re-binning later: the histogram is
// a function of the observed multiset only, whatever the batch order or sharding. merge() is
// therefore exact (stronger than the "within one bin" that interpolating re-binning such as
// PyTorch's HistogramObserver gives). The price is resolution: max|x| lands in (R/2, R], so
// between B/2 and B bins cover [0, max|x|] (methods only scan bins up to the last non-empty one).
//
// Besides counts the histogram keeps the exact min, max and the running sum and sum of squares
// (double), used for affine ranges, ACIQ's moments and reports.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "lowp/calibrate/calibrator.hpp"
#include "lowp/calibrate/serialize.hpp"

namespace lowp {
namespace calib {

class Histogram {
 public:
  static constexpr int kDefaultBins = 2048;
  // Smallest half-range 2^-126: all-zero data still gets a (tiny) positive range.
  static constexpr int kMinExponent = -126;

  explicit Histogram(int bins_per_side = kDefaultBins, ObserveOptions opt = {}) : bins_(bins_per_side), opt_(opt) {
    LOWP_CHECK(bins_per_side >= 8 && bins_per_side <= (1 << 20), "Histogram: ", bins_per_side,
               " bins per side outside [8, 2^20]");
    counts_.assign(2 * static_cast<std::size_t>(bins_), 0);
  }

  void observe(const float* x, std::size_t n) {
    const detail::BatchStats s = detail::scan_batch(x, n, opt_, "Histogram::observe");
    nonfinite_ += s.nonfinite;
    if (s.finite() == 0) return;
    const float amax = std::max(-s.min, s.max);
    const int e = exponent_for(amax);
    if (count_ == 0) {
      exp_ = e;
    } else if (e > exp_) {
      grow(e - exp_);
    }
    if (s.nonfinite == 0) {
      bin_finite(x, n);
    } else {  // rare: skip the ignored NaN/Inf one by one
      for (std::size_t i = 0; i < n; ++i)
        if (std::fabs(x[i]) <= std::numeric_limits<float>::max()) bin_finite(x + i, 1);
    }
    min_ = std::min(min_, s.min);
    max_ = std::max(max_, s.max);
    count_ += s.finite();
  }

  // Adds another shard's histogram (same bins per side). Exact: see the header comment.
  void merge(const Histogram& o) {
    LOWP_CHECK(o.bins_ == bins_, "Histogram::merge: ", o.bins_, " bins per side vs ", bins_);
    nonfinite_ += o.nonfinite_;
    if (o.count_ == 0) return;
    if (count_ == 0) {
      const std::uint64_t nf = nonfinite_;
      *this = o;
      nonfinite_ = nf;
      return;
    }
    Histogram other = o;
    if (other.exp_ > exp_) grow(other.exp_ - exp_);
    if (exp_ > other.exp_) other.grow(exp_ - other.exp_);
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    count_ += other.count_;
    sum_ += other.sum_;
    sumsq_ += other.sumsq_;
  }

  int bins_per_side() const { return bins_; }
  int exponent() const { return exp_; }
  double half_range() const { return std::ldexp(1.0, exp_); }
  double bin_width() const { return std::ldexp(1.0, exp_) / bins_; }
  std::uint64_t count() const { return count_; }
  std::uint64_t nonfinite_ignored() const { return nonfinite_; }
  float min() const { return min_; }
  float max() const { return max_; }
  float amax() const { return std::max(-min_, max_); }
  double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }
  double sum() const { return sum_; }
  double sum_of_squares() const { return sumsq_; }
  // Population standard deviation.
  double stddev() const {
    if (count_ == 0) return 0.0;
    const double m = mean();
    return std::sqrt(std::max(0.0, sumsq_ / static_cast<double>(count_) - m * m));
  }
  // All 2B signed bins, from [-R, -R + w) up to (R - w, R].
  const std::vector<std::uint64_t>& signed_counts() const { return counts_; }
  // Bin k = count of |x| in (k w, (k+1) w] (bin 0 also holds 0), k < B.
  std::vector<std::uint64_t> abs_counts() const {
    std::vector<std::uint64_t> a(static_cast<std::size_t>(bins_));
    for (int k = 0; k < bins_; ++k) a[k] = counts_[bins_ + k] + counts_[bins_ - 1 - k];
    return a;
  }
  const ObserveOptions& options() const { return opt_; }
  void require_data(const char* who) const { LOWP_CHECK(count_ > 0, who, ": no finite value observed yet"); }

  void write(ByteWriter& w) const {
    w.u32(static_cast<std::uint32_t>(bins_));
    w.i32(exp_);
    w.u64(count_);
    w.u64(nonfinite_);
    w.f32(min_);
    w.f32(max_);
    w.f64(sum_);
    w.f64(sumsq_);
    // Sparse: (index, count) pairs of the non-empty bins; calibration histograms are mostly empty.
    std::uint32_t nonzero = 0;
    for (std::uint64_t c : counts_) nonzero += c != 0;
    w.u32(nonzero);
    for (std::size_t i = 0; i < counts_.size(); ++i)
      if (counts_[i] != 0) {
        w.u32(static_cast<std::uint32_t>(i));
        w.u64(counts_[i]);
      }
  }
  static Histogram read(ByteReader& r, ObserveOptions opt) {
    const std::uint32_t bins = r.u32();
    LOWP_CHECK(bins >= 8 && bins <= (1u << 20), "deserialize: histogram with ", bins, " bins per side");
    Histogram h(static_cast<int>(bins), opt);
    h.exp_ = r.i32();
    h.count_ = r.u64();
    h.nonfinite_ = r.u64();
    h.min_ = r.f32();
    h.max_ = r.f32();
    h.sum_ = r.f64();
    h.sumsq_ = r.f64();
    const std::uint32_t nonzero = r.u32();
    LOWP_CHECK(nonzero <= 2 * bins, "deserialize: ", nonzero, " non-empty bins in a ", 2 * bins, "-bin histogram");
    r.need(std::uint64_t{nonzero} * 12);
    std::uint64_t total = 0;
    std::int64_t previous = -1;
    for (std::uint32_t j = 0; j < nonzero; ++j) {
      const std::uint32_t i = r.u32();
      const std::uint64_t c = r.u64();
      LOWP_CHECK(static_cast<std::int64_t>(i) > previous && i < 2 * bins && c > 0,
                 "deserialize: histogram bin entries out of order or out of range (bin ", i, ")");
      previous = i;
      h.counts_[i] = c;
      LOWP_CHECK(total + c >= total, "deserialize: histogram counts overflow");
      total += c;
    }
    LOWP_CHECK(total == h.count_, "deserialize: histogram counts sum to ", total, " but the state says ", h.count_);
    if (h.count_ > 0) {
      LOWP_CHECK(h.exp_ >= kMinExponent && h.exp_ <= 128, "deserialize: histogram exponent ", h.exp_);
      LOWP_CHECK(std::isfinite(h.min_) && std::isfinite(h.max_) && h.min_ <= h.max_ &&
                     std::max(-h.min_, h.max_) <= std::ldexp(1.0, h.exp_) && std::isfinite(h.sum_) &&
                     std::isfinite(h.sumsq_) && h.sumsq_ >= 0,
                 "deserialize: inconsistent histogram state (min ", h.min_, ", max ", h.max_, ", exponent ", h.exp_,
                 ")");
    }
    return h;
  }

 private:
  // Bin index of v: k = ceil(|v| B / 2^e) - 1 (0 for v = 0), computed exactly (a power-of-two
  // scaling, exact in float when the scale is a normal float, else in double) and mapped to its
  // side. Bins are right-closed so that |v| = R lands in bin B - 1 with no clamping, which keeps
  // re-binning exact: ceil(ceil(y) / 2^k) = ceil(y / 2^k).
  template <typename S>
  static std::uint32_t bin_index(float v, S scale, std::uint32_t b) {
    const S a = std::fabs(static_cast<S>(v)) * scale;  // in [0, B]
    // a <= B <= 2^20: the int32 conversion (cvttps2dq) is exact and vectorizes.
    const std::int32_t t = static_cast<std::int32_t>(a);
    std::int32_t k = t - (static_cast<S>(t) == a && t > 0 ? 1 : 0);
    k = std::min(k, static_cast<std::int32_t>(b) - 1);
    const std::uint32_t u = static_cast<std::uint32_t>(k);
    return v >= 0.0f ? b + u : b - 1 - u;
  }
  template <typename S>
  static void compute_indices(const float* x, std::size_t n, S scale, std::uint32_t b, std::uint32_t* idx) {
    for (std::size_t i = 0; i < n; ++i) idx[i] = bin_index(x[i], scale, b);
  }
  // Adds finite values: indices in chunks (a vectorizable loop), then the increments spread over
  // two count arrays on large batches so that runs of equal bins do not serialize on one counter.
  void bin_finite(const float* x, std::size_t n) {
    constexpr std::size_t kChunk = 1024;
    std::uint32_t idx[kChunk];
    const std::uint32_t b = static_cast<std::uint32_t>(bins_);
    const double scale = std::ldexp(static_cast<double>(bins_), -exp_);
    const bool float_ok = scale <= static_cast<double>(std::numeric_limits<float>::max()) &&
                          scale >= static_cast<double>(std::numeric_limits<float>::min());
    const bool two_arrays = n >= 8 * kChunk;
    if (two_arrays) second_.assign(counts_.size(), 0);
    std::uint64_t* c0 = counts_.data();
    std::uint64_t* c1 = two_arrays ? second_.data() : counts_.data();
    double s[4] = {0, 0, 0, 0}, q[4] = {0, 0, 0, 0};
    for (std::size_t base = 0; base < n; base += kChunk) {
      const std::size_t m = std::min(kChunk, n - base);
      const float* xs = x + base;
      if (float_ok) {
        compute_indices(xs, m, static_cast<float>(scale), b, idx);
      } else {
        compute_indices(xs, m, scale, b, idx);
      }
      std::size_t j = 0;
      for (; j + 1 < m; j += 2) {
        ++c0[idx[j]];
        ++c1[idx[j + 1]];
      }
      if (j < m) ++c0[idx[j]];
      // Four partial sums: independent dependency chains.
      j = 0;
      for (; j + 3 < m; j += 4)
        for (int l = 0; l < 4; ++l) {
          const double v = xs[j + static_cast<std::size_t>(l)];
          s[l] += v;
          q[l] += v * v;
        }
      for (; j < m; ++j) {
        s[0] += xs[j];
        q[0] += static_cast<double>(xs[j]) * xs[j];
      }
    }
    if (two_arrays)
      for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += second_[i];
    sum_ += (s[0] + s[1]) + (s[2] + s[3]);
    sumsq_ += (q[0] + q[1]) + (q[2] + q[3]);
  }

  // Smallest e >= kMinExponent with 2^e >= a.
  static int exponent_for(float a) {
    if (!(a > 0.0f)) return kMinExponent;
    int e;
    const double m = std::frexp(static_cast<double>(a), &e);  // a = m 2^e, m in [0.5, 1)
    if (m == 0.5) --e;
    return std::max(e, kMinExponent);
  }
  // R *= 2^k: bin k' of each side collects old bins [k' 2^k, (k'+1) 2^k).
  void grow(int k) {
    const std::size_t b = static_cast<std::size_t>(bins_);
    std::vector<std::uint64_t> next(counts_.size(), 0);
    for (std::size_t j = 0; j < b; ++j) {
      const std::size_t t = k >= 63 ? 0 : (j >> k);
      next[b + t] += counts_[b + j];
      next[b - 1 - t] += counts_[b - 1 - j];
    }
    counts_.swap(next);
    exp_ += k;
  }

  int bins_;
  ObserveOptions opt_;
  int exp_ = kMinExponent;
  std::vector<std::uint64_t> counts_;
  std::vector<std::uint64_t> second_;  // scratch for bin_finite
  std::uint64_t count_ = 0;
  std::uint64_t nonfinite_ = 0;
  float min_ = std::numeric_limits<float>::infinity();
  float max_ = -std::numeric_limits<float>::infinity();
  double sum_ = 0.0;
  double sumsq_ = 0.0;
};

namespace detail {
// Clamps a proposed range to what was observed (a threshold never extends past the data) and,
// for a symmetric scheme, makes it symmetric.
inline Range clamp_to_data(const Histogram& h, double lo, double hi, bool symmetric) {
  if (symmetric) {
    const double a = std::min(std::max(std::fabs(lo), std::fabs(hi)), static_cast<double>(h.amax()));
    return {static_cast<float>(-a), static_cast<float>(a)};
  }
  lo = std::max(lo, static_cast<double>(h.min()));
  hi = std::min(hi, static_cast<double>(h.max()));
  return {static_cast<float>(std::min(lo, hi)), static_cast<float>(std::max(lo, hi))};
}
// Number of leading bins of `counts` up to and including the last non-empty one.
inline std::size_t used_bins(const std::vector<std::uint64_t>& counts) {
  std::size_t n = counts.size();
  while (n > 0 && counts[n - 1] == 0) --n;
  return n;
}
}  // namespace detail

// A histogram plus a threshold-search Method, which provides
//   Range compute(const Histogram&, QuantRange, bool symmetric) const.
template <typename Method>
class HistogramCalibrator : public CalibratorBase<HistogramCalibrator<Method>> {
 public:
  using CalibratorBase<HistogramCalibrator<Method>>::observe;
  explicit HistogramCalibrator(Method method = {}, int bins_per_side = Histogram::kDefaultBins,
                               ObserveOptions opt = {})
      : method_(method), hist_(bins_per_side, opt) {}

  void observe(const float* x, std::size_t n) { hist_.observe(x, n); }
  Range range(QuantRange q, bool symmetric) const {
    hist_.require_data(Method::name());
    return method_.compute(hist_, q, symmetric);
  }
  void merge(const HistogramCalibrator& o) { hist_.merge(o.hist_); }
  std::uint64_t count() const { return hist_.count(); }
  std::uint64_t nonfinite_ignored() const { return hist_.nonfinite_ignored(); }
  const Histogram& histogram() const { return hist_; }
  const Method& method() const { return method_; }
  const ObserveOptions& observe_options() const { return hist_.options(); }

  std::vector<std::uint8_t> serialize() const {
    ByteWriter w(StateKind::histogram);
    hist_.write(w);
    return w.take();
  }
  static HistogramCalibrator deserialize(const std::uint8_t* p, std::size_t n, Method method = {},
                                         ObserveOptions opt = {}) {
    ByteReader r(p, n, StateKind::histogram);
    HistogramCalibrator c(method, Histogram::kDefaultBins, opt);
    c.hist_ = Histogram::read(r, opt);
    r.finish();
    return c;
  }

 private:
  Method method_;
  Histogram hist_;
};

}  // namespace calib
}  // namespace lowp
