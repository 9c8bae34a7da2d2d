/*
 * The one matrix product every op and layer goes through, so the BLAS behind
 * it can be chosen in one place. Row-major, like cblas with CblasRowMajor:
 *
 *     C (M, N) = alpha * op(A) (M, K) * op(B) (K, N) + beta * C
 *
 * where op(X) is X or Xᵀ. lda/ldb/ldc are the row strides of A, B and C as
 * stored. beta = 0 overwrites C (NaN in C is not propagated).
 */
#ifndef RC_CORE_GEMM_H
#define RC_CORE_GEMM_H

#include "recur/base.h"

void rc_gemm(bool trans_a, bool trans_b, int M, int N, int K, rc_real alpha, const rc_real *A, int lda,
             const rc_real *B, int ldb, rc_real beta, rc_real *C, int ldc);

#endif
