/*
 * rc_gemm on oneDNN's sgemm, on the library's blocked kernels or on cblas
 * (see gemm.h), and the packed-weight product of the recurrent layers.
 *
 * The blocked product follows the usual three-level blocking: a KC by NC
 * block of op(B) packed into column panels (kept in L3), an MC by KC block
 * of op(A) packed into row strips (kept in L2), and a micro-kernel
 * computing an RC_GEMM_MR by RC_GEMM_NR tile of C from one strip and one
 * panel (both in L1).
 */
#include "core/gemm.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(RC_HAVE_DNNL) && defined(_OPENMP) && !defined(RC_DOUBLE)
#include <oneapi/dnnl/dnnl.h>
#define USE_DNNL 1
#else
#define USE_DNNL 0
#endif

#include "core/gemm_kernel.h"
#include "core/simd.h"

enum { MR = RC_GEMM_MR, NR = RC_GEMM_NR, KC = 256, MC = 144, NC = 4096 };

static int imin(int a, int b) { return a < b ? a : b; }

/* The portable kernel: the reference the vector kernels are tested against,
 * and the one the double build and non-x86 builds use. */
static void kernel_c(int mr, int nr, int K, const rc_real *a, size_t rs, size_t cs, const rc_real *b, rc_real alpha,
                     rc_real beta, const rc_real *bias, rc_real *C, int ldc)
{
    rc_real acc[MR][NR] = {{0}};
    for (int k = 0; k < K; k++)
        for (int i = 0; i < mr; i++) {
            rc_real aik = a[(size_t)i * rs + (size_t)k * cs];
            for (int j = 0; j < NR; j++) acc[i][j] += aik * b[(size_t)k * NR + j];
        }
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) {
            rc_real *c = C + (size_t)i * ldc + j;
            rc_real v = bias ? alpha * acc[i][j] + bias[j] : alpha * acc[i][j];
            *c = beta == 0 ? v : v + beta * *c;
        }
}

/* The kernel of the active level, or NULL: rc_gemm goes to cblas. */
static rc_gemm_kernel_fn active_kernel(void)
{
    rc_gemm_kernel_fn k = NULL;
    switch (rc_simd_active()) {
    case RC_SIMD_AVX512:
        k = rc_gemm_kernel_avx512();
        break;
    case RC_SIMD_AVX2:
        k = rc_gemm_kernel_avx2();
        break;
    default:
        break;
    }
    return k;
}

/* The transposing pack of the active level, or NULL (the loops below serve
 * then). */
static rc_gemm_pack_fn active_pack(void) { return rc_simd_active() == RC_SIMD_AVX512 ? rc_gemm_pack_t_avx512() : NULL; }

/* dst = rows [i0, i0 + mc) by columns [p0, p0 + kc) of op(A), in strips of
 * MR rows: strip s at dst + s·MR·kc, element (i, k) at i + k·MR. */
static void pack_a(bool ta, const rc_real *A, int lda, int i0, int mc, int p0, int kc, rc_real *dst)
{
    rc_gemm_pack_fn fast = ta ? NULL : active_pack();
    /* walk the source in its storage order */
    for (int s = 0; s < mc; s += MR, dst += (size_t)MR * kc) {
        int mr = imin(MR, mc - s);
        if (fast)
            fast(MR, mr, kc, A + (size_t)(i0 + s) * lda + p0, (size_t)lda, dst);
        else if (ta)
            for (int k = 0; k < kc; k++)
                for (int i = 0; i < mr; i++) dst[(size_t)k * MR + i] = A[(size_t)(p0 + k) * lda + i0 + s + i];
        else
            for (int i = 0; i < mr; i++)
                for (int k = 0; k < kc; k++) dst[(size_t)k * MR + i] = A[(size_t)(i0 + s + i) * lda + p0 + k];
    }
}

/* dst = rows [p0, p0 + kc) by columns [j0, j0 + nc) of op(B), in panels of
 * NR columns (zero past nc): panel q at dst + q·NR·kc. */
static void pack_b(bool tb, const rc_real *B, int ldb, int p0, int kc, int j0, int nc, rc_real *dst)
{
    rc_gemm_pack_fn fast = tb ? active_pack() : NULL;
    for (int q = 0; q < nc; q += NR, dst += (size_t)NR * kc) {
        int nr = imin(NR, nc - q);
        if (fast) {
            fast(NR, nr, kc, B + (size_t)(j0 + q) * ldb + p0, (size_t)ldb, dst);
            continue;
        }
        if (tb)
            for (int j = 0; j < nr; j++)
                for (int k = 0; k < kc; k++) dst[(size_t)k * NR + j] = B[(size_t)(j0 + q + j) * ldb + p0 + k];
        else
            for (int k = 0; k < kc; k++)
                for (int j = 0; j < nr; j++) dst[(size_t)k * NR + j] = B[(size_t)(p0 + k) * ldb + j0 + q + j];
        for (int k = 0; k < kc; k++)
            for (int j = nr; j < NR; j++) dst[(size_t)k * NR + j] = 0;
    }
}

/* C = beta C + 1 biasᵀ (bias may be NULL), the product when K = 0 */
static void scale_c(int M, int N, rc_real beta, const rc_real *bias, rc_real *C, int ldc)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            rc_real *c = C + (size_t)i * ldc + j;
            *c = (beta == 0 ? 0 : beta * *c) + (bias ? bias[j] : 0);
        }
}

/* Values of the packing buffer of an (M, N, K) product: one block of each. */
static size_t buf_size(int N, int K) { return (size_t)imin(KC, K) * ((imin(NC, N) + NR - 1) / NR * NR + MC); }

/* The blocked product on one kernel; buf holds buf_size(N, K) values. */
static void gemm_blocked(rc_gemm_kernel_fn kern, bool ta, bool tb, int M, int N, int K, rc_real alpha,
                         const rc_real *A, int lda, const rc_real *B, int ldb, rc_real beta, const rc_real *bias,
                         rc_real *C, int ldc, rc_real *buf)
{
    rc_real *bp = buf, *ap = buf + (size_t)imin(KC, K) * ((imin(NC, N) + NR - 1) / NR * NR);
    if (K == 0) scale_c(M, N, beta, bias, C, ldc);
    for (int jc = 0; jc < N; jc += NC) {
        int nc = imin(NC, N - jc);
        for (int pc = 0; pc < K; pc += KC) {
            int kc = imin(KC, K - pc);
            /* the first block of K applies beta and adds the bias, the others accumulate */
            rc_real b_eff = pc == 0 ? beta : 1;
            pack_b(tb, B, ldb, pc, kc, jc, nc, bp);
            for (int ic = 0; ic < M; ic += MC) {
                int mc = imin(MC, M - ic);
                pack_a(ta, A, lda, ic, mc, pc, kc, ap);
                for (int jr = 0; jr < nc; jr += NR)
                    for (int ir = 0; ir < mc; ir += MR)
                        kern(imin(MR, mc - ir), imin(NR, nc - jr), kc, ap + (size_t)ir * kc, 1, MR,
                             bp + (size_t)jr * kc, alpha, b_eff, pc == 0 && bias ? bias + jc + jr : NULL,
                             C + (size_t)(ic + ir) * ldc + jc + jr, ldc);
            }
        }
    }
}

/* For a library product without a bias term: C (M, N) = 1 biasᵀ, after
 * which the product adds into C (beta 1). beta must be 0 with a bias. */
static void bias_into_c(int M, int N, const rc_real **bias, rc_real *beta, rc_real *C, int ldc)
{
    if (!*bias) return;
    RC_ASSERT(*beta == 0);
    for (int i = 0; i < M; i++) memcpy(C + (size_t)i * ldc, *bias, (size_t)N * sizeof(rc_real));
    *bias = NULL;
    *beta = 1;
}

/* The product on cblas. */
static void gemm_cblas(bool trans_a, bool trans_b, int M, int N, int K, rc_real alpha, const rc_real *A, int lda,
                       const rc_real *B, int ldb, rc_real beta, const rc_real *bias, rc_real *C, int ldc)
{
    bias_into_c(M, N, &bias, &beta, C, ldc);
    enum CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
    enum CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;
#ifdef RC_DOUBLE
    cblas_dgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#else
    cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif
}

/* One thread's share: a column slice, or a row slice of a narrow product.
 * Falls back to cblas if its packing buffer cannot be had. */
static void gemm_slice(rc_gemm_kernel_fn kern, bool ta, bool tb, int M, int N, int K, rc_real alpha,
                       const rc_real *A, int lda, const rc_real *B, int ldb, rc_real beta, const rc_real *bias,
                       rc_real *C, int ldc)
{
    rc_real *buf = malloc(buf_size(N, K) * sizeof(rc_real));
    if (buf)
        gemm_blocked(kern, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, bias, C, ldc, buf);
    else
        gemm_cblas(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, bias, C, ldc);
    free(buf);
}

/* Threads worth using: one per ~30 MFLOP (~150 µs of work), outside
 * parallel regions only. A parallel region costs more than its fork: the
 * idle thread spins afterwards, slowing the serial work that follows. A
 * B = 1 LSTM layer's training call (T = 50, H = 256: four 26-MFLOP
 * products) took 4.1 ms on two threads at one thread per 4 MFLOP, 2.7 ms at
 * one per 30 MFLOP, 2.9 ms on one thread. */
static int gemm_threads(int M, int N, int K)
{
#ifdef _OPENMP
    if (omp_in_parallel()) return 1;
    double work = 2.0 * M * N * K / 3e7;
    int n = rc_num_threads();
    return work < n ? (work < 1 ? 1 : (int)work) : n;
#else
    (void)M, (void)N, (void)K;
    return 1;
#endif
}

/* Products from this size go to oneDNN's sgemm where the build has it and
 * the AVX-512 level is active: on the products of a recurrent layer (the
 * input projection, the weight and input gradients) it ran 15–40% faster
 * than the blocked product below (docs/performance.md). Its results do not
 * depend on the thread count either. The per-step products stay on the
 * packed kernel, which is faster than both. */
#define DNNL_MIN_FLOPS 1e7

/* The product on oneDNN, on nt threads, if it is to be used: true when
 * done. Otherwise C is as it was, or, if oneDNN refused the product (out of
 * memory), C holds the bias and *beta, *bias say so, for the caller's own
 * product to finish. */
static bool gemm_dnnl(bool trans_a, bool trans_b, int M, int N, int K, rc_real alpha, const rc_real *A, int lda,
                      const rc_real *B, int ldb, rc_real *beta, const rc_real **bias, rc_real *C, int ldc, int nt)
{
#if USE_DNNL
    if (rc_simd_active() != RC_SIMD_AVX512 || K == 0 || 2.0 * M * N * K < DNNL_MIN_FLOPS) return false;
    bias_into_c(M, N, bias, beta, C, ldc);
    /* oneDNN takes OpenMP's thread count for the calling thread */
    int saved = omp_get_max_threads();
    omp_set_num_threads(nt);
    dnnl_status_t st = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', M, N, K, alpha, A, lda, B, ldb, *beta, C,
                                  ldc);
    omp_set_num_threads(saved);
    return st == dnnl_success;
#else
    (void)trans_a, (void)trans_b, (void)M, (void)N, (void)K, (void)alpha, (void)A, (void)lda, (void)B, (void)ldb;
    (void)beta, (void)bias, (void)C, (void)ldc, (void)nt;
    return false;
#endif
}

/* rc_gemm and rc_gemm_bias: C = alpha op(A) op(B) + beta C + 1 biasᵀ, with
 * beta 0 where there is a bias. */
static void gemm(bool trans_a, bool trans_b, int M, int N, int K, rc_real alpha, const rc_real *A, int lda,
                 const rc_real *B, int ldb, rc_real beta, const rc_real *bias, rc_real *C, int ldc)
{
    if (M == 0 || N == 0) return;
    rc_gemm_kernel_fn kern = active_kernel();
    if (!kern) {
        gemm_cblas(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, bias, C, ldc);
        return;
    }
    int nt = gemm_threads(M, N, K);
    if (gemm_dnnl(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, &beta, &bias, C, ldc, nt)) return;
    /* split the columns in whole panels, or the rows when there are too few */
    bool by_cols = N >= nt * 2 * NR;
    int parts = by_cols ? (N + NR - 1) / NR : (M + MR - 1) / MR;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
#endif
    for (int t = 0; t < nt; t++) {
        int lo = (int)((long)parts * t / nt), hi = (int)((long)parts * (t + 1) / nt);
        if (by_cols) {
            int j0 = lo * NR, j1 = imin(N, hi * NR);
            const rc_real *Bs = trans_b ? B + (size_t)j0 * ldb : B + j0;
            gemm_slice(kern, trans_a, trans_b, M, j1 - j0, K, alpha, A, lda, Bs, ldb, beta, bias ? bias + j0 : NULL,
                       C + j0, ldc);
        } else {
            int i0 = lo * MR, i1 = imin(M, hi * MR);
            const rc_real *As = trans_a ? A + i0 : A + (size_t)i0 * lda;
            gemm_slice(kern, trans_a, trans_b, i1 - i0, N, K, alpha, As, lda, B, ldb, beta, bias,
                       C + (size_t)i0 * ldc, ldc);
        }
    }
}

void rc_gemm(bool trans_a, bool trans_b, int M, int N, int K, rc_real alpha, const rc_real *A, int lda,
             const rc_real *B, int ldb, rc_real beta, rc_real *C, int ldc)
{
    gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, NULL, C, ldc);
}

void rc_gemm_bias(bool trans_a, bool trans_b, int M, int N, int K, const rc_real *A, int lda, const rc_real *B,
                  int ldb, const rc_real *bias, rc_real *C, int ldc)
{
    gemm(trans_a, trans_b, M, N, K, 1, A, lda, B, ldb, 0, bias, C, ldc);
}

size_t rc_gemm_packed_size(int K, int N) { return (size_t)K * (size_t)((N + NR - 1) / NR * NR); }

void rc_gemm_pack_b(bool trans_b, int K, int N, const rc_real *B, int ldb, rc_real *packed)
{
    pack_b(trans_b, B, ldb, 0, K, 0, N, packed);
}

void rc_gemm_packed(int M, int n0, int n1, int K, const rc_real *A, int lda, const rc_real *packed, rc_real beta,
                    rc_real *C, int ldc)
{
    RC_ASSERT(n0 % NR == 0 && n0 <= n1 && (beta == 0 || beta == 1));
    rc_gemm_kernel_fn kern = active_kernel();
    if (!kern) kern = kernel_c;
    if (K == 0) scale_c(M, n1 - n0, beta, NULL, C + n0, ldc);
    for (int j = n0; j < n1 && K > 0; j += NR)
        for (int i = 0; i < M; i += MR)
            kern(imin(MR, M - i), imin(NR, n1 - j), K, A + (size_t)i * lda, (size_t)lda, 1, packed + (size_t)j * K,
                 1, beta, NULL, C + (size_t)i * ldc + j, ldc);
}

void rc_gemm_set_threads(int n) { openblas_set_num_threads(n); }
