/* The cells' AVX-512 kernels: cell_vec.inc with 16 floats per vector. */
#include "rnn/cell_simd.h"

#if RC_SIMD_X86
#define LVL avx512
#define VW 16
#define TGT RC_TARGET_AVX512
#include "rnn/cell_vec.inc"
#else
typedef int rc_cell_avx512_unused; /* ISO C forbids an empty file */
#endif
