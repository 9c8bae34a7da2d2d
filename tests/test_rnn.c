/*
 * nn.RNN / nn.LSTM / nn.GRU and their cells in the float build: shapes of
 * the tutorial examples, values against the plain-loop reference
 * (tests/support/rnn_ref.c, double precision, no shared code), packed-
 * sequence semantics, dropout modes, no-grad mode, parameter names and
 * every input error.
 *
 * Tolerance against the reference: 2e-5 absolute. Values are O(1) and pass
 * through at most two layers of five steps in float32, which rounds to
 * ~1e-6; a wrong formula, gate order or direction is off by O(0.1).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/tape.h"
#include "harness.h"
#include "rnn_ref.h"

#define REF_ATOL 2e-5

typedef struct variant {
    const char *name;
    rc_rnn_mode mode;
    int proj;
} variant;

static const variant variants[] = {
    {"rnn_tanh", RC_RNN_TANH, 0}, {"rnn_relu", RC_RNN_RELU, 0}, {"lstm", RC_LSTM, 0},
    {"lstm_proj", RC_LSTM, 3},    {"gru", RC_GRU, 0},
};
enum { N_VARIANTS = sizeof variants / sizeof variants[0] };

/* A module with its parameter list and inputs. */
typedef struct fixture {
    rc_rnn_config cfg;
    rc_rnn *m;
    rc_params *ps;
    rc_tensor *x, *h0, *c0;
    int T, B;
    bool batched;
} fixture;

static int n_dirs(const rc_rnn_config *c) { return c->bidirectional ? 2 : 1; }
static int h_out(const rc_rnn_config *c) { return c->proj_size ? c->proj_size : c->hidden_size; }

/* Creates the module and x (in cfg's layout, or unbatched), plus h0/c0 if
 * with_state (c0 for LSTM only), all drawn from seed. */
static void fixture_init(fixture *f, rc_rnn_config cfg, int T, int B, bool batched, bool with_state, uint64_t seed)
{
    *f = (fixture){.cfg = cfg, .T = T, .B = batched ? B : 1, .batched = batched};
    rc_rng rng;
    rc_rng_seed(&rng, seed);
    RC_CHECK_OK(rc_rnn_create(&f->m, &cfg, &rng));
    RC_CHECK_OK(rc_params_create(&f->ps));
    RC_CHECK_OK(rc_rnn_add_params(f->m, f->ps, NULL));
    int DL = n_dirs(&cfg) * cfg.num_layers;
    int xs[3] = {T, B, cfg.input_size}, hs[3] = {DL, B, h_out(&cfg)}, cs[3] = {DL, B, cfg.hidden_size};
    if (cfg.batch_first) xs[0] = B, xs[1] = T;
    if (!batched) xs[1] = cfg.input_size, hs[1] = h_out(&cfg), cs[1] = cfg.hidden_size;
    int nd = batched ? 3 : 2;
    RC_CHECK_OK(rc_tensor_new(&f->x, nd, xs, true));
    rc_test_fill(f->x, seed + 1, -1, 1);
    if (with_state) {
        RC_CHECK_OK(rc_tensor_new(&f->h0, nd, hs, true));
        rc_test_fill(f->h0, seed + 2, -1, 1);
        if (cfg.mode == RC_LSTM) {
            RC_CHECK_OK(rc_tensor_new(&f->c0, nd, cs, true));
            rc_test_fill(f->c0, seed + 3, -1, 1);
        }
    }
}

static void fixture_free(fixture *f)
{
    rc_tensor_free(f->x);
    rc_tensor_free(f->h0);
    rc_tensor_free(f->c0);
    rc_params_free(f->ps);
    rc_rnn_free(f->m);
}

/* Compares a forward result with the reference (dropout masks as given). */
static void check_against_reference(const char *name, const fixture *f, const rc_rnn_result *r, const int *lengths,
                                    const rc_real *const *masks)
{
    rc_real *out = malloc(r->output->numel * sizeof *out), *h_n = malloc(r->h_n->numel * sizeof *h_n);
    rc_real *c_n = r->c_n ? malloc(r->c_n->numel * sizeof *c_n) : NULL;
    rc_ref_rnn_args a = {.cfg = &f->cfg, .ps = f->ps, .T = f->T, .B = f->B, .batched = f->batched, .x = f->x->data,
                         .h0 = f->h0 ? f->h0->data : NULL, .c0 = f->c0 ? f->c0->data : NULL, .lengths = lengths,
                         .dropout_masks = masks};
    rc_ref_rnn(&a, out, h_n, c_n);
    char label[160];
    snprintf(label, sizeof label, "%s output", name);
    rc_test_close(label, r->output->data, out, r->output->numel, REF_ATOL, 0);
    snprintf(label, sizeof label, "%s h_n", name);
    rc_test_close(label, r->h_n->data, h_n, r->h_n->numel, REF_ATOL, 0);
    if (r->c_n) {
        snprintf(label, sizeof label, "%s c_n", name);
        rc_test_close(label, r->c_n->data, c_n, r->c_n->numel, REF_ATOL, 0);
    }
    free(out);
    free(h_n);
    free(c_n);
}

static void check_shape(const char *what, const rc_tensor *t, int ndim, const int *shape)
{
    char s[64];
    RC_CHECK(rc_tensor_has_shape(t, ndim, shape), "%s has shape %s", what, rc_shape_str(t, s, sizeof s));
}

static void test_mode_names_and_defaults(void)
{
    const char *names[RC_RNN_MODE_COUNT] = {"rnn_tanh", "rnn_relu", "lstm", "gru"};
    const int gates[RC_RNN_MODE_COUNT] = {1, 1, 4, 3};
    for (int m = 0; m < RC_RNN_MODE_COUNT; m++) {
        RC_CHECK(strcmp(rc_rnn_mode_name((rc_rnn_mode)m), names[m]) == 0, "mode %d name %s", m,
                 rc_rnn_mode_name((rc_rnn_mode)m));
        RC_CHECK(rc_rnn_mode_gates((rc_rnn_mode)m) == gates[m], "mode %d gates", m);
    }
    rc_rnn_config c = rc_rnn_config_default(RC_GRU, 7, 9);
    RC_CHECK(c.mode == RC_GRU && c.input_size == 7 && c.hidden_size == 9 && c.num_layers == 1 && c.bias &&
                 !c.batch_first && c.dropout == 0 && !c.bidirectional && c.proj_size == 0,
             "PyTorch's defaults");
}

/* The tutorial's three examples: shapes, and values against the reference. */
static void test_tutorial_shapes(void)
{
    const struct {
        rc_rnn_mode mode;
        int layers;
        bool with_state;
    } demos[] = {{RC_RNN_TANH, 1, false}, {RC_LSTM, 2, true}, {RC_GRU, 2, false}};
    for (size_t i = 0; i < sizeof demos / sizeof demos[0]; i++) {
        rc_rnn_config cfg = rc_rnn_config_default(demos[i].mode, 5, 6);
        cfg.num_layers = demos[i].layers;
        fixture f;
        fixture_init(&f, cfg, 1, 3, true, demos[i].with_state, 10 + i);
        rc_graph *g;
        RC_CHECK_OK(rc_graph_create(&g));
        rc_rnn_result r;
        RC_CHECK_OK(rc_rnn_forward(f.m, g, f.x, f.h0, f.c0, NULL, &r));
        int out_shape[3] = {1, 3, 6}, state_shape[3] = {demos[i].layers, 3, 6};
        check_shape("output", r.output, 3, out_shape);
        check_shape("h_n", r.h_n, 3, state_shape);
        if (demos[i].mode == RC_LSTM)
            check_shape("c_n", r.c_n, 3, state_shape);
        else
            RC_CHECK(r.c_n == NULL, "no c_n without a cell state");
        check_against_reference(rc_rnn_mode_name(demos[i].mode), &f, &r, NULL, NULL);
        rc_graph_free(g);
        fixture_free(&f);
    }
}

/* Every mode, depth, direction, layout, initial state and lengths. */
static void test_matches_reference(void)
{
    static const int lengths[3] = {5, 3, 1};
    uint64_t seed = 1000;
    for (int v = 0; v < N_VARIANTS; v++)
        for (int L = 1; L <= 2; L++)
            for (int bi = 0; bi < 2; bi++)
                for (int layout = 0; layout < 3; layout++) /* time-major, batch_first, unbatched */
                    for (int st = 0; st < 2; st++)
                        for (int var = 0; var < 2; var++) {
                            if (layout == 2 && var) continue;
                            rc_rnn_config cfg = rc_rnn_config_default(variants[v].mode, 4, 5);
                            cfg.num_layers = L;
                            cfg.bidirectional = bi;
                            cfg.batch_first = layout == 1;
                            cfg.proj_size = variants[v].proj;
                            fixture f;
                            fixture_init(&f, cfg, 5, 3, layout != 2, st, seed += 10);
                            rc_graph *g;
                            RC_CHECK_OK(rc_graph_create(&g));
                            rc_rnn_result r;
                            RC_CHECK_OK(rc_rnn_forward(f.m, g, f.x, f.h0, f.c0, var ? lengths : NULL, &r));
                            char name[96];
                            snprintf(name, sizeof name, "%s L%d %s %s%s%s", variants[v].name, L, bi ? "bi" : "uni",
                                     layout == 0 ? "tm" : layout == 1 ? "bf" : "unbatched", st ? " h0" : "",
                                     var ? " varlen" : "");
                            if (r.output) check_against_reference(name, &f, &r, var ? lengths : NULL, NULL);
                            rc_graph_free(g);
                            fixture_free(&f);
                        }
}

/* Steps past a sequence's end produce exactly 0 in both halves. */
static void test_padded_outputs_are_zero(void)
{
    static const int lengths[3] = {4, 2, 1};
    for (int bf = 0; bf < 2; bf++) {
        rc_rnn_config cfg = rc_rnn_config_default(RC_LSTM, 3, 4);
        cfg.num_layers = 2;
        cfg.bidirectional = true;
        cfg.batch_first = bf;
        fixture f;
        fixture_init(&f, cfg, 4, 3, true, true, 77);
        rc_graph *g;
        RC_CHECK_OK(rc_graph_create(&g));
        rc_rnn_result r;
        RC_CHECK_OK(rc_rnn_forward(f.m, g, f.x, f.h0, f.c0, lengths, &r));
        int zeros = 0, nonzero_valid = 0;
        for (int t = 0; t < 4; t++)
            for (int b = 0; b < 3; b++)
                for (int j = 0; j < 8; j++) {
                    rc_real v = r.output->data[((size_t)(bf ? b * 4 + t : t * 3 + b)) * 8 + j];
                    if (t >= lengths[b]) {
                        RC_CHECK(v == 0, "output[t=%d, b=%d, %d] = %g past the end", t, b, j, (double)v);
                        zeros++;
                    } else if (v != 0) {
                        nonzero_valid++;
                    }
                }
        RC_CHECK(zeros == (0 + 2 + 3) * 8 && nonzero_valid > 0, "%d padded values, %d nonzero valid", zeros,
                 nonzero_valid);
        rc_graph_free(g);
        fixture_free(&f);
    }
}

/* h_n, c_n and the valid outputs of a padded batch equal those of each
 * sequence run alone over its own length. */
static void test_lengths_match_separate_runs(void)
{
    enum { T = 5, B = 3, I = 3 };
    static const int lengths[B] = {3, 5, 1};
    for (int v = 0; v < N_VARIANTS; v++) {
        rc_rnn_config cfg = rc_rnn_config_default(variants[v].mode, I, 4);
        cfg.num_layers = 2;
        cfg.bidirectional = true;
        cfg.proj_size = variants[v].proj;
        fixture f;
        fixture_init(&f, cfg, T, B, true, true, 300 + (uint64_t)v);
        int D = 2, L = 2, P = h_out(&cfg), H = cfg.hidden_size, DP = D * P;
        rc_graph *g;
        RC_CHECK_OK(rc_graph_create(&g));
        rc_rnn_result r;
        RC_CHECK_OK(rc_rnn_forward(f.m, g, f.x, f.h0, f.c0, lengths, &r));
        for (int b = 0; b < B && r.output; b++) {
            int len = lengths[b], xs[3] = {len, 1, I}, hs[3] = {D * L, 1, P}, cs[3] = {D * L, 1, H};
            rc_tensor *x, *h0, *c0 = NULL;
            RC_CHECK_OK(rc_tensor_new(&x, 3, xs, false));
            RC_CHECK_OK(rc_tensor_new(&h0, 3, hs, false));
            for (int t = 0; t < len; t++) memcpy(x->data + t * I, f.x->data + (t * B + b) * I, I * sizeof(rc_real));
            for (int k = 0; k < D * L; k++) memcpy(h0->data + k * P, f.h0->data + (k * B + b) * P, P * sizeof(rc_real));
            if (f.c0) {
                RC_CHECK_OK(rc_tensor_new(&c0, 3, cs, false));
                for (int k = 0; k < D * L; k++)
                    memcpy(c0->data + k * H, f.c0->data + (k * B + b) * H, H * sizeof(rc_real));
            }
            rc_graph *g1;
            RC_CHECK_OK(rc_graph_create(&g1));
            rc_rnn_result alone;
            RC_CHECK_OK(rc_rnn_forward(f.m, g1, x, h0, c0, NULL, &alone));
            rc_real got_h[16], got_c[16], got_out[5 * 8];
            for (int k = 0; k < D * L; k++) {
                memcpy(got_h + k * P, r.h_n->data + (k * B + b) * P, P * sizeof(rc_real));
                if (r.c_n) memcpy(got_c + k * H, r.c_n->data + (k * B + b) * H, H * sizeof(rc_real));
            }
            for (int t = 0; t < len; t++)
                memcpy(got_out + t * DP, r.output->data + (t * B + b) * DP, DP * sizeof(rc_real));
            char name[64];
            /* the same arithmetic in a different batch: only float summation order may differ */
            snprintf(name, sizeof name, "%s b=%d h_n", variants[v].name, b);
            rc_test_close(name, got_h, alone.h_n->data, (size_t)(D * L * P), 1e-6, 0);
            if (r.c_n) {
                snprintf(name, sizeof name, "%s b=%d c_n", variants[v].name, b);
                rc_test_close(name, got_c, alone.c_n->data, (size_t)(D * L * H), 1e-6, 0);
            }
            snprintf(name, sizeof name, "%s b=%d output", variants[v].name, b);
            rc_test_close(name, got_out, alone.output->data, (size_t)(len * DP), 1e-6, 0);
            rc_graph_free(g1);
            rc_tensor_free(x);
            rc_tensor_free(h0);
            rc_tensor_free(c0);
        }
        rc_graph_free(g);
        fixture_free(&f);
    }
}

/* Dropout acts between layers in training mode only. */
static void test_dropout_training_only(void)
{
    rc_rnn_config cfg = rc_rnn_config_default(RC_GRU, 3, 4);
    cfg.num_layers = 2;
    cfg.bidirectional = true;
    cfg.dropout = 0.5;
    fixture f;
    fixture_init(&f, cfg, 4, 2, true, true, 55);
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));

    rc_graph_set_training(g, false);
    rc_rnn_result r;
    RC_CHECK_OK(rc_rnn_forward(f.m, g, f.x, f.h0, NULL, NULL, &r));
    check_against_reference("eval (no dropout)", &f, &r, NULL, NULL);

    /* training: the mask is the graph generator's first draw, as rc_dropout
     * makes it on a fresh graph */
    rc_graph *gm;
    RC_CHECK_OK(rc_graph_create(&gm));
    int inner[3] = {4, 2, 8};
    rc_tensor *ones = rc_graph_tensor(gm, 3, inner, false);
    for (size_t i = 0; i < ones->numel; i++) ones->data[i] = 1;
    const rc_real *mask = rc_dropout(gm, ones, cfg.dropout)->data;
    rc_graph *gt;
    RC_CHECK_OK(rc_graph_create(&gt));
    RC_CHECK(rc_graph_is_training(gt), "training is the default");
    rc_rnn_result rt;
    RC_CHECK_OK(rc_rnn_forward(f.m, gt, f.x, f.h0, NULL, NULL, &rt));
    check_against_reference("training (dropout)", &f, &rt, NULL, &mask);
    double diff = 0;
    for (size_t i = 0; i < rt.output->numel; i++)
        diff = fmax(diff, fabs((double)(rt.output->data[i] - r.output->data[i])));
    RC_CHECK(diff > 1e-3, "dropout changed the output by only %g", diff);
    rc_graph_free(gm);
    rc_graph_free(gt);
    rc_graph_free(g);
    fixture_free(&f);
}

/* With gradients disabled nothing is recorded and no grad buffer exists. */
static void test_no_grad_records_nothing(void)
{
    rc_rnn_config cfg = rc_rnn_config_default(RC_LSTM, 3, 4);
    cfg.num_layers = 2;
    cfg.bidirectional = true;
    fixture f;
    fixture_init(&f, cfg, 4, 2, true, true, 66);
    rc_graph *g, *g_ng;
    RC_CHECK_OK(rc_graph_create(&g));
    RC_CHECK_OK(rc_graph_create(&g_ng));
    rc_graph_set_grad_enabled(g_ng, false);
    rc_rnn_result r, rn;
    RC_CHECK_OK(rc_rnn_forward(f.m, g, f.x, f.h0, f.c0, NULL, &r));
    RC_CHECK_OK(rc_rnn_forward(f.m, g_ng, f.x, f.h0, f.c0, NULL, &rn));
    RC_CHECK(rn.output->grad == NULL && rn.h_n->grad == NULL && rn.c_n->grad == NULL, "no grad buffers");
    RC_CHECK(r.output->grad != NULL && r.h_n->grad != NULL && r.c_n->grad != NULL, "grad buffers when enabled");
    rc_test_close("no-grad output", rn.output->data, r.output->data, r.output->numel, 0, 0);
    rc_test_close("no-grad h_n", rn.h_n->data, r.h_n->data, r.h_n->numel, 0, 0);
    rc_params_zero_grad(f.ps);
    RC_CHECK_OK(rc_graph_backward(g_ng, NULL));
    double touched = 0;
    for (size_t i = 0; i < rc_params_count(f.ps); i++) {
        const rc_tensor *t = rc_params_tensor(f.ps, i);
        for (size_t j = 0; j < t->numel; j++) touched = fmax(touched, fabs((double)t->grad[j]));
    }
    RC_CHECK(touched == 0, "backward of a no-grad graph changed a parameter grad by %g", touched);
    rc_graph_free(g);
    rc_graph_free(g_ng);
    fixture_free(&f);
}

/* The exact state_dict names, order and shapes; init within U(−1/√H, 1/√H). */
static void test_parameter_names(void)
{
    rc_rnn_config cfg = rc_rnn_config_default(RC_LSTM, 3, 4);
    cfg.num_layers = 2;
    cfg.bidirectional = true;
    cfg.proj_size = 2;
    rc_rng rng;
    rc_rng_seed(&rng, 5);
    rc_rnn *m;
    RC_CHECK_OK(rc_rnn_create(&m, &cfg, &rng));
    rc_params *ps;
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_rnn_add_params(m, ps, "lstm"));
    static const char *const want[] = {
        "lstm.weight_ih_l0",         "lstm.weight_hh_l0",         "lstm.bias_ih_l0",
        "lstm.bias_hh_l0",           "lstm.weight_hr_l0",         "lstm.weight_ih_l0_reverse",
        "lstm.weight_hh_l0_reverse", "lstm.bias_ih_l0_reverse",   "lstm.bias_hh_l0_reverse",
        "lstm.weight_hr_l0_reverse", "lstm.weight_ih_l1",         "lstm.weight_hh_l1",
        "lstm.bias_ih_l1",           "lstm.bias_hh_l1",           "lstm.weight_hr_l1",
        "lstm.weight_ih_l1_reverse", "lstm.weight_hh_l1_reverse", "lstm.bias_ih_l1_reverse",
        "lstm.bias_hh_l1_reverse",   "lstm.weight_hr_l1_reverse",
    };
    /* weight_ih (4H, I_k) with I_1 = D·P, weight_hh (4H, P), biases (4H), weight_hr (P, H) */
    static const int shapes[5][2] = {{16, 3}, {16, 2}, {16, 0}, {16, 0}, {2, 4}};
    RC_CHECK(rc_params_count(ps) == 20, "%zu parameters", rc_params_count(ps));
    for (size_t i = 0; i < rc_params_count(ps) && i < 20; i++) {
        RC_CHECK(strcmp(rc_params_name(ps, i), want[i]) == 0, "param %zu is %s, want %s", i, rc_params_name(ps, i),
                 want[i]);
        const rc_tensor *t = rc_params_tensor(ps, i);
        int k = (int)(i % 5), cols = shapes[k][1] ? (i >= 10 && k == 0 ? 4 : shapes[k][1]) : 0;
        int shape[2] = {shapes[k][0], cols};
        check_shape(want[i], t, cols ? 2 : 1, shape);
        double lo = 1, hi = -1;
        for (size_t j = 0; j < t->numel; j++) lo = fmin(lo, t->data[j]), hi = fmax(hi, t->data[j]);
        RC_CHECK(lo >= -0.5 && hi <= 0.5 && hi - lo > 0.1, "%s drawn in [%g, %g], want within ±1/√4", want[i], lo,
                 hi);
    }
    rc_params_free(ps);
    rc_rnn_free(m);

    cfg = rc_rnn_config_default(RC_GRU, 3, 4);
    cfg.bias = false;
    rc_rng_seed(&rng, 5);
    RC_CHECK_OK(rc_rnn_create(&m, &cfg, &rng));
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_rnn_add_params(m, ps, NULL));
    RC_CHECK(rc_params_count(ps) == 2 && strcmp(rc_params_name(ps, 0), "weight_ih_l0") == 0 &&
                 strcmp(rc_params_name(ps, 1), "weight_hh_l0") == 0,
             "bias=false has only the two weights");
    rc_params_free(ps);
    rc_rnn_free(m);
}

/* A configuration error: status, and a message naming the field. */
static void expect_config_error(rc_rnn_config cfg, const char *needle)
{
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_rnn *m = (rc_rnn *)&rng;
    rc_status s = rc_rnn_create(&m, &cfg, &rng);
    RC_CHECK(s == RC_E_INVALID && m == NULL, "status %s for '%s'", rc_status_str(s), needle);
    RC_CHECK(strstr(rc_last_error(), needle) != NULL, "message '%s' lacks '%s'", rc_last_error(), needle);
}

static void test_config_errors(void)
{
    rc_rnn_config c = rc_rnn_config_default(RC_LSTM, 3, 4);
    c.input_size = 0;
    expect_config_error(c, "config.input_size = 0");
    c = rc_rnn_config_default(RC_LSTM, 3, 0);
    expect_config_error(c, "config.hidden_size = 0");
    c = rc_rnn_config_default(RC_LSTM, 3, 4);
    c.num_layers = 0;
    expect_config_error(c, "config.num_layers = 0");
    c = rc_rnn_config_default(RC_LSTM, 3, 4);
    c.dropout = 1;
    expect_config_error(c, "config.dropout = 1");
    c.dropout = -0.1f;
    expect_config_error(c, "config.dropout = -0.1");
    c.dropout = NAN;
    expect_config_error(c, "config.dropout = nan");
    c = rc_rnn_config_default(RC_GRU, 3, 4);
    c.proj_size = 2;
    expect_config_error(c, "only lstm supports a projection");
    c = rc_rnn_config_default(RC_LSTM, 3, 4);
    c.proj_size = 4;
    expect_config_error(c, "config.proj_size = 4, expected < hidden_size = 4");
    c.proj_size = -1;
    expect_config_error(c, "config.proj_size = -1");
    c.proj_size = 0;
    c.mode = RC_RNN_MODE_COUNT;
    expect_config_error(c, "config.mode = 4");
}

/* A forward error: status, message, and the same error sticky in the graph;
 * a later call on the failed graph returns it without running. */
static void expect_forward_error(const fixture *f, rc_tensor *x, rc_tensor *h0, rc_tensor *c0, const int *lengths,
                                 rc_status want, const char *needle)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    rc_rnn_result r = {f->x, f->x, f->x};
    rc_status s = rc_rnn_forward(f->m, g, x, h0, c0, lengths, &r);
    RC_CHECK(s == want, "status %s, want %s for '%s'", rc_status_str(s), rc_status_str(want), needle);
    RC_CHECK(r.output == NULL && r.h_n == NULL && r.c_n == NULL, "results cleared");
    RC_CHECK(strstr(rc_last_error(), needle) != NULL, "message '%s' lacks '%s'", rc_last_error(), needle);
    RC_CHECK(rc_graph_status(g) == want && strstr(rc_graph_error(g), needle) != NULL, "sticky: %s",
             rc_graph_error(g));
    RC_CHECK(rc_rnn_forward(f->m, g, f->x, NULL, NULL, NULL, &r) == want && r.output == NULL,
             "a failed graph refuses later calls");
    rc_graph_free(g);
}

static void test_forward_errors(void)
{
    fixture lstm, gru;
    fixture_init(&lstm, rc_rnn_config_default(RC_LSTM, 3, 4), 4, 2, true, true, 1);
    fixture_init(&gru, rc_rnn_config_default(RC_GRU, 3, 4), 4, 2, true, true, 2);
    rc_tensor *t;

    int bad_i[3] = {4, 2, 5};
    RC_CHECK_OK(rc_tensor_new(&t, 3, bad_i, false));
    expect_forward_error(&lstm, t, NULL, NULL, NULL, RC_E_SHAPE,
                         "x has shape (4, 2, 5), expected last size input_size = 3");
    rc_tensor_free(t);
    int rank4[4] = {4, 2, 1, 3};
    RC_CHECK_OK(rc_tensor_new(&t, 4, rank4, false));
    expect_forward_error(&lstm, t, NULL, NULL, NULL, RC_E_SHAPE, "x has shape (4, 2, 1, 3), expected (T, B, I)");
    rc_tensor_free(t);

    int bad_h[3] = {1, 3, 4};
    RC_CHECK_OK(rc_tensor_new(&t, 3, bad_h, false));
    expect_forward_error(&lstm, lstm.x, t, lstm.c0, NULL, RC_E_SHAPE, "h0 has shape (1, 3, 4), expected (1, 2, 4)");
    expect_forward_error(&lstm, lstm.x, lstm.h0, t, NULL, RC_E_SHAPE, "c0 has shape (1, 3, 4), expected (1, 2, 4)");
    rc_tensor_free(t);
    int unbatched_h[2] = {1, 4};
    RC_CHECK_OK(rc_tensor_new(&t, 2, unbatched_h, false));
    expect_forward_error(&lstm, lstm.x, t, NULL, NULL, RC_E_SHAPE, "h0 has shape (1, 4), expected (1, 2, 4)");
    rc_tensor_free(t);

    expect_forward_error(&gru, gru.x, gru.h0, lstm.c0, NULL, RC_E_INVALID, "c0 given, but gru has no cell state");

    int zero_len[2] = {4, 0}, long_len[2] = {5, 1};
    expect_forward_error(&gru, gru.x, NULL, NULL, zero_len, RC_E_INVALID,
                         "lengths[1] = 0, expected 1 <= length <= T = 4");
    expect_forward_error(&gru, gru.x, NULL, NULL, long_len, RC_E_INVALID,
                         "lengths[0] = 5, expected 1 <= length <= T = 4");

    /* a NULL x (an earlier op failed) is refused by name */
    expect_forward_error(&gru, NULL, NULL, NULL, NULL, RC_E_INVALID, "gru: input 0 is NULL");
    fixture_free(&lstm);
    fixture_free(&gru);
}

/* Cells against a one-step reference, batched and unbatched. */
static void test_cells_match_reference(void)
{
    enum { B = 3, I = 4, H = 5 };
    for (int m = 0; m < RC_RNN_MODE_COUNT; m++)
        for (int unbatched = 0; unbatched < 2; unbatched++)
            for (int st = 0; st < 2; st++) {
                rc_rnn_mode mode = (rc_rnn_mode)m;
                uint64_t seed = 40 + 4 * (uint64_t)m + 2 * (uint64_t)unbatched + (uint64_t)st;
                rc_rng rng;
                rc_rng_seed(&rng, seed);
                rc_rnn_cell *cell;
                RC_CHECK_OK(rc_rnn_cell_create(&cell, mode, I, H, true, &rng));
                RC_CHECK(rc_rnn_cell_mode(cell) == mode && rc_rnn_cell_hidden_size(cell) == H, "accessors");
                rc_params *ps;
                RC_CHECK_OK(rc_params_create(&ps));
                RC_CHECK_OK(rc_rnn_cell_add_params(cell, ps, NULL));
                RC_CHECK(rc_params_count(ps) == 4 && strcmp(rc_params_name(ps, 0), "weight_ih") == 0 &&
                             strcmp(rc_params_name(ps, 3), "bias_hh") == 0,
                         "cell parameter names");
                int nd = unbatched ? 1 : 2, Bn = unbatched ? 1 : B;
                int xs[2] = {B, I}, hs[2] = {B, H};
                if (unbatched) xs[0] = I, hs[0] = H;
                rc_tensor *x, *h = NULL, *c = NULL;
                RC_CHECK_OK(rc_tensor_new(&x, nd, xs, false));
                rc_test_fill(x, seed + 1, -1, 1);
                if (st) {
                    RC_CHECK_OK(rc_tensor_new(&h, nd, hs, false));
                    rc_test_fill(h, seed + 2, -1, 1);
                    if (mode == RC_LSTM) {
                        RC_CHECK_OK(rc_tensor_new(&c, nd, hs, false));
                        rc_test_fill(c, seed + 3, -1, 1);
                    }
                }
                rc_graph *g;
                RC_CHECK_OK(rc_graph_create(&g));
                rc_tensor *h1, *c1;
                RC_CHECK_OK(rc_rnn_cell_forward(cell, g, x, h, c, &h1, &c1));
                RC_CHECK(rc_tensor_has_shape(h1, nd, hs), "h' shape");
                RC_CHECK((mode == RC_LSTM) == (c1 != NULL), "c' for lstm only");
                rc_real want_h[B * H], want_c[B * H];
                rc_ref_rnn_cell(mode, ps, I, H, Bn, x->data, h ? h->data : NULL, c ? c->data : NULL, want_h, want_c);
                char name[64];
                snprintf(name, sizeof name, "%s cell%s%s h'", rc_rnn_mode_name(mode), unbatched ? " unbatched" : "",
                         st ? " h" : "");
                if (h1) rc_test_close(name, h1->data, want_h, (size_t)(Bn * H), REF_ATOL, 0);
                if (c1) rc_test_close("  c'", c1->data, want_c, (size_t)(Bn * H), REF_ATOL, 0);
                rc_graph_free(g);
                rc_tensor_free(x);
                rc_tensor_free(h);
                rc_tensor_free(c);
                rc_params_free(ps);
                rc_rnn_cell_free(cell);
            }
}

static void expect_cell_error(rc_rnn_cell *cell, rc_tensor *x, rc_tensor *h, rc_tensor *c, rc_status want,
                              const char *needle)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    rc_tensor *h1 = x, *c1 = x;
    rc_status s = rc_rnn_cell_forward(cell, g, x, h, c, &h1, &c1);
    RC_CHECK(s == want && h1 == NULL && c1 == NULL, "status %s for '%s'", rc_status_str(s), needle);
    RC_CHECK(strstr(rc_last_error(), needle) != NULL, "message '%s' lacks '%s'", rc_last_error(), needle);
    RC_CHECK(rc_graph_status(g) == want, "sticky");
    rc_graph_free(g);
}

static void test_cell_errors(void)
{
    rc_rng rng;
    rc_rng_seed(&rng, 3);
    rc_rnn_cell *cell = NULL;
    RC_CHECK(rc_rnn_cell_create(&cell, RC_GRU, 0, 4, true, &rng) == RC_E_INVALID && cell == NULL, "input_size 0");
    RC_CHECK(strstr(rc_last_error(), "input_size = 0") != NULL, "%s", rc_last_error());
    RC_CHECK(rc_rnn_cell_create(&cell, RC_GRU, 3, -2, true, &rng) == RC_E_INVALID, "hidden_size -2");
    RC_CHECK(strstr(rc_last_error(), "hidden_size = -2") != NULL, "%s", rc_last_error());
    RC_CHECK(rc_rnn_cell_create(&cell, (rc_rnn_mode)9, 3, 4, true, &rng) == RC_E_INVALID, "bad mode");
    RC_CHECK(strstr(rc_last_error(), "mode = 9") != NULL, "%s", rc_last_error());

    RC_CHECK_OK(rc_rnn_cell_create(&cell, RC_GRU, 3, 4, true, &rng));
    int xs[2] = {2, 3}, bad_x[2] = {2, 5}, hs[2] = {2, 4}, bad_h[2] = {3, 4}, h1s[1] = {4};
    rc_tensor *x, *xb, *h, *hb, *h1;
    RC_CHECK_OK(rc_tensor_new(&x, 2, xs, false));
    RC_CHECK_OK(rc_tensor_new(&xb, 2, bad_x, false));
    RC_CHECK_OK(rc_tensor_new(&h, 2, hs, false));
    RC_CHECK_OK(rc_tensor_new(&hb, 2, bad_h, false));
    RC_CHECK_OK(rc_tensor_new(&h1, 1, h1s, false));
    expect_cell_error(cell, xb, NULL, NULL, RC_E_SHAPE, "x has shape (2, 5), expected (B, 3)");
    expect_cell_error(cell, x, hb, NULL, RC_E_SHAPE, "h has shape (3, 4), expected (2, 4)");
    expect_cell_error(cell, x, h1, NULL, RC_E_SHAPE, "h has shape (4,), expected (2, 4)");
    expect_cell_error(cell, x, h, h, RC_E_INVALID, "c given, but gru has no cell state");
    rc_tensor_free(x);
    rc_tensor_free(xb);
    rc_tensor_free(h);
    rc_tensor_free(hb);
    rc_tensor_free(h1);
    rc_rnn_cell_free(cell);
}

/* Repeated identical training steps (batch_first, lengths, dropout, forward
 * and backward) reuse the arena: it stops growing after the first step. */
static void test_steady_state_memory(void)
{
    rc_rnn_config cfg = rc_rnn_config_default(RC_LSTM, 3, 4);
    cfg.num_layers = 2;
    cfg.bidirectional = true;
    cfg.batch_first = true;
    cfg.dropout = 0.2f;
    fixture f;
    fixture_init(&f, cfg, 4, 2, true, true, 88);
    static const int lengths[2] = {4, 2};
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    size_t bytes[3];
    for (int step = 0; step < 3; step++) {
        rc_graph_reset(g);
        rc_rnn_result r;
        RC_CHECK_OK(rc_rnn_forward(f.m, g, f.x, f.h0, f.c0, lengths, &r));
        RC_CHECK(r.output != NULL, "%s", rc_graph_error(g));
        for (size_t i = 0; r.output && i < r.output->numel; i++) r.output->grad[i] = 1;
        RC_CHECK_OK(rc_graph_backward(g, NULL));
        bytes[step] = rc_graph_arena_bytes(g);
    }
    RC_CHECK(bytes[1] == bytes[2], "arena grew from %zu to %zu bytes", bytes[1], bytes[2]);
    rc_graph_free(g);
    fixture_free(&f);
}

/* Forward and backward of f with lengths in g; the gradients of x and of
 * every parameter, concatenated, into grads (n values). */
static void run_grads(fixture *f, rc_graph *g, const int *lengths, rc_real *grads, size_t n)
{
    rc_params_zero_grad(f->ps);
    rc_tensor_zero_grad(f->x);
    rc_rnn_result r;
    RC_CHECK_OK(rc_rnn_forward(f->m, g, f->x, NULL, NULL, lengths, &r));
    for (size_t i = 0; r.output && i < r.output->numel; i++) r.output->grad[i] = (rc_real)(i % 7) - 3;
    RC_CHECK_OK(rc_graph_backward(g, NULL));
    size_t off = f->x->numel;
    memcpy(grads, f->x->grad, off * sizeof *grads);
    for (size_t i = 0; i < rc_params_count(f->ps); i++) {
        const rc_tensor *p = rc_params_tensor(f->ps, i);
        memcpy(grads + off, p->grad, p->numel * sizeof *grads);
        off += p->numel;
    }
    RC_CHECK(off == n, "%zu gradient values, expected %zu", off, n);
}

/* A graph's arena hands out memory that earlier steps wrote, and that may
 * hold NaN; no gradient may depend on it. Sequences that end before the
 * others leave rows that the time loop skips (LSTM with projection: the
 * pre-projection outputs of those rows); the gradients must be those of a
 * fresh graph, bit for bit (the same arithmetic in the same order). */
static void test_arena_garbage_does_not_reach_grads(void)
{
    static const int lengths[3] = {5, 2, 1};
    rc_rnn_config cfg = rc_rnn_config_default(RC_LSTM, 3, 4);
    cfg.bidirectional = true;
    cfg.proj_size = 3;
    fixture f;
    fixture_init(&f, cfg, 5, 3, true, false, 91);
    size_t n = f.x->numel + rc_params_numel(f.ps);
    rc_real *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
    rc_graph *fresh, *used;
    RC_CHECK_OK(rc_graph_create(&fresh));
    RC_CHECK_OK(rc_graph_create(&used));
    run_grads(&f, fresh, lengths, want, n);
    /* one block of NaN, larger than the step needs, which the reset keeps */
    size_t bytes = (size_t)1 << 20;
    rc_real *junk = rc_tape_alloc(used, bytes);
    RC_CHECK(junk != NULL, "%s", rc_graph_error(used));
    for (size_t i = 0; junk && i < bytes / sizeof *junk; i++) junk[i] = NAN;
    rc_graph_reset(used);
    run_grads(&f, used, lengths, got, n);
    rc_test_close("lstm proj, lengths: grads in a used arena vs a fresh one", got, want, n, 0, 0);
    rc_graph_free(fresh);
    rc_graph_free(used);
    free(want);
    free(got);
    fixture_free(&f);
}

/* A NaN in the input reaches the output in every mode, as in PyTorch, so
 * that training's NaN check sees it (relu must not turn it into 0). */
static void test_nan_propagates(void)
{
    for (int v = 0; v < N_VARIANTS; v++) {
        rc_rnn_config cfg = rc_rnn_config_default(variants[v].mode, 3, 4);
        cfg.proj_size = variants[v].proj;
        fixture f;
        fixture_init(&f, cfg, 3, 2, true, false, 90);
        for (int k = 0; k < 3; k++) f.x->data[k] = (rc_real)NAN; /* step 0, batch 0 */
        rc_graph *g;
        RC_CHECK_OK(rc_graph_create(&g));
        rc_rnn_result r;
        RC_CHECK_OK(rc_rnn_forward(f.m, g, f.x, NULL, NULL, NULL, &r));
        int P = h_out(&cfg);
        int nan_b0 = 0, nan_b1 = 0;
        for (int j = 0; j < P; j++) {
            nan_b0 += isnan((double)r.h_n->data[j]);
            nan_b1 += isnan((double)r.h_n->data[P + j]);
        }
        RC_CHECK(nan_b0 == P && nan_b1 == 0, "%s: NaN in h_n: %d of %d units of the NaN sequence, %d of the other",
                 variants[v].name, nan_b0, P, nan_b1);
        printf("  %-9s NaN input: h_n NaN in %d/%d units of its sequence, %d of the other\n", variants[v].name, nan_b0,
               P, nan_b1);
        rc_graph_free(g);
        fixture_free(&f);
    }
}

int main(void)
{
    RC_RUN(test_mode_names_and_defaults);
    RC_RUN(test_tutorial_shapes);
    RC_RUN(test_matches_reference);
    RC_RUN(test_padded_outputs_are_zero);
    RC_RUN(test_lengths_match_separate_runs);
    RC_RUN(test_dropout_training_only);
    RC_RUN(test_no_grad_records_nothing);
    RC_RUN(test_nan_propagates);
    RC_RUN(test_parameter_names);
    RC_RUN(test_config_errors);
    RC_RUN(test_forward_errors);
    RC_RUN(test_cells_match_reference);
    RC_RUN(test_cell_errors);
    RC_RUN(test_steady_state_memory);
    RC_RUN(test_arena_garbage_does_not_reach_grads);
    return rc_test_finish();
}
