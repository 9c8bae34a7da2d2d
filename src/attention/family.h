/*
 * What the attention modules share. module.c checks shapes, builds the mask,
 * allocates outputs and buffers and records one tape node; each scoring
 * family (one file each) supplies its parameters and its forward/backward
 * glue; kernels.c holds the masked softmax and the weighted sum of values
 * that every family runs, and projection.c the Linear pieces.
 */
#ifndef RC_ATTENTION_FAMILY_H
#define RC_ATTENTION_FAMILY_H

#include "core/gemm.h"
#include "core/tape.h"
#include "recur/attention.h"

#define RC_ATTN_MAX_PARAMS 6
#define RC_ATTN_MAX_BUFS 6

/* Sizes of one call: B batch, Tq query steps (1 for a step query), S keys,
 * input sizes Dq, Dk, Dv, H heads of size hd (1 and Dv outside multi-head),
 * A the additive hidden size, O the output size. */
typedef struct rc_attn_dims {
    int B, Tq, S, Dq, Dk, Dv, H, hd, A, O;
} rc_attn_dims;

/* One parameter of a family, in state_dict order. */
typedef struct rc_attn_param_spec {
    const char *name;
    int ndim, shape[2];
    double bound;  /* init U(−bound, bound); 0 means zeros */
    bool is_bias;  /* absent without bias */
} rc_attn_param_spec;

/* Everything one call's forward and backward passes touch. */
typedef struct rc_attn_run {
    rc_attn_dims d;
    rc_tensor *q, *k, *v, *out, *weights;
    rc_tensor *p[RC_ATTN_MAX_PARAMS];  /* the module's parameters; NULL for an absent bias */
    const unsigned char *mask;         /* NULL or (B, Tq, S), nonzero = hidden */
    rc_real *A;                        /* (B, H, Tq, S) weights per head (the weights tensor when H = 1) */
    rc_real *dA;                       /* (B, H, Tq, S) backward scratch: dα, then d score */
    rc_real *buf[RC_ATTN_MAX_BUFS];    /* family buffers, sized by its layout() */
} rc_attn_run;

typedef struct rc_attn_family {
    rc_op op;
    /* Checks the fields of cfg this family uses (RC_E_INVALID naming the
     * field), fills spec[] and sets *n to the number of parameters. */
    rc_status (*params)(const rc_attention_config *cfg, rc_attn_param_spec *spec, int *n);
    /* Element counts of buf[0..RC_ATTN_MAX_BUFS) (0 = unused); buffers the
     * backward pass alone needs are counted only when rec. */
    void (*layout)(const rc_attn_dims *d, bool rec, size_t *n);
    /* Writes r->A (softmaxed), r->out. */
    void (*forward)(const rc_attn_run *r);
    /* Reads r->out->grad and r->dA (holding dα), adds into every grad buffer. */
    void (*backward)(const rc_attn_run *r);
} rc_attn_family;

extern const rc_attn_family rc_attn_tutorial_family, rc_attn_additive_family, rc_attn_concat_family,
    rc_attn_dot_family, rc_attn_general_family, rc_attn_scaled_dot_family, rc_attn_multihead_family;

/* ---- kernels.c: masked softmax and context, per (batch, head) --------- */

/* For every b and h: α_bh = masked softmax of the scores in A_bh (in place),
 * c_bh = α_bh V_bh. Head h of V and C is the column block h·hd of rows of
 * stride ldv / ldc; sequence b starts at row b·S of V and b·Tq of C. */
void rc_attn_attend_forward(rc_real *A, rc_real *C, int ldc, const rc_real *V, int ldv,
                            const unsigned char *mask, const rc_attn_dims *d);

/* The reverse of rc_attn_attend_forward: dA holds dα on entry (the weights'
 * own gradient) and d score on exit; dV (same layout as V, or NULL) gets
 * αᵀ dC added. */
void rc_attn_attend_backward(rc_real *dA, rc_real *dV, const rc_real *dC, int ldc, const rc_real *A,
                             const rc_real *V, int ldv, const rc_attn_dims *d);

/* ---- multiplicative.c: dot-product scores, per (batch, head) --------- */

/* A (B, H, Tq, S); Q rows of stride ldq, B·Tq of them; K rows of stride ldk,
 * B·S of them; head h reads the column block h·D of width D of both.
 * score_bhij = alpha · Q_bi,h · K_bj,h */
void rc_attn_dot_scores_forward(rc_real *A, const rc_real *Q, int ldq, const rc_real *K, int ldk, int D,
                                rc_real alpha, const rc_attn_dims *d);

/* forward was score = alpha · Q Kᵀ: dQ += alpha · dS K, dK += alpha · dSᵀ Q
 * (dQ, dK in Q's and K's layout, or NULL) */
void rc_attn_dot_scores_backward(rc_real *dQ, rc_real *dK, const rc_real *dS, const rc_real *Q, int ldq,
                                 const rc_real *K, int ldk, int D, rc_real alpha, const rc_attn_dims *d);

/* ---- projection.c: the Linear layers ---------------------------------- */

/* X (R, I; ldx), W (O, I; ldw), b (O) or NULL, Y (R, O; ldy): Y = beta·Y + X Wᵀ + b */
void rc_attn_proj_forward(rc_real *Y, int ldy, const rc_real *X, int ldx, const rc_real *W, int ldw,
                          const rc_real *b, int R, int I, int O, rc_real beta);

/* forward was Y = X Wᵀ + b: dX += dY W, dW += dYᵀ X, db += Σ_r dY_r (NULL skips;
 * dX has X's stride, dW W's) */
void rc_attn_proj_backward(rc_real *dX, rc_real *dW, rc_real *db, const rc_real *dY, int ldy, const rc_real *X,
                           int ldx, const rc_real *W, int ldw, int R, int I, int O);

/* X1 (R, I1), X2 (R, I2), W (O, I1 + I2), b (O) or NULL, Y (R, O):
 * Y = [X1; X2] Wᵀ + b, the Linear of a concatenation, without building it */
void rc_attn_proj_cat_forward(rc_real *Y, const rc_real *X1, int I1, const rc_real *X2, int I2, const rc_real *W,
                              const rc_real *b, int R, int O);

/* forward was Y = [X1; X2] Wᵀ + b (NULL skips a gradient) */
void rc_attn_proj_cat_backward(rc_real *dX1, rc_real *dX2, rc_real *dW, rc_real *db, const rc_real *dY,
                               const rc_real *X1, int I1, const rc_real *X2, int I2, const rc_real *W, int R, int O);

/* Data and grad of an optional tensor (NULL when absent), and a NULL-safe
 * offset into a buffer. */
static inline const rc_real *rc_attn_data(const rc_tensor *t) { return t ? t->data : NULL; }
static inline rc_real *rc_attn_grad(const rc_tensor *t) { return t ? t->grad : NULL; }
static inline rc_real *rc_attn_at(rc_real *p, size_t offset) { return p ? p + offset : NULL; }

#endif
