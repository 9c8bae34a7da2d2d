/*
 * The pointwise half of a recurrent cell, the only part in which RNN, LSTM
 * and GRU differ. The time loop (sequence.c) computes the two matrix
 * products and hands the cell their results, gate blocks stacked in
 * PyTorch's row order:
 *
 *     xg = W_ih x + b_ih        (B, G·H)
 *     hg = W_hh h + b_hh        (B, G·H)
 *
 * GRU needs the two apart (its n gate applies r to hg only), so the cell
 * receives them separately rather than their sum.
 *
 * forward(B, H, xg, hg, h_prev, c_prev, h, c, saved):
 *   xg, hg (B, G·H); h_prev (B, H), read only by cells whose h' depends on
 *   h directly (GRU); c_prev, c (B, H), or NULL without a cell state;
 *   h (B, H) the cell's output (for an LSTM with projection, the
 *   pre-projection m = o ⊙ tanh(c'), which the loop then projects);
 *   saved (B, S·H) whatever backward needs besides h, h_prev, c and c_prev.
 *
 * backward(B, H, saved, h_prev, c_prev, h, c, dh, dc, dxg, dhg, dh_prev, dc_prev):
 *   dh (B, H) upstream gradient on h; dc (B, H) on c (cell state only);
 *   writes (=) dxg (B, G·H), the gradient on the pre-activations' input part;
 *   writes dhg (B, G·H) only if split_hg (otherwise it equals dxg and the
 *   loop uses dxg for both); adds (+=) into dh_prev (B, H) the gradient
 *   reaching h_prev other than through W_hh (GRU's z ⊙ h term; h_prev is
 *   only read by cells that have such a term); writes dc_prev (B, H).
 *
 * Every cell works on all B rows; the loop overrides the rows of sequences
 * that have already ended.
 */
#ifndef RC_RNN_CELL_H
#define RC_RNN_CELL_H

#include <math.h>

#include "recur/rnn.h"

typedef void (*rc_cell_forward_fn)(int B, int H, const rc_real *xg, const rc_real *hg, const rc_real *h_prev,
                                   const rc_real *c_prev, rc_real *h, rc_real *c, rc_real *saved);
typedef void (*rc_cell_backward_fn)(int B, int H, const rc_real *saved, const rc_real *h_prev,
                                    const rc_real *c_prev, const rc_real *h, const rc_real *c, const rc_real *dh,
                                    const rc_real *dc, rc_real *dxg, rc_real *dhg, rc_real *dh_prev,
                                    rc_real *dc_prev);

typedef struct rc_cell {
    int gates;     /* G */
    int saved;     /* S: values saved per step are (B, S·H) */
    bool has_c;    /* carries a cell state c beside h (LSTM) */
    bool split_hg; /* dhg differs from dxg (GRU) */
    rc_cell_forward_fn forward;
    rc_cell_backward_fn backward;
} rc_cell;

extern const rc_cell rc_cell_rnn_tanh, rc_cell_rnn_relu, rc_cell_lstm, rc_cell_gru;

/* The cell of a mode (mode must be valid). */
const rc_cell *rc_cell_of(rc_rnn_mode mode);

/* Single-precision builds use the float functions: the double ones cost
 * twice as much and round to the same float almost always. */
#ifdef RC_DOUBLE
#define RC_EXP exp
#define RC_TANH tanh
#else
#define RC_EXP expf
#define RC_TANH tanhf
#endif

/* σ(x), written so that neither branch overflows. */
static inline rc_real rc_cell_sigmoid(rc_real x)
{
    if (x >= 0) return 1 / (1 + RC_EXP(-x));
    rc_real e = RC_EXP(x);
    return e / (1 + e);
}

#endif
