// Template misuse must fail to compile with a readable message. check_misuse.cmake compiles this
// file once (-fsyntax-only) and requires every message below in the compiler's output.
#include <cstdint>
#include <vector>

#include "lowp/gemm/reference.hpp"
#include "lowp/quantize/quantizer.hpp"

// "Bits exceeds the container width": a 9-bit code in int8_t storage.
void nine_bits_in_int8() { (void)lowp::IntStorage<std::int8_t, 9>{}; }
// "a packed nibble holds 2..4 bits": an int8 range declared as packed nibbles.
void int8_range_as_nibbles() { (void)lowp::PackedNibbles<8>{}; }
// "the container must be ...": uint32_t codes do not fit QuantRange.
void uint32_container() { (void)lowp::IntStorage<std::uint32_t>{}; }
// "Bits must be in [2, 16]".
void one_bit() { (void)lowp::IntStorage<std::int16_t, 1>{}; }

void int4_codes_into_an_int8_tensor(lowp::TensorView<const float> x, lowp::TensorView<std::int8_t> c) {
  lowp::Quantizer<lowp::Int4>(lowp::PerTensor{}).quantize(x, c);
}
void int8_codes_into_a_uint8_tensor(lowp::TensorView<const float> x, lowp::TensorView<std::uint8_t> c) {
  lowp::Quantizer<lowp::Int8>(lowp::PerTensor{}).quantize(x, c);
}
void granularity_in_the_scheme_slot() { lowp::Quantizer<lowp::Int8, lowp::PerTensor> q(lowp::PerTensor{}); }
void not_a_storage() { lowp::Quantizer<float> q(lowp::PerTensor{}); }
void not_a_rounding() { lowp::Quantizer<lowp::Int8, lowp::Affine, lowp::PerTensor, int> q(lowp::PerTensor{}); }
// "the view would dangle": a view of a temporary Eigen matrix.
lowp::MatrixView<const float> view_of_a_temporary() { return lowp::view(Eigen::MatrixXf(2, 3)); }
// "the requantization Policy must be": a GEMM with something else in the Policy slot.
void gemm_with_a_non_policy(lowp::MatrixView<const std::uint8_t> a, lowp::MatrixView<const std::int8_t> b,
                            lowp::MatrixView<std::int8_t> c) {
  lowp::reference_gemm<int>(a, b, c, lowp::GemmZeroPoints{}, lowp::OutputStage{});
}
