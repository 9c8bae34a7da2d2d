/*
 * Attention modules in float: shapes, parameter names and init, the masked
 * softmax's guarantees (rows sum to 1, hidden keys weigh exactly 0, a fully
 * hidden row is zeros and never NaN), refused inputs, and parity with
 * PyTorch on tests/fixtures/attention.safetensors
 * (scripts/gen_attention_fixtures.py).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define FIXTURE "tests/fixtures/attention.safetensors"

static rc_tensor *new_filled(int ndim, const int *shape, bool grad, uint64_t seed)
{
    rc_tensor *t = NULL;
    if (rc_tensor_new(&t, ndim, shape, grad) != RC_OK) return NULL;
    rc_test_fill(t, seed, -2, 2);
    return t;
}

/* A module of each kind with small sizes: Dq = Dk = Dv = E = 4 (2 heads),
 * hidden 3, tutorial S = 5 and output 2. */
static rc_attention *make(rc_attention_kind kind, bool per_head)
{
    rc_rng rng;
    rc_rng_seed(&rng, 11);
    rc_attention_config c = rc_attention_config_default(kind, 4, 4, 4);
    c.hidden_size = 3;
    c.num_positions = 5;
    c.output_size = 2;
    c.num_heads = kind == RC_ATTN_MULTIHEAD ? 2 : 1;
    c.per_head_weights = per_head;
    rc_attention *m = NULL;
    RC_CHECK_OK(rc_attention_create(&m, &c, &rng));
    return m;
}

typedef struct run_inputs {
    rc_tensor *q, *k, *v;
} run_inputs;

/* q (B, [Tq,] 4), k (B, S, 4) — (B, [Tq,] 4) for the tutorial — and v (B, S, 4). */
static run_inputs make_inputs(rc_attention_kind kind, int B, int Tq, int S)
{
    int qs[3] = {B, Tq, 4}, qn = Tq ? 3 : 2;
    if (!Tq) qs[1] = 4;
    int ks[3] = {B, S, 4}, vs[3] = {B, S, 4};
    run_inputs in = {new_filled(qn, qs, true, 1), NULL, new_filled(3, vs, true, 3)};
    in.k = kind == RC_ATTN_TUTORIAL ? new_filled(qn, qs, true, 2) : new_filled(3, ks, true, 2);
    return in;
}

static void free_inputs(run_inputs *in)
{
    rc_tensor_free(in->q);
    rc_tensor_free(in->k);
    rc_tensor_free(in->v);
}

static bool shape_is(const rc_tensor *t, int ndim, const int *shape)
{
    char got[64];
    if (rc_tensor_has_shape(t, ndim, shape)) return true;
    printf("  unexpected shape %s\n", rc_shape_str(t, got, sizeof got));
    return false;
}

static void test_shapes(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    for (int kind = 0; kind < RC_ATTN_KIND_COUNT; kind++) {
        int O = kind == RC_ATTN_TUTORIAL ? 2 : 4;
        for (int step = 0; step < 2; step++) {
            rc_graph_reset(g);
            rc_attention *m = make((rc_attention_kind)kind, false);
            run_inputs in = make_inputs((rc_attention_kind)kind, 3, step ? 0 : 2, 5);
            rc_attention_result r;
            RC_CHECK_OK(rc_attention_forward(m, g, in.q, in.k, in.v, NULL, &r));
            if (step) {
                RC_CHECK(shape_is(r.output, 2, (int[]){3, O}), "%s step output", rc_attention_kind_name(kind));
                RC_CHECK(shape_is(r.weights, 2, (int[]){3, 5}), "%s step weights", rc_attention_kind_name(kind));
            } else {
                RC_CHECK(shape_is(r.output, 3, (int[]){3, 2, O}), "%s seq output", rc_attention_kind_name(kind));
                RC_CHECK(shape_is(r.weights, 3, (int[]){3, 2, 5}), "%s seq weights", rc_attention_kind_name(kind));
            }
            free_inputs(&in);
            rc_attention_free(m);
        }
    }
    rc_attention *m = make(RC_ATTN_MULTIHEAD, true);
    for (int step = 0; step < 2; step++) {
        rc_graph_reset(g);
        run_inputs in = make_inputs(RC_ATTN_MULTIHEAD, 3, step ? 0 : 2, 5);
        rc_attention_result r;
        RC_CHECK_OK(rc_attention_forward(m, g, in.q, in.k, in.v, NULL, &r));
        if (step)
            RC_CHECK(shape_is(r.weights, 3, (int[]){3, 2, 5}), "per-head step weights (B, H, S)");
        else
            RC_CHECK(shape_is(r.weights, 4, (int[]){3, 2, 2, 5}), "per-head seq weights (B, H, Tq, S)");
        free_inputs(&in);
    }
    rc_attention_free(m);
    rc_graph_free(g);
}

/* Parameter names in PyTorch's state_dict order; no biases with bias = false. */
static void test_param_names(void)
{
    static const char *const want[RC_ATTN_KIND_COUNT][7] = {
        [RC_ATTN_TUTORIAL] = {"attn.weight", "attn.bias", "attn_combine.weight", "attn_combine.bias"},
        [RC_ATTN_ADDITIVE] = {"Wa.weight", "Wa.bias", "Ua.weight", "Ua.bias", "Va.weight", "Va.bias"},
        [RC_ATTN_GENERAL] = {"attn.weight", "attn.bias"},
        [RC_ATTN_CONCAT] = {"v", "attn.weight", "attn.bias"},
        [RC_ATTN_MULTIHEAD] = {"in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"},
    };
    for (int kind = 0; kind < RC_ATTN_KIND_COUNT; kind++) {
        rc_attention *m = make((rc_attention_kind)kind, false);
        rc_params *ps;
        RC_CHECK_OK(rc_params_create(&ps));
        RC_CHECK_OK(rc_attention_add_params(m, ps, ""));
        size_t n = 0;
        while (want[kind][n]) n++;
        RC_CHECK(rc_params_count(ps) == n, "%s: %zu params, expected %zu", rc_attention_kind_name(kind),
                 rc_params_count(ps), n);
        for (size_t i = 0; i < n && i < rc_params_count(ps); i++)
            RC_CHECK(strcmp(rc_params_name(ps, i), want[kind][i]) == 0, "%s param %zu is %s, expected %s",
                     rc_attention_kind_name(kind), i, rc_params_name(ps, i), want[kind][i]);
        rc_params_free(ps);
        rc_attention_free(m);
    }
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_attention_config c = rc_attention_config_default(RC_ATTN_MULTIHEAD, 4, 4, 4);
    c.num_heads = 2;
    c.bias = false;
    rc_attention *m;
    rc_params *ps;
    RC_CHECK_OK(rc_attention_create(&m, &c, &rng));
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_attention_add_params(m, ps, "mha"));
    RC_CHECK(rc_params_count(ps) == 2 && rc_params_find(ps, "mha.in_proj_weight") && rc_params_find(ps, "mha.out_proj.weight"),
             "no biases without bias");
    rc_params_free(ps);
    rc_attention_free(m);
}

/* max |x| over t, to compare with an init bound. */
static double max_abs(const rc_tensor *t)
{
    double m = 0;
    for (size_t i = 0; i < t->numel; i++) m = fmax(m, fabs((double)t->data[i]));
    return m;
}

/* Uniform inits reach close to their bound (0.9 of it: with ≥ 200 draws the
 * chance of all falling inside is below 1e-9) and never past it; zeros are zeros. */
static void expect_init(const rc_params *ps, const char *name, double bound)
{
    rc_tensor *t = rc_params_find(ps, name);
    RC_CHECK(t != NULL, "%s exists", name);
    if (!t) return;
    double m = max_abs(t);
    if (bound == 0)
        RC_CHECK(m == 0, "%s: max |x| = %g, expected zeros", name, m);
    else
        RC_CHECK(m <= bound && m > 0.9 * bound, "%s: max |x| = %g, expected just under %g", name, m, bound);
}

static void test_init(void)
{
    rc_rng rng;
    rc_rng_seed(&rng, 5);
    rc_attention_config c = rc_attention_config_default(RC_ATTN_MULTIHEAD, 16, 16, 16);
    c.num_heads = 4;
    rc_attention *m;
    rc_params *ps;
    RC_CHECK_OK(rc_attention_create(&m, &c, &rng));
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_attention_add_params(m, ps, NULL));
    expect_init(ps, "in_proj_weight", sqrt(6.0 / (16 + 48)));
    expect_init(ps, "in_proj_bias", 0);
    expect_init(ps, "out_proj.weight", 1 / sqrt(16.0));
    expect_init(ps, "out_proj.bias", 0);
    rc_params_free(ps);
    rc_attention_free(m);

    c = rc_attention_config_default(RC_ATTN_ADDITIVE, 16, 25, 4);
    c.hidden_size = 256;
    RC_CHECK_OK(rc_attention_create(&m, &c, &rng));
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_attention_add_params(m, ps, NULL));
    expect_init(ps, "Wa.weight", 1 / sqrt(16.0));
    expect_init(ps, "Ua.weight", 1 / sqrt(25.0));
    expect_init(ps, "Ua.bias", 1 / sqrt(25.0));
    rc_params_free(ps);
    rc_attention_free(m);
}

/* Rows of weights sum to 1 over visible keys, hidden keys weigh exactly 0,
 * and a row with every key hidden is all zeros with a finite output. */
static void test_masked_weights(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    const int B = 3, Tq = 4, S = 5, lengths[3] = {5, 2, 3};
    unsigned char hide[3 * 4 * 5] = {0};
    for (int j = 0; j < S; j++) hide[(2 * Tq + 3) * S + j] = 1; /* (b 2, i 3) sees nothing */
    hide[(0 * Tq + 2) * S + 1] = 1;
    rc_attention_mask mask = {.src_lengths = lengths, .causal = true, .attn_mask = hide};
    for (int kind = 0; kind < RC_ATTN_KIND_COUNT; kind++) {
        rc_graph_reset(g);
        rc_attention *m = make((rc_attention_kind)kind, false);
        run_inputs in = make_inputs((rc_attention_kind)kind, B, Tq, S);
        rc_attention_result r;
        RC_CHECK_OK(rc_attention_forward(m, g, in.q, in.k, in.v, &mask, &r));
        if (!r.weights) continue;
        for (int b = 0; b < B; b++)
            for (int i = 0; i < Tq; i++) {
                const rc_real *w = r.weights->data + ((size_t)b * Tq + i) * S;
                bool none = true;
                double sum = 0;
                for (int j = 0; j < S; j++) {
                    bool hidden = j >= lengths[b] || j > i || hide[((size_t)b * Tq + i) * S + j];
                    none = none && hidden;
                    if (hidden) RC_CHECK(w[j] == 0, "%s: hidden weight [%d,%d,%d] = %g", rc_attention_kind_name(kind), b, i, j, (double)w[j]);
                    sum += w[j];
                }
                /* float rounding of a sum of ≤ 5 terms */
                RC_CHECK(fabs(sum - (none ? 0 : 1)) < 1e-6, "%s: row [%d,%d] sums to %.9g", rc_attention_kind_name(kind), b, i, sum);
            }
        for (size_t i = 0; i < r.output->numel; i++)
            RC_CHECK(isfinite(r.output->data[i]), "%s: output[%zu] = %g", rc_attention_kind_name(kind), i, (double)r.output->data[i]);
        for (size_t i = 0; i < r.output->numel; i++) r.output->grad[i] = 1;
        for (size_t i = 0; i < r.weights->numel; i++) r.weights->grad[i] = 1;
        RC_CHECK_OK(rc_graph_backward(g, NULL));
        rc_tensor *ts[3] = {in.q, in.k, in.v};
        for (int t = 0; t < 3; t++)
            for (size_t i = 0; i < ts[t]->numel; i++)
                RC_CHECK(isfinite(ts[t]->grad[i]), "%s: input %d grad[%zu] not finite", rc_attention_kind_name(kind), t, i);
        free_inputs(&in);
        rc_attention_free(m);
    }
    rc_graph_free(g);
}

/* Without gradients nothing is recorded and the values are the same. */
static void test_inference_mode(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    rc_attention *m = make(RC_ATTN_MULTIHEAD, false);
    run_inputs in = make_inputs(RC_ATTN_MULTIHEAD, 2, 3, 4);
    rc_attention_result a, b;
    RC_CHECK_OK(rc_attention_forward(m, g, in.q, in.k, in.v, NULL, &a));
    rc_graph *g2;
    RC_CHECK_OK(rc_graph_create(&g2));
    rc_graph_set_grad_enabled(g2, false);
    RC_CHECK_OK(rc_attention_forward(m, g2, in.q, in.k, in.v, NULL, &b));
    RC_CHECK(b.output->grad == NULL && b.weights->grad == NULL, "no grad buffers in inference");
    RC_CHECK(memcmp(a.output->data, b.output->data, a.output->numel * sizeof(rc_real)) == 0, "same output");
    RC_CHECK(memcmp(a.weights->data, b.weights->data, a.weights->numel * sizeof(rc_real)) == 0, "same weights");
    free_inputs(&in);
    rc_attention_free(m);
    rc_graph_free(g);
    rc_graph_free(g2);
}

/* Runs m on (q, k, v, mask) in a fresh graph and checks that it fails with
 * status s and a message containing each of the given fragments. */
static void expect_refused(rc_attention *m, rc_tensor *q, rc_tensor *k, rc_tensor *v, const rc_attention_mask *mask,
                           rc_status s, const char *frag1, const char *frag2)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    rc_attention_result r;
    rc_status got = rc_attention_forward(m, g, q, k, v, mask, &r);
    const char *msg = rc_graph_error(g);
    RC_CHECK(got == s && rc_graph_status(g) == s, "status %s, expected %s (%s)", rc_status_str(got), rc_status_str(s), msg);
    RC_CHECK(r.output == NULL && r.weights == NULL, "no results");
    RC_CHECK(strstr(msg, frag1) && strstr(msg, frag2), "message '%s' lacks '%s' or '%s'", msg, frag1, frag2);
    /* sticky: a later call on the failed graph fails with the same error */
    rc_status again = rc_attention_forward(m, g, q, k, v, NULL, &r);
    RC_CHECK(again == s && strcmp(rc_graph_error(g), msg) == 0, "sticky error");
    rc_graph_free(g);
}

static void test_errors(void)
{
    rc_attention *m = make(RC_ATTN_ADDITIVE, false);
    run_inputs in = make_inputs(RC_ATTN_ADDITIVE, 3, 2, 5);
    rc_tensor *bad_q = new_filled(3, (int[]){3, 2, 7}, false, 1);
    rc_tensor *bad_k = new_filled(3, (int[]){2, 5, 4}, false, 1);
    rc_tensor *bad_v = new_filled(3, (int[]){3, 4, 4}, false, 1);
    expect_refused(m, bad_q, in.k, in.v, NULL, RC_E_SHAPE, "attention(additive): q is (3, 2, 7)", "expected (B, 4) or (B, Tq, 4)");
    expect_refused(m, in.q, bad_k, in.v, NULL, RC_E_SHAPE, "k is (2, 5, 4)", "expected (3, S, 4)");
    expect_refused(m, in.q, in.k, bad_v, NULL, RC_E_SHAPE, "v is (3, 4, 4)", "expected (3, 5, 4)");
    int zero[3] = {5, 0, 2}, big[3] = {5, 2, 6};
    expect_refused(m, in.q, in.k, in.v, &(rc_attention_mask){.src_lengths = zero}, RC_E_INVALID, "src_lengths[1] = 0",
                   "expected 1..5");
    expect_refused(m, in.q, in.k, in.v, &(rc_attention_mask){.src_lengths = big}, RC_E_INVALID, "src_lengths[2] = 6",
                   "expected 1..5");
    rc_tensor *step_q = new_filled(2, (int[]){3, 4}, false, 1);
    expect_refused(m, step_q, in.k, in.v, &(rc_attention_mask){.causal = true}, RC_E_INVALID, "causal", "step query");
    expect_refused(m, NULL, in.k, in.v, NULL, RC_E_INVALID, "attention(additive)", "NULL");
    rc_attention_free(m);

    m = make(RC_ATTN_TUTORIAL, false);
    expect_refused(m, in.q, in.v, in.v, NULL, RC_E_SHAPE, "k (one key per query) is (3, 5, 4)", "expected (3, 2, 4)");
    rc_tensor *v4 = new_filled(3, (int[]){3, 4, 4}, false, 1);
    rc_tensor *k_tut = new_filled(3, (int[]){3, 2, 4}, false, 1);
    expect_refused(m, in.q, k_tut, v4, NULL, RC_E_SHAPE, "v is (3, 4, 4)", "expected (3, 5, 4)");
    rc_attention_free(m);

    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_attention_config c = rc_attention_config_default(RC_ATTN_DOT, 4, 5, 4);
    RC_CHECK(rc_attention_create(&m, &c, &rng) == RC_E_INVALID && m == NULL, "dot with Dq != Dk refused");
    RC_CHECK(strstr(rc_last_error(), "query_size = 4 and key_size = 5"), "%s", rc_last_error());
    c = rc_attention_config_default(RC_ATTN_MULTIHEAD, 6, 6, 6);
    c.num_heads = 4;
    RC_CHECK(rc_attention_create(&m, &c, &rng) == RC_E_INVALID, "heads not dividing E refused");
    RC_CHECK(strstr(rc_last_error(), "num_heads = 4"), "%s", rc_last_error());
    c = rc_attention_config_default(RC_ATTN_TUTORIAL, 4, 4, 4);
    RC_CHECK(rc_attention_create(&m, &c, &rng) == RC_E_INVALID, "tutorial without num_positions refused");
    RC_CHECK(strstr(rc_last_error(), "num_positions = 0"), "%s", rc_last_error());
    c = rc_attention_config_default(RC_ATTN_CONCAT, 4, 0, 4);
    RC_CHECK(rc_attention_create(&m, &c, &rng) == RC_E_INVALID, "key_size 0 refused");
    RC_CHECK(strstr(rc_last_error(), "attention(concat): key_size = 0"), "%s", rc_last_error());

    free_inputs(&in);
    rc_tensor_free(bad_q);
    rc_tensor_free(bad_k);
    rc_tensor_free(bad_v);
    rc_tensor_free(step_q);
    rc_tensor_free(v4);
    rc_tensor_free(k_tut);
}

/* ---- PyTorch parity ------------------------------------------------------ */

typedef struct fixture_case {
    rc_attention_config cfg;
    bool causal, self_attn;
} fixture_case;

static bool parse_case(const char *text, fixture_case *fc)
{
    char kind[32];
    int ph, causal, self_attn;
    rc_attention_config *c = &fc->cfg;
    int n = sscanf(text,
                   "kind=%31s query_size=%d key_size=%d value_size=%d hidden_size=%d num_positions=%d "
                   "output_size=%d num_heads=%d per_head_weights=%d causal=%d self=%d",
                   kind, &c->query_size, &c->key_size, &c->value_size, &c->hidden_size, &c->num_positions,
                   &c->output_size, &c->num_heads, &ph, &causal, &self_attn);
    if (n != 11) return false;
    c->kind = RC_ATTN_KIND_COUNT;
    for (int k = 0; k < RC_ATTN_KIND_COUNT; k++)
        if (strcmp(kind, rc_attention_kind_name((rc_attention_kind)k)) == 0) c->kind = (rc_attention_kind)k;
    c->bias = true;
    c->per_head_weights = ph;
    fc->causal = causal;
    fc->self_attn = self_attn;
    return c->kind != RC_ATTN_KIND_COUNT;
}

/* A tensor named `name` of the fixture, with a grad buffer. */
static rc_tensor *read_input(rc_st_file *f, const char *name)
{
    rc_dtype dt;
    int ndim, shape[RC_MAX_DIMS];
    rc_tensor *t = NULL;
    if (rc_st_info(f, name, &dt, &ndim, shape) != RC_OK || rc_tensor_new(&t, ndim, shape, true) != RC_OK ||
        rc_st_read(f, name, t) != RC_OK) {
        RC_CHECK(false, "reading %s: %s", name, rc_last_error());
        rc_tensor_free(t);
        return NULL;
    }
    return t;
}

/* Compares got (data, or grad when of_grad) with the fixture's `name`. */
static void compare(rc_st_file *f, const char *name, const rc_tensor *got, bool of_grad, double atol, double rtol)
{
    rc_tensor *want = NULL;
    if (rc_st_read_new(f, name, &want) != RC_OK) {
        RC_CHECK(false, "reading %s: %s", name, rc_last_error());
        return;
    }
    RC_CHECK(got->numel == want->numel, "%s: %zu values, expected %zu", name, got->numel, want->numel);
    if (got->numel == want->numel) rc_test_close(name, of_grad ? got->grad : got->data, want->data, want->numel, atol, rtol);
    rc_tensor_free(want);
}

/* Reads the optional int tensor `name` (n values) into vals; false if absent. */
static bool read_ints(rc_st_file *f, const char *name, int *vals, size_t n)
{
    rc_dtype dt;
    int ndim, shape[RC_MAX_DIMS];
    if (rc_st_info(f, name, &dt, &ndim, shape) != RC_OK) return false;
    RC_CHECK_OK(rc_st_read_ints(f, name, vals, n));
    return true;
}

#define FWD_ATOL 1e-5 /* float32 forward of a few dot products and a softmax, against float64 */
#define GRAD_RTOL 1e-4 /* float32 backward relative to the largest gradient */
#define GRAD_ATOL 1e-6 /* for gradients that are exactly 0 (biases that cancel in the softmax) */

static void parity_case(rc_st_file *f, const char *cname, const fixture_case *fc)
{
    printf("  case %s\n", cname);
    rc_rng rng;
    rc_rng_seed(&rng, 0);
    rc_attention *m;
    rc_params *ps;
    RC_CHECK_OK(rc_attention_create(&m, &fc->cfg, &rng));
    RC_CHECK_OK(rc_params_create(&ps));
    char name[160];
    snprintf(name, sizeof name, "%s.params", cname);
    RC_CHECK_OK(rc_attention_add_params(m, ps, name));
    for (size_t i = 0; i < rc_params_count(ps); i++)
        RC_CHECK(rc_st_read(f, rc_params_name(ps, i), rc_params_tensor(ps, i)) == RC_OK, "param %s: %s",
                 rc_params_name(ps, i), rc_last_error());

    const char *names[3] = {"q", "k", "v"};
    int n_in = fc->self_attn ? 1 : 3;
    if (fc->self_attn) names[0] = "x";
    rc_tensor *in[3] = {NULL, NULL, NULL};
    for (int i = 0; i < n_in; i++) {
        snprintf(name, sizeof name, "%s.%s", cname, names[i]);
        in[i] = read_input(f, name);
    }
    if (!in[0] || (!fc->self_attn && (!in[1] || !in[2]))) goto done;
    rc_tensor *kv = fc->self_attn ? in[0] : in[2];
    int B = in[0]->shape[0], S = kv->shape[1], Tq = in[0]->ndim == 3 ? in[0]->shape[1] : 1;
    int *lengths = malloc(sizeof(int) * (size_t)B), *hide_int = malloc(sizeof(int) * (size_t)B * Tq * S);
    unsigned char *hide = malloc((size_t)B * Tq * S);
    rc_attention_mask mask = {.causal = fc->causal};
    snprintf(name, sizeof name, "%s.src_lengths", cname);
    if (read_ints(f, name, lengths, (size_t)B)) mask.src_lengths = lengths;
    snprintf(name, sizeof name, "%s.attn_mask", cname);
    if (read_ints(f, name, hide_int, (size_t)B * Tq * S)) {
        for (size_t i = 0; i < (size_t)B * Tq * S; i++) hide[i] = hide_int[i] != 0;
        mask.attn_mask = hide;
    }

    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    rc_attention_result r;
    rc_status s = fc->self_attn ? rc_attention_self(m, g, in[0], &mask, &r)
                                : rc_attention_forward(m, g, in[0], in[1], in[2], &mask, &r);
    RC_CHECK(s == RC_OK, "%s: %s", cname, rc_graph_error(g));
    if (s == RC_OK) {
        snprintf(name, sizeof name, "%s.output", cname);
        compare(f, name, r.output, false, FWD_ATOL, 0);
        snprintf(name, sizeof name, "%s.weights", cname);
        compare(f, name, r.weights, false, FWD_ATOL, 0);
        rc_tensor *up[2] = {r.output, r.weights};
        const char *up_names[2] = {"d_output", "d_weights"};
        for (int i = 0; i < 2; i++) {
            rc_tensor *d = NULL;
            snprintf(name, sizeof name, "%s.%s", cname, up_names[i]);
            RC_CHECK_OK(rc_st_read_new(f, name, &d));
            if (d && d->numel == up[i]->numel) memcpy(up[i]->grad, d->data, d->numel * sizeof(rc_real));
            rc_tensor_free(d);
        }
        RC_CHECK_OK(rc_graph_backward(g, NULL));
        for (int i = 0; i < n_in; i++) {
            snprintf(name, sizeof name, "%s.grad.%s", cname, names[i]);
            compare(f, name, in[i], true, GRAD_ATOL, GRAD_RTOL);
        }
        for (size_t i = 0; i < rc_params_count(ps); i++) {
            snprintf(name, sizeof name, "%s.grad.%s", cname, rc_params_name(ps, i) + strlen(cname) + 1);
            compare(f, name, rc_params_tensor(ps, i), true, GRAD_ATOL, GRAD_RTOL);
        }
    }
    rc_graph_free(g);
    free(lengths);
    free(hide_int);
    free(hide);
done:
    for (int i = 0; i < n_in; i++) rc_tensor_free(in[i]);
    rc_params_free(ps);
    rc_attention_free(m);
}

static void test_pytorch_parity(void)
{
    rc_st_file *f;
    if (rc_st_open(&f, FIXTURE) != RC_OK) {
        RC_CHECK(false, "%s", rc_last_error());
        return;
    }
    const char *list = rc_st_metadata(f, "cases");
    RC_CHECK(list != NULL, "fixture lists its cases");
    int n_cases = 0;
    while (list && *list) {
        char cname[64];
        size_t len = strcspn(list, ",");
        snprintf(cname, sizeof cname, "%.*s", (int)len, list);
        list += len + (list[len] == ',');
        const char *text = rc_st_metadata(f, cname);
        fixture_case fc;
        RC_CHECK(text && parse_case(text, &fc), "case %s: config '%s'", cname, text ? text : "(missing)");
        if (text && parse_case(text, &fc)) parity_case(f, cname, &fc);
        n_cases++;
    }
    /* one case per kind at least: tutorial 3, additive 2, dot 1, general 2, concat 1, scaled_dot 3, multihead 5 */
    RC_CHECK(n_cases == 17, "%d cases, expected 17", n_cases);
    rc_st_close(f);
}

int main(void)
{
    RC_RUN(test_shapes);
    RC_RUN(test_param_names);
    RC_RUN(test_init);
    RC_RUN(test_masked_weights);
    RC_RUN(test_inference_mode);
    RC_RUN(test_errors);
    RC_RUN(test_pytorch_parity);
    return rc_test_finish();
}
