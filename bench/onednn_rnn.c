/*
 * Times oneDNN's recurrent primitives (f32, CPU) with the options and output
 * of `recur bench`, computing what PyTorch and recur compute: LSTM, the GRU
 * that applies the reset gate after the recurrent product (dnnl_lbr_gru;
 * dnnl_gru applies it before, which is another cell) and the tanh or relu
 * RNN, bidirectional as dnnl_bidirectional_concat.
 *
 * One primitive per layer: a stacked primitive has one input size for all
 * its layers, and the layers above the first read D·H features. Weights are
 * drawn in ldigo (bias ldgo) and reordered, before timing, into the formats
 * oneDNN picks for each primitive (`any`). Train runs every layer's forward
 * training pass (keeping its workspace), then every backward pass from a
 * fixed gradient on the last output; weight gradients accumulate.
 *
 * The initial states are zeros given as memories: without them (NULL
 * descriptors, which mean zeros too), oneDNN 2.6's backward pass returns a
 * wrong recurrent weight gradient for unidirectional LSTM and RNN layers
 * (compared with recur's, which agrees with finite differences).
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

#include "../tools/recur/bench.h"

_Static_assert(sizeof(rc_real) == sizeof(float), "oneDNN runs in f32: build without RC_DOUBLE");

/* The descriptors of a layer, in this order; M_ITER is h0's (and c0's). */
enum { M_SRC, M_WL, M_WI, M_BIAS, M_DST, M_ITER, M_COUNT };
/* The weight tensors: M_WL .. M_BIAS, and their execution arguments. */
enum { N_WEIGHTS = 3 };
static const int weight_arg[N_WEIGHTS] = {DNNL_ARG_WEIGHTS_LAYER, DNNL_ARG_WEIGHTS_ITER, DNNL_ARG_BIAS};
static const int diff_weight_arg[N_WEIGHTS] = {DNNL_ARG_DIFF_WEIGHTS_LAYER, DNNL_ARG_DIFF_WEIGHTS_ITER,
                                               DNNL_ARG_DIFF_BIAS};

/* The execution arguments of a primitive. */
enum { MAX_ARGS = 16 };
typedef struct arg_list {
    int n;
    dnnl_exec_arg_t a[MAX_ARGS];
} arg_list;

typedef struct layer {
    dnnl_primitive_t fwd, bwd;
    dnnl_memory_t w[N_WEIGHTS];  /* in fwd's formats */
    dnnl_memory_t bw[N_WEIGHTS]; /* in bwd's formats */
    dnnl_memory_t dw[N_WEIGHTS]; /* gradients, in bwd's formats */
    dnnl_memory_t dst, workspace, diff_src;
    dnnl_memory_t state[2], diff_state[2]; /* h0 and (LSTM) c0, zeros; their gradients */
    arg_list fwd_args, bwd_args;
} layer;

typedef struct onednn_bench {
    const bench_opts *o;
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    dnnl_memory_t x, dy; /* (T, B, I) input, (T, B, D·H) upstream gradient */
    layer *layers;
} onednn_bench;

static rc_status check(dnnl_status_t st, const char *what)
{
    if (st == dnnl_success) return RC_OK;
    rc_status s = st == dnnl_out_of_memory ? RC_E_NOMEM : st == dnnl_unimplemented ? RC_E_UNIMPLEMENTED : RC_E_INVALID;
    return rc_error(s, "oneDNN: %s: %s", what, dnnl_status2str(st));
}

/* The forward descriptor of a layer (dm NULL) or its backward one, from the
 * M_COUNT descriptors m and their gradients' dm. */
static dnnl_status_t layer_desc(dnnl_rnn_desc_t *d, const bench_opts *o, dnnl_prop_kind_t prop,
                                const dnnl_memory_desc_t *m, const dnnl_memory_desc_t *dm)
{
    dnnl_rnn_direction_t dir = o->bidirectional ? dnnl_bidirectional_concat : dnnl_unidirectional_left2right;
    const dnnl_memory_desc_t *src = &m[M_SRC], *wl = &m[M_WL], *wi = &m[M_WI], *bias = &m[M_BIAS], *dst = &m[M_DST],
                             *it = &m[M_ITER];
    switch (o->mode) {
    case RC_LSTM:
        if (!dm) return dnnl_lstm_forward_desc_init(d, prop, dir, src, it, it, wl, wi, bias, dst, NULL, NULL, 0);
        return dnnl_lstm_backward_desc_init(d, prop, dir, src, it, it, wl, wi, bias, dst, NULL, NULL, &dm[M_SRC],
                                            &dm[M_ITER], &dm[M_ITER], &dm[M_WL], &dm[M_WI], &dm[M_BIAS], &dm[M_DST],
                                            NULL, NULL, 0);
    case RC_GRU:
        if (!dm) return dnnl_lbr_gru_forward_desc_init(d, prop, dir, src, it, wl, wi, bias, dst, NULL, 0);
        return dnnl_lbr_gru_backward_desc_init(d, prop, dir, src, it, wl, wi, bias, dst, NULL, &dm[M_SRC], &dm[M_ITER],
                                               &dm[M_WL], &dm[M_WI], &dm[M_BIAS], &dm[M_DST], NULL, 0);
    default: {
        dnnl_alg_kind_t act = o->mode == RC_RNN_RELU ? dnnl_eltwise_relu : dnnl_eltwise_tanh;
        if (!dm)
            return dnnl_vanilla_rnn_forward_desc_init(d, prop, act, dir, src, it, wl, wi, bias, dst, NULL, 0, 0, 0);
        return dnnl_vanilla_rnn_backward_desc_init(d, prop, act, dir, src, it, wl, wi, bias, dst, NULL, &dm[M_SRC],
                                                   &dm[M_ITER], &dm[M_WL], &dm[M_WI], &dm[M_BIAS], &dm[M_DST], NULL, 0,
                                                   0, 0);
    }
    }
}

/* A new memory in the layout pd expects for execution argument arg. */
static rc_status arg_memory(onednn_bench *b, const_dnnl_primitive_desc_t pd, int arg, dnnl_memory_t *mem)
{
    const dnnl_memory_desc_t *md = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, arg);
    return check(md ? dnnl_memory_create(mem, md, b->engine, DNNL_MEMORY_ALLOCATE) : dnnl_invalid_arguments,
                 "memory for an argument");
}

/* Fills mem with U(-a, a) drawn from rng, or with zeros when rng is NULL. */
static void fill(dnnl_memory_t mem, rc_rng *rng, double a)
{
    const dnnl_memory_desc_t *md;
    void *p = NULL;
    dnnl_memory_get_memory_desc(mem, &md);
    dnnl_memory_get_data_handle(mem, &p);
    size_t n = dnnl_memory_desc_get_size(md) / sizeof(float);
    if (rng) rc_rng_fill_uniform(rng, p, n, -a, a);
    else memset(p, 0, n * sizeof(float));
}

/* A new memory in pd's layout for argument arg holding src's values. */
static rc_status reorder_to(onednn_bench *b, dnnl_memory_t src, const_dnnl_primitive_desc_t pd, int arg,
                            dnnl_memory_t *out)
{
    const dnnl_memory_desc_t *from, *to = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, arg);
    dnnl_memory_get_memory_desc(src, &from);
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_primitive_t r = NULL;
    rc_status s = arg_memory(b, pd, arg, out);
    if (s == RC_OK)
        s = check(dnnl_reorder_primitive_desc_create(&rpd, from, b->engine, to, b->engine, NULL), "reorder");
    if (s == RC_OK) s = check(dnnl_primitive_create(&r, rpd), "reorder");
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, *out}};
    if (s == RC_OK) s = check(dnnl_primitive_execute(r, b->stream, 2, args), "reorder");
    if (s == RC_OK) s = check(dnnl_stream_wait(b->stream), "reorder");
    dnnl_primitive_destroy(r);
    dnnl_primitive_desc_destroy(rpd);
    return s;
}

/* Memory (T, B, C) in tnc, drawn from U(-1, 1). */
static rc_status tnc_memory(onednn_bench *b, dnnl_dim_t C, rc_rng *rng, dnnl_memory_t *mem)
{
    dnnl_dims_t dims = {b->o->T, b->o->B, C};
    dnnl_memory_desc_t md;
    rc_status s = check(dnnl_memory_desc_init_by_tag(&md, 3, dims, dnnl_f32, dnnl_tnc), "tnc descriptor");
    if (s == RC_OK) s = check(dnnl_memory_create(mem, &md, b->engine, DNNL_MEMORY_ALLOCATE), "tnc memory");
    if (s == RC_OK) fill(*mem, rng, 1);
    return s;
}

/* Weights drawn as PyTorch draws them, U(-1/√H, 1/√H), in ldigo / ldgo,
 * then reordered into the forward (and backward) primitive's formats. */
static rc_status layer_weights(onednn_bench *b, layer *l, const dnnl_memory_desc_t *m, const_dnnl_primitive_desc_t fpd,
                               const_dnnl_primitive_desc_t bpd, rc_rng *rng)
{
    static const dnnl_format_tag_t tags[N_WEIGHTS] = {dnnl_ldigo, dnnl_ldigo, dnnl_ldgo};
    double a = 1 / sqrt((double)b->o->H);
    rc_status s = RC_OK;
    for (int i = 0; s == RC_OK && i < N_WEIGHTS; i++) {
        const dnnl_memory_desc_t *any = &m[M_WL + i];
        dnnl_memory_desc_t md;
        dnnl_memory_t user = NULL;
        s = check(dnnl_memory_desc_init_by_tag(&md, any->ndims, any->dims, dnnl_f32, tags[i]), "weight descriptor");
        if (s == RC_OK) s = check(dnnl_memory_create(&user, &md, b->engine, DNNL_MEMORY_ALLOCATE), "weight memory");
        if (s == RC_OK) fill(user, rng, a);
        if (s == RC_OK) s = reorder_to(b, user, fpd, weight_arg[i], &l->w[i]);
        if (s == RC_OK && bpd) s = reorder_to(b, user, bpd, weight_arg[i], &l->bw[i]);
        if (s == RC_OK && bpd) s = arg_memory(b, bpd, diff_weight_arg[i], &l->dw[i]);
        if (s == RC_OK && bpd) fill(l->dw[i], NULL, 0);
        dnnl_memory_destroy(user);
    }
    return s;
}

/* Builds layer k's primitives and memories. */
static rc_status layer_init(onednn_bench *b, int k, rc_rng *rng)
{
    const bench_opts *o = b->o;
    layer *l = &b->layers[k];
    dnnl_dim_t D = o->bidirectional ? 2 : 1, G = rc_rnn_mode_gates(o->mode), H = o->H, in = k ? D * H : o->I;
    /* the linear-before-reset GRU has a fourth bias, b_hn, apart */
    dnnl_dim_t bias_gates = o->mode == RC_GRU ? G + 1 : G;
    const dnnl_dims_t dims[M_COUNT] = {{o->T, o->B, in},       {1, D, in, G, H},     {1, D, H, G, H},
                                       {1, D, bias_gates, H}, {o->T, o->B, D * H}, {1, D, o->B, H}};
    static const int ndims[M_COUNT] = {3, 5, 5, 4, 3, 4};
    static const dnnl_format_tag_t tags[M_COUNT] = {dnnl_tnc, dnnl_format_tag_any, dnnl_format_tag_any,
                                                    dnnl_format_tag_any, dnnl_tnc, dnnl_ldnc};
    dnnl_memory_desc_t m[M_COUNT];
    rc_status s = RC_OK;
    for (int i = 0; s == RC_OK && i < M_COUNT; i++)
        s = check(dnnl_memory_desc_init_by_tag(&m[i], ndims[i], dims[i], dnnl_f32, tags[i]), "layer descriptor");
    dnnl_rnn_desc_t fd, bd;
    dnnl_primitive_desc_t fpd = NULL, bpd = NULL;
    dnnl_prop_kind_t prop = o->train ? dnnl_forward_training : dnnl_forward_inference;
    if (s == RC_OK) s = check(layer_desc(&fd, o, prop, m, NULL), "forward descriptor");
    if (s == RC_OK) s = check(dnnl_primitive_desc_create(&fpd, &fd, NULL, b->engine, NULL), "forward primitive");
    if (s == RC_OK && o->train) s = check(layer_desc(&bd, o, dnnl_backward, m, m), "backward descriptor");
    if (s == RC_OK && o->train)
        s = check(dnnl_primitive_desc_create(&bpd, &bd, NULL, b->engine, fpd), "backward primitive");
    if (s == RC_OK) s = check(dnnl_primitive_create(&l->fwd, fpd), "forward primitive");
    if (s == RC_OK && o->train) s = check(dnnl_primitive_create(&l->bwd, bpd), "backward primitive");
    if (s == RC_OK) s = arg_memory(b, fpd, DNNL_ARG_DST_LAYER, &l->dst);
    if (s == RC_OK && o->train) s = arg_memory(b, fpd, DNNL_ARG_WORKSPACE, &l->workspace);
    if (s == RC_OK && o->train) s = arg_memory(b, bpd, DNNL_ARG_DIFF_SRC_LAYER, &l->diff_src);
    if (s == RC_OK) s = layer_weights(b, l, m, fpd, bpd, rng);
    for (int i = 0; s == RC_OK && i < (o->mode == RC_LSTM ? 2 : 1); i++) {
        s = arg_memory(b, fpd, i ? DNNL_ARG_SRC_ITER_C : DNNL_ARG_SRC_ITER, &l->state[i]);
        if (s == RC_OK) fill(l->state[i], NULL, 0);
        if (s == RC_OK && o->train)
            s = arg_memory(b, bpd, i ? DNNL_ARG_DIFF_SRC_ITER_C : DNNL_ARG_DIFF_SRC_ITER, &l->diff_state[i]);
    }
    dnnl_primitive_desc_destroy(fpd);
    dnnl_primitive_desc_destroy(bpd);
    return s;
}

/* Appends argument what = m unless m is NULL (an argument the cell or the
 * mode does not have). */
static void add_arg(arg_list *a, int what, dnnl_memory_t m)
{
    RC_ASSERT(a->n < MAX_ARGS);
    if (m) a->a[a->n++] = (dnnl_exec_arg_t){what, m};
}

/* The arguments of layer k's primitives: its input is layer k - 1's output,
 * and its input gradient feeds layer k - 1's backward pass. */
static void layer_args(onednn_bench *b, int k)
{
    layer *l = &b->layers[k];
    dnnl_memory_t src = k ? b->layers[k - 1].dst : b->x, diff_dst = k + 1 < b->o->L ? b->layers[k + 1].diff_src : b->dy;
    static const int state_arg[2] = {DNNL_ARG_SRC_ITER, DNNL_ARG_SRC_ITER_C};
    static const int diff_state_arg[2] = {DNNL_ARG_DIFF_SRC_ITER, DNNL_ARG_DIFF_SRC_ITER_C};
    arg_list *f = &l->fwd_args, *g = &l->bwd_args;
    add_arg(f, DNNL_ARG_SRC_LAYER, src);
    add_arg(f, DNNL_ARG_DST_LAYER, l->dst);
    add_arg(f, DNNL_ARG_WORKSPACE, l->workspace);
    *g = *f;
    add_arg(g, DNNL_ARG_DIFF_DST_LAYER, diff_dst);
    add_arg(g, DNNL_ARG_DIFF_SRC_LAYER, l->diff_src);
    for (int i = 0; i < N_WEIGHTS; i++) {
        add_arg(f, weight_arg[i], l->w[i]);
        add_arg(g, weight_arg[i], l->bw[i]);
        add_arg(g, diff_weight_arg[i], l->dw[i]);
    }
    for (int i = 0; i < 2; i++) {
        add_arg(f, state_arg[i], l->state[i]);
        add_arg(g, state_arg[i], l->state[i]);
        add_arg(g, diff_state_arg[i], l->diff_state[i]);
    }
}

static void layer_free(layer *l)
{
    dnnl_primitive_destroy(l->fwd);
    dnnl_primitive_destroy(l->bwd);
    for (int i = 0; i < N_WEIGHTS; i++) {
        dnnl_memory_destroy(l->w[i]);
        dnnl_memory_destroy(l->bw[i]);
        dnnl_memory_destroy(l->dw[i]);
    }
    dnnl_memory_destroy(l->dst);
    dnnl_memory_destroy(l->workspace);
    dnnl_memory_destroy(l->diff_src);
    for (int i = 0; i < 2; i++) {
        dnnl_memory_destroy(l->state[i]);
        dnnl_memory_destroy(l->diff_state[i]);
    }
}

static void onednn_bench_free(onednn_bench *b)
{
    for (int k = 0; b->layers && k < b->o->L; k++) layer_free(&b->layers[k]);
    free(b->layers);
    dnnl_memory_destroy(b->x);
    dnnl_memory_destroy(b->dy);
    if (b->stream) dnnl_stream_destroy(b->stream);
    if (b->engine) dnnl_engine_destroy(b->engine);
}

static rc_status onednn_bench_init(onednn_bench *b, const bench_opts *o)
{
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    b->o = o;
    b->layers = calloc((size_t)o->L, sizeof *b->layers);
    if (!b->layers) return rc_error(RC_E_NOMEM, "oneDNN: out of memory for %d layers", o->L);
    rc_status s = check(dnnl_engine_create(&b->engine, dnnl_cpu, 0), "CPU engine");
    if (s == RC_OK) s = check(dnnl_stream_create(&b->stream, b->engine, dnnl_stream_default_flags), "stream");
    if (s == RC_OK) s = tnc_memory(b, o->I, &rng, &b->x);
    if (s == RC_OK && o->train) s = tnc_memory(b, (o->bidirectional ? 2 : 1) * o->H, &rng, &b->dy);
    for (int k = 0; s == RC_OK && k < o->L; k++) s = layer_init(b, k, &rng);
    for (int k = 0; s == RC_OK && k < o->L; k++) layer_args(b, k);
    return s;
}

/* One timed call: every layer forward, and in train mode every layer
 * backward from dy, last to first. */
static rc_status onednn_bench_call(void *state)
{
    onednn_bench *b = state;
    const bench_opts *o = b->o;
    rc_status s = RC_OK;
    for (int k = 0; s == RC_OK && k < o->L; k++) {
        layer *l = &b->layers[k];
        s = check(dnnl_primitive_execute(l->fwd, b->stream, l->fwd_args.n, l->fwd_args.a), "forward");
    }
    for (int k = o->L - 1; s == RC_OK && o->train && k >= 0; k--) {
        layer *l = &b->layers[k];
        s = check(dnnl_primitive_execute(l->bwd, b->stream, l->bwd_args.n, l->bwd_args.a), "backward");
    }
    return s == RC_OK ? check(dnnl_stream_wait(b->stream), "stream") : s;
}

static rc_status onednn_time(const bench_opts *o, bench_result *r)
{
    omp_set_num_threads(o->threads);
    onednn_bench b = {0};
    rc_status s = onednn_bench_init(&b, o);
    if (s == RC_OK) s = bench_time(o, onednn_bench_call, &b, r);
    onednn_bench_free(&b);
    r->impl = "onednn";
    const char *isa = dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa());
    r->simd = strncmp(isa, "cpu_isa_", 8) ? isa : isa + 8;
    r->threads = omp_get_max_threads();
    return s;
}

int main(int argc, char **argv) { return bench_command("onednn_rnn", onednn_time, argc - 1, argv + 1); }
