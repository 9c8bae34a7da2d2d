/*
 * The micro-kernels behind rc_gemm and rc_gemm_packed (private to gemm.c
 * and gemm_x86.c). A kernel stores the top-left mr by nr block of
 *
 *     C = alpha * a b + beta * C        (C not read when beta = 0)
 *
 * for mr <= RC_GEMM_MR rows of a (M, K) and one packed panel b (K by
 * RC_GEMM_NR values, row k at b + k·RC_GEMM_NR; columns past nr are 0).
 * Element (i, k) of a is a[i·rs + k·cs]: cs = 1 reads rows of a row-major
 * matrix in place, rs = 1 and cs = RC_GEMM_MR a packed block.
 */
#ifndef RC_CORE_GEMM_KERNEL_H
#define RC_CORE_GEMM_KERNEL_H

#include "core/gemm.h"

#define RC_GEMM_MR 8

typedef void (*rc_gemm_kernel_fn)(int mr, int nr, int K, const rc_real *a, size_t rs, size_t cs, const rc_real *b,
                                  rc_real alpha, rc_real beta, rc_real *C, int ldc);

/* The kernel of an instruction-set level, or NULL where the build has none
 * (the portable one serves then). */
rc_gemm_kernel_fn rc_gemm_kernel_avx2(void);
rc_gemm_kernel_fn rc_gemm_kernel_avx512(void);

#endif
