// Compiled with -mavx2 -mavx512vnni -mavx512bw -mavx512vl.
#define MULTI_ISA_NS multi_isa_avx512
#include "multi_isa_tu.inc"
