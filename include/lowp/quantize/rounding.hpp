// lowp/quantize/rounding.hpp: rounding policies, i.e. how x / scale becomes an integer.
//
// Each policy is a (possibly stateful) type with
//     float operator()(float v, std::uint64_t index) const
// returning an integer-valued float. `index` is the element's logical position (C order of the
// logical shape), used only by Stochastic, so that a result never depends on memory layout,
// vector width, thread count or backend.
//
//   NearestEven  std::nearbyint in the default rounding mode: ties to even (PyTorch, FBGEMM,
//                x86 cvtps2dq, NEON fcvtns). The default, and what the SIMD kernels implement.
//   NearestAway  std::round: ties away from zero (TFLite's reference kernels).
//   Stochastic   floor(v) + 1 with probability frac(v), else floor(v): unbiased, E[q] = v.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

namespace lowp {

struct NearestEven {
  static constexpr bool uses_index = false;
  static constexpr const char* name() { return "nearest-even"; }
  float operator()(float v, std::uint64_t /*index*/) const { return std::nearbyint(v); }
};

struct NearestAway {
  static constexpr bool uses_index = false;
  static constexpr const char* name() { return "nearest-away"; }
  float operator()(float v, std::uint64_t /*index*/) const { return std::round(v); }
};

// The counter-based generator: the i-th output of SplitMix64 started at `seed`
// (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014):
// mix(seed + (i + 1) * golden_gamma) with Stafford's variant-13 finalizer. Being a pure
// function of (seed, index) it needs no state, so any element can be rounded independently.
constexpr std::uint64_t counter_hash(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed + (index + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A uniform draw in [0, 1) with 24 random bits: k * 2^-24, k in [0, 2^24). Every value is a
// float32 computed exactly.
constexpr float counter_uniform(std::uint64_t seed, std::uint64_t index) {
  return static_cast<float>(counter_hash(seed, index) >> 40) * (1.0f / 16777216.0f);
}

struct Stochastic {
  static constexpr bool uses_index = true;
  static constexpr const char* name() { return "stochastic"; }
  std::uint64_t seed = 0;

  // With f = floor(v) and t = v - f, rounds up iff u < t for u uniform on the 2^24-point grid:
  // P(up) = ceil(t * 2^24) / 2^24. t is exact unless -1/2 < v < 0 (then v + 1 rounds by at most
  // 2^-25), so |E[q] - v| < 2^-23, and E[q] = v exactly when v is a multiple of 2^-24.
  // Integers (and +-Inf: t is NaN, the comparison is false) are returned unchanged.
  float operator()(float v, std::uint64_t index) const {
    const float f = std::floor(v);
    const float t = v - f;
    return counter_uniform(seed, index) < t ? f + 1.0f : f;
  }
};

template <typename T>
inline constexpr bool is_rounding_v =
    std::is_same<T, NearestEven>::value || std::is_same<T, NearestAway>::value || std::is_same<T, Stochastic>::value;

}  // namespace lowp
