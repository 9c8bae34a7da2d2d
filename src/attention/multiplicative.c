/*
 * The multiplicative scores: a scaled product of the query with each key,
 * optionally after a Linear layer on the keys.
 *
 *   dot         score_ij = q_iᵀ k_j                (Luong)
 *   general     score_ij = q_iᵀ (W_a k_j + b_a)    (Luong)
 *   scaled_dot  score_ij = q_iᵀ k_j / √Dk          (Vaswani et al.)
 *
 * The dot-product kernels here also score each head of multi-head attention.
 */
#include <math.h>
#include <string.h>

#include "attention/family.h"

void rc_attn_dot_scores_forward(rc_real *A, const rc_real *Q, int ldq, const rc_real *K, int ldk, int D,
                                rc_real alpha, const rc_attn_dims *d)
{
    /* A (B, H, Tq, S); Q (B·Tq, ldq) and K (B·S, ldk) hold head h in columns h·D .. h·D + D */
    for (int b = 0; b < d->B; b++)
        for (int h = 0; h < d->H; h++) {
            /* score_bh = alpha · Q_bh K_bhᵀ */
            rc_gemm(false, true, d->Tq, d->S, D, alpha, Q + (size_t)b * d->Tq * ldq + (size_t)h * D, ldq,
                    K + (size_t)b * d->S * ldk + (size_t)h * D, ldk, 0,
                    A + ((size_t)b * d->H + h) * d->Tq * d->S, d->S);
        }
}

void rc_attn_dot_scores_backward(rc_real *dQ, rc_real *dK, const rc_real *dS, const rc_real *Q, int ldq,
                                 const rc_real *K, int ldk, int D, rc_real alpha, const rc_attn_dims *d)
{
    for (int b = 0; b < d->B; b++)
        for (int h = 0; h < d->H; h++) {
            size_t q_at = (size_t)b * d->Tq * ldq + (size_t)h * D, k_at = (size_t)b * d->S * ldk + (size_t)h * D;
            const rc_real *ds = dS + ((size_t)b * d->H + h) * d->Tq * d->S;
            /* forward was score = alpha · Q Kᵀ, so dQ += alpha · dS K and dK += alpha · dSᵀ Q */
            if (dQ) rc_gemm(false, false, d->Tq, D, d->S, alpha, ds, d->S, K + k_at, ldk, 1, dQ + q_at, ldq);
            if (dK) rc_gemm(true, false, d->S, D, d->Tq, alpha, ds, d->S, Q + q_at, ldq, 1, dK + k_at, ldk);
        }
}

/* Scores from q and keys K (B·S, D), then the shared softmax and context. */
static void product_forward(const rc_attn_run *r, const rc_real *K, int D, rc_real alpha)
{
    rc_attn_dot_scores_forward(r->A, r->q->data, r->d.Dq, K, D, D, alpha, &r->d);
    rc_attn_attend_forward(r->A, r->out->data, r->d.Dv, r->v->data, r->d.Dv, r->mask, &r->d);
}

/* The reverse of product_forward; dK (K's layout) or NULL. */
static void product_backward(const rc_attn_run *r, const rc_real *K, rc_real *dK, int D, rc_real alpha)
{
    /* forward was α = softmax(score), out = α v */
    rc_attn_attend_backward(r->dA, r->v->grad, r->out->grad, r->d.Dv, r->A, r->v->data, r->d.Dv, &r->d);
    rc_attn_dot_scores_backward(r->q->grad, dK, r->dA, r->q->data, r->d.Dq, K, D, D, alpha, &r->d);
}

static rc_status same_sizes(const rc_attention_config *c, int *n)
{
    if (c->query_size != c->key_size)
        return rc_error(RC_E_INVALID, "attention(%s): query_size = %d and key_size = %d, expected equal",
                        rc_attention_kind_name(c->kind), c->query_size, c->key_size);
    *n = 0;
    return RC_OK;
}

static rc_status dot_params(const rc_attention_config *c, rc_attn_param_spec *spec, int *n)
{
    (void)spec;
    return same_sizes(c, n);
}

static void no_buffers(const rc_attn_dims *d, bool rec, size_t *n) { (void)d, (void)rec, (void)n; }

static rc_real scaled_alpha(const rc_attn_dims *d) { return (rc_real)(1 / sqrt((double)d->Dk)); }

static void dot_forward(const rc_attn_run *r) { product_forward(r, r->k->data, r->d.Dk, 1); }
static void dot_backward(const rc_attn_run *r) { product_backward(r, r->k->data, r->k->grad, r->d.Dk, 1); }

static void scaled_dot_forward(const rc_attn_run *r)
{
    product_forward(r, r->k->data, r->d.Dk, scaled_alpha(&r->d));
}

static void scaled_dot_backward(const rc_attn_run *r)
{
    product_backward(r, r->k->data, r->k->grad, r->d.Dk, scaled_alpha(&r->d));
}

enum { GENERAL_W, GENERAL_B };
enum { BUF_KP, BUF_DKP };

static rc_status general_params(const rc_attention_config *c, rc_attn_param_spec *spec, int *n)
{
    double bound = 1 / sqrt(c->key_size);
    spec[GENERAL_W] = (rc_attn_param_spec){"attn.weight", 2, {c->query_size, c->key_size}, bound, false};
    spec[GENERAL_B] = (rc_attn_param_spec){"attn.bias", 1, {c->query_size}, bound, true};
    *n = 2;
    return RC_OK;
}

/* Kp (B·S, Dq) the projected keys, dKp its gradient */
static void general_layout(const rc_attn_dims *d, bool rec, size_t *n)
{
    n[BUF_KP] = (size_t)d->B * d->S * d->Dq;
    n[BUF_DKP] = rec ? n[BUF_KP] : 0;
}

static void general_forward(const rc_attn_run *r)
{
    const rc_attn_dims *d = &r->d;
    /* k'_j = W_a k_j + b_a */
    rc_attn_proj_forward(r->buf[BUF_KP], d->Dq, r->k->data, d->Dk, r->p[GENERAL_W]->data, d->Dk,
                         rc_attn_data(r->p[GENERAL_B]), d->B * d->S, d->Dk, d->Dq, 0);
    product_forward(r, r->buf[BUF_KP], d->Dq, 1);
}

static void general_backward(const rc_attn_run *r)
{
    const rc_attn_dims *d = &r->d;
    rc_real *dKp = r->buf[BUF_DKP];
    memset(dKp, 0, (size_t)d->B * d->S * d->Dq * sizeof(rc_real));
    product_backward(r, r->buf[BUF_KP], dKp, d->Dq, 1);
    /* forward was k'_j = W_a k_j + b_a */
    rc_attn_proj_backward(r->k->grad, r->p[GENERAL_W]->grad, rc_attn_grad(r->p[GENERAL_B]), dKp, d->Dq, r->k->data,
                          d->Dk, r->p[GENERAL_W]->data, d->Dk, d->B * d->S, d->Dk, d->Dq);
}

const rc_attn_family rc_attn_dot_family = {
    .op = RC_OP_ATTENTION_DOT,
    .params = dot_params,
    .layout = no_buffers,
    .forward = dot_forward,
    .backward = dot_backward,
};

const rc_attn_family rc_attn_scaled_dot_family = {
    .op = RC_OP_ATTENTION_SCALED_DOT,
    .params = dot_params,
    .layout = no_buffers,
    .forward = scaled_dot_forward,
    .backward = scaled_dot_backward,
};

const rc_attn_family rc_attn_general_family = {
    .op = RC_OP_ATTENTION_GENERAL,
    .params = general_params,
    .layout = general_layout,
    .forward = general_forward,
    .backward = general_backward,
};
