// Compiled with -mavx2 only.
#define MULTI_ISA_NS multi_isa
#include "multi_isa_tu.inc"
