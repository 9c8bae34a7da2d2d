/*
 * The GRU cell in PyTorch's "reset after" form: r multiplies W_hn h + b_hn,
 * not h (G = 3, gates r, z, n). It saves r, z, n and W_hn h + b_hn (S = 4);
 * the candidate's recurrent half gets r ⊙ (its input half's gradient), so
 * dhg differs from dxg.
 */
#include "rnn/cell_simd.h"

enum { GATE_R, GATE_Z, GATE_N, N_GATES, SAVED_HN = N_GATES, N_SAVED };

/* xg (B, 3H) input halves with b_ih; hg (B, 3H) W_hh h; b_hh (3H) or NULL;
 * h_prev, h (B, H); saved (B, 4H): r, z, n, W_hn h + b_hn */
static void gru_forward(int B, int H, int j0, int j1, const rc_real *xg, const rc_real *hg, const rc_real *b_hh,
                        const rc_real *h_prev, const rc_real *c_prev, rc_real *h, rc_real *c, rc_real *saved)
{
    (void)c_prev, (void)c;
    for (int b = 0; b < B; b++) {
        const rc_real *xr = xg + (size_t)b * N_GATES * H, *hr = hg + (size_t)b * N_GATES * H;
        rc_real *s = saved + (size_t)b * N_SAVED * H;
        for (int j = j0; j < j1; j++) {
            size_t k = (size_t)b * H + j;
            rc_real br = b_hh ? b_hh[GATE_R * H + j] : 0, bz = b_hh ? b_hh[GATE_Z * H + j] : 0;
            rc_real bn = b_hh ? b_hh[GATE_N * H + j] : 0;
            /* r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise */
            rc_real r = rc_cell_sigmoid(xr[GATE_R * H + j] + (hr[GATE_R * H + j] + br));
            rc_real z = rc_cell_sigmoid(xr[GATE_Z * H + j] + (hr[GATE_Z * H + j] + bz));
            /* n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) */
            rc_real hn = hr[GATE_N * H + j] + bn;
            rc_real n = RC_TANH(xr[GATE_N * H + j] + r * hn);
            /* h' = (1 − z) ⊙ n + z ⊙ h */
            h[k] = (1 - z) * n + z * h_prev[k];
            s[GATE_R * H + j] = r;
            s[GATE_Z * H + j] = z;
            s[GATE_N * H + j] = n;
            s[SAVED_HN * H + j] = hn;
        }
    }
}

/* saved (B, 4H); h_prev, dh, dh_prev (B, H); dxg, dhg (B, 3H) */
static void gru_backward(int B, int H, int j0, int j1, const rc_real *saved, const rc_real *h_prev, const rc_real *c_prev,
                         const rc_real *h, const rc_real *c, const rc_real *dh, const rc_real *dc, rc_real *dxg,
                         rc_real *dhg, rc_real *dh_prev, rc_real *dc_prev)
{
    (void)c_prev, (void)h, (void)c, (void)dc, (void)dc_prev;
    for (int b = 0; b < B; b++) {
        const rc_real *s = saved + (size_t)b * N_SAVED * H;
        rc_real *dxr = dxg + (size_t)b * N_GATES * H, *dhr = dhg + (size_t)b * N_GATES * H;
        for (int j = j0; j < j1; j++) {
            size_t k = (size_t)b * H + j;
            rc_real r = s[GATE_R * H + j], z = s[GATE_Z * H + j], n = s[GATE_N * H + j], hn = s[SAVED_HN * H + j];
            /* forward was h' = (1 − z) ⊙ n + z ⊙ h */
            rc_real dn = dh[k] * (1 - z), dz = dh[k] * (h_prev[k] - n);
            dh_prev[k] = dh[k] * z;
            /* forward was n = tanh(a_n), a_n = W_in x + b_in + r ⊙ (W_hn h + b_hn) */
            rc_real da = dn * (1 - n * n);
            rc_real dr = da * hn;
            dxr[GATE_N * H + j] = da;
            dhr[GATE_N * H + j] = da * r;
            /* forward was r, z = σ(a): da = d· σ(a)(1 − σ(a)), shared by both halves */
            rc_real dar = dr * r * (1 - r), daz = dz * z * (1 - z);
            dxr[GATE_R * H + j] = dhr[GATE_R * H + j] = dar;
            dxr[GATE_Z * H + j] = dhr[GATE_Z * H + j] = daz;
        }
    }
}

const rc_cell rc_cell_gru = {.gates = N_GATES, .saved = N_SAVED, .split_hg = true, .direct_h = true,
                             .k = RC_CELL_KERNELS(gru, gru_forward, gru_backward)};
