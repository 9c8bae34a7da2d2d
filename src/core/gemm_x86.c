/*
 * AVX-512 and AVX2 micro-kernels of rc_gemm (see gemm_kernel.h), compiled
 * per function for their instruction sets and chosen at run time.
 *
 * AVX-512: a tile of mr ≤ 8 rows by 32 columns in 2·mr zmm accumulators.
 * For mr ≤ 4 (the per-step products of small batches) that is too few
 * independent FMA chains to hide the FMA latency, so consecutive k go to
 * separate accumulator sets, added at the end.
 */
#include "core/gemm_kernel.h"
#include "core/simd.h"

#if RC_SIMD_X86

#include <immintrin.h>

#define NR RC_GEMM_NR
#define INLINE static inline __attribute__((always_inline))

/* mr rows and U accumulator sets, both constants after inlining */
INLINE RC_TARGET_AVX512 void tile512(const int mr, const int U, int nr, int K, const float *a, size_t rs, size_t cs,
                                     const float *b, float alpha, float beta, float *C, int ldc)
{
    __m512 acc[4][RC_GEMM_MR][2];
#pragma GCC unroll 8
    for (int u = 0; u < U; u++)
#pragma GCC unroll 8
        for (int i = 0; i < mr; i++) acc[u][i][0] = acc[u][i][1] = _mm512_setzero_ps();
    int k = 0;
    for (; k + U <= K; k += U)
#pragma GCC unroll 8
        for (int u = 0; u < U; u++) {
            __m512 b0 = _mm512_loadu_ps(b + (size_t)(k + u) * NR), b1 = _mm512_loadu_ps(b + (size_t)(k + u) * NR + 16);
#pragma GCC unroll 8
            for (int i = 0; i < mr; i++) {
                __m512 ai = _mm512_set1_ps(a[(size_t)i * rs + (size_t)(k + u) * cs]);
                acc[u][i][0] = _mm512_fmadd_ps(ai, b0, acc[u][i][0]);
                acc[u][i][1] = _mm512_fmadd_ps(ai, b1, acc[u][i][1]);
            }
        }
    for (; k < K; k++) {
        __m512 b0 = _mm512_loadu_ps(b + (size_t)k * NR), b1 = _mm512_loadu_ps(b + (size_t)k * NR + 16);
#pragma GCC unroll 8
        for (int i = 0; i < mr; i++) {
            __m512 ai = _mm512_set1_ps(a[(size_t)i * rs + (size_t)k * cs]);
            acc[0][i][0] = _mm512_fmadd_ps(ai, b0, acc[0][i][0]);
            acc[0][i][1] = _mm512_fmadd_ps(ai, b1, acc[0][i][1]);
        }
    }
    __mmask16 m0 = (__mmask16)(nr >= 16 ? 0xffff : (1u << nr) - 1);
    __mmask16 m1 = (__mmask16)(nr >= 32 ? 0xffff : nr > 16 ? (1u << (nr - 16)) - 1 : 0);
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma GCC unroll 8
    for (int i = 0; i < mr; i++) {
        __m512 s0 = acc[0][i][0], s1 = acc[0][i][1];
#pragma GCC unroll 8
        for (int u = 1; u < U; u++) s0 = _mm512_add_ps(s0, acc[u][i][0]), s1 = _mm512_add_ps(s1, acc[u][i][1]);
        float *c = C + (size_t)i * ldc;
        s0 = _mm512_mul_ps(s0, va);
        s1 = _mm512_mul_ps(s1, va);
        if (beta != 0) {
            s0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, c), s0);
            s1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, c + 16), s1);
        }
        _mm512_mask_storeu_ps(c, m0, s0);
        _mm512_mask_storeu_ps(c + 16, m1, s1);
    }
}

static RC_TARGET_AVX512 void kernel_avx512(int mr, int nr, int K, const float *a, size_t rs, size_t cs,
                                           const float *b, float alpha, float beta, float *C, int ldc)
{
    switch (mr) {
    case 1: tile512(1, 4, nr, K, a, rs, cs, b, alpha, beta, C, ldc); break;
    case 2: tile512(2, 4, nr, K, a, rs, cs, b, alpha, beta, C, ldc); break;
    case 3: tile512(3, 2, nr, K, a, rs, cs, b, alpha, beta, C, ldc); break;
    case 4: tile512(4, 2, nr, K, a, rs, cs, b, alpha, beta, C, ldc); break;
    case 5: tile512(5, 1, nr, K, a, rs, cs, b, alpha, beta, C, ldc); break;
    case 6: tile512(6, 1, nr, K, a, rs, cs, b, alpha, beta, C, ldc); break;
    case 7: tile512(7, 1, nr, K, a, rs, cs, b, alpha, beta, C, ldc); break;
    default: tile512(8, 1, nr, K, a, rs, cs, b, alpha, beta, C, ldc); break;
    }
}

/* AVX2 has 16 registers: tiles of mr ≤ 4 rows by 16 columns, two per panel. */
INLINE RC_TARGET_AVX2 void tile256(const int mr, int nr, int K, const float *a, size_t rs, size_t cs, const float *b,
                                   float alpha, float beta, float *C, int ldc)
{
    __m256 acc[4][2];
#pragma GCC unroll 4
    for (int i = 0; i < mr; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    for (int k = 0; k < K; k++) {
        __m256 b0 = _mm256_loadu_ps(b + (size_t)k * NR), b1 = _mm256_loadu_ps(b + (size_t)k * NR + 8);
#pragma GCC unroll 4
        for (int i = 0; i < mr; i++) {
            __m256 ai = _mm256_broadcast_ss(a + (size_t)i * rs + (size_t)k * cs);
            acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
        }
    }
    float out[8 * 2];
#pragma GCC unroll 4
    for (int i = 0; i < mr; i++) {
        _mm256_storeu_ps(out, _mm256_mul_ps(acc[i][0], _mm256_set1_ps(alpha)));
        _mm256_storeu_ps(out + 8, _mm256_mul_ps(acc[i][1], _mm256_set1_ps(alpha)));
        float *c = C + (size_t)i * ldc;
        for (int j = 0; j < nr && j < 16; j++) c[j] = beta == 0 ? out[j] : out[j] + beta * c[j];
    }
}

static RC_TARGET_AVX2 void kernel_avx2(int mr, int nr, int K, const float *a, size_t rs, size_t cs, const float *b,
                                       float alpha, float beta, float *C, int ldc)
{
    for (int j = 0; j < nr; j += 16)
        for (int i = 0; i < mr; i += 4) {
            const float *ai = a + (size_t)i * rs;
            float *c = C + (size_t)i * ldc + j;
            int n = nr - j;
            switch (mr - i) {
            case 1: tile256(1, n, K, ai, rs, cs, b + j, alpha, beta, c, ldc); break;
            case 2: tile256(2, n, K, ai, rs, cs, b + j, alpha, beta, c, ldc); break;
            case 3: tile256(3, n, K, ai, rs, cs, b + j, alpha, beta, c, ldc); break;
            default: tile256(4, n, K, ai, rs, cs, b + j, alpha, beta, c, ldc); break;
            }
        }
}

rc_gemm_kernel_fn rc_gemm_kernel_avx512(void) { return kernel_avx512; }
rc_gemm_kernel_fn rc_gemm_kernel_avx2(void) { return kernel_avx2; }

#else

rc_gemm_kernel_fn rc_gemm_kernel_avx512(void) { return NULL; }
rc_gemm_kernel_fn rc_gemm_kernel_avx2(void) { return NULL; }

#endif
