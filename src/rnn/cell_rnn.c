/*
 * The Elman cell of nn.RNN: one gate (G = 1), nothing saved beyond its
 * output, whose value alone gives the derivative of tanh and of relu.
 */
#include "rnn/cell_simd.h"

/* every unit index i = b·H + j with j in [j0, j1) */
#define FOR_UNITS(i, B, H, j0, j1)                                                                                   \
    for (size_t b_ = 0; b_ < (size_t)(B); b_++)                                                                      \
        for (size_t i = b_ * (H) + (j0), end_ = b_ * (H) + (j1); i < end_; i++)

/* xg (B, H) pre-activations; h (B, H) */
static void rnn_tanh_forward(int B, int H, int j0, int j1, const rc_real *xg, const rc_real *hg,
                             const rc_real *b_hh, const rc_real *h_prev, const rc_real *c_prev, rc_real *h, rc_real *c,
                             rc_real *saved)
{
    (void)hg, (void)b_hh, (void)h_prev, (void)c_prev, (void)c, (void)saved;
    /* h' = tanh(W_ih x + b_ih + W_hh h + b_hh) */
    FOR_UNITS (i, B, H, j0, j1) h[i] = RC_TANH(xg[i]);
}

/* h (B, H) the forward output; dh (B, H); dxg (B, H) */
static void rnn_tanh_backward(int B, int H, int j0, int j1, const rc_real *saved, const rc_real *h_prev, const rc_real *c_prev,
                              const rc_real *h, const rc_real *c, const rc_real *dh, const rc_real *dc, rc_real *dxg,
                              rc_real *dhg, rc_real *dh_prev, rc_real *dc_prev)
{
    (void)saved, (void)h_prev, (void)c_prev, (void)c, (void)dc, (void)dhg, (void)dh_prev, (void)dc_prev;
    /* forward was h' = tanh(a), so da = dh' (1 − h'²) */
    FOR_UNITS (i, B, H, j0, j1) dxg[i] = dh[i] * (1 - h[i] * h[i]);
}

/* xg (B, H) pre-activations; h (B, H) */
static void rnn_relu_forward(int B, int H, int j0, int j1, const rc_real *xg, const rc_real *hg,
                             const rc_real *b_hh, const rc_real *h_prev, const rc_real *c_prev, rc_real *h, rc_real *c,
                             rc_real *saved)
{
    (void)hg, (void)b_hh, (void)h_prev, (void)c_prev, (void)c, (void)saved;
    /* h' = relu(W_ih x + b_ih + W_hh h + b_hh) */
    FOR_UNITS (i, B, H, j0, j1) {
        rc_real a = xg[i];
        h[i] = a < 0 ? 0 : a; /* a NaN passes through, as in PyTorch, so the NaN check sees it */
    }
}

/* h (B, H) the forward output; dh (B, H); dxg (B, H) */
static void rnn_relu_backward(int B, int H, int j0, int j1, const rc_real *saved, const rc_real *h_prev, const rc_real *c_prev,
                              const rc_real *h, const rc_real *c, const rc_real *dh, const rc_real *dc, rc_real *dxg,
                              rc_real *dhg, rc_real *dh_prev, rc_real *dc_prev)
{
    (void)saved, (void)h_prev, (void)c_prev, (void)c, (void)dc, (void)dhg, (void)dh_prev, (void)dc_prev;
    /* forward was h' = relu(a), so da = dh' where a > 0 (h' > 0), else 0 (at a = 0 too, as PyTorch) */
    FOR_UNITS (i, B, H, j0, j1) dxg[i] = h[i] > 0 ? dh[i] : 0;
}

const rc_cell rc_cell_rnn_tanh = {.gates = 1, .k = RC_CELL_KERNELS(rnn_tanh, rnn_tanh_forward, rnn_tanh_backward)};

/* relu needs no transcendental function: the compiler vectorises the scalar loops */
const rc_cell rc_cell_rnn_relu = {.gates = 1, .k = {[RC_SIMD_SCALAR] = {rnn_relu_forward, rnn_relu_backward}}};
