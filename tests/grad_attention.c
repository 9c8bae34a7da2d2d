/*
 * Finite-difference checks (double build) of every attention module with
 * respect to q, k, v and every parameter, through both results (output and
 * weights): step and sequence queries, with and without padding, causal,
 * explicit masks, a fully hidden row, S = 1, self-attention and per-head
 * weights. Tolerance 1e-6 relative: central differences with eps = 1e-6 in
 * double are accurate to about 1e-8 on these smooth functions.
 */
#include <math.h>

#include "harness.h"

#define MAX_INPUTS (3 + 8)

typedef struct gc_case {
    rc_attention *m;
    rc_tensor *q, *k, *v;
    const rc_attention_mask *mask;
    bool want_weights;
} gc_case;

static rc_tensor *build(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    rc_attention_result r;
    if (rc_attention_forward(c->m, g, c->q, c->k, c->v, c->mask, &r) != RC_OK) return NULL;
    return c->want_weights ? r.weights : r.output;
}

static rc_tensor *new_input(int ndim, const int *shape, uint64_t seed)
{
    rc_tensor *t;
    if (rc_tensor_new(&t, ndim, shape, true) != RC_OK) return NULL;
    rc_test_fill(t, seed, -1, 1);
    return t;
}

/* Small sizes shared by the cases: Dq = 3, Dk = 4 (4 when Dq = Dk is needed),
 * Dv = 5, hidden 3, tutorial output 2, multi-head E = 4 with 2 heads. */
static rc_attention_config config(rc_attention_kind kind)
{
    bool same = kind == RC_ATTN_DOT || kind == RC_ATTN_SCALED_DOT;
    rc_attention_config c = rc_attention_config_default(kind, same ? 4 : 3, 4, 5);
    c.hidden_size = 3;
    c.output_size = 2;
    if (kind == RC_ATTN_MULTIHEAD) {
        c = rc_attention_config_default(kind, 4, 4, 4);
        c.num_heads = 2;
    }
    return c;
}

/* Checks one module on fresh random inputs: q (B, Dq) when Tq = 0, else
 * (B, Tq, Dq); k, v over S positions (the tutorial's k has q's leading shape
 * and S is its num_positions). With self_attn q = k = v = x (B, Tq, Dq). */
static void check(const char *label, rc_attention_config cfg, int B, int Tq, int S, const rc_attention_mask *mask,
                  bool self_attn)
{
    rc_rng rng;
    rc_rng_seed(&rng, 7);
    if (cfg.kind == RC_ATTN_TUTORIAL) cfg.num_positions = S;
    rc_attention *m;
    rc_params *ps;
    RC_CHECK_OK(rc_attention_create(&m, &cfg, &rng));
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_attention_add_params(m, ps, "att"));
    /* Parameters drawn wider than their init so that the softmax is far from uniform. */
    for (size_t i = 0; i < rc_params_count(ps); i++) rc_test_fill(rc_params_tensor(ps, i), 100 + i, -1, 1);

    int qs[3] = {B, Tq, cfg.query_size}, qn = Tq ? 3 : 2;
    if (!Tq) qs[1] = cfg.query_size;
    int ks[3] = {B, S, cfg.key_size}, kn = 3;
    if (cfg.kind == RC_ATTN_TUTORIAL) {
        ks[1] = Tq ? Tq : cfg.key_size;
        ks[2] = cfg.key_size;
        kn = qn;
    }
    int vs[3] = {B, S, cfg.value_size};
    rc_tensor *inputs[MAX_INPUTS];
    int n = 0;
    gc_case c = {.m = m, .mask = mask};
    c.q = inputs[n++] = new_input(qn, qs, 1);
    if (self_attn) {
        c.k = c.v = c.q;
    } else {
        c.k = inputs[n++] = new_input(kn, ks, 2);
        c.v = inputs[n++] = new_input(3, vs, 3);
    }
    for (size_t i = 0; i < rc_params_count(ps); i++) inputs[n++] = rc_params_tensor(ps, i);

    char name[96];
    snprintf(name, sizeof name, "%s output", label);
    rc_gradcheck(name, build, &c, inputs, n, 1e-6, 0, 1e-6);
    c.want_weights = true;
    snprintf(name, sizeof name, "%s weights", label);
    rc_gradcheck(name, build, &c, inputs, n, 1e-6, 0, 1e-6);

    int n_own = self_attn ? 1 : 3;
    for (int i = 0; i < n_own; i++) rc_tensor_free(inputs[i]);
    rc_params_free(ps);
    rc_attention_free(m);
}

static const int lengths3[3] = {4, 2, 3};

static void check_kind(rc_attention_kind kind)
{
    rc_attention_config cfg = config(kind);
    const char *kn = rc_attention_kind_name(kind);
    char label[64];
    rc_attention_mask pad = {.src_lengths = lengths3};
    rc_attention_mask causal = {.src_lengths = lengths3, .causal = true};
    snprintf(label, sizeof label, "%s step", kn);
    check(label, cfg, 3, 0, 4, NULL, false);
    snprintf(label, sizeof label, "%s step masked", kn);
    check(label, cfg, 3, 0, 4, &pad, false);
    snprintf(label, sizeof label, "%s seq", kn);
    check(label, cfg, 2, 3, 4, NULL, false);
    snprintf(label, sizeof label, "%s seq masked", kn);
    check(label, cfg, 3, 3, 4, &pad, false);
    snprintf(label, sizeof label, "%s seq causal+masked", kn);
    check(label, cfg, 3, 4, 4, &causal, false);
    snprintf(label, sizeof label, "%s S=1", kn);
    check(label, cfg, 2, 2, 1, NULL, false);
}

static void test_grad_tutorial(void) { check_kind(RC_ATTN_TUTORIAL); }
static void test_grad_additive(void) { check_kind(RC_ATTN_ADDITIVE); }
static void test_grad_dot(void) { check_kind(RC_ATTN_DOT); }
static void test_grad_general(void) { check_kind(RC_ATTN_GENERAL); }
static void test_grad_concat(void) { check_kind(RC_ATTN_CONCAT); }
static void test_grad_scaled_dot(void) { check_kind(RC_ATTN_SCALED_DOT); }
static void test_grad_multihead(void) { check_kind(RC_ATTN_MULTIHEAD); }

static void test_grad_variants(void)
{
    rc_attention_config cfg = config(RC_ATTN_MULTIHEAD);
    cfg.per_head_weights = true;
    rc_attention_mask causal = {.causal = true};
    check("multihead per-head causal", cfg, 2, 3, 3, &causal, false);
    cfg.per_head_weights = false;
    check("multihead self causal", cfg, 2, 4, 0, &causal, true);
    cfg.bias = false;
    check("multihead no bias", cfg, 2, 3, 4, NULL, false);
    rc_attention_config sd = config(RC_ATTN_SCALED_DOT);
    sd.value_size = sd.query_size;
    check("scaled_dot self causal", sd, 2, 4, 0, &causal, true);
    rc_attention_config add = config(RC_ATTN_ADDITIVE);
    add.bias = false;
    check("additive no bias", add, 2, 3, 4, NULL, false);
}

/* A row whose keys are all hidden (only an explicit mask can do that): its
 * weights are 0, its context 0, nothing is NaN, and the function is flat
 * there, so the gradcheck must see zero gradient through that row. */
static void test_grad_fully_masked_row(void)
{
    /* (B = 2, Tq = 2, S = 3): row (b = 1, i = 0) hides every key. */
    static const unsigned char hide[2 * 2 * 3] = {0, 0, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1};
    rc_attention_mask mask = {.attn_mask = hide};
    for (int kind = 0; kind < RC_ATTN_KIND_COUNT; kind++) {
        char label[64];
        snprintf(label, sizeof label, "%s fully masked row", rc_attention_kind_name((rc_attention_kind)kind));
        check(label, config((rc_attention_kind)kind), 2, 2, 3, &mask, false);
    }

    rc_rng rng;
    rc_rng_seed(&rng, 3);
    rc_attention *m;
    rc_attention_config cfg = config(RC_ATTN_SCALED_DOT);
    RC_CHECK_OK(rc_attention_create(&m, &cfg, &rng));
    int qs[3] = {2, 2, 4}, vs[3] = {2, 3, 5};
    rc_tensor *q = new_input(3, qs, 1), *k = new_input(3, (int[]){2, 3, 4}, 2), *v = new_input(3, vs, 3);
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    rc_attention_result r;
    RC_CHECK_OK(rc_attention_forward(m, g, q, k, v, &mask, &r));
    for (size_t i = 0; i < r.output->numel; i++) r.output->grad[i] = 1;
    for (size_t i = 0; i < r.weights->numel; i++) r.weights->grad[i] = 1;
    RC_CHECK_OK(rc_graph_backward(g, NULL));
    const rc_real *w = r.weights->data + (1 * 2 + 0) * 3, *o = r.output->data + (1 * 2 + 0) * 5;
    const rc_real *dq = q->grad + (1 * 2 + 0) * 4;
    for (int j = 0; j < 3; j++) RC_CHECK(w[j] == 0, "weight %d of the hidden row is %g", j, (double)w[j]);
    for (int j = 0; j < 5; j++) RC_CHECK(o[j] == 0, "context %d of the hidden row is %g", j, (double)o[j]);
    for (int j = 0; j < 4; j++) RC_CHECK(dq[j] == 0, "dq %d of the hidden row is %g", j, (double)dq[j]);
    rc_tensor *all[3] = {q, k, v};
    for (int t = 0; t < 3; t++)
        for (size_t i = 0; i < all[t]->numel; i++) RC_CHECK(isfinite(all[t]->grad[i]), "grad %d[%zu] finite", t, i);
    rc_graph_free(g);
    rc_tensor_free(q);
    rc_tensor_free(k);
    rc_tensor_free(v);
    rc_attention_free(m);
}

int main(void)
{
    RC_RUN(test_grad_tutorial);
    RC_RUN(test_grad_additive);
    RC_RUN(test_grad_dot);
    RC_RUN(test_grad_general);
    RC_RUN(test_grad_concat);
    RC_RUN(test_grad_scaled_dot);
    RC_RUN(test_grad_multihead);
    RC_RUN(test_grad_variants);
    RC_RUN(test_grad_fully_masked_row);
    return rc_test_finish();
}
