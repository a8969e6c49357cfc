// tests/gemm/multi_isa_tu.hpp: what each translation unit of test_gemm_multi_isa
// exports. The same lowp templates are instantiated in TUs compiled with different
// -m flags; the ISA-keyed inline namespace must keep them apart.
#pragma once

#include <cstdint>
#include <vector>

namespace multi_isa {

// C (M x N int8, row-major) = gemm of fixed A (M x K uint8) and B (K x N int8) through
// the TU's DefaultBackend and through the Avx2 backend; returns the backend's name.
const char* run_default(int m, int n, int k, std::vector<std::int8_t>& c);
void run_avx2(int m, int n, int k, std::vector<std::int8_t>& c);
// Address of the TU's instantiation of lowp::gemm<SingleRounding, Avx2, ...>.
const void* avx2_gemm_address();

}  // namespace multi_isa

namespace multi_isa_avx512 {
const char* run_default(int m, int n, int k, std::vector<std::int8_t>& c);
void run_avx2(int m, int n, int k, std::vector<std::int8_t>& c);
const void* avx2_gemm_address();
}  // namespace multi_isa_avx512
