/*
 * The per-tensor update kernels behind rc_optim_step(), over raw buffers.
 * Each replays PyTorch's single-tensor (CPU, foreach=False) implementation
 * operation by operation in rc_real, with the scalar coefficients computed in
 * double as Python computes them, so results agree with torch to rounding.
 */
#ifndef RC_OPTIM_UPDATE_H
#define RC_OPTIM_UPDATE_H

#include "recur/optim.h"

/* p, g, buf (n); buf is NULL without momentum. */
void rc_sgd_update(rc_real *p, const rc_real *g, rc_real *buf, size_t n, const rc_optim_config *c);

/* The scalars of one Adam/AdamW step, shared by every tensor. */
typedef struct rc_adam_coefs {
    rc_real decay;        /* AdamW: 1 − lr·λ; Adam: 1 */
    rc_real wd;           /* Adam: λ (added to g); AdamW: 0 */
    rc_real w1;           /* 1 − β1 */
    rc_real beta2, w2;    /* β2, 1 − β2 */
    rc_real bc2_sqrt;     /* √(1 − β2^t) */
    rc_real neg_step;     /* −lr / (1 − β1^t) */
    rc_real eps;
} rc_adam_coefs;

/* The coefficients of step t >= 1 under config c (Adam or AdamW). */
rc_adam_coefs rc_adam_coefs_at(const rc_optim_config *c, int64_t t);

/* p, g, m, v (n) */
void rc_adam_update(rc_real *p, const rc_real *g, rc_real *m, rc_real *v, size_t n, const rc_adam_coefs *k);

#endif
