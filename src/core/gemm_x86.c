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
                                     const float *b, float alpha, float beta, const float *bias, float *C, int ldc)
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
    __m512 bias0 = bias ? _mm512_maskz_loadu_ps(m0, bias) : _mm512_setzero_ps();
    __m512 bias1 = bias ? _mm512_maskz_loadu_ps(m1, bias + 16) : _mm512_setzero_ps();
#pragma GCC unroll 8
    for (int i = 0; i < mr; i++) {
        __m512 s0 = acc[0][i][0], s1 = acc[0][i][1];
#pragma GCC unroll 8
        for (int u = 1; u < U; u++) s0 = _mm512_add_ps(s0, acc[u][i][0]), s1 = _mm512_add_ps(s1, acc[u][i][1]);
        float *c = C + (size_t)i * ldc;
        s0 = _mm512_fmadd_ps(s0, va, bias0);
        s1 = _mm512_fmadd_ps(s1, va, bias1);
        if (beta != 0) {
            s0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, c), s0);
            s1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, c + 16), s1);
        }
        _mm512_mask_storeu_ps(c, m0, s0);
        _mm512_mask_storeu_ps(c + 16, m1, s1);
    }
}

static RC_TARGET_AVX512 void kernel_avx512(int mr, int nr, int K, const float *a, size_t rs, size_t cs,
                                           const float *b, float alpha, float beta, const float *bias, float *C,
                                           int ldc)
{
    switch (mr) {
    case 1: tile512(1, 4, nr, K, a, rs, cs, b, alpha, beta, bias, C, ldc); break;
    case 2: tile512(2, 4, nr, K, a, rs, cs, b, alpha, beta, bias, C, ldc); break;
    case 3: tile512(3, 2, nr, K, a, rs, cs, b, alpha, beta, bias, C, ldc); break;
    case 4: tile512(4, 2, nr, K, a, rs, cs, b, alpha, beta, bias, C, ldc); break;
    case 5: tile512(5, 1, nr, K, a, rs, cs, b, alpha, beta, bias, C, ldc); break;
    case 6: tile512(6, 1, nr, K, a, rs, cs, b, alpha, beta, bias, C, ldc); break;
    case 7: tile512(7, 1, nr, K, a, rs, cs, b, alpha, beta, bias, C, ldc); break;
    default: tile512(8, 1, nr, K, a, rs, cs, b, alpha, beta, bias, C, ldc); break;
    }
}

/* AVX2 has 16 registers: tiles of mr ≤ 4 rows by 16 columns, two per panel. */
INLINE RC_TARGET_AVX2 void tile256(const int mr, int nr, int K, const float *a, size_t rs, size_t cs, const float *b,
                                   float alpha, float beta, const float *bias, float *C, int ldc)
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
        for (int j = 0; j < nr && j < 16; j++) {
            float v = bias ? out[j] + bias[j] : out[j];
            c[j] = beta == 0 ? v : v + beta * c[j];
        }
    }
}

static RC_TARGET_AVX2 void kernel_avx2(int mr, int nr, int K, const float *a, size_t rs, size_t cs, const float *b,
                                       float alpha, float beta, const float *bias, float *C, int ldc)
{
    for (int j = 0; j < nr; j += 16)
        for (int i = 0; i < mr; i += 4) {
            const float *ai = a + (size_t)i * rs;
            float *c = C + (size_t)i * ldc + j;
            int n = nr - j;
            const float *bj = bias ? bias + j : NULL;
            switch (mr - i) {
            case 1: tile256(1, n, K, ai, rs, cs, b + j, alpha, beta, bj, c, ldc); break;
            case 2: tile256(2, n, K, ai, rs, cs, b + j, alpha, beta, bj, c, ldc); break;
            case 3: tile256(3, n, K, ai, rs, cs, b + j, alpha, beta, bj, c, ldc); break;
            default: tile256(4, n, K, ai, rs, cs, b + j, alpha, beta, bj, c, ldc); break;
            }
        }
}

/* r[j] = row j of a 16 × 16 block → r[k] = column k. Three rounds of
 * shuffles: pairs of rows, then 2 × 2 blocks of 64 bits, then 128-bit lanes. */
INLINE RC_TARGET_AVX512 void transpose16(__m512 r[16])
{
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    /* r[4q + m] holds, in its 128-bit lane L, column 4L + m of rows 4q..4q+3 */
    for (int q = 0; q < 16; q += 4) {
        __m512d a = _mm512_castps_pd(t[q]), b = _mm512_castps_pd(t[q + 1]);
        __m512d c = _mm512_castps_pd(t[q + 2]), d = _mm512_castps_pd(t[q + 3]);
        r[q] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        r[q + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        r[q + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
        r[q + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
    }
    for (int m = 0; m < 4; m++) {
        __m512 lo0 = _mm512_shuffle_f32x4(r[m], r[4 + m], 0x44), lo1 = _mm512_shuffle_f32x4(r[8 + m], r[12 + m], 0x44);
        __m512 hi0 = _mm512_shuffle_f32x4(r[m], r[4 + m], 0xee), hi1 = _mm512_shuffle_f32x4(r[8 + m], r[12 + m], 0xee);
        t[m] = _mm512_shuffle_f32x4(lo0, lo1, 0x88);
        t[4 + m] = _mm512_shuffle_f32x4(lo0, lo1, 0xdd);
        t[8 + m] = _mm512_shuffle_f32x4(hi0, hi1, 0x88);
        t[12 + m] = _mm512_shuffle_f32x4(hi0, hi1, 0xdd);
    }
    for (int i = 0; i < 16; i++) r[i] = t[i];
}

/* The transposing pack by 16 × 16 blocks in registers: the scalar loops
 * either read or write at a stride of W or ld values, and packing W_hh once
 * per call cost a fifth of a B = 1 LSTM layer's time. */
static RC_TARGET_AVX512 void pack_t_avx512(int W, int n, int kc, const float *src, size_t ld, float *dst)
{
    /* the 16 rows are 16 streams, more than the hardware prefetcher follows:
     * ask for each row's line PREFETCH blocks ahead */
    enum { PREFETCH = 4 };
    for (int h = 0; h < W; h += 16) {
        int rows = n - h < 0 ? 0 : n - h > 16 ? 16 : n - h;
        for (int k0 = 0; k0 < kc; k0 += 16) {
            int kk = kc - k0 < 16 ? kc - k0 : 16;
            __mmask16 m = (__mmask16)(kk == 16 ? 0xffff : (1u << kk) - 1);
            __m512 r[16];
            for (int j = 0; j < 16; j++) {
                const float *p = src + (h + j) * ld + k0;
                r[j] = j < rows ? _mm512_maskz_loadu_ps(m, p) : _mm512_setzero_ps();
                if (j < rows && k0 + 16 * PREFETCH < kc) _mm_prefetch((const char *)(p + 16 * PREFETCH), _MM_HINT_T0);
            }
            transpose16(r);
            for (int k = 0; k < kk; k++) {
                float *d = dst + (size_t)(k0 + k) * W + h;
                if (W - h >= 16)
                    _mm512_storeu_ps(d, r[k]);
                else
                    _mm256_storeu_ps(d, _mm512_castps512_ps256(r[k]));
            }
        }
    }
}

rc_gemm_kernel_fn rc_gemm_kernel_avx512(void) { return kernel_avx512; }
rc_gemm_kernel_fn rc_gemm_kernel_avx2(void) { return kernel_avx2; }
rc_gemm_pack_fn rc_gemm_pack_t_avx512(void) { return pack_t_avx512; }

#else

rc_gemm_kernel_fn rc_gemm_kernel_avx512(void) { return NULL; }
rc_gemm_kernel_fn rc_gemm_kernel_avx2(void) { return NULL; }
rc_gemm_pack_fn rc_gemm_pack_t_avx512(void) { return NULL; }

#endif
