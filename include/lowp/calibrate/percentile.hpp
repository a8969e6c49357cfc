// lowp/calibrate/percentile.hpp: clip at a percentile of the observed values.
//
// Symmetric scheme: amax = the p-th percentile of |x| (e.g. p = 99.99 keeps 99.99 % of the
// values unclipped). Affine scheme: two-sided, [min, max] = [the (100 - p)-th, the p-th]
// percentile of x, so p = 99.99 clips 0.01 % on each side.
//
// Within a bin the values are taken as uniformly spread (linear interpolation of the cumulative
// histogram), so the result is within one bin width of the exact order statistic.
#pragma once

#include <cstdint>
#include <vector>

#include "lowp/calibrate/histogram.hpp"

namespace lowp {
namespace calib {

namespace detail {
// The value below which a fraction `f` of the histogram mass lies; bin i spans
// [origin + i w, origin + (i+1) w).
inline double histogram_quantile(const std::vector<std::uint64_t>& counts, double origin, double w, double f) {
  std::uint64_t total = 0;
  for (std::uint64_t c : counts) total += c;
  const double target = f * static_cast<double>(total);
  double cum = 0.0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double c = static_cast<double>(counts[i]);
    if (c > 0 && cum + c >= target) {
      const double frac = std::min(1.0, std::max(0.0, (target - cum) / c));
      return origin + (static_cast<double>(i) + frac) * w;
    }
    cum += c;
  }
  return origin + static_cast<double>(counts.size()) * w;
}
}  // namespace detail

struct Percentile {
  double percentile = 99.99;  // in (0, 100]

  static const char* name() { return "percentile"; }
  Range compute(const Histogram& h, QuantRange, bool symmetric) const {
    LOWP_CHECK(percentile > 0.0 && percentile <= 100.0, "percentile calibration: percentile ", percentile,
               " outside (0, 100]");
    const double w = h.bin_width();
    const double p = percentile / 100.0;
    if (symmetric) {
      const double a = detail::histogram_quantile(h.abs_counts(), 0.0, w, p);
      return detail::clamp_to_data(h, -a, a, true);
    }
    const double lo = detail::histogram_quantile(h.signed_counts(), -h.half_range(), w, 1.0 - p);
    const double hi = detail::histogram_quantile(h.signed_counts(), -h.half_range(), w, p);
    return detail::clamp_to_data(h, lo, hi, false);
  }
};

using PercentileCalibrator = HistogramCalibrator<Percentile>;

}  // namespace calib
}  // namespace lowp
