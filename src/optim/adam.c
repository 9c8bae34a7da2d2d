/*
 * Adam and AdamW, as torch.optim.Adam / AdamW compute them:
 *
 *     bias_correction1 = 1 − β1^t,  bias_correction2 = 1 − β2^t    (Python floats)
 *     step_size = lr / bias_correction1
 *     denom = (√v / √bias_correction2) + eps
 *     p += −step_size · m / denom
 *
 * which equals p −= lr·m̂/(√v̂ + eps) up to rounding but is not rounded the same
 * way; this order is the one that matches torch.
 */
#include <math.h>

#include "optim/update.h"

rc_adam_coefs rc_adam_coefs_at(const rc_optim_config *c, int64_t t)
{
    double lr = c->lr, b1 = c->beta1, b2 = c->beta2, wd = c->weight_decay;
    bool decoupled = c->kind == RC_OPTIM_ADAMW;
    rc_adam_coefs k = {
        .decay = (rc_real)(decoupled ? 1 - lr * wd : 1),
        .wd = (rc_real)(decoupled ? 0 : wd),
        .w1 = (rc_real)(1 - b1),
        .beta2 = c->beta2,
        .w2 = (rc_real)(1 - b2),
        .bc2_sqrt = (rc_real)sqrt(1 - pow(b2, (double)t)),
        .neg_step = (rc_real)(-(lr / (1 - pow(b1, (double)t)))),
        .eps = c->eps,
    };
    return k;
}

/* torch's lerp(a, b, w) = a + w·(b − a), evaluated from the nearer end so
 * that it is exact at w = 0 and w = 1. */
static rc_real lerp(rc_real a, rc_real b, rc_real w)
{
    return fabs(w) < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w);
}

void rc_adam_update(rc_real *p, const rc_real *g, rc_real *m, rc_real *v, size_t n, const rc_adam_coefs *k)
{
    for (size_t i = 0; i < n; i++) {
        /* AdamW: p *= 1 − lr·λ (torch: param.mul_(1 − lr·λ)) */
        p[i] *= k->decay;
        /* Adam: g += λp (torch: grad.add(param, alpha=λ)) */
        rc_real gi = k->wd != 0 ? g[i] + k->wd * p[i] : g[i];
        /* m = β1 m + (1 − β1) g (torch: exp_avg.lerp_(grad, 1 − β1)) */
        m[i] = lerp(m[i], gi, k->w1);
        /* v = β2 v + (1 − β2) g² (torch: exp_avg_sq.mul_(β2).addcmul_(grad, grad, value=1 − β2)) */
        v[i] = v[i] * k->beta2 + k->w2 * gi * gi;
        /* p −= lr·m̂/(√v̂ + eps) (torch: param.addcdiv_(exp_avg, denom, value=−step_size)) */
        rc_real denom = (rc_real)sqrt(v[i]) / k->bc2_sqrt + k->eps;
        p[i] = p[i] + k->neg_step * m[i] / denom;
    }
}
