/*
 * nn.RNN, nn.LSTM and nn.GRU: configuration, parameters, input checks and
 * the stacking of layers and directions. Each layer is one tape node that
 * runs both directions (sequence.c) and writes its slice of the output
 * (forward half first) and its rows of h_n and c_n directly.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recur/ops.h"
#include "recur/runtime.h"
#include "rnn/sequence.h"

struct rc_rnn {
    rc_rnn_config cfg;
    rc_seq_params *w; /* num_layers·D directions; layer k direction d at k·D + d */
};

static int n_dirs(const rc_rnn_config *c) { return c->bidirectional ? 2 : 1; }
static int h_out(const rc_rnn_config *c) { return c->proj_size > 0 ? c->proj_size : c->hidden_size; }

rc_rnn_config rc_rnn_config_default(rc_rnn_mode mode, int input_size, int hidden_size)
{
    return (rc_rnn_config){.mode = mode, .input_size = input_size, .hidden_size = hidden_size, .num_layers = 1,
                           .bias = true, .batch_first = false, .dropout = 0, .bidirectional = false,
                           .proj_size = 0};
}

/* Sizes are bounded so that G·H and D·H stay far from int overflow. */
#define MAX_SIZE (INT_MAX / 16)

static rc_status check_config(const rc_rnn_config *c)
{
    if ((int)c->mode < 0 || c->mode >= RC_RNN_MODE_COUNT)
        return rc_error(RC_E_INVALID, "rnn: config.mode = %d is not an rc_rnn_mode", (int)c->mode);
    const char *name = rc_rnn_mode_name(c->mode);
    if (c->input_size < 1 || c->input_size > MAX_SIZE)
        return rc_error(RC_E_INVALID, "%s: config.input_size = %d, expected 1 <= input_size <= %d", name,
                        c->input_size, MAX_SIZE);
    if (c->hidden_size < 1 || c->hidden_size > MAX_SIZE)
        return rc_error(RC_E_INVALID, "%s: config.hidden_size = %d, expected 1 <= hidden_size <= %d", name,
                        c->hidden_size, MAX_SIZE);
    if (c->num_layers < 1)
        return rc_error(RC_E_INVALID, "%s: config.num_layers = %d, expected >= 1", name, c->num_layers);
    if (!(c->dropout >= 0 && c->dropout < 1))
        return rc_error(RC_E_INVALID, "%s: config.dropout = %g, expected 0 <= dropout < 1", name, (double)c->dropout);
    if (c->proj_size < 0)
        return rc_error(RC_E_INVALID, "%s: config.proj_size = %d, expected >= 0", name, c->proj_size);
    if (c->proj_size > 0 && c->mode != RC_LSTM)
        return rc_error(RC_E_INVALID, "%s: config.proj_size = %d, but only lstm supports a projection", name,
                        c->proj_size);
    if (c->proj_size >= c->hidden_size)
        return rc_error(RC_E_INVALID, "%s: config.proj_size = %d, expected < hidden_size = %d", name, c->proj_size,
                        c->hidden_size);
    return RC_OK;
}

rc_status rc_rnn_create(rc_rnn **out, const rc_rnn_config *cfg, rc_rng *rng)
{
    RC_ASSERT(out != NULL && cfg != NULL && rng != NULL);
    *out = NULL;
    rc_status s = check_config(cfg);
    if (s != RC_OK) return s;
    int D = n_dirs(cfg), P = h_out(cfg), G = rc_rnn_mode_gates(cfg->mode);
    rc_rnn *m = calloc(1, sizeof *m);
    if (m) m->w = calloc((size_t)cfg->num_layers * D, sizeof *m->w);
    if (!m || !m->w) {
        free(m);
        return rc_error(RC_E_NOMEM, "%s: out of memory", rc_rnn_mode_name(cfg->mode));
    }
    m->cfg = *cfg;
    for (int k = 0; k < cfg->num_layers; k++)
        for (int d = 0; d < D; d++) {
            int I = k == 0 ? cfg->input_size : D * P;
            s = rc_seq_params_create(&m->w[k * D + d], G, I, cfg->hidden_size, P, cfg->bias, rng);
            if (s != RC_OK) {
                rc_rnn_free(m);
                return s;
            }
        }
    *out = m;
    return RC_OK;
}

void rc_rnn_free(rc_rnn *m)
{
    if (!m) return;
    for (int i = 0; i < m->cfg.num_layers * n_dirs(&m->cfg); i++) rc_seq_params_free(&m->w[i]);
    free(m->w);
    free(m);
}

const rc_rnn_config *rc_rnn_get_config(const rc_rnn *m) { return &m->cfg; }

rc_status rc_rnn_add_params(const rc_rnn *m, rc_params *ps, const char *prefix)
{
    int D = n_dirs(&m->cfg);
    for (int k = 0; k < m->cfg.num_layers; k++)
        for (int d = 0; d < D; d++) {
            char suffix[32];
            snprintf(suffix, sizeof suffix, "_l%d%s", k, d ? "_reverse" : "");
            rc_status s = rc_seq_params_add(&m->w[k * D + d], ps, prefix, suffix);
            if (s != RC_OK) return s;
        }
    return RC_OK;
}

/* ---- one forward call -------------------------------------------------- */

/* What every layer of one call shares. */
typedef struct run {
    rc_graph *g;
    const rc_rnn *m;
    int T, B, D, H, P;
    bool batched, batch_first; /* batch_first: x and output are (B, T, ...) */
    const int *lengths;        /* arena copy, or NULL */
    bool rec;                  /* record nodes */
    rc_tensor *h0, *c0, *h_n, *c_n;
} run;

/* A layer node's saved state. */
typedef struct layer_ctx {
    rc_seq dir[2];
    int layer, D, T, B, I;
    rc_real *x_tm;       /* time-major copy of a batch-first input, else NULL */
    rc_real *dx_tm;      /* its gradient, when the input needs one */
    size_t out_t, out_b; /* output row strides per step and per sequence */
} layer_ctx;

static rc_real *data_of(rc_tensor *t) { return t ? t->data : NULL; }

/* Threads to run the directions of c side by side with: one unless each
 * direction's products over the sequence are large enough to pay for waking
 * another thread (the same reasoning as the time loop's own threshold). */
static int dir_threads(const layer_ctx *c)
{
    const rc_seq *s = &c->dir[0];
    double flops = 2.0 * s->T * s->B * s->cell->gates * s->H * (double)(s->I + s->P);
    int n = rc_num_threads();
    if (c->D < 2 || flops < 1 << 22) return 1;
    return n < c->D ? n : c->D;
}
static rc_real *grad_of(rc_tensor *t) { return t ? t->grad : NULL; }

/* Where direction d of a layer reads and writes: its column half of the
 * output and its row of the (D·L, B, ·) initial and final states. Serves
 * forward (data pointers) and backward (grad pointers) alike. */
static rc_seq_io dir_io(const layer_ctx *c, int d, rc_real *x, rc_real *out, rc_real *h0, rc_real *c0, rc_real *h_n,
                        rc_real *c_n)
{
    const rc_seq *s = &c->dir[d];
    size_t row = (size_t)c->layer * c->D + d, BP = (size_t)s->B * s->P, BH = (size_t)s->B * s->H;
    return (rc_seq_io){.x = x, .out = out ? out + (size_t)d * s->P : NULL, .out_t = c->out_t, .out_b = c->out_b,
                       .h0 = h0 ? h0 + row * BP : NULL, .c0 = c0 ? c0 + row * BH : NULL,
                       .h_n = h_n ? h_n + row * BP : NULL, .c_n = c_n ? c_n + row * BH : NULL};
}

/* dst (T, B, w) = src (B, T, w) */
static void to_time_major(rc_real *dst, const rc_real *src, int T, int B, size_t w)
{
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++)
            memcpy(dst + ((size_t)t * B + b) * w, src + ((size_t)b * T + t) * w, w * sizeof(rc_real));
}

/* forward was X (T, B, w) = x (B, T, w), so dx += dX transposed */
static void add_batch_first(rc_real *dx, const rc_real *dX, int T, int B, size_t w)
{
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            const rc_real *src = dX + ((size_t)t * B + b) * w;
            rc_real *dst = dx + ((size_t)b * T + t) * w;
            for (size_t j = 0; j < w; j++) dst[j] += src[j];
        }
}

static void layer_node_backward(rc_node *n)
{
    layer_ctx *c = n->ctx;
    rc_tensor *x = n->in[0], *y = n->out[0], *h_n = n->out[1], *c_n = n->n_out > 2 ? n->out[2] : NULL;
    size_t x_numel = (size_t)c->T * c->B * c->I;
    const rc_real *X = c->x_tm ? c->x_tm : x->data;
    rc_real *dX = c->dx_tm ? c->dx_tm : x->grad;
    if (c->dx_tm) memset(c->dx_tm, 0, x_numel * sizeof(rc_real));
    rc_seq_io gio[2];
    for (int d = 0; d < c->D; d++)
        gio[d] = dir_io(c, d, dX, y->grad, grad_of(n->in[1]), grad_of(n->in[2]), h_n->grad, grad_of(c_n));
    /* the directions' time loops touch disjoint memory; their products over
     * all steps both add into dX, so they follow one after the other */
    int nt = dir_threads(c);
    (void)nt;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
#endif
    for (int d = 0; d < c->D; d++) rc_seq_bptt(&c->dir[d], &gio[d]);
    for (int d = 0; d < c->D; d++) rc_seq_grads(&c->dir[d], X, &gio[d]);
    if (c->dx_tm) add_batch_first(x->grad, c->dx_tm, c->T, c->B, (size_t)c->I);
}

/* Runs layer k on x into y (and its rows of h_n, c_n); records its node. */
static bool run_layer(const run *r, int k, rc_tensor *x, rc_tensor *y)
{
    const rc_rnn_config *cfg = &r->m->cfg;
    int T = r->T, B = r->B, D = r->D, P = r->P;
    bool last = k == cfg->num_layers - 1;
    layer_ctx c = {.layer = k, .D = D, .T = T, .B = B, .I = k == 0 ? cfg->input_size : D * P};
    size_t x_numel = (size_t)T * B * c.I;
    rc_real *X = x->data;
    if (k == 0 && r->batch_first) {
        c.x_tm = rc_tape_alloc(r->g, x_numel * sizeof(rc_real));
        if (!c.x_tm) return false;
        to_time_major(c.x_tm, x->data, T, B, (size_t)c.I);
        X = c.x_tm;
        if (r->rec && x->grad && !(c.dx_tm = rc_tape_alloc(r->g, x_numel * sizeof(rc_real)))) return false;
    }
    size_t row = (size_t)D * P;
    c.out_t = last && r->batch_first ? row : (size_t)B * row;
    c.out_b = last && r->batch_first ? (size_t)T * row : row;
    rc_seq_io io[2];
    for (int d = 0; d < D; d++) {
        c.dir[d] = (rc_seq){.cell = rc_cell_of(cfg->mode), .T = T, .B = B, .I = c.I, .H = r->H, .P = P,
                            .reverse = d == 1, .lengths = r->lengths, .w = r->m->w[k * D + d], .keep = r->rec};
        if (!rc_seq_alloc(&c.dir[d], r->g)) return false;
        io[d] = dir_io(&c, d, X, y->data, data_of(r->h0), data_of(r->c0), r->h_n->data, data_of(r->c_n));
    }
    /* the directions write disjoint memory: one thread each */
    int nt = dir_threads(&c);
    (void)nt;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
#endif
    for (int d = 0; d < D; d++) rc_seq_forward(&c.dir[d], &io[d]);
    if (!r->rec) return true;
    rc_tensor *in[3 + 2 * RC_SEQ_N_PARAMS] = {x, r->h0, r->c0};
    for (int d = 0; d < D; d++)
        memcpy(in + 3 + d * RC_SEQ_N_PARAMS, r->m->w[k * D + d].t, sizeof r->m->w[0].t);
    rc_tensor *out[3] = {y, r->h_n, r->c_n};
    rc_node *n = rc_tape_record(r->g, RC_OP_RNN_LAYER, layer_node_backward, 3 + D * RC_SEQ_N_PARAMS, in,
                                r->c_n ? 3 : 2, out, sizeof c);
    if (!n) return false;
    memcpy(n->ctx, &c, sizeof c);
    return true;
}

/* RC_OK if t has the expected shape, else RC_E_SHAPE naming it. */
static rc_status check_shape(const char *op, const char *name, const rc_tensor *t, int ndim, const int *shape)
{
    if (rc_tensor_has_shape(t, ndim, shape)) return RC_OK;
    rc_tensor want = {.ndim = ndim};
    for (int i = 0; i < ndim; i++) want.shape[i] = shape[i];
    char got_s[64], want_s[64];
    return rc_error(RC_E_SHAPE, "%s: %s has shape %s, expected %s", op, name, rc_shape_str(t, got_s, sizeof got_s),
                    rc_shape_str(&want, want_s, sizeof want_s));
}

/* Validates the inputs and fills r's sizes. */
static rc_status check_inputs(const rc_rnn *m, const rc_tensor *x, const rc_tensor *h0, const rc_tensor *c0,
                              const int *lengths, run *r)
{
    const rc_rnn_config *cfg = &m->cfg;
    const char *op = rc_rnn_mode_name(cfg->mode);
    char s[64];
    if (x->ndim != 2 && x->ndim != 3)
        return rc_error(RC_E_SHAPE, "%s: x has shape %s, expected %s or unbatched (T, %d)", op,
                        rc_shape_str(x, s, sizeof s), cfg->batch_first ? "(B, T, I)" : "(T, B, I)", cfg->input_size);
    if (x->shape[x->ndim - 1] != cfg->input_size)
        return rc_error(RC_E_SHAPE, "%s: x has shape %s, expected last size input_size = %d", op,
                        rc_shape_str(x, s, sizeof s), cfg->input_size);
    r->batched = x->ndim == 3;
    r->batch_first = r->batched && cfg->batch_first;
    r->T = x->shape[r->batch_first ? 1 : 0];
    r->B = r->batched ? x->shape[r->batch_first ? 0 : 1] : 1;
    r->D = n_dirs(cfg);
    r->H = cfg->hidden_size;
    r->P = h_out(cfg);
    /* states are (D·L, B, size), or (D·L, size) unbatched */
    int nd = r->batched ? 3 : 2, hs[3] = {r->D * cfg->num_layers, r->B, r->P}, cs[3] = {hs[0], r->B, r->H};
    if (!r->batched) hs[1] = r->P, cs[1] = r->H;
    rc_status st = h0 ? check_shape(op, "h0", h0, nd, hs) : RC_OK;
    if (st != RC_OK) return st;
    if (c0 && cfg->mode != RC_LSTM)
        return rc_error(RC_E_INVALID, "%s: c0 given, but %s has no cell state (c0 must be NULL)", op, op);
    st = c0 ? check_shape(op, "c0", c0, nd, cs) : RC_OK;
    if (st != RC_OK) return st;
    for (int b = 0; lengths && b < r->B; b++)
        if (lengths[b] < 1 || lengths[b] > r->T)
            return rc_error(RC_E_INVALID, "%s: lengths[%d] = %d, expected 1 <= length <= T = %d", op, b, lengths[b],
                            r->T);
    return RC_OK;
}

/* True if some input or parameter of the call has a grad buffer. */
static bool needs_grad(const rc_rnn *m, rc_graph *g, rc_tensor *x, rc_tensor *h0, rc_tensor *c0)
{
    rc_tensor *ins[3] = {x, h0, c0};
    if (rc_tape_needs_grad(g, 3, ins)) return true;
    for (int i = 0; i < m->cfg.num_layers * n_dirs(&m->cfg); i++)
        if (rc_tape_needs_grad(g, RC_SEQ_N_PARAMS, m->w[i].t)) return true;
    return false;
}

rc_status rc_rnn_forward(rc_rnn *m, rc_graph *g, rc_tensor *x, rc_tensor *h0, rc_tensor *c0, const int *lengths,
                         rc_rnn_result *out)
{
    RC_ASSERT(m != NULL && g != NULL && out != NULL);
    *out = (rc_rnn_result){NULL, NULL, NULL};
    const rc_rnn_config *cfg = &m->cfg;
    if (!rc_tape_check(g, rc_rnn_mode_name(cfg->mode), 1, &x)) return rc_graph_status(g);
    run r = {.g = g, .m = m, .h0 = h0, .c0 = c0};
    rc_status s = check_inputs(m, x, h0, c0, lengths, &r);
    if (s != RC_OK) return rc_tape_fail_status(g, s);
    r.rec = needs_grad(m, g, x, h0, c0);

    int L = cfg->num_layers, T = r.T, B = r.B, DP = r.D * r.P;
    int y_shape[3] = {T, B, DP}, hn_shape[3] = {r.D * L, B, r.P}, cn_shape[3] = {r.D * L, B, r.H};
    if (r.batch_first) y_shape[0] = B, y_shape[1] = T;
    if (!r.batched) y_shape[1] = DP, hn_shape[1] = r.P, cn_shape[1] = r.H;
    int nd = x->ndim;
    r.h_n = rc_tape_tensor(g, nd, hn_shape, r.rec);
    if (cfg->mode == RC_LSTM) r.c_n = rc_tape_tensor(g, nd, cn_shape, r.rec);
    if (!r.h_n || (cfg->mode == RC_LSTM && !r.c_n)) return rc_graph_status(g);
    if (lengths) {
        int *lens = rc_tape_alloc(g, (size_t)B * sizeof *lens);
        if (!lens) return rc_graph_status(g);
        memcpy(lens, lengths, (size_t)B * sizeof *lens);
        r.lengths = lens;
    }

    rc_tensor *in = x, *y = NULL;
    int inner_shape[3] = {T, B, DP};
    for (int k = 0; k < L; k++) {
        if (k > 0) in = rc_dropout(g, y, cfg->dropout);
        y = k == L - 1 ? rc_tape_tensor(g, nd, y_shape, r.rec) : rc_tape_tensor(g, 3, inner_shape, r.rec);
        if (!in || !y || !run_layer(&r, k, in, y)) return rc_graph_status(g);
    }
    *out = (rc_rnn_result){.output = y, .h_n = r.h_n, .c_n = r.c_n};
    return RC_OK;
}
