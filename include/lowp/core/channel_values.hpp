// lowp/core/channel_values.hpp: a parameter that is either one value for the
// whole tensor or one value per output channel.
//
// Zero points, multipliers, shifts and scales all come in these two flavours.
// ChannelValues<T> is a non-owning view (like Eigen's Map): per-channel data
// stays in the caller's buffer; the per-tensor value is stored inline.
#pragma once

#include <cstddef>

#include "lowp/core/error.hpp"

namespace lowp {

template <typename T>
class ChannelValues {
 public:
  constexpr ChannelValues() = default;
  // Per-tensor: every channel sees `value`.
  constexpr ChannelValues(T value) : scalar_(value) {}  // NOLINT: implicit on purpose
  // Per-channel: `data[c]` for c in [0, count).
  constexpr ChannelValues(const T* data, std::size_t count) : data_(data), count_(count) {}

  constexpr bool per_channel() const { return data_ != nullptr; }
  // Number of distinct values: 1 for per-tensor.
  constexpr std::size_t size() const { return data_ ? count_ : 1; }
  constexpr T operator[](std::size_t c) const { return data_ ? data_[c] : scalar_; }
  constexpr const T* data() const { return data_; }

  // Throws unless this is per-tensor or has exactly `channels` entries; `what` (streamed
  // parts) names the parameter in the message.
  template <typename... What>
  void check_channels(std::size_t channels, const What&... what) const {
    LOWP_CHECK(!data_ || count_ == channels, what..., ": ", count_, " per-channel values given for ",
               channels, " channels");
  }

 private:
  T scalar_{};
  const T* data_ = nullptr;
  std::size_t count_ = 0;
};

}  // namespace lowp
