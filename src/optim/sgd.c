/* SGD with momentum and weight decay, as torch.optim.SGD (no dampening, no Nesterov). */
#include "optim/update.h"

/* The momentum buffer starts at zero, so μ·0 + g reproduces torch's buf = g
 * at the first step exactly, and a buffer restored from a checkpoint simply
 * continues. */
void rc_sgd_update(rc_real *p, const rc_real *g, rc_real *buf, size_t n, const rc_optim_config *c)
{
    rc_real wd = c->weight_decay, mu = c->momentum, neg_lr = -c->lr;
    for (size_t i = 0; i < n; i++) {
        /* g += λp (torch: grad.add(param, alpha=λ)) */
        rc_real gi = wd != 0 ? g[i] + wd * p[i] : g[i];
        /* buf = μ·buf + g (torch: buf.mul_(μ).add_(grad)) */
        if (buf) gi = buf[i] = buf[i] * mu + gi;
        /* p −= lr·buf (torch: param.add_(buf, alpha=−lr)) */
        p[i] = p[i] + neg_lr * gi;
    }
}
