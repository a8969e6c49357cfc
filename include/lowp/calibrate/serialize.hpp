// lowp/calibrate/serialize.hpp: the byte format of calibrator states.
//
// A blob is: magic "LPCB" | u16 format version | u16 kind | payload, every number little-endian
// regardless of the host, floats as their IEEE bit patterns. Blobs move between workers and
// processes, so loading is validated like file input: a wrong magic, an unknown version, a kind
// that is not the one asked for, a truncated payload, trailing bytes or inconsistent values throw
// lowp::error saying which.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "lowp/core/error.hpp"

namespace lowp {
namespace calib {

inline constexpr std::uint16_t kSerialVersion = 1;

enum class StateKind : std::uint16_t {
  minmax = 1,
  moving_average_minmax = 2,
  histogram = 3,
  per_channel = 4,
};

inline const char* kind_name(std::uint16_t k) {
  switch (k) {
    case 1: return "min-max";
    case 2: return "moving-average min-max";
    case 3: return "histogram";
    case 4: return "per-channel";
    default: return "unknown";
  }
}

class ByteWriter {
 public:
  explicit ByteWriter(StateKind kind) {
    bytes_ = {'L', 'P', 'C', 'B'};
    u16(kSerialVersion);
    u16(static_cast<std::uint16_t>(kind));
  }
  void u16(std::uint16_t v) { put(v, 2); }
  void u32(std::uint32_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }
  void i32(std::int32_t v) { put(static_cast<std::uint32_t>(v), 4); }
  void f32(float v) {
    std::uint32_t u;
    std::memcpy(&u, &v, 4);
    put(u, 4);
  }
  void f64(double v) {
    std::uint64_t u;
    std::memcpy(&u, &v, 8);
    put(u, 8);
  }
  void bytes(const std::vector<std::uint8_t>& b) {
    u64(b.size());
    bytes_.insert(bytes_.end(), b.begin(), b.end());
  }
  std::vector<std::uint8_t> take() { return std::move(bytes_); }

 private:
  void put(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) bytes_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  std::vector<std::uint8_t> bytes_;
};

class ByteReader {
 public:
  // Checks the preamble; `expected` is the kind the caller deserializes.
  ByteReader(const std::uint8_t* p, std::size_t n, StateKind expected) : p_(p), n_(n) {
    LOWP_CHECK(p != nullptr || n == 0, "deserialize: null blob");
    LOWP_CHECK(n >= 8, "deserialize: blob of ", n, " bytes is too short for the 8-byte preamble");
    LOWP_CHECK(std::memcmp(p, "LPCB", 4) == 0, "deserialize: bad magic: not a lowp calibrator state");
    pos_ = 4;
    const std::uint16_t version = u16();
    LOWP_CHECK(version == kSerialVersion, "deserialize: unsupported state version ", version, " (this build reads ",
               kSerialVersion, ")");
    const std::uint16_t kind = u16();
    LOWP_CHECK(kind == static_cast<std::uint16_t>(expected), "deserialize: blob holds a ", kind_name(kind),
               " state (kind ", kind, "), expected ", kind_name(static_cast<std::uint16_t>(expected)));
  }
  std::uint16_t u16() { return static_cast<std::uint16_t>(get(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(get(4)); }
  std::uint64_t u64() { return get(8); }
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  float f32() {
    const std::uint32_t u = u32();
    float v;
    std::memcpy(&v, &u, 4);
    return v;
  }
  double f64() {
    const std::uint64_t u = u64();
    double v;
    std::memcpy(&v, &u, 8);
    return v;
  }
  // A length-prefixed sub-blob: returns its start and size.
  std::pair<const std::uint8_t*, std::size_t> bytes() {
    const std::uint64_t len = u64();
    need(len);
    const std::uint8_t* start = p_ + pos_;
    pos_ += static_cast<std::size_t>(len);
    return {start, static_cast<std::size_t>(len)};
  }
  std::size_t remaining() const { return n_ - pos_; }
  void need(std::uint64_t bytes) const {
    LOWP_CHECK(bytes <= n_ - pos_, "deserialize: truncated blob: need ", bytes, " bytes at offset ", pos_,
               ", only ", n_ - pos_, " left");
  }
  void finish() const {
    LOWP_CHECK(pos_ == n_, "deserialize: ", n_ - pos_, " unexpected trailing bytes");
  }

 private:
  std::uint64_t get(int n) {
    need(static_cast<std::uint64_t>(n));
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | p_[pos_ + static_cast<std::size_t>(i)];
    pos_ += static_cast<std::size_t>(n);
    return v;
  }
  const std::uint8_t* p_;
  std::size_t n_;
  std::size_t pos_ = 0;
};

}  // namespace calib
}  // namespace lowp
