/* Gradient-norm clipping, as torch.nn.utils.clip_grad_norm_. */
#include <math.h>

#include "recur/optim.h"

rc_real rc_clip_grad_norm(rc_params *ps, rc_real max_norm)
{
    if (!(max_norm >= 0)) {
        rc_error(RC_E_INVALID, "clip_grad_norm: max_norm must be >= 0, got %g", (double)max_norm);
        return NAN;
    }
    /* Σ‖g‖² in double: no overflow for float grads and no loss of small terms. */
    double sum = 0;
    for (size_t i = 0; i < rc_params_count(ps); i++) {
        const rc_tensor *t = rc_params_tensor(ps, i);
        for (size_t j = 0; t->grad && j < t->numel; j++) sum += (double)t->grad[j] * (double)t->grad[j];
    }
    double total = sqrt(sum);
    /* Non-finite grads are left as they are for the caller to detect (torch would multiply them by NaN or 0). */
    if (!isfinite(total)) return (rc_real)total;
    /* torch scales by min(1, max_norm / (total + 1e-6)) */
    double coef = (double)max_norm / (total + 1e-6);
    if (coef < 1) {
        rc_real c = (rc_real)coef;
        for (size_t i = 0; i < rc_params_count(ps); i++) {
            rc_tensor *t = rc_params_tensor(ps, i);
            for (size_t j = 0; t->grad && j < t->numel; j++) t->grad[j] *= c;
        }
    }
    return (rc_real)total;
}
