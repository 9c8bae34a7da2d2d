/*
 * The attention module object and the one tape node every rule records:
 * configuration, parameters, shape and mask checks, buffers, and the
 * averaging of multi-head weights. The rules themselves live in one file per
 * scoring family.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attention/family.h"

static const char *const kind_names[] = {
    [RC_ATTN_TUTORIAL] = "tutorial", [RC_ATTN_ADDITIVE] = "additive",     [RC_ATTN_DOT] = "dot",
    [RC_ATTN_GENERAL] = "general",   [RC_ATTN_CONCAT] = "concat",         [RC_ATTN_SCALED_DOT] = "scaled_dot",
    [RC_ATTN_MULTIHEAD] = "multihead",
};

static const rc_attn_family *const families[] = {
    [RC_ATTN_TUTORIAL] = &rc_attn_tutorial_family, [RC_ATTN_ADDITIVE] = &rc_attn_additive_family,
    [RC_ATTN_DOT] = &rc_attn_dot_family,           [RC_ATTN_GENERAL] = &rc_attn_general_family,
    [RC_ATTN_CONCAT] = &rc_attn_concat_family,     [RC_ATTN_SCALED_DOT] = &rc_attn_scaled_dot_family,
    [RC_ATTN_MULTIHEAD] = &rc_attn_multihead_family,
};

_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == RC_ATTN_KIND_COUNT, "kind_names must name every kind");
_Static_assert(sizeof(families) / sizeof(families[0]) == RC_ATTN_KIND_COUNT, "families must cover every kind");

struct rc_attention {
    rc_attention_config cfg;
    const rc_attn_family *fam;
    char name[32]; /* "attention(additive)", the prefix of every message */
    int n_params;
    rc_attn_param_spec spec[RC_ATTN_MAX_PARAMS];
    rc_tensor *p[RC_ATTN_MAX_PARAMS]; /* NULL for an absent bias */
};

const char *rc_attention_kind_name(rc_attention_kind kind)
{
    RC_ASSERT(kind >= 0 && kind < RC_ATTN_KIND_COUNT);
    return kind_names[kind];
}

rc_attention_config rc_attention_config_default(rc_attention_kind kind, int query_size, int key_size,
                                                int value_size)
{
    return (rc_attention_config){.kind = kind, .query_size = query_size, .key_size = key_size,
                                 .value_size = value_size, .hidden_size = query_size, .num_positions = 0,
                                 .output_size = query_size, .num_heads = 1, .bias = true,
                                 .per_head_weights = false};
}

void rc_attention_free(rc_attention *m)
{
    if (!m) return;
    for (int i = 0; i < m->n_params; i++) rc_tensor_free(m->p[i]);
    free(m);
}

rc_status rc_attention_create(rc_attention **out, const rc_attention_config *cfg, rc_rng *rng)
{
    *out = NULL;
    if (cfg->kind < 0 || cfg->kind >= RC_ATTN_KIND_COUNT)
        return rc_error(RC_E_INVALID, "attention: kind = %d, expected 0..%d", (int)cfg->kind, RC_ATTN_KIND_COUNT - 1);
    const char *kn = kind_names[cfg->kind];
    const int sizes[3] = {cfg->query_size, cfg->key_size, cfg->value_size};
    const char *size_names[3] = {"query_size", "key_size", "value_size"};
    for (int i = 0; i < 3; i++)
        if (sizes[i] < 1) return rc_error(RC_E_INVALID, "attention(%s): %s = %d, expected >= 1", kn, size_names[i], sizes[i]);
    rc_attention *m = calloc(1, sizeof *m);
    if (!m) return rc_error(RC_E_NOMEM, "attention(%s): out of memory", kn);
    m->cfg = *cfg;
    m->fam = families[cfg->kind];
    snprintf(m->name, sizeof m->name, "attention(%s)", kn);
    rc_status s = m->fam->params(cfg, m->spec, &m->n_params);
    for (int i = 0; s == RC_OK && i < m->n_params; i++) {
        const rc_attn_param_spec *sp = &m->spec[i];
        if (sp->is_bias && !cfg->bias) continue;
        s = rc_tensor_new(&m->p[i], sp->ndim, sp->shape, true);
        if (s == RC_OK && sp->bound > 0) rc_rng_fill_uniform(rng, m->p[i]->data, m->p[i]->numel, -sp->bound, sp->bound);
    }
    if (s != RC_OK) {
        rc_attention_free(m);
        return s;
    }
    *out = m;
    return RC_OK;
}

const rc_attention_config *rc_attention_get_config(const rc_attention *m) { return &m->cfg; }

rc_status rc_attention_add_params(const rc_attention *m, rc_params *ps, const char *prefix)
{
    for (int i = 0; i < m->n_params; i++) {
        if (!m->p[i]) continue;
        rc_status s = rc_params_add(ps, prefix, m->spec[i].name, m->p[i]);
        if (s != RC_OK) return s;
    }
    return RC_OK;
}

/* "(2, 5, 4)" for an expected shape. */
static char *shape_text(char *buf, size_t n, int ndim, const int *shape)
{
    rc_tensor t = {.ndim = ndim};
    for (int i = 0; i < ndim; i++) t.shape[i] = shape[i];
    return rc_shape_str(&t, buf, n);
}

/* Fails unless t has the expected shape, naming the tensor and both shapes. */
static bool expect_shape(rc_graph *g, const rc_attention *m, const char *what, const rc_tensor *t, int ndim,
                         const int *shape)
{
    if (rc_tensor_has_shape(t, ndim, shape)) return true;
    char got[64], want[64];
    rc_tape_fail(g, RC_E_SHAPE, "%s: %s is %s, expected %s", m->name, what, rc_shape_str(t, got, sizeof got),
                 shape_text(want, sizeof want, ndim, shape));
    return false;
}

/* Checks q, k, v against the config and fills the sizes of this call. */
static bool check_shapes(rc_graph *g, const rc_attention *m, const rc_tensor *q, const rc_tensor *k,
                         const rc_tensor *v, rc_attn_dims *d)
{
    const rc_attention_config *c = &m->cfg;
    int Dq = c->query_size;
    if ((q->ndim != 2 && q->ndim != 3) || q->shape[q->ndim - 1] != Dq) {
        char got[64];
        rc_tape_fail(g, RC_E_SHAPE, "%s: q is %s, expected (B, %d) or (B, Tq, %d)", m->name,
                     rc_shape_str(q, got, sizeof got), Dq, Dq);
        return false;
    }
    int B = q->shape[0], Tq = q->ndim == 3 ? q->shape[1] : 1, S;
    if (c->kind == RC_ATTN_TUTORIAL) {
        int want[3] = {B, Tq, c->key_size};
        if (q->ndim == 2) want[1] = c->key_size;
        if (!expect_shape(g, m, "k (one key per query)", k, q->ndim, want)) return false;
        S = c->num_positions;
    } else {
        if (k->ndim != 3 || k->shape[0] != B || k->shape[2] != c->key_size) {
            char got[64];
            rc_tape_fail(g, RC_E_SHAPE, "%s: k is %s, expected (%d, S, %d)", m->name, rc_shape_str(k, got, sizeof got),
                         B, c->key_size);
            return false;
        }
        S = k->shape[1];
    }
    int want_v[3] = {B, S, c->value_size};
    if (!expect_shape(g, m, "v", v, 3, want_v)) return false;
    int H = c->kind == RC_ATTN_MULTIHEAD ? c->num_heads : 1;
    *d = (rc_attn_dims){.B = B, .Tq = Tq, .S = S, .Dq = Dq, .Dk = c->key_size, .Dv = c->value_size, .H = H,
                        .hd = c->value_size / H, .A = c->hidden_size,
                        .O = c->kind == RC_ATTN_TUTORIAL ? c->output_size : c->value_size};
    return true;
}

/* The (B, Tq, S) hidden-key flags of mk, or *out = NULL when nothing is hidden. */
static bool build_mask(rc_graph *g, const rc_attention *m, const rc_attention_mask *mk, const rc_attn_dims *d,
                       bool sequence, unsigned char **out)
{
    *out = NULL;
    if (!mk || (!mk->src_lengths && !mk->causal && !mk->attn_mask)) return true;
    if (mk->causal && !sequence) {
        rc_tape_fail(g, RC_E_INVALID, "%s: causal masking needs a sequence query (B, Tq, Dq), got a step query",
                     m->name);
        return false;
    }
    const int *len = mk->src_lengths;
    for (int b = 0; len && b < d->B; b++)
        if (len[b] < 1 || len[b] > d->S) {
            rc_tape_fail(g, RC_E_INVALID, "%s: src_lengths[%d] = %d, expected 1..%d (S)", m->name, b, len[b], d->S);
            return false;
        }
    size_t n = (size_t)d->B * d->Tq * d->S;
    unsigned char *hidden = rc_tape_alloc(g, n);
    if (!hidden) return false;
    for (int b = 0; b < d->B; b++)
        for (int i = 0; i < d->Tq; i++)
            for (int j = 0; j < d->S; j++) {
                size_t at = ((size_t)b * d->Tq + i) * d->S + j;
                hidden[at] = (len && j >= len[b]) || (mk->causal && j > i) || (mk->attn_mask && mk->attn_mask[at]);
            }
    *out = hidden;
    return true;
}

typedef struct attention_ctx {
    const rc_attn_family *fam;
    rc_attn_run run;
} attention_ctx;

/* weights (B, [Tq,] S) = mean over h of A (B, H, Tq, S) */
static void average_heads_forward(rc_real *w, const rc_real *A, const rc_attn_dims *d)
{
    size_t block = (size_t)d->Tq * d->S;
    for (int b = 0; b < d->B; b++)
        for (size_t e = 0; e < block; e++) {
            rc_real s = 0;
            for (int h = 0; h < d->H; h++) s += A[((size_t)b * d->H + h) * block + e];
            w[(size_t)b * block + e] = s / d->H;
        }
}

/* forward was w = mean_h A_h, so dA_h = dw / H (written: dA is scratch) */
static void average_heads_backward(rc_real *dA, const rc_real *dw, const rc_attn_dims *d)
{
    size_t block = (size_t)d->Tq * d->S;
    for (int b = 0; b < d->B; b++)
        for (int h = 0; h < d->H; h++)
            for (size_t e = 0; e < block; e++)
                dA[((size_t)b * d->H + h) * block + e] = dw[(size_t)b * block + e] / d->H;
}

static void attention_node_backward(rc_node *n)
{
    const attention_ctx *c = n->ctx;
    const rc_attn_run *r = &c->run;
    if (r->A == r->weights->data)
        memcpy(r->dA, r->weights->grad, r->weights->numel * sizeof(rc_real));
    else
        average_heads_backward(r->dA, r->weights->grad, &r->d);
    c->fam->backward(r);
}

rc_status rc_attention_forward(rc_attention *m, rc_graph *g, rc_tensor *q, rc_tensor *k, rc_tensor *v,
                               const rc_attention_mask *mask, rc_attention_result *out)
{
    RC_ASSERT(m != NULL && g != NULL && out != NULL);
    out->output = out->weights = NULL;
    rc_tensor *qkv[3] = {q, k, v};
    if (!rc_tape_check(g, m->name, 3, qkv)) return rc_graph_status(g);
    rc_attn_run r = {.q = q, .k = k, .v = v};
    unsigned char *hidden;
    if (!check_shapes(g, m, q, k, v, &r.d) || !build_mask(g, m, mask, &r.d, q->ndim == 3, &hidden))
        return rc_graph_status(g);
    r.mask = hidden;

    rc_tensor *ins[3 + RC_ATTN_MAX_PARAMS] = {q, k, v};
    for (int i = 0; i < m->n_params; i++) ins[3 + i] = r.p[i] = m->p[i];
    bool rec = rc_tape_needs_grad(g, 3 + m->n_params, ins);

    const rc_attn_dims *d = &r.d;
    bool per_head = d->H > 1 && m->cfg.per_head_weights;
    int oshape[3] = {d->B}, wshape[4] = {d->B}, on = 1, wn = 1;
    if (per_head) wshape[wn++] = d->H;
    if (q->ndim == 3) oshape[on++] = wshape[wn++] = d->Tq;
    oshape[on++] = d->O;
    wshape[wn++] = d->S;
    r.out = rc_tape_tensor(g, on, oshape, rec);
    r.weights = rc_tape_tensor(g, wn, wshape, rec);
    if (!r.out || !r.weights) return rc_graph_status(g);

    size_t nA = (size_t)d->B * d->H * d->Tq * d->S;
    r.A = d->H == 1 || per_head ? r.weights->data : rc_tape_alloc(g, nA * sizeof(rc_real));
    if (!r.A) return rc_graph_status(g);
    if (rec && !(r.dA = rc_tape_alloc(g, nA * sizeof(rc_real)))) return rc_graph_status(g);
    size_t nbuf[RC_ATTN_MAX_BUFS] = {0};
    m->fam->layout(d, rec, nbuf);
    for (int i = 0; i < RC_ATTN_MAX_BUFS; i++)
        if (nbuf[i] && !(r.buf[i] = rc_tape_alloc(g, nbuf[i] * sizeof(rc_real)))) return rc_graph_status(g);

    m->fam->forward(&r);
    if (r.A != r.weights->data) average_heads_forward(r.weights->data, r.A, d);

    if (rec) {
        rc_tensor *outs[2] = {r.out, r.weights};
        rc_node *node = rc_tape_record(g, m->fam->op, attention_node_backward, 3 + m->n_params, ins, 2, outs,
                                       sizeof(attention_ctx));
        if (!node) return rc_graph_status(g);
        *(attention_ctx *)node->ctx = (attention_ctx){.fam = m->fam, .run = r};
    }
    out->output = r.out;
    out->weights = r.weights;
    return RC_OK;
}

rc_status rc_attention_self(rc_attention *m, rc_graph *g, rc_tensor *x, const rc_attention_mask *mask,
                            rc_attention_result *out)
{
    return rc_attention_forward(m, g, x, x, x, mask, out);
}
