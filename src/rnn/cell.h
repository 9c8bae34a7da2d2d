/*
 * The pointwise half of a recurrent cell, the only part in which RNN, LSTM
 * and GRU differ. The time loop (sequence.c) computes the two matrix
 * products, gate blocks stacked in PyTorch's row order, and hands the cell
 * their results:
 *
 *     xg = W_ih x + b_ih + W_hh h + b_hh     (B, G·H)   cells without split_hg
 *     xg = W_ih x + b_ih,  hg = W_hh h       (B, G·H)   split_hg cells (GRU,
 *                                            whose n gate applies r to the
 *                                            recurrent half only)
 *
 * A call works on the hidden units [j0, j1) of all B rows, so that threads
 * can share a step; rows are H (or G·H, S·H) values apart.
 *
 * forward(B, H, j0, j1, xg, hg, b_hh, h_prev, c_prev, h, c, saved):
 *   hg and b_hh (G·H, or NULL without bias) only for split_hg cells, else
 *   NULL; h_prev (B, H), read only by cells whose h' depends on h directly
 *   (GRU); c_prev, c (B, H), or NULL without a cell state; h (B, H) the
 *   cell's output (for an LSTM with projection, the pre-projection
 *   m = o ⊙ tanh(c'), which the loop then projects); saved (B, S·H)
 *   whatever backward needs besides h, h_prev, c and c_prev.
 *
 * backward(B, H, j0, j1, saved, h_prev, c_prev, h, c, dh, dc, dxg, dhg, dh_prev, dc_prev):
 *   dh (B, H) upstream gradient on h; dc (B, H) on c (cell state only);
 *   writes (=) dxg (B, G·H), the gradient on the pre-activations' input part;
 *   writes dhg (B, G·H) only if split_hg (otherwise it equals dxg and the
 *   loop uses dxg for both); writes (=) dh_prev (B, H) only if direct_h: the
 *   gradient reaching h_prev other than through W_hh (GRU's z ⊙ h term), to
 *   which the loop then adds the W_hh term; writes dc_prev (B, H).
 *
 * Every cell works on all B rows it is given; the loop overrides the rows of
 * sequences that have already ended.
 */
#ifndef RC_RNN_CELL_H
#define RC_RNN_CELL_H

#include <math.h>

#include "recur/rnn.h"
#include "recur/runtime.h"

typedef void (*rc_cell_forward_fn)(int B, int H, int j0, int j1, const rc_real *xg, const rc_real *hg,
                                   const rc_real *b_hh, const rc_real *h_prev, const rc_real *c_prev, rc_real *h,
                                   rc_real *c, rc_real *saved);
typedef void (*rc_cell_backward_fn)(int B, int H, int j0, int j1, const rc_real *saved, const rc_real *h_prev,
                                    const rc_real *c_prev, const rc_real *h, const rc_real *c, const rc_real *dh,
                                    const rc_real *dc, rc_real *dxg, rc_real *dhg, rc_real *dh_prev,
                                    rc_real *dc_prev);

typedef struct rc_cell_kernels {
    rc_cell_forward_fn forward;
    rc_cell_backward_fn backward;
} rc_cell_kernels;

typedef struct rc_cell {
    int gates;     /* G */
    int saved;     /* S: values saved per step are (B, S·H) */
    bool has_c;    /* carries a cell state c beside h (LSTM) */
    bool split_hg; /* hg apart from xg, and dhg differs from dxg (GRU) */
    bool direct_h; /* h' depends on h_prev outside W_hh (GRU) */
    /* per rc_simd level; NULL where the build has no such code (the scalar
     * kernels, always present, serve then) */
    rc_cell_kernels k[RC_SIMD_COUNT];
} rc_cell;

extern const rc_cell rc_cell_rnn_tanh, rc_cell_rnn_relu, rc_cell_lstm, rc_cell_gru;

/* The cell of a mode (mode must be valid). */
const rc_cell *rc_cell_of(rc_rnn_mode mode);

/* The kernels of the active instruction-set level. */
rc_cell_kernels rc_cell_kernels_active(const rc_cell *cell);

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
