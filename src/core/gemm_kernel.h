/*
 * The micro-kernels behind rc_gemm and rc_gemm_packed (private to gemm.c
 * and gemm_x86.c). A kernel stores the top-left mr by nr block of
 *
 *     C = alpha * a b + beta * C + 1 biasᵀ    (C not read when beta = 0)
 *
 * where bias (nr values) may be NULL for none.
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
                                  rc_real alpha, rc_real beta, const rc_real *bias, rc_real *C, int ldc);

/* Packs W rows of a row-major matrix transposed, the layout of a panel of
 * op(B) = Bᵀ (W = RC_GEMM_NR) and of a strip of A (W = RC_GEMM_MR):
 *
 *     dst[k·W + j] = src[j·ld + k]  for k < kc, j < n;  0 for n <= j < W
 *
 * with n <= W and W a multiple of 8. */
typedef void (*rc_gemm_pack_fn)(int W, int n, int kc, const rc_real *src, size_t ld, rc_real *dst);

/* The kernel of an instruction-set level, or NULL where the build has none
 * (the portable one serves then). */
rc_gemm_kernel_fn rc_gemm_kernel_avx2(void);
rc_gemm_kernel_fn rc_gemm_kernel_avx512(void);
/* The AVX-512 transposing pack, or NULL (the portable loops serve then). */
rc_gemm_pack_fn rc_gemm_pack_t_avx512(void);

#endif
