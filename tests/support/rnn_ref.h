/*
 * A plain-loop reference of nn.RNN / nn.LSTM / nn.GRU written straight from
 * PyTorch's formulas: one sequence, one step, one unit at a time, no matrix
 * products, lengths handled by running each sequence only over its own
 * steps. It shares no code with the library, so the layer tests can compare
 * against it; it reads the parameters by their state_dict names, which
 * checks the naming too.
 */
#ifndef RC_TEST_RNN_REF_H
#define RC_TEST_RNN_REF_H

#include "recur.h"

typedef struct rc_ref_rnn_args {
    const rc_rnn_config *cfg;
    const rc_params *ps;     /* from rc_rnn_add_params with no prefix */
    int T, B;
    bool batched;            /* false: x is (T, I), as B = 1 */
    const rc_real *x;        /* in the layer's layout (batch_first honoured) */
    const rc_real *h0, *c0;  /* (D·L, B, Hout), (D·L, B, H), or NULL */
    const int *lengths;      /* B lengths or NULL */
    const rc_real *const *dropout_masks; /* num_layers − 1 masks (T, B, D·Hout) applied
                                            to the inner layers' outputs, or NULL */
} rc_ref_rnn_args;

/* Writes output (in the layer's layout), h_n and c_n (LSTM; else unused)
 * and returns the smallest |pre-activation| met by a relu (INFINITY if none),
 * which tells a finite-difference test whether it sits near a kink. */
double rc_ref_rnn(const rc_ref_rnn_args *a, rc_real *output, rc_real *h_n, rc_real *c_n);

/* One step of a cell (parameters from rc_rnn_cell_add_params with no
 * prefix), computed as a one-layer, one-step rc_ref_rnn: x (B, I), h and c
 * (B, H) or NULL; writes h_out and c_out (LSTM) and returns the relu margin. */
double rc_ref_rnn_cell(rc_rnn_mode mode, const rc_params *ps, int I, int H, int B, const rc_real *x,
                       const rc_real *h, const rc_real *c, rc_real *h_out, rc_real *c_out);

#endif
