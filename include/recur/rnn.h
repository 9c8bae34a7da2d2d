/*
 * recur/rnn.h — nn.RNN, nn.LSTM, nn.GRU and their single-step cells, with
 * PyTorch's arguments, formulas, gate order, shapes and state_dict names.
 *
 * Cells (G gates: RNN 1, LSTM 4 in order i, f, g, o; GRU 3 in order r, z, n):
 *
 *   RNN:  h' = act(W_ih x + b_ih + W_hh h + b_hh)            act = tanh or relu
 *   LSTM: i = σ(W_ii x + b_ii + W_hi h + b_hi)   f = σ(...)   g = tanh(...)   o = σ(...)
 *         c' = f ⊙ c + i ⊙ g        h' = o ⊙ tanh(c')        (proj: h' = W_hr (o ⊙ tanh(c')))
 *   GRU:  r = σ(W_ir x + b_ir + W_hr h + b_hr)   z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *         n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))       h' = (1 − z) ⊙ n + z ⊙ h
 *   (GRU is PyTorch's "reset after" form; ONNX's default differs.)
 *
 * Shapes (T steps, B batch, I input, H hidden, L layers, D = 2 if
 * bidirectional else 1, P = proj_size, and Hout = P if P > 0 else H):
 *   x        (T, B, I), or (B, T, I) with batch_first, or unbatched (T, I)
 *   h0, h_n  (D·L, B, Hout)  — batch in the middle even with batch_first;
 *            first axis ordered layer 0 forward, layer 0 reverse, layer 1 ...
 *   c0, c_n  (D·L, B, H)     — LSTM only
 *   output   (T, B, D·Hout) (or (B, T, D·Hout)); forward half first.
 *   Unbatched input drops B from h0, h_n, c0, c_n and output.
 *
 * Parameters (state_dict names; sfx "" or "_reverse"; I_0 = I, I_k = D·Hout):
 *   weight_ih_l{k}{sfx} (G·H, I_k)   weight_hh_l{k}{sfx} (G·H, Hout)
 *   bias_ih_l{k}{sfx}   (G·H)        bias_hh_l{k}{sfx}   (G·H)      (with bias)
 *   weight_hr_l{k}{sfx} (P, H)       (LSTM with proj_size > 0)
 * all initialised U(−1/√H, 1/√H).
 *
 * Variable lengths (packed-sequence semantics): with lengths[b] ∈ [1, T],
 * steps t ≥ lengths[b] are not computed for sequence b, output is 0 there,
 * h_n/c_n hold the state after step lengths[b] − 1, and the reverse direction
 * starts at t = lengths[b] − 1.
 *
 * Each layer runs over the whole sequence as one op with a fused BPTT
 * backward; dropout between layers (not after the last) applies in training
 * mode only, drawing from the graph's generator.
 *
 * Example: the tutorial's nn.LSTM(5, 6, 2) on x (1, 3, 5).
 *
 *     rc_rnn_config cfg = rc_rnn_config_default(RC_LSTM, 5, 6);
 *     cfg.num_layers = 2;
 *     rc_rnn *lstm;
 *     if (rc_rnn_create(&lstm, &cfg, &rng) != RC_OK) { puts(rc_last_error()); ... }
 *     rc_rnn_result r;
 *     if (rc_rnn_forward(lstm, g, x, h0, c0, NULL, &r) != RC_OK) ...
 *     // r.output (1, 3, 6), r.h_n (2, 3, 6), r.c_n (2, 3, 6)
 *     rc_rnn_free(lstm);
 */
#ifndef RECUR_RNN_H
#define RECUR_RNN_H

#include "recur/graph.h"
#include "recur/params.h"

typedef enum rc_rnn_mode {
    RC_RNN_TANH, /* nn.RNN(nonlinearity='tanh') */
    RC_RNN_RELU, /* nn.RNN(nonlinearity='relu') */
    RC_LSTM,
    RC_GRU,
    RC_RNN_MODE_COUNT
} rc_rnn_mode;

/* "rnn_tanh", "rnn_relu", "lstm", "gru". */
const char *rc_rnn_mode_name(rc_rnn_mode mode);

/* Number of gates G: 1, 1, 4, 3. */
int rc_rnn_mode_gates(rc_rnn_mode mode);

typedef struct rc_rnn_config {
    rc_rnn_mode mode;
    int input_size, hidden_size;
    int num_layers;    /* >= 1 */
    bool bias;         /* bias_ih and bias_hh exist */
    bool batch_first;  /* x and output are (B, T, ...) */
    rc_real dropout;   /* between layers, in [0, 1) */
    bool bidirectional;
    int proj_size;     /* LSTM only; 0 = none, else 0 < P < H */
} rc_rnn_config;

/* PyTorch's defaults: 1 layer, bias, not batch_first, no dropout,
 * unidirectional, no projection. */
rc_rnn_config rc_rnn_config_default(rc_rnn_mode mode, int input_size, int hidden_size);

typedef struct rc_rnn rc_rnn;

/* Creates a layer with PyTorch's default init drawn from rng.
 * Errors: RC_E_INVALID naming the bad field (sizes < 1, dropout outside
 * [0, 1), proj_size on a non-LSTM or >= hidden_size), RC_E_NOMEM. */
rc_status rc_rnn_create(rc_rnn **out, const rc_rnn_config *cfg, rc_rng *rng);
void rc_rnn_free(rc_rnn *m);
const rc_rnn_config *rc_rnn_get_config(const rc_rnn *m);

/* Adds every parameter under its state_dict name, in PyTorch's order. */
rc_status rc_rnn_add_params(const rc_rnn *m, rc_params *ps, const char *prefix);

typedef struct rc_rnn_result {
    rc_tensor *output; /* see shapes above */
    rc_tensor *h_n;
    rc_tensor *c_n;    /* LSTM only, else NULL */
} rc_rnn_result;

/* Runs the layer over x. h0 and c0 may be NULL (zeros); c0 must be NULL
 * unless the mode is LSTM. lengths is NULL (every sequence has T steps) or B
 * values in [1, T]. Results are graph tensors.
 * Errors (also recorded in the graph): RC_E_SHAPE naming the tensor and its
 * expected versus actual shape, RC_E_INVALID for a bad length (naming b),
 * RC_E_NOMEM. */
rc_status rc_rnn_forward(rc_rnn *m, rc_graph *g, rc_tensor *x, rc_tensor *h0, rc_tensor *c0, const int *lengths,
                         rc_rnn_result *out);

/* ---- single-step cells: nn.RNNCell, nn.LSTMCell, nn.GRUCell ------------
 * Parameters: weight_ih (G·H, I), weight_hh (G·H, H), bias_ih (G·H),
 * bias_hh (G·H). x (B, I), h and c (B, H), or unbatched (I) and (H). */
typedef struct rc_rnn_cell rc_rnn_cell;

rc_status rc_rnn_cell_create(rc_rnn_cell **out, rc_rnn_mode mode, int input_size, int hidden_size, bool bias,
                             rc_rng *rng);
void rc_rnn_cell_free(rc_rnn_cell *c);
rc_rnn_mode rc_rnn_cell_mode(const rc_rnn_cell *c);
int rc_rnn_cell_hidden_size(const rc_rnn_cell *c);
rc_status rc_rnn_cell_add_params(const rc_rnn_cell *c, rc_params *ps, const char *prefix);

/* One step. h and c may be NULL (zeros); c must be NULL unless LSTM.
 * *h_out receives h'; *c_out receives c' for LSTM (pass NULL otherwise).
 * Errors as rc_rnn_forward. */
rc_status rc_rnn_cell_forward(rc_rnn_cell *cell, rc_graph *g, rc_tensor *x, rc_tensor *h, rc_tensor *c,
                              rc_tensor **h_out, rc_tensor **c_out);

#endif
