// lowp/calibrate/entropy.hpp: KL-divergence (entropy) calibration, the TensorRT algorithm.
//
// For each candidate threshold of i bins (TensorRT, GTC 2017, "8-bit Inference with TensorRT"):
//   P = the first i bins of the |x| histogram, with every count beyond them (the outliers that
//       the threshold would clip) added to the last bin P[i-1];
//   Q = the same i bins (without outliers) merged into L quantized levels (L = 128 for int8),
//       each level's count then spread evenly over the bins of its group where P is non-zero;
//   KL(P || Q) = sum_j p_j log(p_j / q_j) after normalizing both;
// and the threshold is the candidate with the smallest divergence.
//
// Public implementations differ in details; each is an option here:
//   KlOptions::tensorrt()  (the default): |x| histogram, groups of floor(i / L) bins with the
//     remainder in the last group, no smoothing (a candidate whose Q is zero where P is not is
//     skipped as infinite), first argmin, threshold = (m + 0.5) * bin width (the slide's formula).
//   KlOptions::pytorch_quantization()  (NVIDIA pytorch-quantization, calib/histogram.py):
//     bins[0] replaced by bins[1], proportional groups (bin k in level floor(k L / i)), Q spread
//     over the bins non-empty in the raw histogram, no smoothing, the LAST argmin, threshold =
//     the bin edge i * width.
//   KlOptions::onnxruntime()  (ONNX Runtime, quantization/calibrate.py): the SIGNED histogram
//     sliced symmetrically [-i, i) with outliers folded into both end bins, 128 levels for the
//     whole slice, zero bins smoothed with epsilon = 1e-4 (the mass moved from non-zero bins),
//     first argmin, threshold = bin edge, clamped to the observed [min, max].
//
// Speed: the naive algorithm rebuilds P and Q for each of the ~2000 candidates, O(bins^2) with a
// logarithm per bin. Here every candidate costs O(L): with prefix sums of counts, of non-empty
// bins and of h log h, the divergence decomposes per level (Q is constant on the non-empty bins
// of a group):  sum_j P_j log Q_j = sum_g P_g log(G_g / nz_g).  Smoothing subtracts a constant e
// from every non-empty bin; sum (h - e) log(h - e) then uses its Taylor series through e^3
// (prefix sums of log h, 1/h, 1/h^2; the remainder e^4 / (12 h^3) is far below double rounding
// for realistic e ~ 1e-4). The two end bins, which receive outliers, are always computed exactly.
// entropy_reference::search() is the naive algorithm, kept as the test oracle and benchmark peer.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "lowp/calibrate/histogram.hpp"

namespace lowp {
namespace calib {

struct KlOptions {
  enum class Source { abs_values, signed_values };
  enum class Grouping { remainder_in_last, proportional };
  enum class Threshold { bin_edge, bin_centre };
  enum class ArgMin { first, last };

  Source source = Source::abs_values;
  Grouping grouping = Grouping::remainder_in_last;
  Threshold threshold = Threshold::bin_centre;
  ArgMin argmin = ArgMin::first;
  bool smoothing = false;     // replace zero bins of P and Q by epsilon (mass taken from the others)
  double epsilon = 1e-4;
  bool copy_first_bin = false;  // bins[0] = bins[1] before the search (for ReLU'd data)
  // Which bins of a level share its mass in Q: those non-empty in P (false: TensorRT, ONNX
  // Runtime) or in the raw histogram (true: pytorch-quantization), which differ only for an end
  // bin that holds nothing but folded outliers.
  bool mask_from_raw_bins = false;
  int quantized_bins = 0;       // L; 0: 2^(bits-1) for abs_values, 2^bits for signed_values
  int start_bins = 0;           // first candidate (bins per side); 0: L for abs, L/2 for signed

  static KlOptions tensorrt() { return {}; }
  static KlOptions pytorch_quantization() {
    KlOptions o;
    o.grouping = Grouping::proportional;
    o.threshold = Threshold::bin_edge;
    o.argmin = ArgMin::last;
    o.copy_first_bin = true;
    o.mask_from_raw_bins = true;
    return o;
  }
  static KlOptions onnxruntime() {
    KlOptions o;
    o.source = Source::signed_values;
    o.threshold = Threshold::bin_edge;
    o.smoothing = true;
    o.quantized_bins = 128;
    return o;
  }
};

// The outcome of a search: the threshold (symmetric amax), its divergence and bins per side.
struct KlResult {
  double threshold = 0.0;
  double divergence = std::numeric_limits<double>::infinity();
  std::size_t bins = 0;
};

namespace detail {

inline double xlogx(double x) { return x > 0.0 ? x * std::log(x) : 0.0; }

// The histogram line a search runs on: |x| bins (candidates [0, i)) or signed bins (candidates
// [B - i, B + i)), after the copy_first_bin tweak.
struct KlLine {
  std::vector<double> h;
  std::size_t centre = 0;     // 0 for |x|, B for signed
  std::size_t max_side = 0;   // largest useful i
  double total = 0.0;
  int levels = 0;
  std::size_t start = 0;
  bool is_signed = false;
};

inline KlLine make_kl_line(const Histogram& hist, const KlOptions& o, QuantRange q) {
  KlLine line;
  line.is_signed = o.source == KlOptions::Source::signed_values;
  const std::int64_t codes = q.levels() + 1;
  LOWP_CHECK(o.quantized_bins > 0 || codes <= (std::int64_t{1} << 24), "KL calibration: ", codes,
             " codes; the method merges the histogram into at most 2^24 levels");
  line.levels = o.quantized_bins > 0 ? o.quantized_bins : static_cast<int>(line.is_signed ? codes : codes / 2);
  LOWP_CHECK(line.levels >= 2, "KL calibration: ", line.levels, " quantized bins (need >= 2)");
  const std::vector<std::uint64_t> raw = line.is_signed ? hist.signed_counts() : hist.abs_counts();
  line.h.assign(raw.begin(), raw.end());
  if (line.is_signed) {
    const std::size_t b = static_cast<std::size_t>(hist.bins_per_side());
    line.centre = b;
    std::size_t lo = 0;
    while (lo < b && raw[lo] == 0) ++lo;
    line.max_side = std::max(b - lo, used_bins(raw) > b ? used_bins(raw) - b : 0);
    line.start = o.start_bins > 0 ? static_cast<std::size_t>(o.start_bins) : static_cast<std::size_t>(line.levels / 2);
    line.start = std::max<std::size_t>(line.start, (static_cast<std::size_t>(line.levels) + 1) / 2);
  } else {
    line.max_side = used_bins(raw);
    line.start = o.start_bins > 0 ? static_cast<std::size_t>(o.start_bins) : static_cast<std::size_t>(line.levels);
    line.start = std::max<std::size_t>(line.start, static_cast<std::size_t>(line.levels));
  }
  if (o.copy_first_bin && line.h.size() > 1) {
    if (line.is_signed) {
      line.h[line.centre] = line.h[line.centre + 1];
    } else {
      line.h[0] = line.h[1];
    }
  }
  for (double v : line.h) line.total += v;
  return line;
}

// The slice of candidate i: [first, first + len) plus outliers on each side.
struct KlSlice {
  std::size_t first, len;
  double left_outliers, right_outliers;
};

// Group g of a slice of `len` bins merged into L levels: [begin, end) relative to the slice.
inline void group_bounds(KlOptions::Grouping grouping, std::size_t len, std::size_t L, std::size_t g,
                         std::size_t& begin, std::size_t& end) {
  if (grouping == KlOptions::Grouping::remainder_in_last) {
    const std::size_t m = len / L;
    begin = g * m;
    end = g + 1 == L ? len : (g + 1) * m;
  } else {  // bin k belongs to level floor(k L / len)
    begin = (g * len + L - 1) / L;
    end = ((g + 1) * len + L - 1) / L;
  }
}

// Prefix sums over the line, the O(L)-per-candidate evaluator.
class KlPrefix {
 public:
  explicit KlPrefix(const std::vector<double>& h) : h_(h) {
    const std::size_t n = h.size();
    count_.assign(n + 1, 0.0);
    nonzero_.assign(n + 1, 0.0);
    hlogh_.assign(n + 1, 0.0);
    logh_.assign(n + 1, 0.0);
    inv_.assign(n + 1, 0.0);
    inv2_.assign(n + 1, 0.0);
    for (std::size_t j = 0; j < n; ++j) {
      const double v = h[j];
      const bool nz = v > 0.0;
      count_[j + 1] = count_[j] + v;
      nonzero_[j + 1] = nonzero_[j] + (nz ? 1.0 : 0.0);
      hlogh_[j + 1] = hlogh_[j] + xlogx(v);
      logh_[j + 1] = logh_[j] + (nz ? std::log(v) : 0.0);
      inv_[j + 1] = inv_[j] + (nz ? 1.0 / v : 0.0);
      inv2_[j + 1] = inv2_[j] + (nz ? 1.0 / (v * v) : 0.0);
    }
  }
  double count(std::size_t a, std::size_t b) const { return count_[b] - count_[a]; }

  // TensorRT's configuration (|x| line, groups of m = i / L bins with the remainder in the last
  // group, no smoothing) lets candidates share work: levels 0..L-2 are the same bins for every i
  // with the same m and receive no outliers, so their part of sum P log Q, head(m), is computed
  // once per m (about bins / L times) and each candidate only adds its last level: O(1) logs
  // per candidate instead of O(L).
  double head_plogq(std::size_t m, std::size_t L) const {
    double sum = 0.0;
    for (std::size_t g = 0; g + 1 < L; ++g) {
      const double G = count(g * m, (g + 1) * m);
      const double nz = nonzero_[(g + 1) * m] - nonzero_[g * m];
      if (nz > 0.0) sum += G * std::log(G / nz);
    }
    return sum;
  }
  double divergence_with_head(std::size_t len, double right_outliers, std::size_t L, std::size_t m, double head,
                              double total) const {
    const std::size_t last = len - 1, lo = (L - 1) * m;
    const double slice_raw = count(0, len);
    if (slice_raw <= 0.0) return std::numeric_limits<double>::infinity();
    const double p_last = h_[last] + right_outliers;
    const double G = count(lo, len);
    const double nz = nonzero_[len] - nonzero_[lo] + (h_[last] == 0.0 && p_last > 0.0 ? 1.0 : 0.0);
    double plogq = head;
    if (nz > 0.0) {
      if (G <= 0.0) return std::numeric_limits<double>::infinity();
      plogq += (G + right_outliers) * std::log(G / nz);
    }
    const double plogp = hlogh_[last] + xlogx(p_last);
    return (plogp - plogq) / total + std::log(slice_raw / total);
  }

  double divergence(const KlSlice& s, std::size_t L, const KlOptions& o, double total) const {
    const std::size_t last = s.first + s.len - 1;
    const double p_first = h_[s.first] + s.left_outliers;
    const double p_last = h_[last] + s.right_outliers;
    const double slice_raw = count(s.first, last + 1);
    if (slice_raw <= 0.0) return std::numeric_limits<double>::infinity();
    // Per level: raw sum G, P sum, number of non-empty P bins.
    double nonzero_p = 0.0, nonzero_q = 0.0;
    // First pass over the levels: sums and non-empty bins (the smoothing constants need them all).
    // An end bin that is empty in the raw histogram but receives outliers is non-empty in P; it
    // shares its level's mass in Q (mask from P) or stays empty in Q (mask from the raw bins),
    // in which case its P mass is booked separately as "P > 0 where Q = 0".
    std::vector<double>& G = scratch_g_;
    std::vector<double>& PQ = scratch_p_;  // P mass on the bins where Q > 0
    std::vector<double>& NQ = scratch_n_;  // number of bins where Q > 0
    G.resize(L);
    PQ.resize(L);
    NQ.resize(L);
    double orphan_mass = 0.0, orphan_bins = 0.0;  // P > 0 where Q = 0
    for (std::size_t g = 0; g < L; ++g) {
      std::size_t b, e;
      group_bounds(o.grouping, s.len, L, g, b, e);
      const std::size_t lo = s.first + b, hi = s.first + e;
      const double raw = count(lo, hi);
      double nz = nonzero_[hi] - nonzero_[lo];
      double mass = raw, extra_mass = 0.0, extra_bins = 0.0;
      if (b == 0 && e > 0) {  // the first bin receives the left outliers
        if (h_[s.first] == 0.0 && p_first > 0.0) {
          extra_mass += p_first;
          extra_bins += 1.0;
        } else {
          mass += s.left_outliers;
        }
      }
      if (e == s.len && e > b) {  // the last bin receives the right outliers
        if (h_[last] == 0.0 && p_last > 0.0) {
          extra_mass += p_last;
          extra_bins += 1.0;
        } else {
          mass += s.right_outliers;
        }
      }
      if (!o.mask_from_raw_bins) {  // outlier-only end bins take their share of Q
        mass += extra_mass;
        nz += extra_bins;
        extra_mass = extra_bins = 0.0;
      }
      G[g] = raw;
      nonzero_p += nz + extra_bins;
      if (raw > 0.0) {
        PQ[g] = mass;
        NQ[g] = nz;
        nonzero_q += nz;
      } else {  // nothing to spread: every P-positive bin of the level has Q = 0
        PQ[g] = 0.0;
        NQ[g] = 0.0;
        extra_mass += mass;
        extra_bins += nz;
      }
      orphan_mass += extra_mass;
      orphan_bins += extra_bins;
    }
    const double len = static_cast<double>(s.len);
    double e_p = 0.0, e_q = 0.0;
    if (o.smoothing) {
      if (nonzero_p == 0.0 || nonzero_q == 0.0) return std::numeric_limits<double>::infinity();
      e_p = o.epsilon * (len - nonzero_p) / nonzero_p;
      e_q = o.epsilon * (len - nonzero_q) / nonzero_q;
    }
    // sum over non-empty P bins of (P - e_p) log(P - e_p): interior bins by prefix sums (Taylor
    // series in e_p), the two end bins exactly.
    const std::size_t in_lo = s.first + 1, in_hi = last;  // interior [in_lo, in_hi)
    double plogp = hlogh_[in_hi] - hlogh_[in_lo];
    if (e_p != 0.0) {
      const double n_in = nonzero_[in_hi] - nonzero_[in_lo];
      plogp += -e_p * (logh_[in_hi] - logh_[in_lo] + n_in) + e_p * e_p / 2.0 * (inv_[in_hi] - inv_[in_lo]) +
               e_p * e_p * e_p / 6.0 * (inv2_[in_hi] - inv2_[in_lo]);
    }
    plogp += p_first > 0.0 ? xlogx(p_first - e_p) : 0.0;
    plogp += p_last > 0.0 ? xlogx(p_last - e_p) : 0.0;
    double plogq = 0.0;
    for (std::size_t g = 0; g < L; ++g)
      if (NQ[g] > 0.0) plogq += (PQ[g] - e_p * NQ[g]) * std::log(G[g] / NQ[g] - e_q);
    if (orphan_bins > 0.0) {
      if (!o.smoothing) return std::numeric_limits<double>::infinity();  // Q = 0 where P > 0
      plogq += (orphan_mass - e_p * orphan_bins) * std::log(o.epsilon);
    }
    return (plogp - plogq) / total + std::log(slice_raw / total);
  }

 private:
  const std::vector<double>& h_;
  std::vector<double> count_, nonzero_, hlogh_, logh_, inv_, inv2_;
  mutable std::vector<double> scratch_g_, scratch_p_, scratch_n_;
};

inline KlSlice kl_slice(const KlLine& line, const KlPrefix& pf, std::size_t i) {
  if (line.is_signed) {
    const std::size_t first = line.centre - i, end = line.centre + i;
    return {first, 2 * i, pf.count(0, first), pf.count(end, line.h.size())};
  }
  return {0, i, 0.0, pf.count(i, line.h.size())};
}

inline double kl_threshold(const KlOptions& o, std::size_t i, double w) {
  return (static_cast<double>(i) + (o.threshold == KlOptions::Threshold::bin_centre ? 0.5 : 0.0)) * w;
}

// Keeps candidate i if its divergence beats the best so far (first or last argmin).
inline void consider(KlResult& best, double d, std::size_t i, const KlOptions& o, double w) {
  const bool better = o.argmin == KlOptions::ArgMin::first ? d < best.divergence : d <= best.divergence;
  if (std::isfinite(d) && better) {
    best.divergence = d;
    best.bins = i;
    best.threshold = kl_threshold(o, i, w);
  }
}

}  // namespace detail

// The fast search: O(L) per candidate.
inline KlResult kl_search(const Histogram& hist, QuantRange q, const KlOptions& o = {}) {
  hist.require_data("KL calibration");
  const detail::KlLine line = detail::make_kl_line(hist, o, q);
  const detail::KlPrefix pf(line.h);
  KlResult best;
  best.threshold = hist.amax();
  const std::size_t L = static_cast<std::size_t>(line.levels);
  const bool shared_head =
      !line.is_signed && o.grouping == KlOptions::Grouping::remainder_in_last && !o.smoothing &&
      !o.mask_from_raw_bins;
  std::size_t head_m = 0;
  double head = 0.0;
  for (std::size_t i = line.start; i <= line.max_side; ++i) {
    double d;
    if (shared_head) {
      if (i / L != head_m) {
        head_m = i / L;
        head = pf.head_plogq(head_m, L);
      }
      d = pf.divergence_with_head(i, pf.count(i, line.h.size()), L, head_m, head, line.total);
    } else {
      d = pf.divergence(detail::kl_slice(line, pf, i), L, o, line.total);
    }
    detail::consider(best, d, i, o, hist.bin_width());
  }
  return best;
}

// KL(P || Q) of the quantization that clips |x| at `amax` (the quantity the search minimizes),
// on the |x| histogram with L levels: the candidate keeps the bins up to the one holding amax.
// Proportional groups when fewer than L bins are kept. Reports (lowp-calib) pass smoothing = true
// so that the value is finite for any threshold.
inline double kl_divergence_at(const Histogram& hist, double amax, QuantRange q, KlOptions o = {}) {
  hist.require_data("kl_divergence_at");
  o.source = KlOptions::Source::abs_values;
  const detail::KlLine line = detail::make_kl_line(hist, o, q);
  const detail::KlPrefix pf(line.h);
  const std::size_t n = std::max<std::size_t>(line.max_side, 2);
  std::size_t i = static_cast<std::size_t>(std::max(0.0, std::floor(amax / hist.bin_width()))) + 1;
  i = std::min(std::max<std::size_t>(i, 2), n);
  if (i < static_cast<std::size_t>(line.levels)) o.grouping = KlOptions::Grouping::proportional;
  // KL >= 0; the decomposed sum can round to a tiny negative number when P == Q.
  return std::max(0.0, pf.divergence(detail::kl_slice(line, pf, i), static_cast<std::size_t>(line.levels), o,
                                     line.total));
}

// The naive algorithm (explicit P and Q per candidate, O(bins) each): the oracle for tests and
// the baseline of bench/calibrate.
namespace entropy_reference {

inline double divergence(const std::vector<double>& h, const detail::KlSlice& s, std::size_t L, const KlOptions& o) {
  std::vector<double> p(h.begin() + static_cast<std::ptrdiff_t>(s.first),
                        h.begin() + static_cast<std::ptrdiff_t>(s.first + s.len));
  std::vector<double> q(s.len, 0.0);
  const std::vector<double> raw = p;
  p.front() += s.left_outliers;
  p.back() += s.right_outliers;
  for (std::size_t g = 0; g < L; ++g) {
    std::size_t b, e;
    detail::group_bounds(o.grouping, s.len, L, g, b, e);
    const std::vector<double>& mask = o.mask_from_raw_bins ? raw : p;
    double sum = 0.0, nz = 0.0;
    for (std::size_t j = b; j < e; ++j) {
      sum += raw[j];
      nz += mask[j] > 0.0 ? 1.0 : 0.0;
    }
    for (std::size_t j = b; j < e; ++j) q[j] = mask[j] > 0.0 && nz > 0.0 ? sum / nz : 0.0;
  }
  auto smooth = [&](std::vector<double>& v) {
    double zeros = 0.0;
    for (double x : v) zeros += x == 0.0 ? 1.0 : 0.0;
    const double nonzeros = static_cast<double>(v.size()) - zeros;
    if (nonzeros == 0.0) return false;
    const double e1 = o.epsilon * zeros / nonzeros;
    for (double& x : v) x = x == 0.0 ? o.epsilon : x - e1;
    return true;
  };
  if (o.smoothing && (!smooth(p) || !smooth(q))) return std::numeric_limits<double>::infinity();
  double sp = 0.0, sq = 0.0;
  for (std::size_t j = 0; j < s.len; ++j) {
    sp += p[j];
    sq += q[j];
  }
  if (sq <= 0.0) return std::numeric_limits<double>::infinity();
  double kl = 0.0;
  for (std::size_t j = 0; j < s.len; ++j) {
    if (p[j] <= 0.0) continue;
    if (q[j] <= 0.0) return std::numeric_limits<double>::infinity();
    kl += p[j] / sp * std::log((p[j] / sp) / (q[j] / sq));
  }
  return kl;
}

inline KlResult search(const Histogram& hist, QuantRange q, const KlOptions& o = {}) {
  hist.require_data("KL calibration");
  const detail::KlLine line = detail::make_kl_line(hist, o, q);
  const detail::KlPrefix pf(line.h);  // only for the outlier counts of each slice
  KlResult best;
  best.threshold = hist.amax();
  for (std::size_t i = line.start; i <= line.max_side; ++i) {
    const double d = divergence(line.h, detail::kl_slice(line, pf, i), static_cast<std::size_t>(line.levels), o);
    detail::consider(best, d, i, o, hist.bin_width());
  }
  return best;
}

}  // namespace entropy_reference

struct Entropy {
  KlOptions options = KlOptions::tensorrt();

  static const char* name() { return "KL calibration"; }
  Range compute(const Histogram& h, QuantRange q, bool symmetric) const {
    const double t = kl_search(h, q, options).threshold;
    return detail::clamp_to_data(h, -t, t, symmetric);
  }
};

using EntropyCalibrator = HistogramCalibrator<Entropy>;

}  // namespace calib
}  // namespace lowp
