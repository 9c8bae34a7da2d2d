/*
 * The one matrix product every op and layer goes through, so the BLAS behind
 * it can be chosen in one place. Row-major, like cblas with CblasRowMajor:
 *
 *     C (M, N) = alpha * op(A) (M, K) * op(B) (K, N) + beta * C
 *
 * where op(X) is X or Xᵀ. lda/ldb/ldc are the row strides of A, B and C as
 * stored. beta = 0 overwrites C (NaN in C is not propagated).
 *
 * In single precision with a vector instruction set active (recur/runtime.h)
 * the products run on the library's own blocked kernels (gemm_x86.c), or,
 * at the AVX-512 level in a build with oneDNN (RC_HAVE_DNNL), large ones on
 * oneDNN's sgemm; either way their speed does not depend on how the
 * installed BLAS picks its kernels. Otherwise they run on cblas. Recurrent layers multiply by the same weights at every
 * step: they pack op(B) once (rc_gemm_pack_b) and call rc_gemm_packed per
 * step, on any range of whole column panels, so threads can split the
 * columns.
 */
#ifndef RC_CORE_GEMM_H
#define RC_CORE_GEMM_H

#include "recur/base.h"

void rc_gemm(bool trans_a, bool trans_b, int M, int N, int K, rc_real alpha, const rc_real *A, int lda,
             const rc_real *B, int ldb, rc_real beta, rc_real *C, int ldc);

/* C (M, N) = op(A) op(B) + 1 biasᵀ: the product with bias (N values) added
 * to every row, overwriting C; one pass over C instead of filling it with
 * the bias first. */
void rc_gemm_bias(bool trans_a, bool trans_b, int M, int N, int K, const rc_real *A, int lda, const rc_real *B,
                  int ldb, const rc_real *bias, rc_real *C, int ldc);

/* Columns per packed panel: packed column ranges start at multiples of it. */
#define RC_GEMM_NR 32

/* Values a packed op(B) (K, N) occupies: K · N rounded up to whole panels. */
size_t rc_gemm_packed_size(int K, int N);

/* packed = op(B) (K, N) in panels of RC_GEMM_NR columns, each K rows of
 * RC_GEMM_NR values, zero-padded past N. */
void rc_gemm_pack_b(bool trans_b, int K, int N, const rc_real *B, int ldb, rc_real *packed);

/* C[:, n0:n1] = A (M, K) * op(B)[:, n0:n1] + beta * C[:, n0:n1], with beta 0
 * or 1, op(B) packed by rc_gemm_pack_b with N columns; n0 is a multiple of
 * RC_GEMM_NR and n0 <= n1 <= N. C points at column 0. */
void rc_gemm_packed(int M, int n0, int n1, int K, const rc_real *A, int lda, const rc_real *packed, rc_real beta,
                    rc_real *C, int ldc);

/* Lets the BLAS behind rc_gemm use n threads. */
void rc_gemm_set_threads(int n);

#endif
