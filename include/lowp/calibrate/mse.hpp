// lowp/calibrate/mse.hpp: the clipping range that minimizes the expected squared error.
//
// Error model over the histogram (counts c_j, bin centres m_j, bin width w), for a range whose
// quantization step is D:
//   values inside the range: rounding error, uniform on a step:   D^2 / 12 each;
//   values beyond a clip point t, uniform within their bin:       (m_j - t)^2 + w^2 / 12 each.
//   E(range) = N_inside D^2 / 12 + sum_{bins beyond} c_j ((m_j - t)^2 + w^2 / 12).
// Symmetric: range [-T, T], D = T / ((qmax - qmin) / 2) (the scale choose_qparams gives).
// Affine:    range [lo, hi] (containing 0), D = (hi - lo) / (qmax - qmin).
//
// Search: EVERY candidate on the bin-edge grid is evaluated (T = k w for k = 1..n; for affine
// every pair lo = -a w, hi = b w), each in O(1) from suffix sums of c, c m and c (m^2 + w^2/12),
// so the result is the exact grid optimum of the model (no local search that can stall):
// O(n) symmetric, O(n_neg * n_pos) affine (~4M pairs of a few flops for 2048 bins per side).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "lowp/calibrate/histogram.hpp"

namespace lowp {
namespace calib {

namespace detail {

// Per clip index k (clip point t = k w): tail count, and the clipping error of the tail.
struct ClipTable {
  std::vector<double> tail;   // sum_{j >= k} c_j
  std::vector<double> error;  // sum_{j >= k} c_j ((m_j - k w)^2 + w^2 / 12)
};

// `side` holds |x| bins of one side (bin j = [j w, (j+1) w)); entries k = 0..n.
inline ClipTable clip_table(const std::vector<double>& side, std::size_t n, double w) {
  ClipTable t;
  t.tail.assign(n + 1, 0.0);
  t.error.assign(n + 1, 0.0);
  double s0 = 0.0, s1 = 0.0, s2 = 0.0;
  for (std::size_t k = n; k-- > 0;) {
    const double c = side[k];
    const double m = (static_cast<double>(k) + 0.5) * w;
    s0 += c;
    s1 += c * m;
    s2 += c * (m * m + w * w / 12.0);
    const double t_k = static_cast<double>(k) * w;
    t.tail[k] = s0;
    t.error[k] = s2 - 2.0 * t_k * s1 + t_k * t_k * s0;
  }
  return t;
}

}  // namespace detail

// The model's expected error per value of quantizing to [lo, hi] (lo <= 0 <= hi), evaluated
// by direct summation; the search below minimizes exactly this on the bin-edge grid.
inline double mse_model(const Histogram& h, double lo, double hi, QuantRange q) {
  const double w = h.bin_width();
  const double step = (hi - lo) / static_cast<double>(q.levels());
  const auto& c = h.signed_counts();
  const std::size_t b = static_cast<std::size_t>(h.bins_per_side());
  double e = 0.0;
  for (std::size_t j = 0; j < c.size(); ++j) {
    if (c[j] == 0) continue;
    const double a = (static_cast<double>(j) - static_cast<double>(b)) * w;  // bin [a, a + w)
    const double m = a + 0.5 * w;
    const double cj = static_cast<double>(c[j]);
    if (a >= hi) {
      e += cj * ((m - hi) * (m - hi) + w * w / 12.0);
    } else if (a + w <= lo) {
      e += cj * ((m - lo) * (m - lo) + w * w / 12.0);
    } else {
      e += cj * step * step / 12.0;
    }
  }
  return e / static_cast<double>(h.count());
}

// The grid optimum: range [lo, hi] (bin edges) and its model error per value.
struct MseGridResult {
  double lo = 0.0, hi = 0.0, error = 0.0;
};

inline MseGridResult mse_search(const Histogram& h, QuantRange q, bool symmetric) {
  h.require_data("MSE calibration");
  const double w = h.bin_width();
  const double levels = static_cast<double>(q.levels());
  const double n_total = static_cast<double>(h.count());
  const std::size_t b = static_cast<std::size_t>(h.bins_per_side());
  const auto& c = h.signed_counts();
  std::vector<double> pos(b), neg(b);
  for (std::size_t j = 0; j < b; ++j) {
    pos[j] = static_cast<double>(c[b + j]);
    neg[j] = static_cast<double>(c[b - 1 - j]);
  }
  MseGridResult r;
  double best = std::numeric_limits<double>::infinity();
  if (symmetric) {
    std::vector<double> abs(b);
    for (std::size_t j = 0; j < b; ++j) abs[j] = pos[j] + neg[j];
    std::size_t n = b;
    while (n > 1 && abs[n - 1] == 0.0) --n;
    const detail::ClipTable t = detail::clip_table(abs, n, w);
    const double half = levels / 2.0;
    std::size_t best_k = n;
    for (std::size_t k = 1; k <= n; ++k) {
      const double step = static_cast<double>(k) * w / half;
      const double e = (n_total - t.tail[k]) * step * step / 12.0 + t.error[k];
      if (e < best) {
        best = e;
        best_k = k;
      }
    }
    r.hi = static_cast<double>(best_k) * w;
    r.lo = -r.hi;
  } else {
    std::size_t np = b, nn = b;
    while (np > 0 && pos[np - 1] == 0.0) --np;
    while (nn > 0 && neg[nn - 1] == 0.0) --nn;
    const detail::ClipTable tp = detail::clip_table(pos, np, w);
    const detail::ClipTable tn = detail::clip_table(neg, nn, w);
    const double k_step = w * w / (12.0 * levels * levels);  // D^2 / 12 = (a + b)^2 k_step
    std::size_t best_a = nn, best_b = np;
    for (std::size_t a = 0; a <= nn; ++a) {
      const double inside_a = n_total - tn.tail[a];
      for (std::size_t bb = (a == 0 ? 1 : 0); bb <= np; ++bb) {
        const double span = static_cast<double>(a + bb);
        const double e = (inside_a - tp.tail[bb]) * span * span * k_step + tp.error[bb] + tn.error[a];
        if (e < best) {
          best = e;
          best_a = a;
          best_b = bb;
        }
      }
    }
    r.lo = -static_cast<double>(best_a) * w;
    r.hi = static_cast<double>(best_b) * w;
  }
  r.error = best / n_total;
  return r;
}

struct Mse {
  static const char* name() { return "MSE calibration"; }
  Range compute(const Histogram& h, QuantRange q, bool symmetric) const {
    const MseGridResult r = mse_search(h, q, symmetric);
    return detail::clamp_to_data(h, r.lo, r.hi, symmetric);
  }
};

using MseCalibrator = HistogramCalibrator<Mse>;

}  // namespace calib
}  // namespace lowp
