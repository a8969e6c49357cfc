// lowp/calibrate/per_channel.hpp: one calibrator per channel along any axis.
//
// PerChannel<C> wraps any calibrator C (min-max, moving average, or a histogram method): each
// observed tensor is split along `axis` (negative counts from the end, like NumPy) and channel c
// of every batch feeds calibrator c. With C = MinMaxCalibrator this is PyTorch's
// PerChannelMinMaxObserver. The number of channels is fixed by the first batch; later batches
// must agree. A NaN/Inf anywhere is rejected before any channel's state changes (unless the
// prototype's ObserveOptions ignore them).
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "lowp/calibrate/calibrator.hpp"
#include "lowp/calibrate/serialize.hpp"

namespace lowp {
namespace calib {

template <typename C>
class PerChannel {
 public:
  explicit PerChannel(int axis, C prototype = C{}) : axis_(axis), prototype_(std::move(prototype)) {}

  void observe(const TensorView<const float>& t) {
    const int a = t.normalize_axis(axis_);
    const std::size_t channels = static_cast<std::size_t>(t.extent(a));
    LOWP_CHECK(t.size() > 0, "PerChannel::observe: empty batch (a tensor with 0 elements)");
    if (channels_.empty()) {
      channels_.assign(channels, prototype_);
    } else {
      LOWP_CHECK(channels == channels_.size(), "PerChannel::observe: batch has ", channels, " channels along axis ",
                 axis_, ", earlier batches had ", channels_.size());
    }
    std::vector<std::vector<float>> buckets(channels);
    for (auto& b : buckets) b.reserve(static_cast<std::size_t>(t.size()) / channels);
    std::size_t nonfinite = 0;
    t.for_each(
        [&](const float& v, std::ptrdiff_t, std::ptrdiff_t c) {
          buckets[static_cast<std::size_t>(c)].push_back(v);
          nonfinite += std::fabs(v) <= std::numeric_limits<float>::max() ? 0 : 1;
        },
        a);
    LOWP_CHECK(nonfinite == 0 || prototype_.observe_options().ignore_nonfinite, "PerChannel::observe: batch contains ",
               nonfinite, " NaN/Inf value", nonfinite == 1 ? "" : "s", " (of ", t.size(),
               "); set ObserveOptions::ignore_nonfinite to skip and count them");
    for (std::size_t c = 0; c < channels; ++c) channels_[c].observe(buckets[c].data(), buckets[c].size());
  }
  void observe(const TensorView<float>& t) { observe(TensorView<const float>(t)); }
  // A 2-d Eigen object (matrix, array, map, block) as a rows x cols tensor: axis 0 = rows.
  template <typename E>
  void observe(const Eigen::DenseBase<E>& x) {
    static_assert(std::is_same<typename E::Scalar, float>::value, "PerChannel observes float data");
    const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> m = x.derived();
    observe(TensorView<const float>(m.data(), {m.rows(), m.cols()}));
  }

  std::size_t channels() const { return channels_.size(); }
  const C& channel(std::size_t c) const { return channels_.at(c); }
  int axis() const { return axis_; }

  std::vector<Range> ranges(QuantRange q, bool symmetric) const {
    LOWP_CHECK(!channels_.empty(), "PerChannel: no batch observed yet");
    std::vector<Range> r;
    r.reserve(channels_.size());
    for (const C& c : channels_) r.push_back(c.range(q, symmetric));
    return r;
  }
  template <typename Scheme>
  std::vector<QuantParams> qparams(QuantRange q) const {
    std::vector<QuantParams> p;
    for (const Range& r : ranges(q, Scheme::symmetric)) p.push_back(choose_qparams<Scheme>(r.min, r.max, q));
    return p;
  }

  // Channel-wise merge; requires C::merge (not available for the order-dependent moving average).
  void merge(const PerChannel& o) {
    LOWP_CHECK(o.axis_ == axis_, "PerChannel::merge: axis ", o.axis_, " vs ", axis_);
    if (o.channels_.empty()) return;
    if (channels_.empty()) {
      channels_ = o.channels_;
      return;
    }
    LOWP_CHECK(o.channels_.size() == channels_.size(), "PerChannel::merge: ", o.channels_.size(), " channels vs ",
               channels_.size());
    for (std::size_t c = 0; c < channels_.size(); ++c) channels_[c].merge(o.channels_[c]);
  }

  std::vector<std::uint8_t> serialize() const {
    ByteWriter w(StateKind::per_channel);
    w.i32(axis_);
    w.u32(static_cast<std::uint32_t>(channels_.size()));
    for (const C& c : channels_) w.bytes(c.serialize());
    return w.take();
  }
  // `prototype` supplies the options (method, observe options) of every channel.
  static PerChannel deserialize(const std::uint8_t* p, std::size_t n, C prototype = C{}) {
    ByteReader r(p, n, StateKind::per_channel);
    PerChannel out(r.i32(), prototype);
    const std::uint32_t channels = r.u32();
    r.need(std::uint64_t{channels} * 8);  // every channel has at least its length prefix
    for (std::uint32_t c = 0; c < channels; ++c) {
      const auto blob = r.bytes();
      out.channels_.push_back(deserialize_like(prototype, blob.first, blob.second));
    }
    r.finish();
    return out;
  }

 private:
  template <typename T>
  static auto deserialize_like(const T& proto, const std::uint8_t* p, std::size_t n)
      -> decltype(T::deserialize(p, n, proto.method(), proto.observe_options())) {
    return T::deserialize(p, n, proto.method(), proto.observe_options());
  }
  template <typename T, typename... Ignored>
  static T deserialize_like(const T& proto, const std::uint8_t* p, std::size_t n, Ignored...) {
    return T::deserialize(p, n, proto.observe_options());
  }

  int axis_;
  C prototype_;
  std::vector<C> channels_;
};

}  // namespace calib
}  // namespace lowp
