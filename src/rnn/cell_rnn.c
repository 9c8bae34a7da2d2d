/*
 * The Elman cell of nn.RNN: one gate (G = 1), nothing saved beyond its
 * output, whose value alone gives the derivative of tanh and of relu.
 */
#include "rnn/cell.h"

/* xg, hg (B, H); h (B, H) */
static void rnn_tanh_forward(int B, int H, const rc_real *xg, const rc_real *hg, const rc_real *h_prev,
                             const rc_real *c_prev, rc_real *h, rc_real *c, rc_real *saved)
{
    (void)h_prev, (void)c_prev, (void)c, (void)saved;
    /* h' = tanh(W_ih x + b_ih + W_hh h + b_hh) */
    for (size_t i = 0, n = (size_t)B * (size_t)H; i < n; i++) h[i] = RC_TANH(xg[i] + hg[i]);
}

/* h (B, H) the forward output; dh (B, H); dxg (B, H) */
static void rnn_tanh_backward(int B, int H, const rc_real *saved, const rc_real *h_prev, const rc_real *c_prev,
                              const rc_real *h, const rc_real *c, const rc_real *dh, const rc_real *dc, rc_real *dxg,
                              rc_real *dhg, rc_real *dh_prev, rc_real *dc_prev)
{
    (void)saved, (void)h_prev, (void)c_prev, (void)c, (void)dc, (void)dhg, (void)dh_prev, (void)dc_prev;
    /* forward was h' = tanh(a), so da = dh' (1 − h'²) */
    for (size_t i = 0, n = (size_t)B * (size_t)H; i < n; i++) dxg[i] = dh[i] * (1 - h[i] * h[i]);
}

/* xg, hg (B, H); h (B, H) */
static void rnn_relu_forward(int B, int H, const rc_real *xg, const rc_real *hg, const rc_real *h_prev,
                             const rc_real *c_prev, rc_real *h, rc_real *c, rc_real *saved)
{
    (void)h_prev, (void)c_prev, (void)c, (void)saved;
    /* h' = relu(W_ih x + b_ih + W_hh h + b_hh) */
    for (size_t i = 0, n = (size_t)B * (size_t)H; i < n; i++) {
        rc_real a = xg[i] + hg[i];
        h[i] = a > 0 ? a : 0;
    }
}

/* h (B, H) the forward output; dh (B, H); dxg (B, H) */
static void rnn_relu_backward(int B, int H, const rc_real *saved, const rc_real *h_prev, const rc_real *c_prev,
                              const rc_real *h, const rc_real *c, const rc_real *dh, const rc_real *dc, rc_real *dxg,
                              rc_real *dhg, rc_real *dh_prev, rc_real *dc_prev)
{
    (void)saved, (void)h_prev, (void)c_prev, (void)c, (void)dc, (void)dhg, (void)dh_prev, (void)dc_prev;
    /* forward was h' = relu(a), so da = dh' where a > 0 (h' > 0), else 0 (at a = 0 too, as PyTorch) */
    for (size_t i = 0, n = (size_t)B * (size_t)H; i < n; i++) dxg[i] = h[i] > 0 ? dh[i] : 0;
}

const rc_cell rc_cell_rnn_tanh = {.gates = 1, .saved = 0, .has_c = false, .split_hg = false,
                                  .forward = rnn_tanh_forward, .backward = rnn_tanh_backward};

const rc_cell rc_cell_rnn_relu = {.gates = 1, .saved = 0, .has_c = false, .split_hg = false,
                                  .forward = rnn_relu_forward, .backward = rnn_relu_backward};
