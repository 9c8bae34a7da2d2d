/*
 * The timing core of `recur bench` and the bench/ drivers (see bench_core.h).
 */
#include "bench_core.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "recur/runtime.h"

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

double bench_flops(const bench_opts *o)
{
    double D = o->bidirectional ? 2 : 1, G = rc_rnn_mode_gates(o->mode), f = 0;
    for (int k = 0; k < o->L; k++) {
        double in = k == 0 ? o->I : D * o->H;
        f += D * 2.0 * o->T * o->B * G * o->H * (in + o->H);
    }
    return o->train ? 3 * f : f;
}

rc_status bench_time(const bench_opts *o, rc_status (*call)(void *state), void *state, bench_result *r)
{
    double *ms = malloc((size_t)o->iters * sizeof *ms);
    if (!ms) return rc_error(RC_E_NOMEM, "out of memory for %d timings", o->iters);
    rc_status s = RC_OK;
    for (int i = 0; s == RC_OK && i < o->warmup; i++) s = call(state);
    for (int i = 0; s == RC_OK && i < o->iters; i++) {
        double t0 = now_ms();
        s = call(state);
        ms[i] = now_ms() - t0;
    }
    if (s == RC_OK) {
        qsort(ms, (size_t)o->iters, sizeof *ms, cmp_double);
        double med = o->iters % 2 ? ms[o->iters / 2] : (ms[o->iters / 2 - 1] + ms[o->iters / 2]) / 2;
        r->median_ms = med;
        r->min_ms = ms[0];
        r->max_ms = ms[o->iters - 1];
        r->flops = bench_flops(o);
        r->tokens_per_s = (double)o->T * o->B / (med * 1e-3);
        r->gflops = r->flops / (med * 1e6);
    }
    free(ms);
    return s;
}

/* Everything recur's benchmark owns. */
typedef struct recur_bench {
    const bench_opts *o;
    rc_rnn *m;
    rc_graph *g;
    rc_tensor *x, *dy;
} recur_bench;

static void recur_bench_free(recur_bench *b)
{
    rc_graph_free(b->g);
    rc_tensor_free(b->x);
    rc_tensor_free(b->dy);
    rc_rnn_free(b->m);
}

static rc_status recur_bench_init(recur_bench *b, const bench_opts *o)
{
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_rnn_config cfg = rc_rnn_config_default(o->mode, o->I, o->H);
    cfg.num_layers = o->L;
    cfg.bidirectional = o->bidirectional;
    int D = o->bidirectional ? 2 : 1;
    int xs[3] = {o->T, o->B, o->I}, ys[3] = {o->T, o->B, D * o->H};
    b->o = o;
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
static rc_status recur_bench_call(void *state)
{
    recur_bench *b = state;
    rc_graph_reset(b->g);
    rc_rnn_result r;
    rc_status s = rc_rnn_forward(b->m, b->g, b->x, NULL, NULL, NULL, &r);
    if (s != RC_OK || !b->o->train) return s;
    memcpy(r.output->grad, b->dy->data, b->dy->numel * sizeof(rc_real));
    return rc_graph_backward(b->g, NULL);
}

rc_status bench_recur(const bench_opts *o, bench_result *r)
{
    rc_set_num_threads(o->threads);
    recur_bench b = {0};
    rc_status s = recur_bench_init(&b, o);
    if (s == RC_OK) s = bench_time(o, recur_bench_call, &b, r);
    recur_bench_free(&b);
    r->impl = "recur";
    r->simd = rc_simd_name(rc_simd_active());
    r->threads = rc_num_threads();
    return s;
}
