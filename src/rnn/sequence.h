/*
 * One direction of one recurrent layer over a whole sequence, forward and
 * backpropagation through time. Every mode shares this loop; the cell
 * (cell.h) supplies the pointwise math.
 *
 * Shapes: T steps, B batch, I input, H hidden, G gates, P = Hout (the
 * projection size of an LSTM with projection, else H).
 *
 * Forward: XG = X W_ihᵀ + b_ih + b_hh for all T·B rows in one product (b_hh
 * left to the cell where it splits hg); then per step one product
 * XG_t += h W_hhᵀ (HG = h W_hhᵀ where split), the cell, and (with
 * projection) h = m W_hrᵀ. The per-step products use weights packed once
 * per call (core/gemm.h). The reverse direction walks t = T−1 … 0.
 *
 * Threads: each step splits its products by column panels and its cell by
 * hidden units over the threads of one parallel region around the time
 * loop (a region already running, such as the other direction of a
 * bidirectional layer, leaves the loop to one thread).
 *
 * Variable lengths: for t ≥ lengths[b] the state of sequence b is carried
 * unchanged and its output is 0. Walking the reverse direction from T−1 with
 * the same rule starts each sequence at its own last step, with its initial
 * state. Backward passes dh (and dc) straight through those steps with zero
 * gate gradients. Rows past the last running sequence are not computed.
 *
 * Backward: per step, the cell's gate gradients go into (T, B, G·H)
 * buffers; the weight gradients are then products over all steps at once:
 * dW_ih += DXGᵀ X, dX += DXG W_ih, dW_hh += DHGᵀ H_prev, dW_hr += DHᵀ M.
 */
#ifndef RC_RNN_SEQUENCE_H
#define RC_RNN_SEQUENCE_H

#include "core/tape.h"
#include "recur/params.h"
#include "rnn/cell.h"

/* One direction's parameters, in PyTorch's state_dict order. */
enum { RC_SEQ_W_IH, RC_SEQ_W_HH, RC_SEQ_B_IH, RC_SEQ_B_HH, RC_SEQ_W_HR, RC_SEQ_N_PARAMS };

typedef struct rc_seq_params {
    /* weight_ih (G·H, I), weight_hh (G·H, P), bias_ih (G·H), bias_hh (G·H),
     * weight_hr (P, H); the biases and weight_hr may be NULL. */
    rc_tensor *t[RC_SEQ_N_PARAMS];
} rc_seq_params;

/* Creates the parameters (biases if bias, weight_hr if P < H), each drawn
 * from U(−1/√H, 1/√H) in state_dict order, with grad buffers.
 * Errors: RC_E_NOMEM (nothing is left allocated). */
rc_status rc_seq_params_create(rc_seq_params *p, int G, int I, int H, int P, bool bias, rc_rng *rng);
void rc_seq_params_free(rc_seq_params *p);

/* Adds each parameter as prefix.NAME{suffix}, e.g. "weight_ih" + "_l0_reverse". */
rc_status rc_seq_params_add(const rc_seq_params *p, rc_params *ps, const char *prefix, const char *suffix);

typedef struct rc_seq {
    const rc_cell *cell;
    int T, B, I, H, P;
    bool reverse;
    const int *lengths; /* B lengths in [1, T], or NULL: all T */
    rc_seq_params w;
    bool keep;          /* keep every step for backward (else only what the loop needs) */

    /* Buffers, laid out by rc_seq_alloc in one arena block. */
    rc_real *xg;    /* (T, B, G·H) input gates; reused for their gradient DXG */
    rc_real *hg;    /* (B, G·H) one step's recurrent gates, if the cell splits them */
    rc_real *bias;  /* (G·H) the bias of XG */
    rc_real *whh_f; /* W_hhᵀ packed (P by G·H); forward */
    rc_real *whr_f; /* W_hrᵀ packed (H by P); forward, with projection */
    rc_real *whh_b; /* W_hh packed (G·H by P); backward */
    rc_real *whr_b; /* W_hr packed (P by H); backward, with projection */
    rc_real *hs;    /* (T+1, B, P) states in time order: slot t is h_prev of step t
                       forward (slot t+1 of step t in reverse), the initial state
                       in slot 0 (slot T in reverse) */
    rc_real *cs;    /* (T+1, B, H) cell states, same slots; NULL without one */
    rc_real *m;     /* (T, B, H) pre-projection outputs with projection, else NULL */
    rc_real *saved; /* (T, B, S·H) the cell's saved values */
    rc_real *dhg;   /* backward: (T, B, G·H) if the cell splits dhg, else NULL */
    rc_real *dhp;   /* backward: (T, B, P) gradient on projected h, with projection */
    rc_real *dh[2]; /* backward: (B, P) running gradient on h, and the next one */
    rc_real *dc[2]; /* backward: (B, H) on c */
    rc_real *dm;    /* backward: (B, H) on m, with projection */
} rc_seq;

/* Where a direction reads and writes outside its own buffers. In forward
 * the pointers hold values, in backward gradients (NULL: not needed). */
typedef struct rc_seq_io {
    rc_real *x;            /* (T, B, I) time-major; backward: += dX */
    rc_real *out;          /* row (t, b), P values, at out + t·out_t + b·out_b; or NULL */
    size_t out_t, out_b;
    rc_real *h0, *c0;      /* (B, P), (B, H); forward NULL = zeros; backward += */
    rc_real *h_n, *c_n;    /* (B, P), (B, H) final states */
} rc_seq_io;

/* Lays out s's buffers (dimensions, cell and keep already set) in the
 * graph's arena. False with a sticky RC_E_NOMEM on failure. */
bool rc_seq_alloc(rc_seq *s, rc_graph *g);

/* Runs the direction: reads io->x, io->h0, io->c0; writes io->out (if not
 * NULL), io->h_n and io->c_n (cell state only). */
void rc_seq_forward(rc_seq *s, const rc_seq_io *io);

/* BPTT after rc_seq_forward with keep: x (T, B, I) the forward input;
 * grad->out, grad->h_n, grad->c_n hold upstream gradients (NULL: none);
 * adds into grad->x, grad->h0, grad->c0 (when not NULL) and into every
 * parameter's grad buffer. Runs rc_seq_bptt, then rc_seq_grads. */
void rc_seq_backward(rc_seq *s, const rc_real *x, const rc_seq_io *grad);

/* The time loop of backward: the gate gradients of every step, and the
 * additions into grad->h0 and grad->c0. Touches nothing another direction
 * touches, so directions can run it side by side. */
void rc_seq_bptt(rc_seq *s, const rc_seq_io *grad);

/* The products over all steps after rc_seq_bptt: adds into grad->x and the
 * parameters' grad buffers. */
void rc_seq_grads(rc_seq *s, const rc_real *x, const rc_seq_io *grad);

#endif
