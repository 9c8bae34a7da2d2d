/*
 * The shared time loop of RNN, LSTM and GRU: one direction of one layer,
 * forward and BPTT backward (see sequence.h for the equations).
 */
#include <string.h>

#include "core/gemm.h"
#include "rnn/sequence.h"

/* Hands out n values from base at *off (or only counts when base is NULL),
 * keeping every buffer 64-byte aligned. */
static rc_real *take(rc_real *base, size_t *off, size_t n)
{
    const size_t align = 64 / sizeof(rc_real);
    rc_real *p = base && n ? base + *off : NULL;
    *off += (n + align - 1) / align * align;
    return p;
}

/* The one place that sizes the buffers: returns the total, and points them
 * into base when base is not NULL. */
static size_t layout(rc_seq *s, rc_real *base)
{
    const rc_cell *cell = s->cell;
    size_t T = (size_t)s->T, B = (size_t)s->B, H = (size_t)s->H, P = (size_t)s->P;
    size_t GH = (size_t)cell->gates * H, steps = s->keep ? T : 1;
    bool proj = s->w.t[RC_SEQ_W_HR] != NULL;
    size_t off = 0;
    s->xg = take(base, &off, T * B * GH);
    s->hg = take(base, &off, B * GH);
    s->hs = take(base, &off, (T + 1) * B * P);
    s->cs = take(base, &off, cell->has_c ? (T + 1) * B * H : 0);
    s->m = take(base, &off, proj ? steps * B * H : 0);
    s->saved = take(base, &off, steps * B * (size_t)cell->saved * H);
    bool bw = s->keep;
    s->dhg = take(base, &off, bw && cell->split_hg ? T * B * GH : 0);
    s->dhp = take(base, &off, bw && proj ? T * B * P : 0);
    for (int k = 0; k < 2; k++) {
        s->dh[k] = take(base, &off, bw ? B * P : 0);
        s->dc[k] = take(base, &off, bw && cell->has_c ? B * H : 0);
    }
    s->dm = take(base, &off, bw && proj ? B * H : 0);
    return off;
}

bool rc_seq_alloc(rc_seq *s, rc_graph *g)
{
    size_t n = layout(s, NULL);
    rc_real *base = rc_tape_alloc(g, n * sizeof(rc_real));
    if (!base) return false;
    layout(s, base);
    return true;
}

/* ---- indexing: every step's buffers go through these ------------------ */

static bool active(const rc_seq *s, int t, int b) { return !s->lengths || t < s->lengths[b]; }

/* State slots read and written by step t (see rc_seq.hs). */
static int prev_slot(const rc_seq *s, int t) { return s->reverse ? t + 1 : t; }
static int next_slot(const rc_seq *s, int t) { return s->reverse ? t : t + 1; }

static rc_real *h_at(const rc_seq *s, int slot) { return s->hs + (size_t)slot * s->B * s->P; }
static rc_real *c_at(const rc_seq *s, int slot) { return s->cs ? s->cs + (size_t)slot * s->B * s->H : NULL; }

/* Per-step rows of width w in a (T, B, w) buffer (one step only without keep). */
static rc_real *step_rows(const rc_seq *s, rc_real *buf, int t, size_t w)
{
    return buf ? buf + (s->keep ? (size_t)t : 0) * s->B * w : NULL;
}

static size_t gh(const rc_seq *s) { return (size_t)s->cell->gates * s->H; }

/* Row (t, b) of the per-step outputs (or their gradients). */
static rc_real *out_row(const rc_seq_io *io, int t, int b)
{
    return io->out + (size_t)t * io->out_t + (size_t)b * io->out_b;
}

/* Fills n rows of width w with the bias (or leaves them for beta = 0) and
 * returns the beta the product that follows must use. */
static rc_real bias_rows(rc_real *rows, size_t n, size_t w, const rc_tensor *bias)
{
    if (!bias) return 0;
    for (size_t r = 0; r < n; r++) memcpy(rows + r * w, bias->data, w * sizeof(rc_real));
    return 1;
}

static void copy_or_zero(rc_real *dst, const rc_real *src, size_t n)
{
    if (src)
        memcpy(dst, src, n * sizeof(rc_real));
    else
        memset(dst, 0, n * sizeof(rc_real));
}

/* ---- forward ----------------------------------------------------------- */

void rc_seq_forward(rc_seq *s, const rc_seq_io *io)
{
    const rc_cell *cell = s->cell;
    int T = s->T, B = s->B, I = s->I, H = s->H, P = s->P, G_H = (int)gh(s);
    const rc_tensor *w_ih = s->w.t[RC_SEQ_W_IH], *w_hh = s->w.t[RC_SEQ_W_HH], *w_hr = s->w.t[RC_SEQ_W_HR];
    size_t BP = (size_t)B * P, BH = (size_t)B * H;
    int first = s->reverse ? T : 0, last = s->reverse ? 0 : T;

    copy_or_zero(h_at(s, first), io->h0, BP);
    if (cell->has_c) copy_or_zero(c_at(s, first), io->c0, BH);

    /* XG = X W_ihᵀ + b_ih, every step at once */
    rc_real beta = bias_rows(s->xg, (size_t)T * B, (size_t)G_H, s->w.t[RC_SEQ_B_IH]);
    rc_gemm(false, true, T * B, G_H, I, 1, io->x, I, w_ih->data, I, beta, s->xg, G_H);

    for (int k = 0; k < T; k++) {
        int t = s->reverse ? T - 1 - k : k;
        rc_real *hp = h_at(s, prev_slot(s, t)), *hn = h_at(s, next_slot(s, t));
        rc_real *cp = c_at(s, prev_slot(s, t)), *cn = c_at(s, next_slot(s, t));
        /* HG = h_prev W_hhᵀ + b_hh */
        beta = bias_rows(s->hg, (size_t)B, (size_t)G_H, s->w.t[RC_SEQ_B_HH]);
        rc_gemm(false, true, B, G_H, P, 1, hp, P, w_hh->data, P, beta, s->hg, G_H);
        rc_real *m = w_hr ? step_rows(s, s->m, t, (size_t)H) : hn;
        rc_real *saved = step_rows(s, s->saved, t, (size_t)cell->saved * H);
        cell->forward(B, H, s->xg + (size_t)t * B * G_H, s->hg, hp, cp, m, cn, saved);
        /* h = m W_hrᵀ */
        if (w_hr) rc_gemm(false, true, B, P, H, 1, m, H, w_hr->data, H, 0, hn, P);
        for (int b = 0; s->lengths && b < B; b++)
            if (!active(s, t, b)) {
                memcpy(hn + (size_t)b * P, hp + (size_t)b * P, (size_t)P * sizeof(rc_real));
                if (cn) memcpy(cn + (size_t)b * H, cp + (size_t)b * H, (size_t)H * sizeof(rc_real));
            }
        for (int b = 0; io->out && b < B; b++)
            copy_or_zero(out_row(io, t, b), active(s, t, b) ? hn + (size_t)b * P : NULL, (size_t)P);
    }
    memcpy(io->h_n, h_at(s, last), BP * sizeof(rc_real));
    if (cell->has_c) memcpy(io->c_n, c_at(s, last), BH * sizeof(rc_real));
}

/* ---- backward ---------------------------------------------------------- */

/* db += Σ over n rows of d (n, w) */
static void add_row_sums(rc_real *db, const rc_real *d, size_t n, size_t w)
{
    for (size_t r = 0; r < n; r++)
        for (size_t j = 0; j < w; j++) db[j] += d[r * w + j];
}

static void add_into(rc_real *dst, const rc_real *src, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] += src[i];
}

/* One step of BPTT at time t: consumes dh/dc (the gradient on step t's new
 * state), writes the step's gate gradients, leaves the gradient on its
 * previous state in dh_next/dc_next. */
static void step_backward(rc_seq *s, int t, const rc_seq_io *grad, rc_real *dh, rc_real *dc, rc_real *dh_next,
                          rc_real *dc_next)
{
    const rc_cell *cell = s->cell;
    int B = s->B, H = s->H, P = s->P, G_H = (int)gh(s);
    const rc_tensor *w_hh = s->w.t[RC_SEQ_W_HH], *w_hr = s->w.t[RC_SEQ_W_HR];
    rc_real *hp = h_at(s, prev_slot(s, t)), *hn = h_at(s, next_slot(s, t));
    rc_real *cp = c_at(s, prev_slot(s, t)), *cn = c_at(s, next_slot(s, t));
    rc_real *dxg = s->xg + (size_t)t * B * G_H;
    rc_real *dhg = cell->split_hg ? s->dhg + (size_t)t * B * G_H : dxg;

    /* forward wrote out[t, b] = h for running sequences */
    for (int b = 0; grad->out && b < B; b++)
        if (active(s, t, b)) add_into(dh + (size_t)b * P, out_row(grad, t, b), (size_t)P);

    rc_real *m = hn, *dm = dh;
    if (w_hr) {
        /* forward was h = m W_hrᵀ: dm = dh W_hr, and dh is kept for dW_hr */
        m = step_rows(s, s->m, t, (size_t)H);
        dm = s->dm;
        rc_real *dhp = s->dhp + (size_t)t * B * P;
        for (int b = 0; b < B; b++)
            copy_or_zero(dhp + (size_t)b * P, active(s, t, b) ? dh + (size_t)b * P : NULL, (size_t)P);
        rc_gemm(false, false, B, H, P, 1, dh, P, w_hr->data, H, 0, dm, H);
    }
    memset(dh_next, 0, (size_t)B * P * sizeof(rc_real));
    cell->backward(B, H, step_rows(s, s->saved, t, (size_t)cell->saved * H), hp, cp, m, cn, dm, dc, dxg, dhg, dh_next,
                   dc_next);
    /* forward carried the state of ended sequences: pass their gradient through */
    for (int b = 0; s->lengths && b < B; b++)
        if (!active(s, t, b)) {
            memset(dxg + (size_t)b * G_H, 0, (size_t)G_H * sizeof(rc_real));
            if (dhg != dxg) memset(dhg + (size_t)b * G_H, 0, (size_t)G_H * sizeof(rc_real));
            memcpy(dh_next + (size_t)b * P, dh + (size_t)b * P, (size_t)P * sizeof(rc_real));
            if (dc) memcpy(dc_next + (size_t)b * H, dc + (size_t)b * H, (size_t)H * sizeof(rc_real));
        }
    /* forward was HG = h_prev W_hhᵀ + b_hh: dh_prev += DHG_t W_hh */
    rc_gemm(false, false, B, P, G_H, 1, dhg, G_H, w_hh->data, P, 1, dh_next, P);
}

void rc_seq_backward(rc_seq *s, const rc_real *x, const rc_seq_io *grad)
{
    RC_ASSERT(s->keep);
    const rc_cell *cell = s->cell;
    int T = s->T, B = s->B, I = s->I, H = s->H, P = s->P, G_H = (int)gh(s), TB = T * B;
    rc_tensor *w_ih = s->w.t[RC_SEQ_W_IH], *w_hh = s->w.t[RC_SEQ_W_HH], *w_hr = s->w.t[RC_SEQ_W_HR];
    rc_tensor *b_ih = s->w.t[RC_SEQ_B_IH], *b_hh = s->w.t[RC_SEQ_B_HH];
    size_t BP = (size_t)B * P, BH = (size_t)B * H;
    rc_real *dh = s->dh[0], *dh_next = s->dh[1], *dc = s->dc[0], *dc_next = s->dc[1];

    copy_or_zero(dh, grad->h_n, BP);
    if (cell->has_c) copy_or_zero(dc, grad->c_n, BH);
    for (int k = 0; k < T; k++) {
        int t = s->reverse ? k : T - 1 - k;
        step_backward(s, t, grad, dh, dc, dh_next, dc_next);
        rc_real *tmp = dh;
        dh = dh_next;
        dh_next = tmp;
        tmp = dc;
        dc = dc_next;
        dc_next = tmp;
    }
    if (grad->h0) add_into(grad->h0, dh, BP);
    if (grad->c0 && cell->has_c) add_into(grad->c0, dc, BH);

    const rc_real *dxg = s->xg, *dhg = cell->split_hg ? s->dhg : s->xg;
    const rc_real *h_prev = h_at(s, s->reverse ? 1 : 0);
    /* forward was XG = X W_ihᵀ + b_ih: dW_ih += DXGᵀ X, dX += DXG W_ih, db_ih += Σ DXG */
    if (w_ih->grad) rc_gemm(true, false, G_H, I, TB, 1, dxg, G_H, x, I, 1, w_ih->grad, I);
    if (grad->x) rc_gemm(false, false, TB, I, G_H, 1, dxg, G_H, w_ih->data, I, 1, grad->x, I);
    if (b_ih && b_ih->grad) add_row_sums(b_ih->grad, dxg, (size_t)TB, (size_t)G_H);
    /* forward was HG = H_prev W_hhᵀ + b_hh: dW_hh += DHGᵀ H_prev, db_hh += Σ DHG */
    if (w_hh->grad) rc_gemm(true, false, G_H, P, TB, 1, dhg, G_H, h_prev, P, 1, w_hh->grad, P);
    if (b_hh && b_hh->grad) add_row_sums(b_hh->grad, dhg, (size_t)TB, (size_t)G_H);
    /* forward was h = m W_hrᵀ: dW_hr += DHᵀ M */
    if (w_hr && w_hr->grad) rc_gemm(true, false, P, H, TB, 1, s->dhp, P, s->m, H, 1, w_hr->grad, H);
}
