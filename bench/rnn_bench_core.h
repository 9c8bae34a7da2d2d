/*
 * Timing of one recurrent layer stack (nn.RNN / nn.LSTM / nn.GRU) on random
 * data, shared by the bench/rnn_bench driver and the `recur bench` command.
 *
 * A call is one forward pass (infer: gradients disabled) or one forward and
 * backward pass with a fixed upstream gradient on the output (train: every
 * parameter and the input have grad buffers, which accumulate).
 *
 * GFLOP/s counts matrix-product flops only. Per layer and direction, with
 * G gates, I_k the layer's input size (I, then D·H), one forward call costs
 * 2·T·B·G·H·(I_k + H) flops; train counts 3× that (the backward products
 * dX, dW_ih, dh_prev and dW_hh cost twice the forward ones).
 */
#ifndef RC_BENCH_RNN_BENCH_CORE_H
#define RC_BENCH_RNN_BENCH_CORE_H

#include <stdio.h>

#include "recur/rnn.h"

typedef struct rc_bench_opts {
    rc_rnn_mode mode;
    int T, B, I, H, L;
    bool bidirectional;
    bool train;
    int threads; /* 0: the library's default */
    int iters, warmup;
    bool json;
} rc_bench_opts;

typedef struct rc_bench_result {
    double median_ms, min_ms, max_ms;
    double tokens_per_s; /* T·B per median call */
    double gflops;       /* matrix-product GFLOP per median call time */
    double flops;        /* matrix-product flops per call */
} rc_bench_result;

/* Defaults: lstm, T 100, B 32, I = H = 256, 1 layer, infer, 20 iterations
 * after 3 warm-up calls. */
rc_bench_opts rc_bench_defaults(void);

/* Parses the options (argv[0] is not an option). Errors: RC_E_INVALID
 * naming the option. */
rc_status rc_bench_parse(int argc, char **argv, rc_bench_opts *o);

/* The option summary, for --help and errors. */
void rc_bench_usage(FILE *f, const char *prog);

/* Builds the layer and times it. Errors: RC_E_NOMEM, or the layer's own. */
rc_status rc_bench_run(const rc_bench_opts *o, rc_bench_result *r);

/* One line of text, or one JSON object with keys cell, mode, median_ms,
 * min_ms, max_ms, tokens_per_s, gflops (and the shape). */
void rc_bench_print(FILE *f, const rc_bench_opts *o, const rc_bench_result *r);

#endif
