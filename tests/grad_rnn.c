/*
 * Finite-difference checks (double build) of the recurrent layers and cells:
 * gradients with respect to x, h0, c0 and every parameter, of a loss that
 * weights output, h_n and c_n together, over every combination of mode,
 * depth, direction, layout, initial state and lengths.
 *
 * Tolerance: 1e-6 relative with central differences of step 1e-6 in double;
 * the truncation error (~eps² · f''') and rounding (~1e-16 / eps) are both
 * far below it for these tanh/sigmoid compositions of size ~1.
 *
 * relu: the derivative jumps at 0, so a finite difference is wrong when a
 * pre-activation lies within ~1e-6 of 0. Each relu layer case measures its
 * smallest |pre-activation| with the reference implementation and, below
 * RELU_MARGIN, takes the next seed (the relu cell cases check that their
 * fixed seeds stay clear); relu is then held to the same tolerance.
 */
#include <stdlib.h>

#include "harness.h"
#include "rnn_ref.h"

enum { T = 4, B = 3, I = 3, H = 3, P = 2 };
#define EPS 1e-6
#define TOL 1e-6
#define MAX_PER_INPUT 20

typedef struct variant {
    const char *name;
    rc_rnn_mode mode;
    int proj;
} variant;

static const variant variants[] = {
    {"rnn_tanh", RC_RNN_TANH, 0}, {"rnn_relu", RC_RNN_RELU, 0}, {"lstm", RC_LSTM, 0},
    {"lstm_proj", RC_LSTM, P},    {"gru", RC_GRU, 0},
};
enum { N_VARIANTS = sizeof variants / sizeof variants[0] };

static double worst_per_variant[N_VARIANTS];

typedef struct rnn_case {
    rc_rnn *m;
    rc_params *ps;
    rc_tensor *x, *h0, *c0;
    const int *lengths;
} rnn_case;

static int build_rnn(rc_graph *g, void *ctx, rc_tensor **ys)
{
    rnn_case *c = ctx;
    rc_rnn_result r;
    if (rc_rnn_forward(c->m, g, c->x, c->h0, c->c0, c->lengths, &r) != RC_OK) return 0;
    int n = 0;
    ys[n++] = r.output;
    ys[n++] = r.h_n;
    if (r.c_n) ys[n++] = r.c_n;
    return n;
}

typedef struct layout {
    int layers;
    bool bidirectional, batch_first, unbatched, with_state, var_lengths;
    rc_real dropout;
} layout;

static const int var_lengths[B] = {T, T - 2, 1};

static void case_free(rnn_case *c)
{
    rc_params_free(c->ps);
    rc_tensor_free(c->x);
    rc_tensor_free(c->h0);
    rc_tensor_free(c->c0);
    rc_rnn_free(c->m);
    *c = (rnn_case){NULL, NULL, NULL, NULL, NULL, NULL};
}

static bool case_init(rnn_case *c, const variant *v, layout lo, uint64_t seed)
{
    *c = (rnn_case){NULL, NULL, NULL, NULL, NULL, lo.var_lengths ? var_lengths : NULL};
    rc_rnn_config cfg = rc_rnn_config_default(v->mode, I, H);
    cfg.num_layers = lo.layers;
    cfg.bidirectional = lo.bidirectional;
    cfg.batch_first = lo.batch_first;
    cfg.proj_size = v->proj;
    cfg.dropout = lo.dropout;
    rc_rng rng;
    rc_rng_seed(&rng, seed);
    RC_CHECK_OK(rc_rnn_create(&c->m, &cfg, &rng));
    RC_CHECK_OK(rc_params_create(&c->ps));
    if (!c->m || !c->ps || rc_rnn_add_params(c->m, c->ps, NULL) != RC_OK) return false;

    int D = lo.bidirectional ? 2 : 1, L = lo.layers, Hout = v->proj ? v->proj : H;
    int xs[3] = {T, B, I}, hs[3] = {D * L, B, Hout}, cs[3] = {D * L, B, H};
    if (lo.batch_first) xs[0] = B, xs[1] = T;
    if (lo.unbatched) xs[1] = I, hs[1] = Hout, cs[1] = H;
    int nd = lo.unbatched ? 2 : 3;
    RC_CHECK_OK(rc_tensor_new(&c->x, nd, xs, true));
    rc_test_fill(c->x, seed + 1, -1, 1);
    if (lo.with_state) {
        RC_CHECK_OK(rc_tensor_new(&c->h0, nd, hs, true));
        rc_test_fill(c->h0, seed + 2, -1, 1);
        if (v->mode == RC_LSTM) {
            RC_CHECK_OK(rc_tensor_new(&c->c0, nd, cs, true));
            rc_test_fill(c->c0, seed + 3, -1, 1);
        }
    }
    return true;
}

/* The smallest |relu pre-activation| of the case, from the reference
 * implementation, with the dropout mask the layer will draw: the first
 * draw from a fresh graph's generator, which the harness replays. */
static double relu_margin(const rnn_case *c, layout lo)
{
    const rc_rnn_config *cfg = rc_rnn_get_config(c->m);
    int D = lo.bidirectional ? 2 : 1, Hout = cfg->proj_size ? cfg->proj_size : H;
    int Bn = lo.unbatched ? 1 : B, inner[3] = {T, Bn, D * Hout};
    size_t n_out = (size_t)T * Bn * D * Hout, n_state = (size_t)D * lo.layers * Bn * H;
    rc_real *out = malloc(n_out * sizeof *out), *h_n = malloc(n_state * sizeof *h_n);
    rc_real *c_n = malloc(n_state * sizeof *c_n);
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    rc_tensor *ones = rc_graph_tensor(g, 3, inner, false);
    for (size_t i = 0; i < ones->numel; i++) ones->data[i] = 1;
    const rc_real *mask = rc_dropout(g, ones, cfg->dropout)->data;
    rc_ref_rnn_args a = {.cfg = cfg, .ps = c->ps, .T = T, .B = Bn, .batched = !lo.unbatched, .x = c->x->data,
                         .h0 = c->h0 ? c->h0->data : NULL, .c0 = c->c0 ? c->c0->data : NULL,
                         .lengths = c->lengths, .dropout_masks = &mask};
    double margin = rc_ref_rnn(&a, out, h_n, c_n);
    rc_graph_free(g);
    free(out);
    free(h_n);
    free(c_n);
    return margin;
}

/* Gradchecks one configuration; returns the largest relative error. A relu
 * case whose seed puts a pre-activation within RELU_MARGIN of 0 (where the
 * finite difference straddles the kink) moves on to the next seed. */
#define RELU_MARGIN 1e-4
static double check_config(const variant *v, layout lo, uint64_t seed)
{
    rnn_case c;
    for (;; seed += 1000) {
        if (!case_init(&c, v, lo, seed)) {
            case_free(&c);
            return 1;
        }
        if (v->mode != RC_RNN_RELU) break;
        double margin = relu_margin(&c, lo);
        if (margin >= RELU_MARGIN) break;
        printf("  seed %llu: a relu pre-activation is %.1e from 0; next seed\n", (unsigned long long)seed, margin);
        case_free(&c);
    }
    rc_tensor *inputs[64];
    int n = 0;
    inputs[n++] = c.x;
    if (c.h0) inputs[n++] = c.h0;
    if (c.c0) inputs[n++] = c.c0;
    for (size_t i = 0; i < rc_params_count(c.ps); i++) inputs[n++] = rc_params_tensor(c.ps, i);

    char name[96];
    snprintf(name, sizeof name, "%s L%d %s%s%s%s%s%s", v->name, lo.layers, lo.bidirectional ? "bi" : "uni",
             lo.batch_first ? " bf" : "", lo.unbatched ? " unbatched" : "", lo.with_state ? " h0" : "",
             lo.var_lengths ? " varlen" : "", lo.dropout > 0 ? " dropout" : "");
    double err = rc_gradcheck_multi(name, build_rnn, &c, inputs, n, EPS, MAX_PER_INPUT, TOL);
    case_free(&c);
    return err;
}

static void record(int v, double err)
{
    if (err > worst_per_variant[v] || err != err) worst_per_variant[v] = err;
}

static void test_grad_layers_every_configuration(void)
{
    uint64_t seed = 100;
    for (int v = 0; v < N_VARIANTS; v++)
        for (int L = 1; L <= 2; L++)
            for (int bi = 0; bi < 2; bi++)
                for (int bf = 0; bf < 2; bf++)
                    for (int st = 0; st < 2; st++)
                        for (int var = 0; var < 2; var++) {
                            layout lo = {.layers = L, .bidirectional = bi, .batch_first = bf, .with_state = st,
                                         .var_lengths = var};
                            record(v, check_config(&variants[v], lo, seed += 10));
                        }
}

static void test_grad_layers_unbatched(void)
{
    for (int v = 0; v < N_VARIANTS; v++)
        for (int st = 0; st < 2; st++) {
            layout lo = {.layers = 2, .bidirectional = true, .unbatched = true, .with_state = st};
            record(v, check_config(&variants[v], lo, 7000 + 10 * (uint64_t)(2 * v + st)));
        }
}

/* Dropout between the two layers, in training mode: the harness replays
 * the graph's random stream, so every rebuild draws the same mask. */
static void test_grad_layers_dropout(void)
{
    for (int v = 0; v < N_VARIANTS; v++) {
        layout lo = {.layers = 2, .bidirectional = true, .with_state = true, .var_lengths = true, .dropout = 0.4};
        record(v, check_config(&variants[v], lo, 9000 + 10 * (uint64_t)v));
    }
}

typedef struct cell_case {
    rc_rnn_cell *cell;
    rc_tensor *x, *h, *c;
} cell_case;

static int build_cell(rc_graph *g, void *ctx, rc_tensor **ys)
{
    cell_case *c = ctx;
    rc_tensor *h, *cc;
    if (rc_rnn_cell_forward(c->cell, g, c->x, c->h, c->c, &h, &cc) != RC_OK) return 0;
    ys[0] = h;
    ys[1] = cc;
    return cc ? 2 : 1;
}

static void test_grad_cells(void)
{
    for (int v = 0; v < N_VARIANTS; v++) {
        if (variants[v].proj) continue;
        rc_rnn_mode mode = variants[v].mode;
        for (int unbatched = 0; unbatched < 2; unbatched++)
            for (int st = 0; st < 2; st++) {
                uint64_t seed = 500 + 10 * (uint64_t)(4 * v + 2 * unbatched + st);
                rc_rng rng;
                rc_rng_seed(&rng, seed);
                cell_case c = {NULL, NULL, NULL, NULL};
                RC_CHECK_OK(rc_rnn_cell_create(&c.cell, mode, I, H, true, &rng));
                int xs[2] = {B, I}, hs[2] = {B, H};
                if (unbatched) xs[0] = I, hs[0] = H;
                int nd = unbatched ? 1 : 2;
                RC_CHECK_OK(rc_tensor_new(&c.x, nd, xs, true));
                rc_test_fill(c.x, seed + 1, -1, 1);
                if (st) {
                    RC_CHECK_OK(rc_tensor_new(&c.h, nd, hs, true));
                    rc_test_fill(c.h, seed + 2, -1, 1);
                    if (mode == RC_LSTM) {
                        RC_CHECK_OK(rc_tensor_new(&c.c, nd, hs, true));
                        rc_test_fill(c.c, seed + 3, -1, 1);
                    }
                }
                rc_params *ps;
                RC_CHECK_OK(rc_params_create(&ps));
                RC_CHECK_OK(rc_rnn_cell_add_params(c.cell, ps, NULL));
                if (mode == RC_RNN_RELU) {
                    rc_real h_out[B * H];
                    double margin = rc_ref_rnn_cell(mode, ps, I, H, unbatched ? 1 : B, c.x->data,
                                                    c.h ? c.h->data : NULL, NULL, h_out, NULL);
                    RC_CHECK(margin >= RELU_MARGIN, "seed %llu puts a relu pre-activation %.1e from 0",
                             (unsigned long long)seed, margin);
                }
                rc_tensor *inputs[8];
                int n = 0;
                inputs[n++] = c.x;
                if (c.h) inputs[n++] = c.h;
                if (c.c) inputs[n++] = c.c;
                for (size_t i = 0; i < rc_params_count(ps); i++) inputs[n++] = rc_params_tensor(ps, i);
                char name[64];
                snprintf(name, sizeof name, "%s cell%s%s", variants[v].name, unbatched ? " unbatched" : "",
                         st ? " h" : "");
                record(v, rc_gradcheck_multi(name, build_cell, &c, inputs, n, EPS, 0, TOL));
                rc_params_free(ps);
                rc_tensor_free(c.x);
                rc_tensor_free(c.h);
                rc_tensor_free(c.c);
                rc_rnn_cell_free(c.cell);
            }
    }
}

int main(void)
{
    RC_RUN(test_grad_layers_every_configuration);
    RC_RUN(test_grad_layers_unbatched);
    RC_RUN(test_grad_layers_dropout);
    RC_RUN(test_grad_cells);
    printf("largest gradcheck relative error per mode:\n");
    for (int v = 0; v < N_VARIANTS; v++) printf("  %-10s %.3e\n", variants[v].name, worst_per_variant[v]);
    return rc_test_finish();
}
