/*
 * The part every attention rule shares: the masked softmax of the scores and
 * the weighted sum of the values, per sequence and head. Only the scores
 * differ between rules.
 */
#include <math.h>

#include "attention/family.h"

/* A (R, S): scores in, weights out; mask (R, S) or NULL, nonzero = hidden.
 * A row with no visible key becomes all zeros instead of 0/0 = NaN. */
static void masked_softmax_forward(rc_real *A, const unsigned char *mask, int R, int S)
{
    for (int i = 0; i < R; i++) {
        rc_real *a = A + (size_t)i * S;
        const unsigned char *hidden = mask ? mask + (size_t)i * S : NULL;
        rc_real m = 0;
        bool any = false;
        for (int j = 0; j < S; j++)
            if (!(hidden && hidden[j]) && (!any || a[j] > m)) {
                m = a[j];
                any = true;
            }
        /* α_ij = exp(s_ij − max_j s_ij) / Σ_j exp(s_ij − max_j s_ij) over visible j, 0 elsewhere */
        rc_real sum = 0;
        for (int j = 0; j < S; j++) {
            a[j] = any && !(hidden && hidden[j]) ? exp(a[j] - m) : 0;
            sum += a[j];
        }
        if (any)
            for (int j = 0; j < S; j++) a[j] /= sum;
    }
}

/* dA (R, S): dα in, d score out; A (R, S) the weights.
 * forward was α = softmax(s), so ds_j = α_j (dα_j − Σ_k α_k dα_k); hidden keys
 * have α_j = 0 and so get 0, and a fully hidden row gets zeros throughout. */
static void masked_softmax_backward(rc_real *dA, const rc_real *A, int R, int S)
{
    for (int i = 0; i < R; i++) {
        rc_real *da = dA + (size_t)i * S;
        const rc_real *a = A + (size_t)i * S;
        rc_real dot = 0;
        for (int j = 0; j < S; j++) dot += a[j] * da[j];
        for (int j = 0; j < S; j++) da[j] = a[j] * (da[j] - dot);
    }
}

/* A (Tq, S), V (S, hd; ldv), C (Tq, hd; ldc): C = α V */
static void context_forward(rc_real *C, int ldc, const rc_real *A, const rc_real *V, int ldv, int Tq, int S,
                            int hd)
{
    rc_gemm(false, false, Tq, hd, S, 1, A, S, V, ldv, 0, C, ldc);
}

/* forward was C = α V, so dα += dC Vᵀ and dV += αᵀ dC (dV may be NULL) */
static void context_backward(rc_real *dA, rc_real *dV, const rc_real *dC, int ldc, const rc_real *A,
                             const rc_real *V, int ldv, int Tq, int S, int hd)
{
    rc_gemm(false, true, Tq, S, hd, 1, dC, ldc, V, ldv, 1, dA, S);
    if (dV) rc_gemm(true, false, S, hd, Tq, 1, A, S, dC, ldc, 1, dV, ldv);
}

void rc_attn_attend_forward(rc_real *A, rc_real *C, int ldc, const rc_real *V, int ldv,
                            const unsigned char *mask, const rc_attn_dims *d)
{
    size_t block = (size_t)d->Tq * d->S;
    for (int b = 0; b < d->B; b++)
        for (int h = 0; h < d->H; h++) {
            rc_real *a = A + ((size_t)b * d->H + h) * block;
            masked_softmax_forward(a, mask ? mask + (size_t)b * block : NULL, d->Tq, d->S);
            context_forward(C + (size_t)b * d->Tq * ldc + (size_t)h * d->hd, ldc, a,
                            V + (size_t)b * d->S * ldv + (size_t)h * d->hd, ldv, d->Tq, d->S, d->hd);
        }
}

void rc_attn_attend_backward(rc_real *dA, rc_real *dV, const rc_real *dC, int ldc, const rc_real *A,
                             const rc_real *V, int ldv, const rc_attn_dims *d)
{
    size_t block = (size_t)d->Tq * d->S;
    for (int b = 0; b < d->B; b++)
        for (int h = 0; h < d->H; h++) {
            size_t at = ((size_t)b * d->H + h) * block;
            size_t v_at = (size_t)b * d->S * ldv + (size_t)h * d->hd;
            context_backward(dA + at, dV ? dV + v_at : NULL, dC + (size_t)b * d->Tq * ldc + (size_t)h * d->hd, ldc,
                             A + at, V + v_at, ldv, d->Tq, d->S, d->hd);
            masked_softmax_backward(dA + at, A + at, d->Tq, d->S);
        }
}
