/*
 * The timing core of rnn_bench and `recur bench` (see rnn_bench_core.h).
 */
#include "rnn_bench_core.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "recur/runtime.h"

rc_bench_opts rc_bench_defaults(void)
{
    return (rc_bench_opts){.mode = RC_LSTM, .T = 100, .B = 32, .I = 256, .H = 256, .L = 1, .iters = 20, .warmup = 3};
}

void rc_bench_usage(FILE *f, const char *prog)
{
    fprintf(f,
            "usage: %s [--cell lstm|gru|rnn|rnn_relu] [--seq-len T] [--batch B] [--input I] [--hidden H]\n"
            "       [--layers L] [--bidirectional] [--mode infer|train] [--threads N] [--iters N]\n"
            "       [--warmup N] [--json]\n",
            prog);
}

static rc_status parse_int(const char *opt, const char *v, int lo, int *out)
{
    char *end;
    long x = v ? strtol(v, &end, 10) : 0;
    if (!v || *end || x < lo || x > 1 << 24)
        return rc_error(RC_E_INVALID, "bench: %s = '%s', expected an integer >= %d", opt, v ? v : "", lo);
    *out = (int)x;
    return RC_OK;
}

static rc_status parse_cell(const char *v, rc_rnn_mode *mode)
{
    static const struct {
        const char *name;
        rc_rnn_mode mode;
    } cells[] = {{"lstm", RC_LSTM}, {"gru", RC_GRU}, {"rnn", RC_RNN_TANH}, {"rnn_tanh", RC_RNN_TANH},
                 {"rnn_relu", RC_RNN_RELU}};
    for (size_t i = 0; v && i < sizeof cells / sizeof cells[0]; i++)
        if (!strcmp(v, cells[i].name)) {
            *mode = cells[i].mode;
            return RC_OK;
        }
    return rc_error(RC_E_INVALID, "bench: --cell = '%s', expected lstm, gru, rnn or rnn_relu", v ? v : "");
}

rc_status rc_bench_parse(int argc, char **argv, rc_bench_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        rc_status s = RC_OK;
        bool takes_value = true;
        if (!strcmp(a, "--cell"))
            s = parse_cell(v, &o->mode);
        else if (!strcmp(a, "--seq-len"))
            s = parse_int(a, v, 1, &o->T);
        else if (!strcmp(a, "--batch"))
            s = parse_int(a, v, 1, &o->B);
        else if (!strcmp(a, "--input"))
            s = parse_int(a, v, 1, &o->I);
        else if (!strcmp(a, "--hidden"))
            s = parse_int(a, v, 1, &o->H);
        else if (!strcmp(a, "--layers"))
            s = parse_int(a, v, 1, &o->L);
        else if (!strcmp(a, "--threads"))
            s = parse_int(a, v, 0, &o->threads);
        else if (!strcmp(a, "--iters"))
            s = parse_int(a, v, 1, &o->iters);
        else if (!strcmp(a, "--warmup"))
            s = parse_int(a, v, 0, &o->warmup);
        else if (!strcmp(a, "--mode")) {
            if (v && (!strcmp(v, "infer") || !strcmp(v, "train")))
                o->train = !strcmp(v, "train");
            else
                s = rc_error(RC_E_INVALID, "bench: --mode = '%s', expected infer or train", v ? v : "");
        } else {
            takes_value = false;
            if (!strcmp(a, "--bidirectional"))
                o->bidirectional = true;
            else if (!strcmp(a, "--json"))
                o->json = true;
            else
                s = rc_error(RC_E_INVALID, "bench: unknown option '%s'", a);
        }
        if (s != RC_OK) return s;
        i += takes_value;
    }
    return RC_OK;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double flops_per_call(const rc_bench_opts *o)
{
    double D = o->bidirectional ? 2 : 1, G = rc_rnn_mode_gates(o->mode), f = 0;
    for (int k = 0; k < o->L; k++) {
        double in = k == 0 ? o->I : D * o->H;
        f += D * 2.0 * o->T * o->B * G * o->H * (in + o->H);
    }
    return o->train ? 3 * f : f;
}

/* Everything one benchmark owns. */
typedef struct bench {
    rc_rnn *m;
    rc_graph *g;
    rc_tensor *x, *dy;
} bench;

static void bench_free(bench *b)
{
    rc_graph_free(b->g);
    rc_tensor_free(b->x);
    rc_tensor_free(b->dy);
    rc_rnn_free(b->m);
}

static rc_status bench_init(bench *b, const rc_bench_opts *o)
{
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_rnn_config cfg = rc_rnn_config_default(o->mode, o->I, o->H);
    cfg.num_layers = o->L;
    cfg.bidirectional = o->bidirectional;
    int D = o->bidirectional ? 2 : 1;
    int xs[3] = {o->T, o->B, o->I}, ys[3] = {o->T, o->B, D * o->H};
    rc_status s = rc_rnn_create(&b->m, &cfg, &rng);
    if (s == RC_OK) s = rc_tensor_new(&b->x, 3, xs, o->train);
    if (s == RC_OK) s = rc_tensor_new(&b->dy, 3, ys, false);
    if (s == RC_OK) s = rc_graph_create(&b->g);
    if (s != RC_OK) return s;
    rc_rng_fill_uniform(&rng, b->x->data, b->x->numel, -1, 1);
    rc_rng_fill_uniform(&rng, b->dy->data, b->dy->numel, -1, 1);
    rc_graph_set_grad_enabled(b->g, o->train);
    return RC_OK;
}

/* One timed call: forward, and in train mode backward from dy. */
static rc_status bench_call(bench *b, const rc_bench_opts *o)
{
    rc_graph_reset(b->g);
    rc_rnn_result r;
    rc_status s = rc_rnn_forward(b->m, b->g, b->x, NULL, NULL, NULL, &r);
    if (s != RC_OK || !o->train) return s;
    memcpy(r.output->grad, b->dy->data, b->dy->numel * sizeof(rc_real));
    return rc_graph_backward(b->g, NULL);
}

rc_status rc_bench_run(const rc_bench_opts *o, rc_bench_result *r)
{
    if (o->threads > 0) rc_set_num_threads(o->threads);
    bench b = {0};
    double *ms = malloc((size_t)o->iters * sizeof *ms);
    rc_status s = ms ? bench_init(&b, o) : rc_error(RC_E_NOMEM, "bench: out of memory");
    for (int i = 0; s == RC_OK && i < o->warmup; i++) s = bench_call(&b, o);
    for (int i = 0; s == RC_OK && i < o->iters; i++) {
        double t0 = now_ms();
        s = bench_call(&b, o);
        ms[i] = now_ms() - t0;
    }
    if (s == RC_OK) {
        qsort(ms, (size_t)o->iters, sizeof *ms, cmp_double);
        double med = o->iters % 2 ? ms[o->iters / 2] : (ms[o->iters / 2 - 1] + ms[o->iters / 2]) / 2;
        r->median_ms = med;
        r->min_ms = ms[0];
        r->max_ms = ms[o->iters - 1];
        r->flops = flops_per_call(o);
        r->tokens_per_s = (double)o->T * o->B / (med * 1e-3);
        r->gflops = r->flops / (med * 1e6);
    }
    free(ms);
    bench_free(&b);
    return s;
}

static const char *cell_name(rc_rnn_mode m) { return m == RC_RNN_TANH ? "rnn" : rc_rnn_mode_name(m); }

void rc_bench_print(FILE *f, const rc_bench_opts *o, const rc_bench_result *r)
{
    const char *mode = o->train ? "train" : "infer";
    if (o->json) {
        fprintf(f,
                "{\"cell\": \"%s\", \"mode\": \"%s\", \"T\": %d, \"B\": %d, \"I\": %d, \"H\": %d, \"layers\": %d, "
                "\"bidirectional\": %s, \"threads\": %d, \"simd\": \"%s\", \"median_ms\": %.4f, \"min_ms\": %.4f, "
                "\"max_ms\": %.4f, \"tokens_per_s\": %.1f, \"gflops\": %.2f}\n",
                cell_name(o->mode), mode, o->T, o->B, o->I, o->H, o->L, o->bidirectional ? "true" : "false",
                rc_num_threads(), rc_simd_name(rc_simd_active()), r->median_ms, r->min_ms, r->max_ms,
                r->tokens_per_s, r->gflops);
        return;
    }
    fprintf(f, "%s %s T=%d B=%d I=%d H=%d L=%d%s threads=%d simd=%s\n", cell_name(o->mode), mode, o->T, o->B, o->I,
            o->H, o->L, o->bidirectional ? " bidirectional" : "", rc_num_threads(), rc_simd_name(rc_simd_active()));
    fprintf(f, "  median %.3f ms (min %.3f, max %.3f) over %d calls\n", r->median_ms, r->min_ms, r->max_ms, o->iters);
    fprintf(f, "  %.0f tokens/s, %.1f GFLOP/s\n", r->tokens_per_s, r->gflops);
    fprintf(f, "  flops = %s2·T·B·G·H·(I_k + H) summed over layers and directions = %.4g per call\n",
            o->train ? "3 × " : "", r->flops);
}
