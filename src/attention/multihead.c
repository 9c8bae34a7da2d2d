/*
 * nn.MultiheadAttention(E, H, bias, batch_first=True): project q, k, v with
 * the three row blocks of in_proj, run scaled dot-product attention on each
 * head's hd = E/H columns, concatenate the heads' contexts and apply out_proj.
 *
 *   Qp = q W_qᵀ + b_q   Kp = k W_kᵀ + b_k   Vp = v W_vᵀ + b_v
 *   α_h = softmax(Qp_h Kp_hᵀ / √hd)   c_h = α_h Vp_h   out = [c_1 .. c_H] W_oᵀ + b_o
 */
#include <math.h>
#include <string.h>

#include "attention/family.h"

enum { IN_W, IN_B, OUT_W, OUT_B };
enum { BUF_P, BUF_C, BUF_DP, BUF_DC };

static rc_status multihead_params(const rc_attention_config *c, rc_attn_param_spec *spec, int *n)
{
    int E = c->query_size;
    if (c->key_size != E || c->value_size != E)
        return rc_error(RC_E_INVALID,
                        "attention(multihead): key_size = %d and value_size = %d, expected both equal to query_size = %d",
                        c->key_size, c->value_size, E);
    if (c->num_heads < 1 || E % c->num_heads != 0)
        return rc_error(RC_E_INVALID, "attention(multihead): num_heads = %d, expected >= 1 and dividing query_size = %d",
                        c->num_heads, E);
    /* PyTorch: xavier_uniform_ on in_proj_weight (fan_in E, fan_out 3E), zero biases,
     * out_proj.weight as nn.Linear's */
    spec[IN_W] = (rc_attn_param_spec){"in_proj_weight", 2, {3 * E, E}, sqrt(6.0 / (E + 3 * E)), false};
    spec[IN_B] = (rc_attn_param_spec){"in_proj_bias", 1, {3 * E}, 0, true};
    spec[OUT_W] = (rc_attn_param_spec){"out_proj.weight", 2, {E, E}, 1 / sqrt(E), false};
    spec[OUT_B] = (rc_attn_param_spec){"out_proj.bias", 1, {E}, 0, true};
    *n = 4;
    return RC_OK;
}

/* P = [Qp (B·Tq, E); Kp (B·S, E); Vp (B·S, E)], C (B·Tq, E) the concatenated
 * contexts; dP, dC their gradients */
static void multihead_layout(const rc_attn_dims *d, bool rec, size_t *n)
{
    n[BUF_P] = ((size_t)d->B * d->Tq + 2 * (size_t)d->B * d->S) * d->Dv;
    n[BUF_C] = (size_t)d->B * d->Tq * d->Dv;
    n[BUF_DP] = rec ? n[BUF_P] : 0;
    n[BUF_DC] = rec ? n[BUF_C] : 0;
}

/* The three projections: input x, its rows, and where Qp, Kp, Vp start in P. */
typedef struct projection {
    const rc_tensor *x;
    int rows;
    size_t at;
} projection;

static void projections(const rc_attn_run *r, projection p[3])
{
    const rc_attn_dims *d = &r->d;
    size_t nq = (size_t)d->B * d->Tq * d->Dv, nk = (size_t)d->B * d->S * d->Dv;
    p[0] = (projection){r->q, d->B * d->Tq, 0};
    p[1] = (projection){r->k, d->B * d->S, nq};
    p[2] = (projection){r->v, d->B * d->S, nq + nk};
}

static rc_real head_scale(const rc_attn_dims *d) { return (rc_real)(1 / sqrt((double)d->hd)); }

static void multihead_forward(const rc_attn_run *r)
{
    const rc_attn_dims *d = &r->d;
    int E = d->Dv;
    rc_real *P = r->buf[BUF_P], *C = r->buf[BUF_C];
    const rc_real *W = r->p[IN_W]->data, *bias = rc_attn_data(r->p[IN_B]);
    projection p[3];
    projections(r, p);
    /* Qp = q W_qᵀ + b_q, Kp = k W_kᵀ + b_k, Vp = v W_vᵀ + b_v */
    for (int t = 0; t < 3; t++)
        rc_attn_proj_forward(P + p[t].at, E, p[t].x->data, E, W + (size_t)t * E * E, E, bias ? bias + t * E : NULL,
                             p[t].rows, E, E, 0);
    rc_attn_dot_scores_forward(r->A, P + p[0].at, E, P + p[1].at, E, d->hd, head_scale(d), d);
    rc_attn_attend_forward(r->A, C, E, P + p[2].at, E, r->mask, d);
    /* out = C W_oᵀ + b_o */
    rc_attn_proj_forward(r->out->data, E, C, E, r->p[OUT_W]->data, E, rc_attn_data(r->p[OUT_B]), d->B * d->Tq, E,
                         E, 0);
}

static void multihead_backward(const rc_attn_run *r)
{
    const rc_attn_dims *d = &r->d;
    int E = d->Dv;
    rc_real *P = r->buf[BUF_P], *dP = r->buf[BUF_DP], *dC = r->buf[BUF_DC];
    projection p[3];
    projections(r, p);
    memset(dP, 0, ((size_t)d->B * d->Tq + 2 * (size_t)d->B * d->S) * E * sizeof(rc_real));
    memset(dC, 0, (size_t)d->B * d->Tq * E * sizeof(rc_real));
    /* forward was out = C W_oᵀ + b_o */
    rc_attn_proj_backward(dC, r->p[OUT_W]->grad, rc_attn_grad(r->p[OUT_B]), r->out->grad, E, r->buf[BUF_C], E,
                          r->p[OUT_W]->data, E, d->B * d->Tq, E, E);
    /* forward was α_h = softmax(score_h), c_h = α_h Vp_h */
    rc_attn_attend_backward(r->dA, dP + p[2].at, dC, E, r->A, P + p[2].at, E, d);
    /* forward was score_h = Qp_h Kp_hᵀ / √hd */
    rc_attn_dot_scores_backward(dP + p[0].at, dP + p[1].at, r->dA, P + p[0].at, E, P + p[1].at, E, d->hd,
                                head_scale(d), d);
    /* forward was Qp = q W_qᵀ + b_q, ... */
    for (int t = 0; t < 3; t++)
        rc_attn_proj_backward(p[t].x->grad, rc_attn_at(r->p[IN_W]->grad, (size_t)t * E * E),
                              rc_attn_at(rc_attn_grad(r->p[IN_B]), (size_t)t * E), dP + p[t].at, E, p[t].x->data, E,
                              r->p[IN_W]->data + (size_t)t * E * E, E, p[t].rows, E, E);
}

const rc_attn_family rc_attn_multihead_family = {
    .op = RC_OP_MULTIHEAD_ATTENTION,
    .params = multihead_params,
    .layout = multihead_layout,
    .forward = multihead_forward,
    .backward = multihead_backward,
};
