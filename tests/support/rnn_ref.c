#include "rnn_ref.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ref_weights {
    const rc_real *w_ih, *w_hh, *b_ih, *b_hh, *w_hr;
} ref_weights;

static const rc_real *find(const rc_params *ps, const char *base, int layer, int dir)
{
    char name[64];
    snprintf(name, sizeof name, "%s_l%d%s", base, layer, dir ? "_reverse" : "");
    rc_tensor *t = rc_params_find(ps, name);
    return t ? t->data : NULL;
}

static double sigmoid(double x) { return 1 / (1 + exp(-x)); }

/* Σ_i w[row, i] v[i] */
static double dot(const rc_real *w, int row, int n, const double *v)
{
    double s = 0;
    for (int i = 0; i < n; i++) s += (double)w[(size_t)row * n + i] * v[i];
    return s;
}

/* One step of one sequence: x (I), h (Hout) and c (H) updated in place. */
static void step(const rc_rnn_config *cfg, const ref_weights *w, int I, const double *x, double *h, double *c,
                 double *margin)
{
    int H = cfg->hidden_size, P = cfg->proj_size ? cfg->proj_size : H, G = rc_rnn_mode_gates(cfg->mode);
    double *ax = malloc(sizeof(double) * (size_t)(G * H)), *ah = malloc(sizeof(double) * (size_t)(G * H));
    double *hn = malloc(sizeof(double) * (size_t)H);
    /* ax = W_ih x + b_ih, ah = W_hh h + b_hh, gate blocks in PyTorch's order */
    for (int r = 0; r < G * H; r++) {
        ax[r] = dot(w->w_ih, r, I, x) + (w->b_ih ? w->b_ih[r] : 0);
        ah[r] = dot(w->w_hh, r, P, h) + (w->b_hh ? w->b_hh[r] : 0);
    }
    for (int j = 0; j < H; j++) {
        if (cfg->mode == RC_RNN_TANH) {
            hn[j] = tanh(ax[j] + ah[j]);
        } else if (cfg->mode == RC_RNN_RELU) {
            double a = ax[j] + ah[j];
            if (fabs(a) < *margin) *margin = fabs(a);
            hn[j] = a > 0 ? a : 0;
        } else if (cfg->mode == RC_LSTM) {
            double i = sigmoid(ax[j] + ah[j]), f = sigmoid(ax[H + j] + ah[H + j]);
            double g = tanh(ax[2 * H + j] + ah[2 * H + j]), o = sigmoid(ax[3 * H + j] + ah[3 * H + j]);
            c[j] = f * c[j] + i * g;
            hn[j] = o * tanh(c[j]);
        } else {
            double r = sigmoid(ax[j] + ah[j]), z = sigmoid(ax[H + j] + ah[H + j]);
            double n = tanh(ax[2 * H + j] + r * ah[2 * H + j]);
            hn[j] = (1 - z) * n + z * h[j];
        }
    }
    if (w->w_hr)
        for (int p = 0; p < P; p++) h[p] = dot(w->w_hr, p, H, hn);
    else
        memcpy(h, hn, sizeof(double) * (size_t)H);
    free(ax);
    free(ah);
    free(hn);
}

double rc_ref_rnn(const rc_ref_rnn_args *a, rc_real *output, rc_real *h_n, rc_real *c_n)
{
    const rc_rnn_config *cfg = a->cfg;
    int T = a->T, B = a->B, D = cfg->bidirectional ? 2 : 1, L = cfg->num_layers, H = cfg->hidden_size;
    int P = cfg->proj_size ? cfg->proj_size : H, DP = D * P;
    bool bf = a->batched && cfg->batch_first;
    double margin = INFINITY;

    /* the current layer's input, time-major (T, B, width) */
    int width = cfg->input_size;
    double *in = malloc(sizeof(double) * (size_t)(T * B * width));
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++)
            for (int i = 0; i < width; i++)
                in[((size_t)t * B + b) * width + i] = a->x[((size_t)(bf ? b * T + t : t * B + b)) * width + i];

    double *h = malloc(sizeof(double) * (size_t)P), *c = malloc(sizeof(double) * (size_t)H);
    double *xt = malloc(sizeof(double) * (size_t)(cfg->input_size > DP ? cfg->input_size : DP));
    for (int k = 0; k < L; k++) {
        double *out = calloc((size_t)(T * B * DP), sizeof(double));
        for (int d = 0; d < D; d++) {
            ref_weights w = {find(a->ps, "weight_ih", k, d), find(a->ps, "weight_hh", k, d),
                             find(a->ps, "bias_ih", k, d), find(a->ps, "bias_hh", k, d),
                             find(a->ps, "weight_hr", k, d)};
            int row = k * D + d;
            for (int b = 0; b < B; b++) {
                int len = a->lengths ? a->lengths[b] : T;
                for (int j = 0; j < P; j++) h[j] = a->h0 ? a->h0[((size_t)row * B + b) * P + j] : 0;
                for (int j = 0; j < H; j++) c[j] = a->c0 ? a->c0[((size_t)row * B + b) * H + j] : 0;
                /* the reverse direction starts at the sequence's own last step */
                for (int s = 0; s < len; s++) {
                    int t = d ? len - 1 - s : s;
                    for (int i = 0; i < width; i++) xt[i] = in[((size_t)t * B + b) * width + i];
                    step(cfg, &w, width, xt, h, c, &margin);
                    for (int j = 0; j < P; j++) out[((size_t)t * B + b) * DP + d * P + j] = h[j];
                }
                for (int j = 0; j < P; j++) h_n[((size_t)row * B + b) * P + j] = (rc_real)h[j];
                if (cfg->mode == RC_LSTM)
                    for (int j = 0; j < H; j++) c_n[((size_t)row * B + b) * H + j] = (rc_real)c[j];
            }
        }
        if (k < L - 1 && a->dropout_masks)
            for (size_t i = 0; i < (size_t)(T * B * DP); i++) out[i] *= a->dropout_masks[k][i];
        free(in);
        in = out;
        width = DP;
    }
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++)
            for (int j = 0; j < DP; j++)
                output[((size_t)(bf ? b * T + t : t * B + b)) * DP + j] = (rc_real)in[((size_t)t * B + b) * DP + j];
    free(in);
    free(h);
    free(c);
    free(xt);
    return margin;
}

double rc_ref_rnn_cell(rc_rnn_mode mode, const rc_params *ps, int I, int H, int B, const rc_real *x,
                       const rc_real *h, const rc_real *c, rc_real *h_out, rc_real *c_out)
{
    rc_params *layer_ps;
    if (rc_params_create(&layer_ps) != RC_OK) return NAN;
    /* a cell's "weight_ih" is a one-layer module's "weight_ih_l0" */
    for (size_t i = 0; i < rc_params_count(ps); i++) {
        char name[RC_PARAM_NAME_MAX];
        snprintf(name, sizeof name, "%s_l0", rc_params_name(ps, i));
        rc_params_add(layer_ps, NULL, name, rc_params_tensor(ps, i));
    }
    rc_rnn_config cfg = rc_rnn_config_default(mode, I, H);
    rc_real *out = malloc(sizeof(rc_real) * (size_t)(B * H));
    rc_ref_rnn_args a = {.cfg = &cfg, .ps = layer_ps, .T = 1, .B = B, .batched = true, .x = x, .h0 = h, .c0 = c};
    double margin = rc_ref_rnn(&a, out, h_out, c_out);
    free(out);
    rc_params_free(layer_ps);
    return margin;
}
