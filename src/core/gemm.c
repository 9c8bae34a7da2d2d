#include "core/gemm.h"

#include <cblas.h>

void rc_gemm(bool trans_a, bool trans_b, int M, int N, int K, rc_real alpha, const rc_real *A, int lda,
             const rc_real *B, int ldb, rc_real beta, rc_real *C, int ldc)
{
    if (M == 0 || N == 0) return;
    enum CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
    enum CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;
#ifdef RC_DOUBLE
    cblas_dgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#else
    cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif
}
