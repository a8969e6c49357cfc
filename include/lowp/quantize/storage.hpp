// lowp/quantize/storage.hpp: storage policies, i.e. which integers codes are and where they live.
//
// IntStorage<Container, Bits, Narrow>: one code per Container element (int8_t, uint8_t,
// int16_t, uint16_t, int32_t), Bits significant bits, signedness of the container:
//   signed   [-2^(Bits-1), 2^(Bits-1) - 1]    narrow: [-(2^(Bits-1) - 1), 2^(Bits-1) - 1]
//   unsigned [0, 2^Bits - 1]                  narrow: [1, 2^Bits - 1]
// Narrow signed ranges are symmetric around 0 ([-127, 127] for int8); the unsigned narrow
// range follows TensorFlow's FakeQuant narrow_range ([1, 255] for 8 bits, symmetric around 128).
//
// PackedNibbles<Bits, Signed, Narrow>: two codes per byte (Bits <= 4), for int4 weights.
// Nibble order: code i lives in byte i / 2; even i in the LOW nibble (bits 0..3), odd i in the
// HIGH nibble (bits 4..7). Signed codes are stored in two's complement within the nibble. An odd
// count leaves the last high nibble 0. This is the order of ONNX INT4 and of most int4 GEMMs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "lowp/quantize/params.hpp"

namespace lowp {

namespace detail {
constexpr std::int32_t signed_qmax(int bits) { return static_cast<std::int32_t>((std::int64_t{1} << (bits - 1)) - 1); }
constexpr std::int32_t code_qmin(int bits, bool is_signed, bool narrow) {
  return is_signed ? (narrow ? -signed_qmax(bits) : -signed_qmax(bits) - 1) : (narrow ? 1 : 0);
}
constexpr std::int32_t code_qmax(int bits, bool is_signed) {
  return is_signed ? signed_qmax(bits) : static_cast<std::int32_t>((std::int64_t{1} << bits) - 1);
}
}  // namespace detail

template <typename Container, int Bits = static_cast<int>(8 * sizeof(Container)), bool Narrow = false>
struct IntStorage {
  static_assert(std::is_same<Container, std::int8_t>::value || std::is_same<Container, std::uint8_t>::value ||
                    std::is_same<Container, std::int16_t>::value ||
                    std::is_same<Container, std::uint16_t>::value || std::is_same<Container, std::int32_t>::value,
                "lowp::IntStorage: the container must be int8_t, uint8_t, int16_t, uint16_t or int32_t");
  static_assert(Bits <= static_cast<int>(8 * sizeof(Container)),
                "lowp::IntStorage: Bits exceeds the container width (e.g. a 9-bit code does not fit in int8_t)");
  static_assert((Bits >= 2 && Bits <= 16) || (Bits == 32 && std::is_same<Container, std::int32_t>::value),
                "lowp::IntStorage: Bits must be in [2, 16], or 32 for int32_t storage");

  using code_type = Container;
  static constexpr bool packed = false;
  static constexpr bool is_signed = std::is_signed<Container>::value;
  static constexpr int bits = Bits;
  static constexpr bool narrow = Narrow;
  static constexpr std::int32_t qmin = detail::code_qmin(Bits, is_signed, Narrow);
  static constexpr std::int32_t qmax = detail::code_qmax(Bits, is_signed);
  static constexpr QuantRange range() { return {qmin, qmax}; }
  // Buffer elements needed for n codes.
  static constexpr std::ptrdiff_t storage_size(std::ptrdiff_t n) { return n; }
};

template <int Bits = 4, bool Signed = true, bool Narrow = false>
struct PackedNibbles {
  static_assert(Bits >= 2 && Bits <= 4,
                "lowp::PackedNibbles: a packed nibble holds 2..4 bits; use IntStorage for wider codes");
  using code_type = std::uint8_t;  // the byte buffer; codes are nibbles
  static constexpr bool packed = true;
  static constexpr bool is_signed = Signed;
  static constexpr int bits = Bits;
  static constexpr bool narrow = Narrow;
  static constexpr std::int32_t qmin = detail::code_qmin(Bits, Signed, Narrow);
  static constexpr std::int32_t qmax = detail::code_qmax(Bits, Signed);
  static constexpr QuantRange range() { return {qmin, qmax}; }
  static constexpr std::ptrdiff_t storage_size(std::ptrdiff_t n) { return (n + 1) / 2; }

  // Reads code i of a packed buffer (sign-extends signed nibbles).
  static constexpr std::int32_t get(const std::uint8_t* bytes, std::ptrdiff_t i) {
    const std::int32_t nib = (i & 1) ? (bytes[i >> 1] >> 4) : (bytes[i >> 1] & 0x0F);
    return Signed ? (nib ^ 8) - 8 : nib;
  }
  // Writes code i (q must be in [qmin, qmax]), leaving the other nibble of the byte intact.
  static constexpr void set(std::uint8_t* bytes, std::ptrdiff_t i, std::int32_t q) {
    const std::uint8_t nib = static_cast<std::uint8_t>(q & 0x0F);
    std::uint8_t& b = bytes[i >> 1];
    b = (i & 1) ? static_cast<std::uint8_t>((b & 0x0F) | (nib << 4)) : static_cast<std::uint8_t>((b & 0xF0) | nib);
  }
};

using Int8 = IntStorage<std::int8_t>;
using UInt8 = IntStorage<std::uint8_t>;
using Int16 = IntStorage<std::int16_t>;
using Int32 = IntStorage<std::int32_t>;
using Int8Narrow = IntStorage<std::int8_t, 8, true>;  // [-127, 127]
using Int4 = PackedNibbles<4, true>;                  // [-8, 7], two per byte
using UInt4 = PackedNibbles<4, false>;                // [0, 15], two per byte

template <typename T, typename = void>
struct is_storage : std::false_type {};
template <typename T>
struct is_storage<T, std::void_t<typename T::code_type, decltype(T::packed), decltype(T::range())>>
    : std::true_type {};

}  // namespace lowp
