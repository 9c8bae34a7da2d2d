/*
 * Timing of one recurrent layer stack (nn.RNN / nn.LSTM / nn.GRU) on random
 * data: the core of `recur bench` and of the drivers under bench/, which time
 * recur or another library with the same options and output.
 *
 * A call is one forward pass (infer: gradients disabled) or one forward and
 * backward pass with a fixed upstream gradient on the output (train: every
 * parameter and the input have grad buffers, which accumulate; no optimizer
 * step).
 *
 * GFLOP/s counts matrix-product flops only. Per layer and direction, with
 * G gates, I_k the layer's input size (I, then D·H), one forward call costs
 * 2·T·B·G·H·(I_k + H) flops; train counts 3× that (the backward products
 * dX, dW_ih, dh_prev and dW_hh cost twice the forward ones).
 */
#ifndef RECUR_TOOL_BENCH_CORE_H
#define RECUR_TOOL_BENCH_CORE_H

#include "recur/rnn.h"

typedef struct bench_opts {
    rc_rnn_mode mode;
    int T, B, I, H, L;
    bool bidirectional;
    bool train;
    int threads;
    int iters, warmup;
} bench_opts;

typedef struct bench_result {
    double median_ms, min_ms, max_ms;
    double tokens_per_s; /* T·B per median call */
    double gflops;       /* matrix-product GFLOP per median call time */
    double flops;        /* matrix-product flops per call */
    const char *impl;    /* what ran: "recur", "onednn" */
    const char *simd;    /* the instruction set its kernels ran on */
    int threads;         /* the threads it ran on */
} bench_result;

/* Times one implementation: builds its layer stack for o, runs it and fills
 * r (by bench_time, then impl, simd and threads). */
typedef rc_status (*bench_impl)(const bench_opts *o, bench_result *r);

/* Matrix-product flops of one call (the formula above). */
double bench_flops(const bench_opts *o);

/* Calls call(state) o->warmup times untimed, then o->iters times with a
 * clock around each, and fills r's times, rates and flops. Stops at the
 * first error of call, returning it. Errors: RC_E_NOMEM. */
rc_status bench_time(const bench_opts *o, rc_status (*call)(void *state), void *state, bench_result *r);

/* recur's rc_rnn on o->threads threads (rc_set_num_threads). Errors:
 * RC_E_NOMEM, or the layer's own. */
rc_status bench_recur(const bench_opts *o, bench_result *r);

#endif
