/* The cells' AVX2 kernels: cell_vec.inc with 8 floats per vector. */
#include "rnn/cell_simd.h"

#if RC_SIMD_X86
#define LVL avx2
#define VW 8
#define TGT RC_TARGET_AVX2
#include "rnn/cell_vec.inc"
#else
typedef int rc_cell_avx2_unused; /* ISO C forbids an empty file */
#endif
