// lowp/calibrate/aciq.hpp: ACIQ analytic clipping (Banner, Nahshan, Soudry, "Post training
// 4-bit quantization of convolutional networks for rapid-deployment", NeurIPS 2019).
//
// Assume the values follow a prior around their mean mu and clip at mu +- alpha. With M bits the
// 2^M levels split [-alpha, alpha] into steps D = 2 alpha / 2^M; the expected squared error is
//   E(alpha) = clipping + rounding = E[(|x - mu| - alpha)^2 ; |x - mu| > alpha] + alpha^2 / (3 4^M)
//   Laplace(b):      clipping = 2 b^2 exp(-alpha / b)
//   Gaussian(sigma): clipping = 2 sigma^2 [(1 + t^2) Q(t) - t phi(t)],  t = alpha / sigma
// (Q = upper normal tail, phi = normal density). E is convex in alpha and scales with b (sigma),
// so alpha = c(M) b (or c(M) sigma); aciq_coefficient() derives c(M) by minimizing E for b = 1
// (golden-section search, to 1e-12), reproducing the published table (truncated to 2 decimals):
//   Laplace  2.83 3.89 5.03 6.20 7.41 8.64 9.89 for M = 2..8 bits,
//   Gaussian 1.71 2.15 2.55 2.93 3.28 3.61 3.92.
// Estimates from the observed data: b = mean |x - mu| (the histogram with bin centres; exact up
// to half a bin per value), sigma = the standard deviation (exact running moments).
// M is taken from the integer range: M = log2(qmax - qmin + 1).
#pragma once

#include <cmath>

#include "lowp/calibrate/histogram.hpp"

namespace lowp {
namespace calib {

enum class AciqPrior { laplace, gaussian };

// E(alpha) for a unit-scale prior (b = 1 or sigma = 1) and M bits.
inline double aciq_expected_error(AciqPrior prior, int bits, double alpha) {
  const double rounding = alpha * alpha / (3.0 * std::ldexp(1.0, 2 * bits));
  if (prior == AciqPrior::laplace) return 2.0 * std::exp(-alpha) + rounding;
  const double tail = 0.5 * std::erfc(alpha / std::sqrt(2.0));
  const double density = std::exp(-0.5 * alpha * alpha) / std::sqrt(2.0 * 3.14159265358979323846);
  return 2.0 * ((1.0 + alpha * alpha) * tail - alpha * density) + rounding;
}

// c(M): the minimizer of aciq_expected_error, by golden-section search on [0, 64].
inline double aciq_coefficient(AciqPrior prior, int bits) {
  LOWP_CHECK(bits >= 1 && bits <= 16, "aciq_coefficient: bit width ", bits, " outside [1, 16]");
  const double g = (std::sqrt(5.0) - 1.0) / 2.0;
  double lo = 0.0, hi = 64.0;
  double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
  double f1 = aciq_expected_error(prior, bits, x1), f2 = aciq_expected_error(prior, bits, x2);
  while (hi - lo > 1e-12) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = aciq_expected_error(prior, bits, x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = aciq_expected_error(prior, bits, x2);
    }
  }
  return 0.5 * (lo + hi);
}

// mean |x - mu| from the histogram (bin centres).
inline double mean_absolute_deviation(const Histogram& h) {
  const double mu = h.mean(), w = h.bin_width(), r = h.half_range();
  const auto& c = h.signed_counts();
  double s = 0.0;
  for (std::size_t j = 0; j < c.size(); ++j)
    if (c[j] != 0) s += static_cast<double>(c[j]) * std::fabs(-r + (static_cast<double>(j) + 0.5) * w - mu);
  return s / static_cast<double>(h.count());
}

struct Aciq {
  AciqPrior prior = AciqPrior::laplace;

  static const char* name() { return "ACIQ calibration"; }
  Range compute(const Histogram& h, QuantRange q, bool symmetric) const {
    const int bits = static_cast<int>(std::lround(std::log2(static_cast<double>(q.levels()) + 1.0)));
    const double spread = prior == AciqPrior::laplace ? mean_absolute_deviation(h) : h.stddev();
    const double alpha = aciq_coefficient(prior, bits) * spread;
    const double mu = h.mean();
    if (symmetric) {
      const double a = std::fabs(mu) + alpha;
      return detail::clamp_to_data(h, -a, a, true);
    }
    return detail::clamp_to_data(h, std::min(mu - alpha, 0.0), std::max(mu + alpha, 0.0), false);
  }
};

using AciqCalibrator = HistogramCalibrator<Aciq>;

}  // namespace calib
}  // namespace lowp
