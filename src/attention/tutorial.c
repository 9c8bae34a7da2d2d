/*
 * Tutorial rule 1, the `Attn` class: the scores over a fixed number S of
 * positions are a Linear layer of the concatenated query and key, and the
 * output is a Linear layer of the concatenated query and context.
 *
 *   α_i   = softmax(attn([q_i; k_i]))
 *   c_i   = Σ_j α_ij v_j
 *   out_i = attn_combine([q_i; c_i])
 */
#include <math.h>
#include <string.h>

#include "attention/family.h"

enum { ATTN_W, ATTN_B, COMBINE_W, COMBINE_B };
enum { BUF_C, BUF_DC };

static rc_status tutorial_params(const rc_attention_config *c, rc_attn_param_spec *spec, int *n)
{
    if (c->num_positions < 1)
        return rc_error(RC_E_INVALID, "attention(tutorial): num_positions = %d, expected >= 1 (the S of v (B, S, Dv))",
                        c->num_positions);
    if (c->output_size < 1)
        return rc_error(RC_E_INVALID, "attention(tutorial): output_size = %d, expected >= 1", c->output_size);
    int in_attn = c->query_size + c->key_size, in_combine = c->query_size + c->value_size;
    double b_attn = 1 / sqrt(in_attn), b_combine = 1 / sqrt(in_combine);
    spec[ATTN_W] = (rc_attn_param_spec){"attn.weight", 2, {c->num_positions, in_attn}, b_attn, false};
    spec[ATTN_B] = (rc_attn_param_spec){"attn.bias", 1, {c->num_positions}, b_attn, true};
    spec[COMBINE_W] = (rc_attn_param_spec){"attn_combine.weight", 2, {c->output_size, in_combine}, b_combine, false};
    spec[COMBINE_B] = (rc_attn_param_spec){"attn_combine.bias", 1, {c->output_size}, b_combine, true};
    *n = 4;
    return RC_OK;
}

/* C (B·Tq, Dv) the context, dC its gradient */
static void tutorial_layout(const rc_attn_dims *d, bool rec, size_t *n)
{
    n[BUF_C] = (size_t)d->B * d->Tq * d->Dv;
    n[BUF_DC] = rec ? n[BUF_C] : 0;
}

static void tutorial_forward(const rc_attn_run *r)
{
    const rc_attn_dims *d = &r->d;
    int R = d->B * d->Tq;
    rc_real *C = r->buf[BUF_C];
    /* score_i = attn([q_i; k_i]) */
    rc_attn_proj_cat_forward(r->A, r->q->data, d->Dq, r->k->data, d->Dk, r->p[ATTN_W]->data,
                             rc_attn_data(r->p[ATTN_B]), R, d->S);
    rc_attn_attend_forward(r->A, C, d->Dv, r->v->data, d->Dv, r->mask, d);
    /* out_i = attn_combine([q_i; c_i]) */
    rc_attn_proj_cat_forward(r->out->data, r->q->data, d->Dq, C, d->Dv, r->p[COMBINE_W]->data,
                             rc_attn_data(r->p[COMBINE_B]), R, d->O);
}

static void tutorial_backward(const rc_attn_run *r)
{
    const rc_attn_dims *d = &r->d;
    int R = d->B * d->Tq;
    rc_real *dC = r->buf[BUF_DC];
    memset(dC, 0, (size_t)R * d->Dv * sizeof(rc_real));
    /* forward was out = attn_combine([q; c]) */
    rc_attn_proj_cat_backward(r->q->grad, dC, r->p[COMBINE_W]->grad, rc_attn_grad(r->p[COMBINE_B]), r->out->grad,
                              r->q->data, d->Dq, r->buf[BUF_C], d->Dv, r->p[COMBINE_W]->data, R, d->O);
    /* forward was α = softmax(score), c = α v */
    rc_attn_attend_backward(r->dA, r->v->grad, dC, d->Dv, r->A, r->v->data, d->Dv, d);
    /* forward was score = attn([q; k]) */
    rc_attn_proj_cat_backward(r->q->grad, r->k->grad, r->p[ATTN_W]->grad, rc_attn_grad(r->p[ATTN_B]), r->dA,
                              r->q->data, d->Dq, r->k->data, d->Dk, r->p[ATTN_W]->data, R, d->S);
}

const rc_attn_family rc_attn_tutorial_family = {
    .op = RC_OP_ATTENTION_TUTORIAL,
    .params = tutorial_params,
    .layout = tutorial_layout,
    .forward = tutorial_forward,
    .backward = tutorial_backward,
};
