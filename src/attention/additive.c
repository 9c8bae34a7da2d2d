/*
 * The additive scores: a one-hidden-layer network of the query and each key.
 *
 *   score_ij = vᵀ tanh(W_q q_i + b_q + W_k k_j + b_k) + c
 *
 * Bahdanau's form (PyTorch's seq2seq tutorial) has separate layers
 * Wa (W_q, b_q), Ua (W_k, b_k) and Va (v, c). Luong's concat form applies one
 * layer attn to [q_i; k_j]: W_q and W_k are the column blocks of attn.weight,
 * attn.bias is b_k, and there is no b_q or c. Both run the same kernels.
 */
#include <math.h>
#include <string.h>

#include "attention/family.h"

/* Where the weights of one additive score live in a module's parameters. */
typedef struct additive_layer {
    rc_tensor *Wq, *bq, *Wk, *bk, *v, *c; /* bq, bk, c may be NULL */
    int ldq, ldk;                         /* row strides of Wq and Wk */
    int k_col;                            /* W_k's first column within Wk */
} additive_layer;

enum { BUF_QP, BUF_KP, BUF_E, BUF_DQP, BUF_DKP };

/* Qp (B, Tq, A), Kp (B, S, A), E (B, Tq, S, A) */
static void energy_forward(rc_real *E, const rc_real *Qp, const rc_real *Kp, const rc_attn_dims *d)
{
    for (int b = 0; b < d->B; b++)
        for (int i = 0; i < d->Tq; i++)
            for (int j = 0; j < d->S; j++) {
                const rc_real *qp = Qp + ((size_t)b * d->Tq + i) * d->A, *kp = Kp + ((size_t)b * d->S + j) * d->A;
                rc_real *e = E + (((size_t)b * d->Tq + i) * d->S + j) * d->A;
                /* E_bij = tanh(Qp_bi + Kp_bj) */
                for (int a = 0; a < d->A; a++) e[a] = tanh(qp[a] + kp[a]);
            }
}

/* dS (B, Tq, S), v (A); dQp, dKp as Qp, Kp */
static void energy_backward(rc_real *dQp, rc_real *dKp, const rc_real *dS, const rc_real *E, const rc_real *v,
                            const rc_attn_dims *d)
{
    for (int b = 0; b < d->B; b++)
        for (int i = 0; i < d->Tq; i++)
            for (int j = 0; j < d->S; j++) {
                size_t ij = ((size_t)b * d->Tq + i) * d->S + j;
                const rc_real *e = E + ij * d->A;
                rc_real *dqp = dQp + ((size_t)b * d->Tq + i) * d->A, *dkp = dKp + ((size_t)b * d->S + j) * d->A;
                /* forward was score_bij = vᵀ E_bij + c with E_bij = tanh(Qp_bi + Kp_bj),
                 * so d(Qp_bi + Kp_bj) = dS_bij v ⊙ (1 − E_bij²) */
                for (int a = 0; a < d->A; a++) {
                    rc_real g = dS[ij] * v[a] * (1 - e[a] * e[a]);
                    dqp[a] += g;
                    dkp[a] += g;
                }
            }
}

/* Qp, Kp the projected queries and keys, E the tanh energies; dQp, dKp grads */
static void additive_layout(const rc_attn_dims *d, bool rec, size_t *n)
{
    n[BUF_QP] = (size_t)d->B * d->Tq * d->A;
    n[BUF_KP] = (size_t)d->B * d->S * d->A;
    n[BUF_E] = (size_t)d->B * d->Tq * d->S * d->A;
    n[BUF_DQP] = rec ? n[BUF_QP] : 0;
    n[BUF_DKP] = rec ? n[BUF_KP] : 0;
}

static void additive_forward(const rc_attn_run *r, const additive_layer *w)
{
    const rc_attn_dims *d = &r->d;
    size_t N = (size_t)d->B * d->Tq * d->S;
    /* Qp_i = W_q q_i + b_q,  Kp_j = W_k k_j + b_k */
    rc_attn_proj_forward(r->buf[BUF_QP], d->A, r->q->data, d->Dq, w->Wq->data, w->ldq, rc_attn_data(w->bq),
                         d->B * d->Tq, d->Dq, d->A, 0);
    rc_attn_proj_forward(r->buf[BUF_KP], d->A, r->k->data, d->Dk, w->Wk->data + w->k_col, w->ldk,
                         rc_attn_data(w->bk), d->B * d->S, d->Dk, d->A, 0);
    energy_forward(r->buf[BUF_E], r->buf[BUF_QP], r->buf[BUF_KP], d);
    /* score = E v + c */
    rc_gemm(false, true, (int)N, 1, d->A, 1, r->buf[BUF_E], d->A, w->v->data, d->A, 0, r->A, 1);
    if (w->c)
        for (size_t n = 0; n < N; n++) r->A[n] += w->c->data[0];
    rc_attn_attend_forward(r->A, r->out->data, d->Dv, r->v->data, d->Dv, r->mask, d);
}

static void additive_backward(const rc_attn_run *r, const additive_layer *w)
{
    const rc_attn_dims *d = &r->d;
    size_t N = (size_t)d->B * d->Tq * d->S;
    rc_real *dS = r->dA, *dQp = r->buf[BUF_DQP], *dKp = r->buf[BUF_DKP];
    /* forward was α = softmax(score), out = α v */
    rc_attn_attend_backward(dS, r->v->grad, r->out->grad, d->Dv, r->A, r->v->data, d->Dv, d);
    /* forward was score = E v + c, so dv += Eᵀ dS, dc += Σ dS */
    if (w->v->grad) rc_gemm(true, false, 1, d->A, (int)N, 1, dS, 1, r->buf[BUF_E], d->A, 1, w->v->grad, d->A);
    if (rc_attn_grad(w->c))
        for (size_t n = 0; n < N; n++) w->c->grad[0] += dS[n];
    memset(dQp, 0, (size_t)d->B * d->Tq * d->A * sizeof(rc_real));
    memset(dKp, 0, (size_t)d->B * d->S * d->A * sizeof(rc_real));
    energy_backward(dQp, dKp, dS, r->buf[BUF_E], w->v->data, d);
    /* forward was Qp = W_q q + b_q, Kp = W_k k + b_k */
    rc_attn_proj_backward(r->q->grad, w->Wq->grad, rc_attn_grad(w->bq), dQp, d->A, r->q->data, d->Dq, w->Wq->data,
                          w->ldq, d->B * d->Tq, d->Dq, d->A);
    rc_attn_proj_backward(r->k->grad, rc_attn_at(w->Wk->grad, (size_t)w->k_col), rc_attn_grad(w->bk), dKp, d->A,
                          r->k->data, d->Dk, w->Wk->data + w->k_col, w->ldk, d->B * d->S, d->Dk, d->A);
}

static rc_status hidden_size_ok(const rc_attention_config *c)
{
    if (c->hidden_size >= 1) return RC_OK;
    return rc_error(RC_E_INVALID, "attention(%s): hidden_size = %d, expected >= 1", rc_attention_kind_name(c->kind),
                    c->hidden_size);
}

/* ---- Bahdanau: Wa, Ua, Va ---------------------------------------------- */

enum { WA_W, WA_B, UA_W, UA_B, VA_W, VA_B };

static rc_status bahdanau_params(const rc_attention_config *c, rc_attn_param_spec *spec, int *n)
{
    rc_status s = hidden_size_ok(c);
    if (s != RC_OK) return s;
    int A = c->hidden_size;
    double bq = 1 / sqrt(c->query_size), bk = 1 / sqrt(c->key_size), bv = 1 / sqrt(A);
    spec[WA_W] = (rc_attn_param_spec){"Wa.weight", 2, {A, c->query_size}, bq, false};
    spec[WA_B] = (rc_attn_param_spec){"Wa.bias", 1, {A}, bq, true};
    spec[UA_W] = (rc_attn_param_spec){"Ua.weight", 2, {A, c->key_size}, bk, false};
    spec[UA_B] = (rc_attn_param_spec){"Ua.bias", 1, {A}, bk, true};
    spec[VA_W] = (rc_attn_param_spec){"Va.weight", 2, {1, A}, bv, false};
    spec[VA_B] = (rc_attn_param_spec){"Va.bias", 1, {1}, bv, true};
    *n = 6;
    return RC_OK;
}

static additive_layer bahdanau_layer(const rc_attn_run *r)
{
    return (additive_layer){.Wq = r->p[WA_W], .bq = r->p[WA_B], .Wk = r->p[UA_W], .bk = r->p[UA_B],
                            .v = r->p[VA_W], .c = r->p[VA_B], .ldq = r->d.Dq, .ldk = r->d.Dk, .k_col = 0};
}

static void bahdanau_forward(const rc_attn_run *r)
{
    additive_layer w = bahdanau_layer(r);
    additive_forward(r, &w);
}

static void bahdanau_backward(const rc_attn_run *r)
{
    additive_layer w = bahdanau_layer(r);
    additive_backward(r, &w);
}

/* ---- Luong concat: v, attn ---------------------------------------------- */

enum { CONCAT_V, CONCAT_W, CONCAT_B };

static rc_status concat_params(const rc_attention_config *c, rc_attn_param_spec *spec, int *n)
{
    rc_status s = hidden_size_ok(c);
    if (s != RC_OK) return s;
    int A = c->hidden_size, in = c->query_size + c->key_size;
    double bound = 1 / sqrt(in);
    spec[CONCAT_V] = (rc_attn_param_spec){"v", 1, {A}, 1 / sqrt(A), false};
    spec[CONCAT_W] = (rc_attn_param_spec){"attn.weight", 2, {A, in}, bound, false};
    spec[CONCAT_B] = (rc_attn_param_spec){"attn.bias", 1, {A}, bound, true};
    *n = 3;
    return RC_OK;
}

static additive_layer concat_layer(const rc_attn_run *r)
{
    int in = r->d.Dq + r->d.Dk;
    return (additive_layer){.Wq = r->p[CONCAT_W], .bq = NULL, .Wk = r->p[CONCAT_W], .bk = r->p[CONCAT_B],
                            .v = r->p[CONCAT_V], .c = NULL, .ldq = in, .ldk = in, .k_col = r->d.Dq};
}

static void concat_forward(const rc_attn_run *r)
{
    additive_layer w = concat_layer(r);
    additive_forward(r, &w);
}

static void concat_backward(const rc_attn_run *r)
{
    additive_layer w = concat_layer(r);
    additive_backward(r, &w);
}

const rc_attn_family rc_attn_additive_family = {
    .op = RC_OP_ATTENTION_ADDITIVE,
    .params = bahdanau_params,
    .layout = additive_layout,
    .forward = bahdanau_forward,
    .backward = bahdanau_backward,
};

const rc_attn_family rc_attn_concat_family = {
    .op = RC_OP_ATTENTION_CONCAT,
    .params = concat_params,
    .layout = additive_layout,
    .forward = concat_forward,
    .backward = concat_backward,
};
