/*
 * recur/optim.h — SGD (momentum, weight decay), Adam and AdamW with
 * PyTorch's exact update rules, and gradient-norm clipping.
 *
 *   SGD:   g += λp;  buf = μ·buf + g (buf = g at the first step);  p −= lr·buf
 *          (without momentum: p −= lr·g)
 *   Adam:  g += λp;  m = β1 m + (1−β1) g;  v = β2 v + (1−β2) g²;
 *          m̂ = m/(1−β1^t);  v̂ = v/(1−β2^t);  p −= lr·m̂/(√v̂ + eps)
 *   AdamW: p *= (1 − lr·λ), then Adam with λ = 0.
 *
 * Updates follow torch's single-tensor code operation by operation (m via
 * lerp, denom = √v/√(1−β2^t) + eps, p += −(lr/(1−β1^t))·m/denom, scalar
 * coefficients in double), so results agree with torch's to rounding.
 *
 *     rc_optim_config oc = rc_optim_config_default(RC_OPTIM_ADAM, 2e-3f);
 *     rc_optim *opt;
 *     if (rc_optim_create(&opt, &oc, params) != RC_OK) ...
 *     ... backward ...
 *     rc_clip_grad_norm(params, 5.0f);
 *     rc_optim_step(opt);
 *     rc_optim_free(opt);
 */
#ifndef RECUR_OPTIM_H
#define RECUR_OPTIM_H

#include "recur/params.h"

typedef enum rc_optim_kind { RC_OPTIM_SGD, RC_OPTIM_ADAM, RC_OPTIM_ADAMW, RC_OPTIM_KIND_COUNT } rc_optim_kind;

typedef struct rc_optim_config {
    rc_optim_kind kind;
    rc_real lr;
    rc_real momentum;     /* SGD */
    rc_real weight_decay; /* λ */
    rc_real beta1, beta2, eps; /* Adam, AdamW */
} rc_optim_config;

/* PyTorch's defaults for the kind: SGD momentum 0, weight decay 0;
 * Adam β = (0.9, 0.999), eps 1e-8, weight decay 0; AdamW weight decay 1e-2. */
rc_optim_config rc_optim_config_default(rc_optim_kind kind, rc_real lr);

typedef struct rc_optim rc_optim;

/* Creates an optimizer over every tensor in ps that has a grad buffer (at
 * this call; tensors added later are not optimized). The list is borrowed
 * and must outlive the optimizer. Hyperparameters are checked for the kind:
 * lr, weight_decay, momentum and eps finite and >= 0, beta1 and beta2 in
 * [0, 1). Errors: RC_E_INVALID naming the bad hyperparameter, or when no
 * tensor has a grad buffer (as torch refuses an empty parameter list),
 * RC_E_NOMEM. */
rc_status rc_optim_create(rc_optim **out, const rc_optim_config *cfg, rc_params *ps);
void rc_optim_free(rc_optim *o);

/* One update from the current grads. Every optimized tensor is updated, a
 * zero grad included (as torch does for a grad that is zero, not None). */
rc_status rc_optim_step(rc_optim *o);

/* Number of steps taken. */
int64_t rc_optim_steps(const rc_optim *o);

/* Adds the optimizer's state tensors to ps (for checkpoints): for parameter
 * NAME, "prefix.NAME.exp_avg" and ".exp_avg_sq" (Adam/AdamW) or
 * ".momentum_buffer" (SGD with momentum; plain SGD has no state). The tensors
 * start at zero and stay owned by the optimizer; loading values into them
 * restores the state. The step count is read with rc_optim_steps() and
 * restored with rc_optim_set_steps(). Errors: those of rc_params_add() (a
 * name too long or taken), after which ps may hold part of the state. */
rc_status rc_optim_add_state(rc_optim *o, rc_params *ps, const char *prefix);

/* Sets the number of steps taken (the t of Adam's bias corrections).
 * Errors: RC_E_INVALID for steps < 0. */
rc_status rc_optim_set_steps(rc_optim *o, int64_t steps);

/* Scales all grads so their global L2 norm is at most max_norm, as
 * torch.nn.utils.clip_grad_norm_: total = √(Σ‖g‖²) (summed in double); with
 * c = max_norm / (total + 1e-6), if c < 1 (total > max_norm, up to the 1e-6)
 * every g *= c. Returns total, before clipping.
 * If total is NaN or Inf (a gradient is), the grads are left unscaled and
 * total is returned, so the caller can skip the step (torch would multiply
 * them by NaN or 0). A max_norm that is negative or NaN returns NaN with
 * RC_E_INVALID recorded for rc_last_error(), leaving the grads unscaled. */
rc_real rc_clip_grad_norm(rc_params *ps, rc_real max_norm);

#endif
