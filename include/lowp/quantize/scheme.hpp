// lowp/quantize/scheme.hpp: the scheme policies, i.e. where the zero point may sit.
//
//   Affine     the zero point is free: [min, max] maps onto [qmin, qmax] (asymmetric).
//   Symmetric  the range is [-amax, amax]; the zero point is fixed (0 for signed codes,
//              the centre of the code range for unsigned ones; see params.hpp).
// A scheme only changes how parameters are chosen from a float range (choose_qparams)
// and what a Quantizer accepts; the affine map itself is the same for both.
#pragma once

namespace lowp {

struct Symmetric {
  static constexpr bool symmetric = true;
  static constexpr const char* name() { return "symmetric"; }
};
struct Affine {
  static constexpr bool symmetric = false;
  static constexpr const char* name() { return "affine"; }
};

template <typename T>
inline constexpr bool is_scheme_v = false;
template <>
inline constexpr bool is_scheme_v<Symmetric> = true;
template <>
inline constexpr bool is_scheme_v<Affine> = true;

}  // namespace lowp
