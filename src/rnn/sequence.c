/*
 * The shared time loop of RNN, LSTM and GRU: one direction of one layer,
 * forward and BPTT backward (see sequence.h for the equations).
 */
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/gemm.h"
#include "recur/runtime.h"
#include "rnn/sequence.h"

/* Hidden units per share of a step's cell work: one AVX-512 vector. */
enum { CHUNK = 16, NR = RC_GEMM_NR };

/* Steps of fewer flops stay on one thread: each step waits at 2–3 barriers,
 * which cost more than they share below ~5 µs of work. At B = 1, H = 256
 * (T = 50) two threads sharing the steps were up to 35× slower than one
 * (RNN training, 32 ms against 0.9 ms). */
#define STEP_MIN_FLOPS (1 << 20)

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
    int G_H = cell->gates * s->H;
    size_t T = (size_t)s->T, B = (size_t)s->B, H = (size_t)s->H, P = (size_t)s->P;
    size_t GH = (size_t)G_H, steps = s->keep ? T : 1;
    bool proj = s->w.t[RC_SEQ_W_HR] != NULL, bw = s->keep;
    size_t off = 0;
    s->xg = take(base, &off, T * B * GH);
    s->hg = take(base, &off, cell->split_hg ? B * GH : 0);
    s->bias = take(base, &off, GH);
    s->whh_f = take(base, &off, rc_gemm_packed_size(s->P, G_H));
    s->whr_f = take(base, &off, proj ? rc_gemm_packed_size(s->H, s->P) : 0);
    s->whh_b = take(base, &off, bw ? rc_gemm_packed_size(G_H, s->P) : 0);
    s->whr_b = take(base, &off, bw && proj ? rc_gemm_packed_size(s->P, s->H) : 0);
    s->hs = take(base, &off, (T + 1) * B * P);
    s->cs = take(base, &off, cell->has_c ? (T + 1) * B * H : 0);
    s->m = take(base, &off, proj ? steps * B * H : 0);
    s->saved = take(base, &off, steps * B * (size_t)cell->saved * H);
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

static int imin(int a, int b) { return a < b ? a : b; }

static bool active(const rc_seq *s, int t, int b) { return !s->lengths || t < s->lengths[b]; }

/* Rows [0, n) hold every sequence still running at step t. */
static int live_rows(const rc_seq *s, int t)
{
    int n = s->lengths ? 0 : s->B;
    for (int b = 0; s->lengths && b < s->B; b++)
        if (t < s->lengths[b]) n = b + 1;
    return n;
}

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

static int gh(const rc_seq *s) { return s->cell->gates * s->H; }

/* Row (t, b) of the per-step outputs (or their gradients). */
static rc_real *out_row(const rc_seq_io *io, int t, int b)
{
    return io->out + (size_t)t * io->out_t + (size_t)b * io->out_b;
}

static void copy_or_zero(rc_real *dst, const rc_real *src, size_t n)
{
    if (src)
        memcpy(dst, src, n * sizeof(rc_real));
    else
        memset(dst, 0, n * sizeof(rc_real));
}

/* Columns [j0, j1) of row b of a (·, w) buffer. */
static rc_real *cols(rc_real *buf, int b, int w, int j0) { return buf + (size_t)b * w + j0; }

/* Threads for one direction's time loop: none beyond the first inside a
 * parallel region (the directions are the threads there), nor for steps
 * too small to share. */
static int loop_threads(const rc_seq *s)
{
#ifdef _OPENMP
    if (omp_in_parallel()) return 1;
    double step_flops = 2.0 * s->B * gh(s) * s->P;
    return step_flops < STEP_MIN_FLOPS ? 1 : rc_num_threads();
#else
    (void)s;
    return 1;
#endif
}

/* ---- forward ----------------------------------------------------------- */

/* Columns [j0, j1) of step t's new state, once computed: ended sequences
 * keep their previous h (and c), running ones write it to out. */
static void finish_h(const rc_seq *s, const rc_seq_io *io, int t, const rc_real *hp, rc_real *hn, int j0, int j1)
{
    size_t n = (size_t)(j1 - j0);
    for (int b = 0; b < s->B; b++) {
        bool on = active(s, t, b);
        if (!on) memcpy(cols(hn, b, s->P, j0), hp + (size_t)b * s->P + j0, n * sizeof(rc_real));
        if (io->out) copy_or_zero(out_row(io, t, b) + j0, on ? cols(hn, b, s->P, j0) : NULL, n);
    }
}

static void finish_c(const rc_seq *s, int t, const rc_real *cp, rc_real *cn, int j0, int j1)
{
    for (int b = 0; cn && s->lengths && b < s->B; b++)
        if (!active(s, t, b))
            memcpy(cols(cn, b, s->H, j0), cp + (size_t)b * s->H + j0, (size_t)(j1 - j0) * sizeof(rc_real));
}

/* Columns [j0, j1) of the rows of m past the live ones, which step t does
 * not compute. Backward's dW_hr += DHᵀ M takes every row of M, DH being 0
 * on these rows, so they need a finite value (uninitialised memory may hold
 * a NaN, and 0 · NaN is NaN); 0 is the output of an ended sequence. */
static void finish_m(const rc_seq *s, rc_real *m, int nb, int j0, int j1)
{
    for (int b = nb; s->keep && b < s->B; b++) memset(cols(m, b, s->H, j0), 0, (size_t)(j1 - j0) * sizeof(rc_real));
}

/* Step t, run by every thread of the loop's region; the worksharing loops
 * split it and their ends are its barriers. */
static void step_forward(rc_seq *s, const rc_seq_io *io, rc_cell_kernels kern, int t)
{
    const rc_cell *cell = s->cell;
    int H = s->H, P = s->P, G_H = gh(s), nb = live_rows(s, t);
    const rc_tensor *w_hr = s->w.t[RC_SEQ_W_HR], *b_hh = s->w.t[RC_SEQ_B_HH];
    rc_real *hp = h_at(s, prev_slot(s, t)), *hn = h_at(s, next_slot(s, t));
    rc_real *cp = c_at(s, prev_slot(s, t)), *cn = c_at(s, next_slot(s, t));
    rc_real *xg = s->xg + (size_t)t * s->B * G_H, *hg = cell->split_hg ? s->hg : xg;
    rc_real *m = w_hr ? step_rows(s, s->m, t, (size_t)H) : hn;
    rc_real *saved = step_rows(s, s->saved, t, (size_t)cell->saved * H);

    /* XG_t += h_prev W_hhᵀ, or HG = h_prev W_hhᵀ where the cell adds b_hh */
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
    for (int q = 0; q < (G_H + NR - 1) / NR; q++)
        rc_gemm_packed(nb, q * NR, imin(G_H, (q + 1) * NR), P, hp, P, s->whh_f, cell->split_hg ? 0 : 1, hg, G_H);
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
    for (int q = 0; q < (H + CHUNK - 1) / CHUNK; q++) {
        int j0 = q * CHUNK, j1 = imin(H, j0 + CHUNK);
        kern.forward(nb, H, j0, j1, xg, cell->split_hg ? hg : NULL, cell->split_hg && b_hh ? b_hh->data : NULL, hp,
                     cp, m, cn, saved);
        finish_c(s, t, cp, cn, j0, j1);
        if (w_hr)
            finish_m(s, m, nb, j0, j1);
        else
            finish_h(s, io, t, hp, hn, j0, j1);
    }
    if (!w_hr) return;
    /* h = m W_hrᵀ */
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
    for (int q = 0; q < (P + NR - 1) / NR; q++) {
        int j0 = q * NR, j1 = imin(P, j0 + NR);
        rc_gemm_packed(nb, j0, j1, H, m, H, s->whr_f, 0, hn, P);
        finish_h(s, io, t, hp, hn, j0, j1);
    }
}

void rc_seq_forward(rc_seq *s, const rc_seq_io *io)
{
    const rc_cell *cell = s->cell;
    int T = s->T, B = s->B, I = s->I, H = s->H, P = s->P, G_H = gh(s);
    const rc_tensor *w_ih = s->w.t[RC_SEQ_W_IH], *w_hh = s->w.t[RC_SEQ_W_HH], *w_hr = s->w.t[RC_SEQ_W_HR];
    const rc_tensor *b_ih = s->w.t[RC_SEQ_B_IH], *b_hh = s->w.t[RC_SEQ_B_HH];
    size_t BP = (size_t)B * P, BH = (size_t)B * H;
    int first = s->reverse ? T : 0, last = s->reverse ? 0 : T;

    copy_or_zero(h_at(s, first), io->h0, BP);
    if (cell->has_c) copy_or_zero(c_at(s, first), io->c0, BH);

    /* XG = X W_ihᵀ + b_ih (+ b_hh), every step at once */
    for (int j = 0; b_ih && j < G_H; j++)
        s->bias[j] = b_ih->data[j] + (b_hh && !cell->split_hg ? b_hh->data[j] : 0);
    if (b_ih)
        rc_gemm_bias(false, true, T * B, G_H, I, io->x, I, w_ih->data, I, s->bias, s->xg, G_H);
    else
        rc_gemm(false, true, T * B, G_H, I, 1, io->x, I, w_ih->data, I, 0, s->xg, G_H);

    rc_gemm_pack_b(true, P, G_H, w_hh->data, P, s->whh_f);
    if (w_hr) rc_gemm_pack_b(true, H, P, w_hr->data, H, s->whr_f);
    rc_cell_kernels kern = rc_cell_kernels_active(cell);
    int nt = loop_threads(s);
    (void)nt;
#ifdef _OPENMP
#pragma omp parallel num_threads(nt) if (nt > 1)
#endif
    for (int k = 0; k < T; k++) step_forward(s, io, kern, s->reverse ? T - 1 - k : k);
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

/* One step of BPTT at time t, run by every thread of the loop's region:
 * consumes dh/dc (the gradient on step t's new state), writes the step's
 * gate gradients, leaves the gradient on its previous state in
 * dh_next/dc_next. */
static void step_backward(rc_seq *s, rc_cell_kernels kern, int t, const rc_seq_io *grad, rc_real *dh, rc_real *dc,
                          rc_real *dh_next, rc_real *dc_next)
{
    const rc_cell *cell = s->cell;
    int B = s->B, H = s->H, P = s->P, G_H = gh(s), nb = live_rows(s, t);
    const rc_tensor *w_hr = s->w.t[RC_SEQ_W_HR];
    rc_real *hp = h_at(s, prev_slot(s, t)), *hn = h_at(s, next_slot(s, t));
    rc_real *cp = c_at(s, prev_slot(s, t)), *cn = c_at(s, next_slot(s, t));
    rc_real *dxg = s->xg + (size_t)t * B * G_H;
    rc_real *dhg = cell->split_hg ? s->dhg + (size_t)t * B * G_H : dxg;
    rc_real *m = w_hr ? step_rows(s, s->m, t, (size_t)H) : hn, *dm = w_hr ? s->dm : dh;
    rc_real *dhp = w_hr ? s->dhp + (size_t)t * B * P : NULL;

    /* forward wrote out[t, b] = h for running sequences; with projection, dh
     * is kept for dW_hr */
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
    for (int q = 0; q < (P + NR - 1) / NR; q++) {
        int j0 = q * NR, j1 = imin(P, j0 + NR);
        for (int b = 0; b < B; b++) {
            bool on = active(s, t, b);
            if (grad->out && on) add_into(cols(dh, b, P, j0), out_row(grad, t, b) + j0, (size_t)(j1 - j0));
            if (dhp) copy_or_zero(cols(dhp, b, P, j0), on ? cols(dh, b, P, j0) : NULL, (size_t)(j1 - j0));
        }
    }
    /* forward was h = m W_hrᵀ: dm = dh W_hr */
    if (w_hr) {
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (int q = 0; q < (H + NR - 1) / NR; q++)
            rc_gemm_packed(nb, q * NR, imin(H, (q + 1) * NR), P, dh, P, s->whr_b, 0, dm, H);
    }
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
    for (int q = 0; q < (H + CHUNK - 1) / CHUNK; q++) {
        int j0 = q * CHUNK, j1 = imin(H, j0 + CHUNK);
        size_t n = (size_t)(j1 - j0);
        kern.backward(nb, H, j0, j1, step_rows(s, s->saved, t, (size_t)cell->saved * H), hp, cp, m, cn, dm, dc, dxg,
                      dhg, dh_next, dc_next);
        /* forward carried the state of ended sequences: zero gate gradients */
        for (int b = 0; s->lengths && b < B; b++)
            if (!active(s, t, b)) {
                for (int g = 0; g < cell->gates; g++) {
                    memset(cols(dxg, b, G_H, g * H + j0), 0, n * sizeof(rc_real));
                    memset(cols(dhg, b, G_H, g * H + j0), 0, n * sizeof(rc_real));
                }
                if (dc) memcpy(cols(dc_next, b, H, j0), cols(dc, b, H, j0), n * sizeof(rc_real));
            }
    }
    /* forward was HG = h_prev W_hhᵀ + b_hh: dh_prev (+)= DHG_t W_hh, and ended
     * sequences pass dh through */
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
    for (int q = 0; q < (P + NR - 1) / NR; q++) {
        int j0 = q * NR, j1 = imin(P, j0 + NR);
        rc_gemm_packed(nb, j0, j1, G_H, dhg, G_H, s->whh_b, cell->direct_h ? 1 : 0, dh_next, P);
        for (int b = 0; b < B; b++)
            if (!active(s, t, b))
                memcpy(cols(dh_next, b, P, j0), cols(dh, b, P, j0), (size_t)(j1 - j0) * sizeof(rc_real));
    }
}

void rc_seq_bptt(rc_seq *s, const rc_seq_io *grad)
{
    RC_ASSERT(s->keep);
    const rc_cell *cell = s->cell;
    int T = s->T, B = s->B, H = s->H, P = s->P, G_H = gh(s);
    const rc_tensor *w_hh = s->w.t[RC_SEQ_W_HH], *w_hr = s->w.t[RC_SEQ_W_HR];
    size_t BP = (size_t)B * P, BH = (size_t)B * H;

    copy_or_zero(s->dh[0], grad->h_n, BP);
    if (cell->has_c) copy_or_zero(s->dc[0], grad->c_n, BH);
    rc_gemm_pack_b(false, G_H, P, w_hh->data, P, s->whh_b);
    if (w_hr) rc_gemm_pack_b(false, P, H, w_hr->data, H, s->whr_b);
    rc_cell_kernels kern = rc_cell_kernels_active(cell);
    int nt = loop_threads(s);
    (void)nt;
#ifdef _OPENMP
#pragma omp parallel num_threads(nt) if (nt > 1)
#endif
    for (int k = 0; k < T; k++) {
        /* the gradients on h and c alternate between the two buffers */
        int cur = k % 2;
        step_backward(s, kern, s->reverse ? k : T - 1 - k, grad, s->dh[cur], s->dc[cur], s->dh[!cur], s->dc[!cur]);
    }
    if (grad->h0) add_into(grad->h0, s->dh[T % 2], BP);
    if (grad->c0 && cell->has_c) add_into(grad->c0, s->dc[T % 2], BH);
}

void rc_seq_grads(rc_seq *s, const rc_real *x, const rc_seq_io *grad)
{
    int T = s->T, B = s->B, I = s->I, H = s->H, P = s->P, G_H = gh(s), TB = T * B;
    rc_tensor *w_ih = s->w.t[RC_SEQ_W_IH], *w_hh = s->w.t[RC_SEQ_W_HH], *w_hr = s->w.t[RC_SEQ_W_HR];
    rc_tensor *b_ih = s->w.t[RC_SEQ_B_IH], *b_hh = s->w.t[RC_SEQ_B_HH];
    const rc_real *dxg = s->xg, *dhg = s->cell->split_hg ? s->dhg : s->xg;
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

void rc_seq_backward(rc_seq *s, const rc_real *x, const rc_seq_io *grad)
{
    rc_seq_bptt(s, grad);
    rc_seq_grads(s, x, grad);
}
