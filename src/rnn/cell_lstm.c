/*
 * The LSTM cell: four gates in PyTorch's order i, f, g, o (G = 4). It saves
 * the four activations and tanh(c') (S = 5); c' and c_prev are the loop's
 * cell states.
 */
#include "rnn/cell_simd.h"

enum { GATE_I, GATE_F, GATE_G, GATE_O, N_GATES, SAVED_TANH_C = N_GATES, N_SAVED };

/* xg (B, 4H) pre-activations; c_prev, c, h (B, H); saved (B, 5H): i, f, g, o, tanh(c') */
static void lstm_forward(int B, int H, int j0, int j1, const rc_real *xg, const rc_real *hg, const rc_real *b_hh,
                         const rc_real *h_prev, const rc_real *c_prev, rc_real *h, rc_real *c, rc_real *saved)
{
    (void)hg, (void)b_hh, (void)h_prev;
    for (int b = 0; b < B; b++) {
        const rc_real *xr = xg + (size_t)b * N_GATES * H;
        rc_real *s = saved + (size_t)b * N_SAVED * H;
        for (int j = j0; j < j1; j++) {
            size_t k = (size_t)b * H + j;
            /* i = σ(W_ii x + b_ii + W_hi h + b_hi), and likewise f and o */
            rc_real i = rc_cell_sigmoid(xr[GATE_I * H + j]);
            rc_real f = rc_cell_sigmoid(xr[GATE_F * H + j]);
            rc_real o = rc_cell_sigmoid(xr[GATE_O * H + j]);
            /* g = tanh(W_ig x + b_ig + W_hg h + b_hg) */
            rc_real g = RC_TANH(xr[GATE_G * H + j]);
            /* c' = f ⊙ c + i ⊙ g */
            c[k] = f * c_prev[k] + i * g;
            /* h' = o ⊙ tanh(c') */
            rc_real tc = RC_TANH(c[k]);
            h[k] = o * tc;
            s[GATE_I * H + j] = i;
            s[GATE_F * H + j] = f;
            s[GATE_G * H + j] = g;
            s[GATE_O * H + j] = o;
            s[SAVED_TANH_C * H + j] = tc;
        }
    }
}

/* saved (B, 5H); c_prev (B, H); dh, dc, dc_prev (B, H); dxg (B, 4H) */
static void lstm_backward(int B, int H, int j0, int j1, const rc_real *saved, const rc_real *h_prev, const rc_real *c_prev,
                          const rc_real *h, const rc_real *c, const rc_real *dh, const rc_real *dc, rc_real *dxg,
                          rc_real *dhg, rc_real *dh_prev, rc_real *dc_prev)
{
    (void)h_prev, (void)h, (void)c, (void)dhg, (void)dh_prev;
    for (int b = 0; b < B; b++) {
        const rc_real *s = saved + (size_t)b * N_SAVED * H;
        rc_real *dr = dxg + (size_t)b * N_GATES * H;
        for (int j = j0; j < j1; j++) {
            size_t k = (size_t)b * H + j;
            rc_real i = s[GATE_I * H + j], f = s[GATE_F * H + j], g = s[GATE_G * H + j], o = s[GATE_O * H + j];
            rc_real tc = s[SAVED_TANH_C * H + j];
            /* forward was h' = o ⊙ tanh(c'): do = dh' tanh(c'), and c' also reaches the loss through h' */
            rc_real d_o = dh[k] * tc;
            rc_real dct = dc[k] + dh[k] * o * (1 - tc * tc);
            /* forward was c' = f ⊙ c + i ⊙ g */
            rc_real d_i = dct * g, d_f = dct * c_prev[k], d_g = dct * i;
            dc_prev[k] = dct * f;
            /* forward was i, f, o = σ(a), g = tanh(a): da = d· σ(a)(1 − σ(a)), resp. d· (1 − g²) */
            dr[GATE_I * H + j] = d_i * i * (1 - i);
            dr[GATE_F * H + j] = d_f * f * (1 - f);
            dr[GATE_G * H + j] = d_g * (1 - g * g);
            dr[GATE_O * H + j] = d_o * o * (1 - o);
        }
    }
}

const rc_cell rc_cell_lstm = {.gates = N_GATES, .saved = N_SAVED, .has_c = true,
                              .k = RC_CELL_KERNELS(lstm, lstm_forward, lstm_backward)};
