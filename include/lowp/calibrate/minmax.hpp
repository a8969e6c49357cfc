// lowp/calibrate/minmax.hpp: min-max and moving-average min-max calibrators.
//
// MinMaxCalibrator keeps the running minimum and maximum: the range that never clips. Equal to
// PyTorch's MinMaxObserver (torch.ao.quantization, 1.13) bit for bit, and merging shards is exact
// (min and max are associative).
//
// MovingAverageMinMaxCalibrator follows PyTorch's MovingAverageMinMaxObserver: the first batch
// sets [min, max]; each later batch b moves them by the averaging constant c (float32 arithmetic,
// as in PyTorch):  min <- min + c * (min_b - min),  max <- max + c * (max_b - max).
// The result depends on batch order, so it has no merge(): shards cannot be combined into the
// value a single sequential pass would give (use MinMaxCalibrator or a histogram method).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "lowp/calibrate/calibrator.hpp"
#include "lowp/calibrate/serialize.hpp"

namespace lowp {
namespace calib {

namespace detail {
// State common to both min-max variants: current [min, max] and counters.
struct MinMaxState {
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();
  std::uint64_t count = 0;
  std::uint64_t nonfinite = 0;

  bool empty() const { return count == 0; }
  Range range(const char* who, bool symmetric) const {
    LOWP_CHECK(count > 0, who, ": no finite value observed yet");
    if (symmetric) {
      const float a = std::max(-min, max);
      return {-a, a};
    }
    return {min, max};
  }
  void write(ByteWriter& w) const {
    w.f32(min);
    w.f32(max);
    w.u64(count);
    w.u64(nonfinite);
  }
  void read(ByteReader& r) {
    min = r.f32();
    max = r.f32();
    count = r.u64();
    nonfinite = r.u64();
    LOWP_CHECK(count == 0 || (std::isfinite(min) && std::isfinite(max) && min <= max),
               "deserialize: invalid min-max state [", min, ", ", max, "] for ", count, " values");
  }
};
}  // namespace detail

class MinMaxCalibrator : public CalibratorBase<MinMaxCalibrator> {
 public:
  using CalibratorBase<MinMaxCalibrator>::observe;
  explicit MinMaxCalibrator(ObserveOptions opt = {}) : opt_(opt) {}

  void observe(const float* x, std::size_t n) {
    const detail::BatchStats s = detail::scan_batch(x, n, opt_, "MinMaxCalibrator::observe");
    s_.nonfinite += s.nonfinite;
    if (s.finite() == 0) return;
    s_.min = std::min(s_.min, s.min);
    s_.max = std::max(s_.max, s.max);
    s_.count += s.finite();
  }
  Range range(QuantRange, bool symmetric) const { return s_.range("MinMaxCalibrator", symmetric); }
  float min() const { return s_.min; }
  float max() const { return s_.max; }
  std::uint64_t count() const { return s_.count; }
  std::uint64_t nonfinite_ignored() const { return s_.nonfinite; }
  const ObserveOptions& observe_options() const { return opt_; }

  void merge(const MinMaxCalibrator& o) {
    s_.min = std::min(s_.min, o.s_.min);
    s_.max = std::max(s_.max, o.s_.max);
    s_.count += o.s_.count;
    s_.nonfinite += o.s_.nonfinite;
  }
  std::vector<std::uint8_t> serialize() const {
    ByteWriter w(StateKind::minmax);
    s_.write(w);
    return w.take();
  }
  static MinMaxCalibrator deserialize(const std::uint8_t* p, std::size_t n, ObserveOptions opt = {}) {
    ByteReader r(p, n, StateKind::minmax);
    MinMaxCalibrator c(opt);
    c.s_.read(r);
    r.finish();
    return c;
  }

 private:
  ObserveOptions opt_;
  detail::MinMaxState s_;
};

class MovingAverageMinMaxCalibrator : public CalibratorBase<MovingAverageMinMaxCalibrator> {
 public:
  using CalibratorBase<MovingAverageMinMaxCalibrator>::observe;
  // PyTorch's default averaging constant is 0.01.
  explicit MovingAverageMinMaxCalibrator(float averaging_constant = 0.01f, ObserveOptions opt = {})
      : c_(averaging_constant), opt_(opt) {
    LOWP_CHECK(c_ > 0.0f && c_ <= 1.0f, "MovingAverageMinMaxCalibrator: averaging constant ", c_,
               " outside (0, 1]");
  }

  void observe(const float* x, std::size_t n) {
    const detail::BatchStats s = detail::scan_batch(x, n, opt_, "MovingAverageMinMaxCalibrator::observe");
    s_.nonfinite += s.nonfinite;
    if (s.finite() == 0) return;
    if (s_.empty()) {
      s_.min = s.min;
      s_.max = s.max;
    } else {
      s_.min = s_.min + c_ * (s.min - s_.min);
      s_.max = s_.max + c_ * (s.max - s_.max);
    }
    s_.count += s.finite();
  }
  Range range(QuantRange, bool symmetric) const { return s_.range("MovingAverageMinMaxCalibrator", symmetric); }
  float min() const { return s_.min; }
  float max() const { return s_.max; }
  float averaging_constant() const { return c_; }
  std::uint64_t count() const { return s_.count; }
  std::uint64_t nonfinite_ignored() const { return s_.nonfinite; }
  const ObserveOptions& observe_options() const { return opt_; }

  std::vector<std::uint8_t> serialize() const {
    ByteWriter w(StateKind::moving_average_minmax);
    w.f32(c_);
    s_.write(w);
    return w.take();
  }
  static MovingAverageMinMaxCalibrator deserialize(const std::uint8_t* p, std::size_t n, ObserveOptions opt = {}) {
    ByteReader r(p, n, StateKind::moving_average_minmax);
    const float c = r.f32();
    LOWP_CHECK(c > 0.0f && c <= 1.0f, "deserialize: invalid averaging constant ", c);
    MovingAverageMinMaxCalibrator m(c, opt);
    m.s_.read(r);
    r.finish();
    return m;
  }

 private:
  float c_;
  ObserveOptions opt_;
  detail::MinMaxState s_;
};

}  // namespace calib
}  // namespace lowp
